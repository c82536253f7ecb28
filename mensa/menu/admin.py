"""Staff edit dishes, diets and menu cycles of their comune (ComuneScopedAdmin)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from comuni.admin import ComuneScopedAdmin

from .allergeni import allergene_etichetta
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


def _allergeni_text(codici) -> str:
    return ", ".join(allergene_etichetta(c) for c in codici) or "—"


@admin.register(Ingrediente)
class IngredienteAdmin(ComuneScopedAdmin):
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
class PiattoAdmin(_InlineComuneMixin, ComuneScopedAdmin):
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
class TipoDietaAdmin(ComuneScopedAdmin):
    list_display = ["nome", "categoria", "esclusi"]
    list_filter = ["categoria"]
    search_fields = ["nome"]
    filter_horizontal = ["ingredienti_esclusi"]

    @admin.display(description=_("allergeni esclusi"))
    def esclusi(self, obj) -> str:
        return _allergeni_text(obj.allergeni_esclusi)


class PeriodoInline(admin.TabularInline):
    model = PeriodoMenu
    extra = 0
    exclude = ["comune"]


class VoceInline(admin.TabularInline):
    model = VoceMenu
    extra = 0
    exclude = ["comune"]
    autocomplete_fields = ["piatto"]


@admin.register(CicloMenu)
class CicloMenuAdmin(_InlineComuneMixin, ComuneScopedAdmin):
    list_display = ["nome", "livello", "stagione", "settimane"]
    list_filter = ["livello", "stagione"]
    inlines = [PeriodoInline, VoceInline]


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
class VariazioneMenuAdmin(ComuneScopedAdmin):
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
        from .variazioni import variazione_notify

        obj.registrata_da = request.user
        obj.allergeni = obj.piatto.allergeni
        super().save_model(request, obj, form, change)
        avvisate = variazione_notify(variazione=obj)
        messages.info(request, _("Variazione registrata: %(n)s famiglie avvisate.") % {"n": avvisate})
