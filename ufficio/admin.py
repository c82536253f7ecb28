from django.contrib import admin

from comuni.admin import ComuneScopedAdmin

from .models import CorrezionePasto, ImpostazioniSolleciti, Sollecito


@admin.register(ImpostazioniSolleciti)
class ImpostazioniSollecitiAdmin(ComuneScopedAdmin):
    list_display = ["comune", "giorni_tra_livelli", "giorni_per_pagare"]

    def has_add_permission(self, request) -> bool:
        # One row per comune (created with the default texts on first use).
        if request.user.is_superuser:
            return True
        return super().has_add_permission(request) and not ImpostazioniSolleciti.objects.exists()


@admin.register(Sollecito)
class SollecitoAdmin(ComuneScopedAdmin):
    """The register, read-only: a reminder sent cannot be edited or deleted."""

    list_display = ["inviato_il", "livello", "consumatore", "servizio", "debito", "esito_email", "pagato_il"]
    list_filter = ["livello", "servizio", "esito_email"]
    search_fields = ["consumatore__cognome", "consumatore__nome", "destinatari"]
    list_select_related = ["consumatore"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CorrezionePasto)
class CorrezionePastoAdmin(SollecitoAdmin):
    """The audit trail of attendance corrections, read-only."""

    list_display = ["registrata_il", "registrata_da", "consumatore", "giorno", "presente", "motivo", "movimento"]
    list_filter = ["presente"]
    search_fields = ["consumatore__cognome", "consumatore__nome", "motivo"]
    list_select_related = ["consumatore", "registrata_da", "movimento"]
