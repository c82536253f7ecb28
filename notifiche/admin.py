from django import forms
from django.contrib import admin

from comuni.admin import ComuneScopedAdmin

from .models import DispositivoPush, MessaggioIO, Notifica, ServizioIO, StatoChiaveIO


@admin.register(Notifica)
class NotificaAdmin(ComuneScopedAdmin):
    list_display = ["creata_il", "user", "consumatore", "titolo", "letta", "email_inviata_il"]
    list_filter = ["letta"]
    search_fields = ["titolo", "user__email"]
    list_select_related = ["user", "consumatore"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


CHIAVE_INVARIATA = "Lasciare vuoto per mantenere la chiave salvata."


class ServizioIOForm(forms.ModelForm):
    """The API key is write-only (as the GPD key): never sent back; empty keeps the saved one."""

    class Meta:
        model = ServizioIO
        fields = "__all__"  # noqa: DJ007 - the admin picks the fields; this form only adds the widget
        widgets = {"api_key": forms.PasswordInput(render_value=False)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "api_key" in self.fields and self.instance.pk and self.instance.api_key:
            self.fields["api_key"].required = False
            self.fields["api_key"].help_text = CHIAVE_INVARIATA

    def clean(self):
        cleaned = super().clean()
        if "api_key" in self.fields and self.instance.pk:
            if cleaned.get("api_key"):
                # A new key: IO has not judged it yet.
                self.instance.stato_chiave = StatoChiaveIO.NON_VERIFICATA
            else:
                saved = ServizioIO.objects.filter(pk=self.instance.pk).values_list("api_key", flat=True).first()
                cleaned["api_key"] = saved or ""
                self.instance.api_key = cleaned["api_key"]
        return cleaned


@admin.register(ServizioIO)
class ServizioIOAdmin(ComuneScopedAdmin):
    form = ServizioIOForm
    list_display = ["nome", "ambito", "attivo", "stato_chiave", "stato_aggiornato_il"]
    readonly_fields = ["stato_chiave", "stato_aggiornato_il"]


@admin.register(MessaggioIO)
class MessaggioIOAdmin(ComuneScopedAdmin):
    list_display = ["aggiornato_il", "notifica", "servizio", "stato", "tentativi", "esito"]
    list_filter = ["stato"]
    list_select_related = ["notifica", "servizio"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DispositivoPush)
class DispositivoPushAdmin(ComuneScopedAdmin):
    list_display = ["creato_il", "user", "nome"]
    search_fields = ["user__email"]
    exclude = ["p256dh", "auth"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
