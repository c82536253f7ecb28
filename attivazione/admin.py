"""The admin's side of the switch-over: the new comune's one form, and the registry import's pages."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scope, scopes_disabled

from comuni.admin import ComuneAdmin, ComuneScopedAdmin
from comuni.models import Comune

from .anagrafe.importa import anagrafe_importa
from .anagrafe.lettura import impacchetta
from .anagrafe.modello import GUIDA, modello_xlsx
from .comune import CAMPI, ComuneNuovoForm, comune_create
from .models import ImportazioneAnagrafe, StatoImportazione


class ComuneAttivazioneAdmin(ComuneAdmin):
    """"Aggiungi comune" is one form: identity, logo, contacts and (optionally) the office account."""

    add_fieldsets = [(None, {"fields": CAMPI + ["ufficio_email"]})]

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ComuneNuovoForm
            kwargs["fields"] = CAMPI + ["ufficio_email"]
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        form.instance = obj
        comune_create(form=form)


admin.site.unregister(Comune)
admin.site.register(Comune, ComuneAttivazioneAdmin)


class _FileMultipli(forms.ClearableFileInput):
    allow_multiple_selected = True


class _CampoFileMultipli(forms.FileField):
    """Several CSV files at once (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _FileMultipli())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        return [single(d, initial) for d in data] if isinstance(data, list | tuple) else [single(data, initial)]


class ImportaAnagrafeForm(forms.Form):
    file = _CampoFileMultipli(
        label=_("Cartella di lavoro XLSX, file CSV (uno per foglio: alunni.csv, tutori.csv, …) o un archivio ZIP"),
    )

    def __init__(self, *args, platform: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if platform:
            self.fields["comune"] = forms.ModelChoiceField(Comune.objects.all(), label=_("comune"))

    def clean_file(self):
        files = self.cleaned_data["file"]
        if sum(f.size for f in files) > MAX_BYTES:
            raise forms.ValidationError(FILE_TROPPO_GRANDE)
        return files


MAX_BYTES = 30 * 1024 * 1024
FILE_TROPPO_GRANDE = _("File troppo grande: al massimo 30 MB in tutto.")
ANTEPRIMA_SCADUTA = _("Anteprima non più disponibile: caricare di nuovo il file.")


@admin.register(ImportazioneAnagrafe)
class ImportazioneAnagrafeAdmin(ComuneScopedAdmin):
    """The imports done, and the page that uploads, previews (dry run) and applies the registry."""

    list_display = ["creato_il", "nome_file", "stato", "problemi", "creato_da", "applicato_il"]
    list_filter = ["stato"]
    exclude = ["contenuto"]
    change_list_template = "admin/attivazione/importazioneanagrafe/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("importa/", view(self.importa_view), name="attivazione_importa"),
            path("modello.xlsx", view(self.modello_view), name="attivazione_modello"),
            path("guida/", view(self.guida_view), name="attivazione_guida"),
            *super().get_urls(),
        ]

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    def importa_view(self, request):
        """Upload → dry run (every problem with sheet, row, column, value) → apply, all or nothing."""
        if not request.user.has_perm("attivazione.add_importazioneanagrafe") and not request.user.is_superuser:
            raise PermissionDenied
        platform = request.comune is None and request.user.is_superuser
        form, esito, importazione = ImportaAnagrafeForm(platform=platform), None, None
        if request.method == "POST" and "applica" in request.POST:
            return self._applica(request)
        if request.method == "POST":
            form = ImportaAnagrafeForm(request.POST, request.FILES, platform=platform)
            if form.is_valid():
                comune = form.cleaned_data["comune"] if platform else request.comune
                files = [(f.name, f.read()) for f in form.cleaned_data["file"]]
                esito = anagrafe_importa(comune=comune, files=files)
                if esito.ok:
                    with scope(comune=comune):
                        importazione = ImportazioneAnagrafe.objects.create(
                            comune=comune, nome_file=", ".join(n for n, _c in files)[:200],
                            contenuto=impacchetta(files), conteggi=esito.conteggi, creato_da=request.user)
        return TemplateResponse(request, "admin/attivazione/importa.html", self._context(
            request, form=form, esito=esito, importazione=importazione,
            problemi=(esito.problemi[:1000] if esito else []), title=_("Importa l'anagrafe")))

    def _applica(self, request):
        with scopes_disabled():
            importazione = ImportazioneAnagrafe.objects.filter(
                pk=request.POST.get("importazione") if str(request.POST.get("importazione", "")).isdigit() else None,
                stato=StatoImportazione.ANTEPRIMA, contenuto__isnull=False).select_related("comune").first()
        if importazione is None or not (request.user.is_superuser or importazione.comune_id == getattr(
                request.comune, "pk", None)):
            messages.error(request, ANTEPRIMA_SCADUTA)
            return redirect("admin:attivazione_importa")
        comune = importazione.comune
        esito = anagrafe_importa(comune=comune, files=[("anagrafe.zip", bytes(importazione.contenuto))],
                                 applica=True, creato_da=request.user)
        if not esito.ok:  # the data changed since the preview
            return TemplateResponse(request, "admin/attivazione/importa.html", self._context(
                request, form=ImportaAnagrafeForm(), esito=esito, problemi=esito.problemi[:1000],
                title=_("Importa l'anagrafe")))
        with scope(comune=comune):
            ImportazioneAnagrafe.objects.filter(pk=importazione.pk).update(
                stato=StatoImportazione.APPLICATA, contenuto=None, conteggi=esito.conteggi,
                applicato_il=timezone.now())
        messages.success(request, _("Anagrafe importata: %(riepilogo)s.") % {"riepilogo": ", ".join(
            f"{foglio} {c} nuovi, {a} aggiornati" for foglio, c, a, _i in esito.riepilogo())})
        return redirect("admin:attivazione_importazioneanagrafe_changelist")

    def modello_view(self, request):
        response = HttpResponse(modello_xlsx(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="modello-anagrafe.xlsx"'
        return response

    def guida_view(self, request):
        return TemplateResponse(request, "admin/attivazione/guida.html", self._context(
            request, guida=GUIDA, title=_("Guida all'importazione dell'anagrafe")))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
