from django.contrib import admin

from comuni.admin import ComuneScopedAdmin

from .models import Movimento


@admin.register(Movimento)
class MovimentoAdmin(ComuneScopedAdmin):
    """The ledger is append-only: staff read it here; corrections are new movements."""

    list_display = ["data_valuta", "consumatore", "servizio", "tipo", "importo", "riferimento", "creato_da"]
    list_filter = ["servizio", "tipo", "data_valuta"]
    search_fields = ["consumatore__cognome", "consumatore__nome", "consumatore__codice_fiscale", "riferimento"]
    list_select_related = ["consumatore", "creato_da"]
    date_hierarchy = "data_valuta"

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
