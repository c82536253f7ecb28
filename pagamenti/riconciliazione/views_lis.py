"""Staff pages of the PuntoLIS statement reconciliation (same access rule as the FdR pages)."""

from __future__ import annotations

import tablib
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import export
from .forms import EstrattoUploadForm
from .lis import estratti_elenco, estratto_import, estratto_righe, ricariche_senza_estratto
from .models import EstrattoLIS
from .selectors import giorni_attesa
from .services import NULLA_IMPORTATO
from .views import RIGHE_PER_PAGINA, _formato, _url, ufficio_riconciliazione


@ufficio_riconciliazione
def lis_indice(request: HttpRequest, comune: str, form=None, errori=None) -> HttpResponse:
    pagina = Paginator(estratti_elenco(comune=request.comune), 50).get_page(request.GET.get("pagina"))
    return render(request, "pagamenti/riconciliazione/lis_indice.html", {
        "form": form or EstrattoUploadForm(), "pagina": pagina, "errori": errori,
        "nulla_importato": _(NULLA_IMPORTATO), "giorni_attesa": giorni_attesa(comune=request.comune),
        "senza_estratto": ricariche_senza_estratto(comune=request.comune).count(),
    }, status=400 if errori or (form and form.errors) else 200)


@require_POST
@ufficio_riconciliazione
def lis_carica(request: HttpRequest, comune: str) -> HttpResponse:
    form = EstrattoUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return lis_indice.__wrapped__(request, comune, form=form)
    upload = form.cleaned_data["file"]
    esito = estratto_import(comune=request.comune, contenuto=upload.read(), nome_file=upload.name or "",
                            utente=request.user)
    if esito.errori:
        return lis_indice.__wrapped__(request, comune, errori=esito.errori)
    for avviso in esito.avvisi:
        messages.warning(request, avviso)
    if esito.creato:
        messages.success(request, _("Estratto PuntoLIS del %(giorno)s importato: %(n)s ricariche, %(a)s anomalie.")
                         % {"giorno": f"{esito.flusso.data:%d/%m/%Y}", "n": esito.flusso.numero_calcolato,
                            "a": esito.flusso.anomalie})
    return redirect(_url("lis_estratto", request, pk=esito.flusso.pk))


@ufficio_riconciliazione
def lis_estratto(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    estratto = get_object_or_404(EstrattoLIS, pk=pk)
    pagina = Paginator(estratto_righe(estratto=estratto), RIGHE_PER_PAGINA).get_page(request.GET.get("pagina"))
    return render(request, "pagamenti/riconciliazione/lis_estratto.html", {"estratto": estratto, "pagina": pagina})


@ufficio_riconciliazione
def lis_estratto_export(request: HttpRequest, comune: str, pk: int, formato: str) -> HttpResponse:
    estratto = get_object_or_404(EstrattoLIS, pk=pk)
    dataset = tablib.Dataset(headers=["riga", "transaction_id", "payment_code", "importo", "servizio", "pagata_il",
                                      "riconciliazione", "importo_ricarica"], title="PuntoLIS")
    for r in estratto_righe(estratto=estratto):
        dataset.append([r.riga, r.transaction_id, r.codice_pagamento, r.importo, r.servizio, r.pagata_il.isoformat(),
                        r.get_stato_display(), r.transazione.importo if r.transazione else ""])
    return export.respond(dataset, _formato(formato), f"puntolis-{estratto.data}")


@ufficio_riconciliazione
def lis_senza_estratto(request: HttpRequest, comune: str) -> HttpResponse:
    pagina = Paginator(ricariche_senza_estratto(comune=request.comune), RIGHE_PER_PAGINA).get_page(
        request.GET.get("pagina"))
    return render(request, "pagamenti/riconciliazione/lis_senza_estratto.html", {
        "pagina": pagina, "giorni_attesa": giorni_attesa(comune=request.comune)})


