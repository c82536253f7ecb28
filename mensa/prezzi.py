"""The per-meal prices of a comune's tariffs on a given day."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, Q, Subquery

from comuni.models import Comune

from .models import PrezzoTariffa, Tariffa

CENT = Decimal("0.01")


def prezzi_del_giorno(*, comune: Comune, giorno: datetime.date) -> dict[int, Decimal]:
    """{tariffa_id: per-meal amount valid that day}: a comune has a handful of tariffs, read in one query."""
    return prezzi_dei_comuni(comuni=[comune], giorno=giorno)


def prezzi_dei_comuni(*, comuni: Sequence[Comune], giorno: datetime.date) -> dict[int, Decimal]:
    """`prezzi_del_giorno` of many comuni in one query (tariff ids are unique across comuni)."""
    valido = (
        PrezzoTariffa.objects.filter(tariffa_id=OuterRef("pk"), valido_dal__lte=giorno)
        .filter(Q(valido_al__isnull=True) | Q(valido_al__gte=giorno))
        .order_by("-valido_dal", "-pk")  # the latest start wins
        .values("importo")[:1]
    )
    rows = list(
        Tariffa.objects.filter(comune__in=comuni)
        .annotate(prezzo=Subquery(valido))
        .values_list("id", "tariffa_base_id", "riduzione_percentuale", "prezzo")
        .order_by()
    )
    # quantize: SQLite (make run) hands a subquery's decimal back with its float digits.
    prezzi = {tariffa_id: Decimal(importo).quantize(CENT) for tariffa_id, _base, _rid, importo in rows
              if importo is not None}
    # Derived tariffs (sibling reductions computed at enrolment) follow their base tariff's price.
    for tariffa_id, base_id, riduzione, _importo in rows:
        if base_id is not None and base_id in prezzi:
            prezzi[tariffa_id] = prezzo_ridotto(prezzi[base_id], riduzione)
    return prezzi


def prezzo_ridotto(importo: Decimal, riduzione: Decimal) -> Decimal:
    """The amount less a percentage, to the cent (half up, as the transport fee rounds)."""
    return (importo * (100 - riduzione) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
