"""Pagamenti: every movement per consumer and service, receipts and avvisi, yearly statement."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from comuni.access import family_login_required
from consumatori.page_cache import family_page_cached
from consumatori.selectors import consumatore_of_family, consumatori_of_family

from ..models import Movimento, Servizio, TipoMovimento
from ..pdf import render_pdf
from ..selectors import movimenti_of_consumatori, posizioni_of_user, saldi

TIPI_PAGAMENTO = [TipoMovimento.RICARICA_PAGOPA, TipoMovimento.RICARICA_PUNTOLIS]


@family_login_required
@family_page_cached
def pagamenti(request: HttpRequest, comune: str) -> HttpResponse:
    consumatori = list(consumatori_of_family(user=request.user))
    balances = saldi(consumatori=consumatori)
    # One pass over the movements: grouped by account, each with its type's label (get_tipo_display
    # rebuilds the choices dictionary for every row: a sixth of the page's time with a year of meals).
    tipi = dict(TipoMovimento.choices)
    per_conto: dict[tuple[int, str], list[Movimento]] = {}
    for m in movimenti_of_consumatori(consumatori=consumatori):
        m.tipo_label = tipi.get(m.tipo, m.tipo)
        per_conto.setdefault((m.consumatore_id, m.servizio), []).append(m)
    conti = [
        {"consumatore": c, "servizio": servizio, "servizio_label": label, "saldo": balances[(c.pk, servizio)],
         "movimenti": per_conto.get((c.pk, servizio), [])}
        for c in consumatori for servizio, label in Servizio.choices
    ]
    posizioni = list(posizioni_of_user(user=request.user)[:50])
    anno = timezone.localdate().year
    return render(request, "pagamenti/pagamenti.html", {
        "conti": conti, "posizioni": posizioni, "consumatori": consumatori, "anni": [anno, anno - 1],
    })


@family_login_required
def estratto_pdf(request: HttpRequest, comune: str, pk: int, anno: int) -> HttpResponse:
    """The yearly statement of payments of one consumer, for the tax return (730)."""
    if not 2000 <= anno <= timezone.localdate().year:
        raise Http404
    consumatore = consumatore_of_family(user=request.user, pk=pk)
    pagamenti = list(
        Movimento.objects.filter(consumatore=consumatore, tipo__in=TIPI_PAGAMENTO, data_valuta__year=anno)
        .order_by("data_valuta", "id")
    )
    totali = {label: sum((m.importo for m in pagamenti if m.servizio == s), Decimal("0.00"))
              for s, label in Servizio.choices}
    content = render_pdf("pagamenti/pdf/estratto.html", {
        "consumatore": consumatore, "comune": request.comune, "anno": anno, "pagamenti": pagamenti,
        "totali": totali, "totale": sum(totali.values(), Decimal("0.00")), "oggi": datetime.date.today(),
        "utente": request.user,
    })
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="pagamenti-{anno}-{consumatore.codice_pagamento}.pdf"'
    return response
