"""Staff pages of the yearly cycle: tariff rules, ISEE, exemptions (applications: admin_domande)."""

from __future__ import annotations

from django.contrib import admin

from comuni.admin import ComuneScopedAdmin

from .models import Esenzione, RegolaFratelli, SituazioneIsee
from .services import esenzione_concedi, esenzione_revoca, isee_registra


@admin.register(RegolaFratelli)
class RegolaFratelliAdmin(ComuneScopedAdmin):
    list_display = ["servizio", "riduzione_secondo", "riduzione_successivi"]


@admin.register(SituazioneIsee)
class SituazioneIseeAdmin(ComuneScopedAdmin):
    """A changed ISEE recomputes the family's tariffs from the next month."""

    list_display = ["consumatore", "anno_scolastico", "isee", "protocollo_dsu", "aggiornata_il"]
    list_filter = ["anno_scolastico"]
    search_fields = ["consumatore__cognome", "consumatore__nome", "consumatore__codice_fiscale", "protocollo_dsu"]
    list_select_related = ["consumatore", "anno_scolastico"]
    autocomplete_fields = ["consumatore"]
    readonly_fields = ["aggiornata_il", "aggiornata_da"]

    def save_model(self, request, obj, form, change):
        comune = obj.comune if self._is_platform_admin(request) else request.comune
        obj.comune = comune
        isee_registra(consumatore=obj.consumatore, anno_scolastico=obj.anno_scolastico, isee=obj.isee,
                      protocollo_dsu=obj.protocollo_dsu, da=request.user)


@admin.register(Esenzione)
class EsenzioneAdmin(ComuneScopedAdmin):
    """Granting or deleting an exemption recomputes the child's tariffs from the next month."""

    list_display = ["consumatore", "servizio", "anno_scolastico", "motivo", "creata_da", "creata_il"]
    list_filter = ["servizio", "anno_scolastico"]
    search_fields = ["consumatore__cognome", "consumatore__nome", "motivo"]
    list_select_related = ["consumatore", "anno_scolastico", "creata_da"]
    autocomplete_fields = ["consumatore"]
    readonly_fields = ["creata_da", "creata_il"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # an exemption is granted or revoked, not edited
            return ["consumatore", "anno_scolastico", "servizio", "motivo", "creata_da", "creata_il"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        esenzione = esenzione_concedi(consumatore=obj.consumatore, anno_scolastico=obj.anno_scolastico,
                                      servizio=obj.servizio, motivo=obj.motivo, da=request.user)
        obj.pk = esenzione.pk

    def delete_model(self, request, obj):
        esenzione_revoca(esenzione=obj)

    def delete_queryset(self, request, queryset):
        for esenzione in queryset:
            esenzione_revoca(esenzione=esenzione)
