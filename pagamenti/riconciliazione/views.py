"""Staff pages of the pagoPA reconciliation, for the Ufficio scuola of the comune in the URL."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuni.access import ufficio_required
from omnibus.publish import publish_on_commit

from . import export
from .forms import FlussoUploadForm, PeriodoForm
from .models import FlussoRendicontazione, OrigineFlusso, StatoRiconciliazione
from .selectors import (
    flussi_elenco,
    flusso_conteggi,
    flusso_righe,
    giorni_attesa,
    ricevute_senza_flusso,
    riepilogo_giornaliero,
)
from .services import NULLA_IMPORTATO, EsitoImport, flusso_import_xml
from .sincronizza import API_NON_CONFIGURATA, fdr_api_configured

RIGHE_PER_PAGINA = 200


# The comune's Ufficio scuola with a second factor; families and other comuni get 404.
ufficio_riconciliazione = ufficio_required(not_found=True)


def _url(name: str, request: HttpRequest, **kwargs) -> str:
    return reverse(f"pagamenti:riconciliazione:{name}", kwargs={"comune": request.comune.slug, **kwargs})


def _formato(formato: str) -> str:
    if formato not in export.CONTENT_TYPES:
        raise Http404
    return formato


@ufficio_riconciliazione
def indice(request: HttpRequest, comune: str, form: FlussoUploadForm | None = None,
           esito: EsitoImport | None = None) -> HttpResponse:
    pagina = Paginator(flussi_elenco(comune=request.comune), 50).get_page(request.GET.get("pagina"))
    return render(request, "pagamenti/riconciliazione/indice.html", {
        "form": form or FlussoUploadForm(), "pagina": pagina, "esito": esito,
        "senza_flusso": ricevute_senza_flusso(comune=request.comune).count(),
        "giorni_attesa": giorni_attesa(comune=request.comune), "nulla_importato": _(NULLA_IMPORTATO),
        "api_configurata": fdr_api_configured(comune=request.comune),
    }, status=400 if (esito and esito.errori) or (form and form.errors) else 200)


@require_POST
@ufficio_riconciliazione
def carica(request: HttpRequest, comune: str) -> HttpResponse:
    form = FlussoUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return indice.__wrapped__(request, comune, form=form)
    upload = form.cleaned_data["file"]
    esito = flusso_import_xml(comune=request.comune, contenuto=upload.read(), origine=OrigineFlusso.CARICAMENTO,
                              nome_file=upload.name or "", utente=request.user)
    if esito.errori:
        return indice.__wrapped__(request, comune, form=FlussoUploadForm(), esito=esito)
    for avviso in esito.avvisi:
        messages.warning(request, avviso)
    if esito.creato:
        flusso = esito.flusso
        messages.success(request, _(
            "Flusso %(id)s importato: %(n)s pagamenti, %(anomalie)s anomalie da verificare."
        ) % {"id": flusso.identificativo, "n": flusso.numero_calcolato, "anomalie": flusso.anomalie})
    return redirect(_url("flusso", request, pk=esito.flusso.pk))


@ufficio_riconciliazione
def flusso_dettaglio(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    flusso = get_object_or_404(FlussoRendicontazione, pk=pk)
    pagina = Paginator(flusso_righe(flusso=flusso).select_related("posizione"), RIGHE_PER_PAGINA).get_page(
        request.GET.get("pagina"))
    conteggi = flusso_conteggi(flusso=flusso)
    return render(request, "pagamenti/riconciliazione/flusso.html", {
        "flusso": flusso, "pagina": pagina,
        "conteggi": [(label, conteggi.get(value, 0), value == StatoRiconciliazione.RICONCILIATO)
                     for value, label in StatoRiconciliazione.choices],
    })


@ufficio_riconciliazione
def flusso_export(request: HttpRequest, comune: str, pk: int, formato: str) -> HttpResponse:
    flusso = get_object_or_404(FlussoRendicontazione, pk=pk)
    return export.respond(export.flusso_dataset(flusso), _formato(formato), f"flusso-{flusso.identificativo}")


def _periodo(request: HttpRequest) -> tuple[PeriodoForm, object, object]:
    form = PeriodoForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["dal"], form.cleaned_data["al"]
    default = PeriodoForm({})
    default.is_valid()
    return form, default.cleaned_data["dal"], default.cleaned_data["al"]


@ufficio_riconciliazione
def giorni(request: HttpRequest, comune: str) -> HttpResponse:
    form, dal, al = _periodo(request)
    return render(request, "pagamenti/riconciliazione/giorni.html", {
        "form": form, "dal": dal, "al": al, "giorni": riepilogo_giornaliero(comune=request.comune, dal=dal, al=al),
        "query": urlencode({"dal": dal.isoformat(), "al": al.isoformat()}),
    })


@ufficio_riconciliazione
def giorni_export(request: HttpRequest, comune: str, formato: str) -> HttpResponse:
    _form, dal, al = _periodo(request)
    dataset = export.giorni_dataset(riepilogo_giornaliero(comune=request.comune, dal=dal, al=al))
    return export.respond(dataset, _formato(formato), f"riconciliazione-{dal}-{al}")


@ufficio_riconciliazione
def senza_flusso(request: HttpRequest, comune: str) -> HttpResponse:
    pagina = Paginator(ricevute_senza_flusso(comune=request.comune), RIGHE_PER_PAGINA).get_page(
        request.GET.get("pagina"))
    return render(request, "pagamenti/riconciliazione/senza_flusso.html", {
        "pagina": pagina, "giorni_attesa": giorni_attesa(comune=request.comune)})


@ufficio_riconciliazione
def senza_flusso_export(request: HttpRequest, comune: str, formato: str) -> HttpResponse:
    return export.respond(export.senza_flusso_dataset(request.comune), _formato(formato), "ricevute-senza-flusso")


@require_POST
@ufficio_riconciliazione
def sincronizza(request: HttpRequest, comune: str) -> HttpResponse:
    """Ask pagoPA's FdR API for new flows: a Celery job, so a slow API never holds the page."""
    from .tasks import fdr_api_sync_task

    if not fdr_api_configured(comune=request.comune):
        messages.error(request, _(API_NON_CONFIGURATA))
    else:
        comune_id = request.comune.pk
        publish_on_commit(fdr_api_sync_task, comune_id)
        messages.info(request, _("Richiesta inviata: i nuovi flussi pubblicati su pagoPA compariranno qui."))
    return redirect(_url("indice", request))
