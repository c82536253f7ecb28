"""Pagamenti → "PuntoLIS" → consumer → "Dettaglio": the QR code, its PDF, and the LIS endpoint."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from comuni.access import family_login_required
from consumatori.selectors import consumatore_of_family, consumatori_of_family
from omnibus.input import raw_body

from ..models import ConfigurazionePagamenti
from ..pdf import qr_svg
from ..puntolis.adapter import NotificaLISError, notifica_parse
from ..puntolis.qr import puntolis_pdf, puntolis_qr_content
from ..puntolis.services import CodiceSconosciutoError, lis_ricarica_register

CODICE_SCONOSCIUTO = "codice_pagamento_sconosciuto"


@family_login_required
def puntolis(request: HttpRequest, comune: str) -> HttpResponse:
    return render(request, "pagamenti/puntolis.html", {"consumatori": list(consumatori_of_family(user=request.user))})


@family_login_required
def puntolis_dettaglio(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    consumatore = consumatore_of_family(user=request.user, pk=pk)
    return render(request, "pagamenti/puntolis_dettaglio.html", {
        "consumatore": consumatore, "qr": qr_svg(puntolis_qr_content(consumatore)),
    })


@family_login_required
def puntolis_pdf_view(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    consumatore = consumatore_of_family(user=request.user, pk=pk)
    response = HttpResponse(puntolis_pdf(consumatore=consumatore), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="puntolis-{consumatore.nome}.pdf"'
    return response


@csrf_exempt
@require_POST
def lis_notifica(request: HttpRequest, comune: str) -> JsonResponse:
    """LIS reports a top-up (wire format in README.md): authenticated, replay-safe, credited once."""
    config = ConfigurazionePagamenti.objects.filter(comune=request.comune).first()
    try:
        notifica = notifica_parse(
            secret=config.lis_segreto if config else "", body=raw_body(request) or b"",
            timestamp=request.headers.get("X-LIS-Timestamp", ""), signature=request.headers.get("X-LIS-Signature", ""),
        )
    except NotificaLISError as error:
        status = 400 if error.codice == "formato_non_valido" else 403
        return JsonResponse({"esito": "rifiutata", "errore": error.codice, "messaggio": error.messaggio}, status=status)
    try:
        transazione, created = lis_ricarica_register(comune=request.comune, notifica=notifica)
    except CodiceSconosciutoError as error:
        return JsonResponse({"esito": "rifiutata", "errore": CODICE_SCONOSCIUTO, "messaggio": str(error)}, status=422)
    return JsonResponse({"esito": "accreditata" if created else "gia_registrata",
                         "transaction_id": transazione.identificativo}, status=201 if created else 200)
