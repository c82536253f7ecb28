from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from comuni.admin import ComuneScopedAdmin

from .models import AnnoScolastico, Classe, ClasseConsumatore, Consumatore, Scuola, Tutore
from .storico import storico_classi_sync


@admin.register(AnnoScolastico)
class AnnoScolasticoAdmin(ComuneScopedAdmin):
    list_display = ["nome", "data_inizio", "data_fine"]


@admin.register(Scuola)
class ScuolaAdmin(ComuneScopedAdmin):
    list_display = ["nome", "tipo", "codice_meccanografico"]
    list_filter = ["tipo"]
    search_fields = ["nome", "codice_meccanografico"]


@admin.register(Classe)
class ClasseAdmin(ComuneScopedAdmin):
    list_display = ["__str__", "scuola", "anno_scolastico"]
    list_filter = ["anno_scolastico", "scuola"]
    list_select_related = ["scuola"]


class ClasseConsumatoreInline(admin.TabularInline):
    """The class of every school year (read only: written when the class changes and by the rollover)."""

    model = ClasseConsumatore
    extra = 0
    fields = ["anno_scolastico", "classe"]
    readonly_fields = ["anno_scolastico", "classe"]
    can_delete = False
    verbose_name_plural = _("Classi negli anni scolastici")

    def has_add_permission(self, request, obj=None):
        return False


class TutoreInline(admin.TabularInline):
    model = Tutore
    extra = 0
    fields = ["nome", "cognome", "codice_fiscale", "relazione", "email", "telefono", "utente", "collegato_il"]
    readonly_fields = ["utente", "collegato_il"]


@admin.register(Consumatore)
class ConsumatoreAdmin(ComuneScopedAdmin):
    list_display = ["cognome", "nome", "codice_fiscale", "classe", "dieta_speciale", "attivo"]
    list_filter = ["attivo", "dieta_speciale", "classe__scuola"]
    search_fields = ["cognome", "nome", "codice_fiscale", "codice_pagamento"]
    list_select_related = ["classe__scuola"]
    # The old free-text diet is kept for the record only: diets live in Mensa → Diete dei consumatori.
    readonly_fields = ["codice_pagamento", "dieta_speciale", "note_dieta"]
    inlines = [TutoreInline, ClasseConsumatoreInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        storico_classi_sync(comune=obj.comune, consumatore_ids=[obj.pk])

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            inline_form.instance.comune = form.instance.comune
        super().save_formset(request, form, formset, change)


@admin.register(Tutore)
class TutoreAdmin(ComuneScopedAdmin):
    list_display = ["cognome", "nome", "codice_fiscale", "consumatore", "utente"]
    search_fields = ["cognome", "nome", "codice_fiscale", "email"]
    list_select_related = ["consumatore"]
    readonly_fields = ["utente", "collegato_il"]

from . import linking_admin  # noqa: E402, F401  (linking codes and association requests)
