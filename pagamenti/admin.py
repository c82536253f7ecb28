"""Staff admin for the ledger and payments, scoped to the staff member's comune.

The ledger stays append-only: movements are read here; a correction is a new "rettifica" row
made through movimento_register with its reason and author (who, when, why).
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from comuni.admin import ComuneScopedAdmin

from .models import (
    ConfigurazionePagamenti,
    Movimento,
    Posizione,
    Rettifica,
    Ricevuta,
    RigaPosizione,
    StatoPosizione,
    TipoGateway,
    TipoMovimento,
    TransazioneLIS,
)
from .saldi_iniziali import saldi_iniziali_apply, saldi_iniziali_parse
from .services import movimento_register

IMPORT_SESSION_KEY = "pagamenti_import_saldi"


class ReadOnlyAdmin(ComuneScopedAdmin):
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


class ImportSaldiForm(forms.Form):
    file = forms.FileField(label=_("File CSV o XLSX (colonne: codice_fiscale, servizio, saldo)"))


@admin.register(Movimento)
class MovimentoAdmin(ReadOnlyAdmin):
    """The ledger is append-only: staff read it here; corrections are new movements."""

    list_display = ["data_valuta", "consumatore", "servizio", "tipo", "importo", "riferimento", "creato_da"]
    list_filter = ["servizio", "tipo", "data_valuta"]
    search_fields = ["consumatore__cognome", "consumatore__nome", "consumatore__codice_fiscale", "riferimento"]
    list_select_related = ["consumatore", "creato_da"]
    date_hierarchy = "data_valuta"
    change_list_template = "admin/pagamenti/movimento/change_list.html"

    def get_urls(self):
        return [path("importa-saldi/", self.admin_site.admin_view(self.import_view), name="pagamenti_import_saldi"),
                *super().get_urls()]

    def import_view(self, request):
        """Upload → dry-run preview with every error by row and column → apply in one transaction."""
        if not request.user.has_perm("pagamenti.add_movimento"):
            raise PermissionDenied
        comune = request.comune
        if comune is None:
            messages.error(request, _("L'importazione si fa dall'account dell'ufficio scuola del comune."))
            return redirect("admin:pagamenti_movimento_changelist")
        anteprima = None
        form = ImportSaldiForm()
        if request.method == "POST" and "applica" in request.POST:
            stored = request.session.pop(IMPORT_SESSION_KEY, None)
            if stored is None:
                messages.error(request, _("Caricare di nuovo il file."))
                return redirect("admin:pagamenti_import_saldi")
            anteprima = saldi_iniziali_parse(comune=comune, content=bytes.fromhex(stored["content"]),
                                             filename=stored["filename"])
            try:
                count = saldi_iniziali_apply(comune=comune, anteprima=anteprima, creato_da=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Importati %(n)s saldi iniziali.") % {"n": count})
                return redirect("admin:pagamenti_movimento_changelist")
        elif request.method == "POST":
            form = ImportSaldiForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                content = upload.read()
                anteprima = saldi_iniziali_parse(comune=comune, content=content, filename=upload.name)
                if anteprima.valida:
                    request.session[IMPORT_SESSION_KEY] = {"content": content.hex(), "filename": upload.name}
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "anteprima": anteprima, "title": _("Importa i saldi iniziali")}
        return TemplateResponse(request, "admin/pagamenti/import_saldi.html", context)


@admin.register(Rettifica)
class RettificaAdmin(ComuneScopedAdmin):
    """Staff corrections: a new signed movement with a mandatory reason; author and time are recorded."""

    fields = ["consumatore", "servizio", "importo", "data_valuta", "motivo"]
    list_display = ["creato_il", "consumatore", "servizio", "importo", "motivo", "creato_da"]
    list_filter = ["servizio"]
    list_select_related = ["consumatore", "creato_da"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["motivo"].required = True  # a correction without its reason is refused
        return form

    def get_queryset(self, request):
        return super().get_queryset(request).filter(tipo=TipoMovimento.RETTIFICA)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        movimento, _created = movimento_register(
            consumatore=data["consumatore"], servizio=data["servizio"], tipo=TipoMovimento.RETTIFICA,
            importo=data["importo"], data_valuta=data["data_valuta"], chiave=f"rettifica:{uuid.uuid4().hex}",
            riferimento=f"rettifica di {request.user.email}"[:100], descrizione="Rettifica dell'ufficio",
            motivo=data["motivo"], creato_da=request.user,
        )
        obj.pk = movimento.pk


class RigaPosizioneInline(admin.TabularInline):
    model = RigaPosizione
    fields = ["consumatore", "servizio", "importo"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Posizione)
class PosizioneAdmin(ReadOnlyAdmin):
    list_display = ["numero_avviso", "utente", "importo", "stato", "stato_remoto", "modalita", "gateway",
                    "creata_il", "pubblicata_il", "tentativi", "ultimo_errore"]
    list_filter = ["stato", "stato_remoto", "modalita", "gateway"]
    search_fields = ["numero_avviso", "utente__email", "utente__codice_fiscale"]
    list_select_related = ["utente"]
    inlines = [RigaPosizioneInline]
    actions = ["annulla_posizioni", "simula_pagamento_psp"]

    @admin.action(description=_("Annulla le posizioni selezionate (invalidate su pagoPA)"))
    def annulla_posizioni(self, request, queryset):
        from .pagopa.gateway import GatewayError
        from .pagopa.services import posizione_cancel

        done = refused = failed = 0
        for posizione in queryset.select_related("comune", "utente").filter(stato=StatoPosizione.IN_ATTESA):
            try:
                if posizione_cancel(posizione=posizione, interactive=True):
                    done += 1
                else:
                    refused += 1
            except GatewayError:
                failed += 1
        self.message_user(request, _("Posizioni annullate: %(n)s.") % {"n": done})
        if refused:
            self.message_user(request, _("Non annullabili (già pagate o chiuse su pagoPA): %(n)s.") % {"n": refused},
                              messages.WARNING)
        if failed:
            self.message_user(request, _("pagoPA non raggiungibile, riprovare: %(n)s.") % {"n": failed},
                              messages.ERROR)

    @admin.action(description=_("Simula il pagamento dell'avviso presso un PSP (sandbox)"))
    def simula_pagamento_psp(self, request, queryset):
        from .pagopa.services import posizione_simulate_psp_payment

        done = 0
        for posizione in queryset.select_related("comune").filter(stato=StatoPosizione.IN_ATTESA,
                                                                  gateway=TipoGateway.SANDBOX):
            try:
                posizione_simulate_psp_payment(posizione=posizione)
                done += 1
            except ValueError as error:
                self.message_user(request, str(error), messages.ERROR)
        self.message_user(request, _("Pagamenti simulati: %(n)s.") % {"n": done})


@admin.register(Ricevuta)
class RicevutaAdmin(ReadOnlyAdmin):
    """Every receipt, the unexpected ones (unknown notice, wrong amount, double payment) first to check."""

    list_display = ["ricevuta_il", "numero_avviso", "importo", "esito", "motivo", "psp", "origine"]
    list_filter = ["esito", "origine"]
    search_fields = ["numero_avviso", "identificativo"]


@admin.register(TransazioneLIS)
class TransazioneLISAdmin(ReadOnlyAdmin):
    list_display = ["ricevuta_il", "identificativo", "consumatore", "servizio", "importo"]
    list_filter = ["servizio"]
    search_fields = ["identificativo", "consumatore__cognome"]
    list_select_related = ["consumatore"]


SEGRETO_INVARIATO = _("Lasciare vuoto per mantenere il valore salvato.")


class ConfigurazionePagamentiForm(forms.ModelForm):
    """Secrets are write-only: never sent back to the browser; empty means "keep the saved one"."""

    SECRETS = ("gpd_api_key", "lis_segreto")

    class Meta:
        model = ConfigurazionePagamenti
        fields = "__all__"  # noqa: DJ007 - the admin picks the fields; this form only adds widgets
        widgets = {name: forms.PasswordInput(render_value=False) for name in ("gpd_api_key", "lis_segreto")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.SECRETS:
            if name in self.fields and self.instance.pk and getattr(self.instance, name):
                self.fields[name].required = False
                self.fields[name].help_text = SEGRETO_INVARIATO

    def clean(self):
        cleaned = super().clean()
        for name in self.SECRETS:
            if name in self.fields and not cleaned.get(name) and self.instance.pk:
                saved = type(self.instance).objects.filter(pk=self.instance.pk).values_list(name, flat=True).first()
                cleaned[name] = saved or ""
                setattr(self.instance, name, cleaned[name])
        return cleaned


@admin.register(ConfigurazionePagamenti)
class ConfigurazionePagamentiAdmin(ComuneScopedAdmin):
    list_display = ["comune", "gateway", "codice_segregazione"]
    form = ConfigurazionePagamentiForm

    def has_add_permission(self, request) -> bool:
        if request.user.is_superuser:
            return True
        return request.comune is not None and not ConfigurazionePagamenti.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser




# The reconciliation settings' admin lives in its subpackage; importing it registers it.
from pagamenti.riconciliazione import admin as _riconciliazione_admin  # noqa: E402, F401
