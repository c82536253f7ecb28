from django.contrib import admin

from comuni.admin import ComuneScopedAdmin

from .models import DichiarazioneAccessibilita, Tocco


@admin.register(Tocco)
class ToccoAdmin(ComuneScopedAdmin):
    """The audit trail of the operators' taps: read only, every tap with its outcome."""

    list_display = ("dispositivo_il", "servizio", "consumatore", "giorno", "tratta", "valore", "esito",
                    "registrato_da", "ricevuto_il")
    list_filter = ("servizio", "esito", "giorno")
    search_fields = ("consumatore__cognome", "consumatore__nome", "uuid")
    list_select_related = ("consumatore", "registrato_da")
    date_hierarchy = "giorno"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DichiarazioneAccessibilita)
class DichiarazioneAccessibilitaAdmin(ComuneScopedAdmin):
    list_display = ("comune", "aggiornata_il")

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser or (
            request.comune is not None and not DichiarazioneAccessibilita.objects.exists())
