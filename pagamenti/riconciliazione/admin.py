"""Admin of the comune's reconciliation settings (imported by pagamenti/admin.py)."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from comuni.admin import ComuneScopedAdmin
from pagamenti.admin import ConfigurazionePagamentiForm

from .models import ConfigurazioneRiconciliazione


class ConfigurazioneRiconciliazioneForm(ConfigurazionePagamentiForm):
    """The FdR API key is write-only, like the payment secrets."""

    SECRETS = ("fdr_api_key",)

    class Meta:
        model = ConfigurazioneRiconciliazione
        fields = "__all__"  # noqa: DJ007 - the admin picks the fields; this form only adds widgets
        widgets = {"fdr_api_key": forms.PasswordInput(render_value=False)}


@admin.register(ConfigurazioneRiconciliazione)
class ConfigurazioneRiconciliazioneAdmin(ComuneScopedAdmin):
    list_display = ["comune", "giorni_attesa_flusso", "fdr_api_url"]
    form = ConfigurazioneRiconciliazioneForm

    def has_add_permission(self, request) -> bool:
        if request.user.is_superuser:
            return True
        return request.comune is not None and not ConfigurazioneRiconciliazione.objects.exists()
