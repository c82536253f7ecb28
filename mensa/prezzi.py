"""The per-meal prices of a comune's tariffs on a given day."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from comuni.models import Comune

from .models import PrezzoTariffa, Tariffa

CENT = Decimal("0.01")


def prezzi_del_giorno(*, comune: Comune, giorno: datetime.date) -> dict[int, Decimal]:
    """{tariffa_id: per-meal amount valid that day}: a comune has a handful of tariffs, read once (2 queries)."""
    prezzi: dict[int, Decimal] = {}
    for tariffa_id, importo in (
        PrezzoTariffa.objects.filter(comune=comune, valido_dal__lte=giorno)
        .filter(Q(valido_al__isnull=True) | Q(valido_al__gte=giorno))
        .order_by("tariffa_id", "valido_dal")
        .values_list("tariffa_id", "importo")
    ):
        prezzi[tariffa_id] = importo  # the latest start wins
    # Derived tariffs (sibling reductions computed at enrolment) follow their base tariff's price.
    for tariffa_id, base_id, riduzione in Tariffa.objects.filter(
        comune=comune, tariffa_base__isnull=False
    ).values_list("id", "tariffa_base_id", "riduzione_percentuale"):
        if base_id in prezzi:
            prezzi[tariffa_id] = prezzo_ridotto(prezzi[base_id], riduzione)
    return prezzi


def prezzo_ridotto(importo: Decimal, riduzione: Decimal) -> Decimal:
    """The amount less a percentage, to the cent (half up, as the transport fee rounds)."""
    return (importo * (100 - riduzione) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
