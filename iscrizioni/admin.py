"""Staff pages of the yearly cycle: tariff rules, ISEE, exemptions, windows and the applications' queue."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from comuni.admin import ComuneScopedAdmin

from .accoglienza import DA_DECIDERE, domanda_respingi, domande_accogli, domande_istruttoria
from .models import (
    AccessoCertificato,
    ConservazioneDati,
    Domanda,
    Esenzione,
    FinestraIscrizione,
    ProseguimentoScuola,
    RegolaFratelli,
    SituazioneIsee,
    StatoDomanda,
)
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


# --- enrolment windows and the applications' queue ---------------------------------------------




@admin.register(FinestraIscrizione)
class FinestraIscrizioneAdmin(ComuneScopedAdmin):
    list_display = ["servizio", "anno_scolastico", "apre_il", "chiude_il", "rinnovo_automatico"]
    list_filter = ["servizio", "anno_scolastico"]


class MotivoRifiutoForm(forms.Form):
    motivazione = forms.CharField(label=_("Motivo del rifiuto (lo legge la famiglia)"), widget=forms.Textarea)


@admin.register(Domanda)
class DomandaAdmin(ComuneScopedAdmin):
    """The queue: filters, counts per state, the documents one click away, bulk decisions."""

    list_display = ["protocollo", "alunno", "anno_scolastico", "servizi_richiesti", "isee", "dieta", "tipo_dieta",
                    "certificato_link", "stato", "inviata_il"]
    list_filter = ["stato", "anno_scolastico", "mensa", "trasporto", "dieta"]
    search_fields = ["protocollo", "nome", "cognome", "codice_fiscale", "utente__email"]
    list_select_related = ["anno_scolastico", "tipo_dieta"]
    actions = ["metti_in_istruttoria", "accogli", "respingi"]
    # Staff edit the reason and (for "altra dieta") the diet type; the certificate is served by its link.
    readonly_fields = [f.name for f in Domanda._meta.fields if f.name not in (
        "id", "comune", "motivazione", "tipo_dieta", "certificato")] + ["certificato_link"]
    exclude = ["certificato"]
    change_list_template = "admin/iscrizioni/domanda/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(stato=StatoDomanda.BOZZA)  # drafts are the family's

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("alunno"), ordering="cognome")
    def alunno(self, obj: Domanda) -> str:
        return _("(anonimizzata)") if obj.anonimizzata_il else f"{obj.cognome} {obj.nome}"

    @admin.display(description=_("servizi"))
    def servizi_richiesti(self, obj: Domanda) -> str:
        return ", ".join(obj.servizi)

    @admin.display(description=_("certificato"))
    def certificato_link(self, obj: Domanda) -> str:
        if not obj.certificato:
            return "—"
        url = reverse("iscrizioni:certificato", kwargs={"comune": obj.comune.slug, "pk": obj.pk})
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Apri"))

    def changelist_view(self, request, extra_context=None):
        counts = dict(self.get_queryset(request).values_list("stato").annotate(n=Count("id")).order_by())
        extra_context = {**(extra_context or {}), "conteggi": [
            (label, counts.get(value, 0), value) for value, label in StatoDomanda.choices if value != StatoDomanda.BOZZA
        ]}
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        # Only the reason and, until the decision, the diet type (staff pick it for an "altra" request) are
        # editable here: saving with state "respinta" is not a decision; use the action.
        Domanda.objects.filter(pk=obj.pk).update(motivazione=obj.motivazione)
        Domanda.objects.filter(pk=obj.pk, stato__in=DA_DECIDERE).update(tipo_dieta=obj.tipo_dieta)

    @admin.action(description=_("Metti in istruttoria"))
    def metti_in_istruttoria(self, request, queryset):
        n = domande_istruttoria(domande=list(queryset), da=request.user)
        self.message_user(request, _("%(n)d domande in istruttoria.") % {"n": n})

    @admin.action(description=_("Accogli: crea le iscrizioni con la tariffa calcolata"))
    def accogli(self, request, queryset):
        accolte, errori = domande_accogli(domande=list(queryset), da=request.user)
        self.message_user(request, _("%(n)d domande accolte.") % {"n": accolte})
        for errore in errori:
            self.message_user(request, errore, level=messages.ERROR)

    @admin.action(description=_("Respingi (con il motivo)"))
    def respingi(self, request, queryset):
        form = MotivoRifiutoForm(request.POST if "conferma" in request.POST else None)
        if form.is_valid():
            n = 0
            for domanda in queryset:
                try:
                    domanda_respingi(domanda=domanda, motivo=form.cleaned_data["motivazione"], da=request.user)
                    n += 1
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), level=messages.ERROR)
            self.message_user(request, _("%(n)d domande respinte.") % {"n": n})
            return None
        return TemplateResponse(request, "admin/iscrizioni/domanda/respingi.html", {
            **self.admin_site.each_context(request), "form": form, "domande": queryset, "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME, "title": _("Respingi le domande"),
        })


@admin.register(ConservazioneDati)
class ConservazioneDatiAdmin(ComuneScopedAdmin):
    """How long the applications' personal and health data are kept (one row per comune; defaults without it)."""

    list_display = ["__str__", "certificati_giorni", "domande_mesi", "accessi_mesi"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ConservazioneDati.objects.exists()


@admin.register(AccessoCertificato)
class AccessoCertificatoAdmin(ComuneScopedAdmin):
    """Who downloaded which medical certificate, and when: read-only, kept for the comune's months."""

    list_display = ["scaricato_il", "utente", "protocollo"]
    list_filter = ["scaricato_il"]
    search_fields = ["protocollo", "utente__email"]
    list_select_related = ["utente"]
    date_hierarchy = "scaricato_il"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProseguimentoScuola)
class ProseguimentoScuolaAdmin(ComuneScopedAdmin):
    """Where the leavers of each school go; the rollover page (dry run, then "Passa al nuovo anno")."""

    list_display = ["scuola", "scuola_successiva"]
    change_list_template = "admin/iscrizioni/proseguimentoscuola/change_list.html"

    def get_urls(self):
        from django.urls import path

        return [path("passaggio-anno/", self.admin_site.admin_view(self.passaggio_view),
                     name="iscrizioni_passaggio_anno"), *super().get_urls()]

    def passaggio_view(self, request):
        from .passaggio import anno_scolastico_nuovo

        if request.comune is None or not self.has_change_permission(request):
            raise PermissionDenied
        applica = request.method == "POST"
        esito = anno_scolastico_nuovo(comune=request.comune, prova=not applica)
        if applica:
            self.message_user(request, _("Passaggio a %(anno)s eseguito: %(promossi)d alunni promossi, %(usciti)d "
                                         "usciti.") % {"anno": esito.anno_a, "promossi": esito.promossi,
                                                       "usciti": esito.usciti})
        return TemplateResponse(request, "admin/iscrizioni/passaggio.html", {
            **self.admin_site.each_context(request), "esito": esito, "opts": self.model._meta,
            "title": _("Passaggio al nuovo anno scolastico"),
        })
