"""Reads of the ledger. Balances are derived from the movements, in exact Decimal euros."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Sum

from consumatori.models import Consumatore

from .models import Movimento, Servizio

ZERO = Decimal("0.00")


def saldo(*, consumatore: Consumatore, servizio: str) -> Decimal:
    """The balance of one account: positive is credit, negative is debt."""
    total = Movimento.objects.filter(consumatore=consumatore, servizio=servizio).aggregate(t=Sum("importo"))["t"]
    return (total or ZERO).quantize(ZERO)


def saldi(*, consumatori: Iterable[Consumatore]) -> dict[tuple[int, str], Decimal]:
    """Balances of several consumers, every service, in one query: {(consumatore_id, servizio): saldo}.

    Accounts without movements are present with 0.00, so templates need no special case.
    """
    ids = [c.pk for c in consumatori]
    result = {(pk, servizio): ZERO for pk in ids for servizio in Servizio.values}
    rows = (
        Movimento.objects.filter(consumatore_id__in=ids)
        .values("consumatore_id", "servizio")
        .annotate(t=Sum("importo"))
        .order_by()
    )
    for row in rows:
        result[(row["consumatore_id"], row["servizio"])] = row["t"].quantize(ZERO)
    return result
