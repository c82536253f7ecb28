"""The per-meal prices of a comune's tariffs on a given day."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q

from comuni.models import Comune

from .models import PrezzoTariffa


def prezzi_del_giorno(*, comune: Comune, giorno: datetime.date) -> dict[int, Decimal]:
    """{tariffa_id: per-meal amount valid that day}: a comune has a handful of tariffs, read once."""
    prezzi: dict[int, Decimal] = {}
    for tariffa_id, importo in (
        PrezzoTariffa.objects.filter(comune=comune, valido_dal__lte=giorno)
        .filter(Q(valido_al__isnull=True) | Q(valido_al__gte=giorno))
        .order_by("tariffa_id", "valido_dal")
        .values_list("tariffa_id", "importo")
    ):
        prezzi[tariffa_id] = importo  # the latest start wins
    return prezzi
