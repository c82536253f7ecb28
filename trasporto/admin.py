"""Staff admin of the bus: settings, routes with their stops, tariffs, enrolments (with import),
boardings, reminders and the list of transport debtors (with CSV export)."""

from __future__ import annotations

import csv

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from comuni.admin import ComuneScopedAdmin
from comuni.models import User
from omnibus.formats import importo_it

from .importazione import COLONNE, iscrizioni_import
from .models import (
    FasciaIsee,
    Fermata,
    ImpostazioniTrasporto,
    Iscrizione,
    Linea,
    Salita,
    SollecitoTrasporto,
    TariffaTrasporto,
)
from .selectors import debitori_trasporto


@admin.register(ImpostazioniTrasporto)
class ImpostazioniTrasportoAdmin(ComuneScopedAdmin):
    list_display = ["comune", "mesi_servizio", "giorno_addebito", "regola_mese_parziale", "soglie_sollecito"]

    def has_add_permission(self, request) -> bool:
        # One row per comune: staff edit theirs (created with the defaults on first use).
        if request.user.is_superuser:
            return True
        return super().has_add_permission(request) and not ImpostazioniTrasporto.objects.exists()


class FermataInline(admin.TabularInline):
    model = Fermata
    extra = 1
    fields = ["ordine", "nome", "indirizzo", "ora_andata", "ora_ritorno"]


@admin.register(Linea)
class LineaAdmin(ComuneScopedAdmin):
    list_display = ["nome", "anno_scolastico", "mezzo", "autista", "telefono_autista"]
    list_filter = ["anno_scolastico"]
    search_fields = ["nome", "mezzo", "autista"]
    filter_horizontal = ["scuole", "accompagnatori"]
    inlines = [FermataInline]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "accompagnatori" and not request.user.is_superuser:
            # Accounts are shared by every comune: offer only the ones already tied to this comune.
            kwargs["queryset"] = User.objects.filter(
                Q(incarico__comune=request.comune) | Q(linee_accompagnate__comune=request.comune)
            ).distinct()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            instance.comune_id = form.instance.comune_id
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(FasciaIsee)
class FasciaIseeAdmin(ComuneScopedAdmin):
    list_display = ["nome", "isee_da", "isee_a"]


@admin.register(TariffaTrasporto)
class TariffaTrasportoAdmin(ComuneScopedAdmin):
    list_display = ["percorso", "fascia", "importo_mensile", "riduzione_fratelli", "valido_dal", "valido_al"]
    list_filter = ["percorso", "fascia"]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File CSV"), help_text=_("Colonne: %s") % ", ".join(COLONNE))
    conferma = forms.BooleanField(
        label=_("Salva le iscrizioni"), required=False,
        help_text=_("Senza questa spunta il file viene solo controllato (anteprima)."),
    )


@admin.register(Iscrizione)
class IscrizioneAdmin(ComuneScopedAdmin):
    list_display = ["consumatore", "linea", "fermata", "percorso", "data_inizio", "data_fine", "fascia", "esente",
                    "riduzione_fratelli"]
    list_filter = ["linea", "percorso", "esente"]
    search_fields = ["consumatore__cognome", "consumatore__nome", "consumatore__codice_fiscale"]
    autocomplete_fields = ["consumatore"]
    list_select_related = ["consumatore", "linea__anno_scolastico", "fermata", "fascia"]
    change_list_template = "admin/trasporto/iscrizione/change_list.html"

    def get_urls(self):
        urls = [
            path("importa/", self.admin_site.admin_view(self.import_view), name="trasporto_iscrizione_import"),
            path("debitori/", self.admin_site.admin_view(self.debitori_view), name="trasporto_debitori"),
        ]
        return urls + super().get_urls()

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        esito = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["file"].read().decode("utf-8-sig", errors="replace")
            esito = iscrizioni_import(comune=request.comune, file=text, dry_run=not form.cleaned_data["conferma"])
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "esito": esito, "title": _("Importa iscrizioni al trasporto")}
        return TemplateResponse(request, "admin/trasporto/iscrizione/importa.html", context)

    def debitori_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        debitori = debitori_trasporto()
        if request.GET.get("formato") == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="debitori-trasporto.csv"'
            response.write("\ufeff")
            writer = csv.writer(response, delimiter=";")
            writer.writerow(["cognome", "nome", "codice_fiscale", "codice_pagamento", "debito", "email"])
            for d in debitori:
                writer.writerow([d.cognome, d.nome, d.codice_fiscale, d.codice_pagamento,
                                 importo_it(d.debito), d.email])
            return response
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "debitori": debitori,
                   "totale": sum((d.debito for d in debitori), start=0),
                   "csv_url": reverse("admin:trasporto_debitori") + "?formato=csv",
                   "title": _("Debitori del trasporto scolastico")}
        return TemplateResponse(request, "admin/trasporto/iscrizione/debitori.html", context)


@admin.register(Salita)
class SalitaAdmin(ComuneScopedAdmin):
    list_display = ["iscrizione", "data", "tratta", "registrata_da", "registrata_il"]
    list_filter = ["tratta", "data", "iscrizione__linea"]
    list_select_related = ["iscrizione__consumatore", "iscrizione__linea", "iscrizione__fermata", "registrata_da"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SollecitoTrasporto)
class SollecitoTrasportoAdmin(ComuneScopedAdmin):
    list_display = ["consumatore", "soglia", "debito", "inviato_il", "chiuso_il", "destinatari"]
    list_select_related = ["consumatore"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
