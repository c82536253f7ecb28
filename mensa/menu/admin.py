"""Staff edit dishes, diets and menu cycles of their comune (ComuneScopedAdmin)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from comuni.admin import ComuneScopedAdmin
from omnibus import stamps

from .allergeni import allergene_etichetta
from .importa import menu_import_apply, menu_import_parse
from .models import (
    CicloMenu,
    DietaConsumatore,
    Ingrediente,
    PastoInBianco,
    PeriodoMenu,
    Piatto,
    PiattoSostitutivo,
    TipoDieta,
    VariazioneMenu,
    VoceMenu,
)


class _InlineComuneMixin:
    """Inline rows take the comune of their parent (set before validation, so clean() can compare)."""

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            inline_form.instance.comune = form.instance.comune
        super().save_formset(request, form, formset, change)


class ComuneUniqueAdmin(ComuneScopedAdmin):
    """Also check the (comune, …) unique constraints in the form: the comune is not a form field for
    staff, so Django would skip them and the database would answer with an error page."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class UniqueForm(form):
            def _get_validation_exclusions(self):
                exclude = super()._get_validation_exclusions()
                exclude.discard("comune")
                return exclude

        return UniqueForm


def _allergeni_text(codici) -> str:
    return ", ".join(allergene_etichetta(c) for c in codici) or "—"


@admin.register(Ingrediente)
class IngredienteAdmin(ComuneUniqueAdmin):
    list_display = ["nome", "allergeni_elenco"]
    search_fields = ["nome"]

    @admin.display(description=_("allergeni"))
    def allergeni_elenco(self, obj) -> str:
        return _allergeni_text(obj.allergeni)


class SostitutoInline(admin.TabularInline):
    model = PiattoSostitutivo
    fk_name = "piatto"
    extra = 0
    exclude = ["comune"]
    autocomplete_fields = ["sostituto"]


@admin.register(Piatto)
class PiattoAdmin(_InlineComuneMixin, ComuneUniqueAdmin):
    list_display = ["nome", "allergeni_elenco"]
    search_fields = ["nome"]
    filter_horizontal = ["ingredienti"]
    inlines = [SostitutoInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("ingredienti")

    @admin.display(description=_("allergeni (dagli ingredienti)"))
    def allergeni_elenco(self, obj) -> str:
        return _allergeni_text(obj.allergeni)

    def save_related(self, request, form, formsets, change):
        # The substitutes are checked against the ingredients just saved: save those first.
        form.save_m2m()
        for formset in formsets:
            for inline_form in formset.forms:
                inline_form.instance.comune = form.instance.comune
            self.save_formset(request, form, formset, change=change)


@admin.register(TipoDieta)
class TipoDietaAdmin(ComuneUniqueAdmin):
    list_display = ["nome", "categoria", "esclusi"]
    list_filter = ["categoria"]
    search_fields = ["nome"]
    filter_horizontal = ["ingredienti_esclusi"]

    @admin.display(description=_("allergeni esclusi"))
    def esclusi(self, obj) -> str:
        return _allergeni_text(obj.allergeni_esclusi)


class PeriodoFormSet(forms.BaseInlineFormSet):
    """Periods typed together in one form are checked against each other too (the model checks the saved)."""

    def clean(self):
        super().clean()
        periodi = sorted(
            (f.cleaned_data["data_inizio"], f.cleaned_data["data_fine"])
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("data_inizio") and f.cleaned_data.get("data_fine")
        )
        for (_inizio, fine), (inizio, _fine) in zip(periodi, periodi[1:], strict=False):
            if inizio <= fine:
                raise ValidationError(_("Due periodi del ciclo si sovrappongono: un solo menù per giorno."))


class PeriodoInline(admin.TabularInline):
    model = PeriodoMenu
    formset = PeriodoFormSet
    extra = 0
    exclude = ["comune"]


class VoceInline(admin.TabularInline):
    model = VoceMenu
    extra = 0
    exclude = ["comune"]
    autocomplete_fields = ["piatto"]


IMPORT_SESSION_KEY = "mensa_menu_import"


class ImportMenuForm(forms.Form):
    file = forms.FileField(label=_("File CSV o XLSX"), help_text=_(
        "Colonne: settimana, giorno, portata, piatto. Il file sostituisce tutti i piatti del ciclo."))


@admin.register(CicloMenu)
class CicloMenuAdmin(_InlineComuneMixin, ComuneUniqueAdmin):
    list_display = ["nome", "livello", "stagione", "settimane"]
    list_filter = ["livello", "stagione"]
    inlines = [PeriodoInline, VoceInline]
    change_form_template = "admin/mensa/ciclomenu/change_form.html"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The periods carry the cycle's school level (checked for gaps per level): keep it in step.
        PeriodoMenu.objects.filter(ciclo=form.instance).update(livello=form.instance.livello)
        stamps.comune_changed(form.instance.comune_id)  # update(): no model signal

    def get_urls(self):
        return [path("<int:pk>/importa/", self.admin_site.admin_view(self.import_view), name="mensa_menu_import"),
                *super().get_urls()]

    def import_view(self, request, pk: int):
        """Upload → preview with every error by row and column → replace the cycle's courses at once."""
        ciclo = self.get_object(request, str(pk))
        if ciclo is None:
            raise Http404
        if not self.has_change_permission(request, ciclo):
            raise PermissionDenied
        anteprima, form = None, ImportMenuForm()
        if request.method == "POST" and "applica" in request.POST:
            stored = request.session.pop(IMPORT_SESSION_KEY, None)
            if stored is None or stored["ciclo"] != ciclo.pk:
                messages.error(request, _("Caricare di nuovo il file."))
                return redirect("admin:mensa_menu_import", pk=ciclo.pk)
            anteprima = menu_import_parse(ciclo=ciclo, content=bytes.fromhex(stored["content"]),
                                          filename=stored["filename"])
            try:
                count = menu_import_apply(ciclo=ciclo, anteprima=anteprima)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Importati %(n)s piatti nel menù «%(ciclo)s».") % {
                    "n": count, "ciclo": ciclo})
                return redirect("admin:mensa_ciclomenu_change", ciclo.pk)
        elif request.method == "POST":
            form = ImportMenuForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                content = upload.read()
                anteprima = menu_import_parse(ciclo=ciclo, content=content, filename=upload.name)
                if anteprima.valida:
                    request.session[IMPORT_SESSION_KEY] = {"ciclo": ciclo.pk, "content": content.hex(),
                                                           "filename": upload.name}
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "anteprima": anteprima, "ciclo": ciclo, "title": _("Importa il menù «%s»") % ciclo}
        return TemplateResponse(request, "admin/mensa/ciclomenu/importa.html", context)


@admin.register(DietaConsumatore)
class DietaConsumatoreAdmin(ComuneScopedAdmin):
    list_display = ["consumatore", "tipo", "data_inizio", "data_fine", "certificato"]
    list_filter = ["tipo"]
    search_fields = ["consumatore__cognome", "consumatore__nome", "consumatore__codice_fiscale"]
    list_select_related = ["consumatore", "tipo"]
    autocomplete_fields = ["consumatore"]


@admin.register(PastoInBianco)
class PastoInBiancoAdmin(ComuneScopedAdmin):
    list_display = ["giorno", "consumatore", "registrato_il", "registrato_da", "annullato_il"]
    date_hierarchy = "giorno"
    search_fields = ["consumatore__cognome", "consumatore__nome"]
    list_select_related = ["consumatore", "registrato_da"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(VariazioneMenu)
class VariazioneMenuAdmin(ComuneUniqueAdmin):
    """A dish changed on the day: saving it tells the families of the children who eat it."""

    list_display = ["giorno", "livello", "portata", "piatto", "allergeni_elenco", "motivo", "registrata_da"]
    list_filter = ["livello"]
    date_hierarchy = "giorno"
    autocomplete_fields = ["piatto"]
    exclude = ["registrata_da"]

    @admin.display(description=_("allergeni"))
    def allergeni_elenco(self, obj) -> str:
        return _allergeni_text(obj.allergeni)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        from .variazioni import variazione_notify_later

        obj.registrata_da = request.user
        obj.allergeni = obj.piatto.allergeni
        super().save_model(request, obj, form, change)
        variazione_notify_later(variazione=obj)
        messages.info(request, _(
            "Variazione registrata: le famiglie dei bambini che mangiano quel giorno ricevono un messaggio."))
