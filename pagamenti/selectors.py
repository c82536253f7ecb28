"""Reads of the ledger. Balances are derived from the movements, in exact Decimal euros."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet, Sum

from consumatori.models import Consumatore

from .models import Movimento, Posizione, Servizio

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


def movimenti_of_consumatori(*, consumatori: Iterable[Consumatore], anno: int | None = None):
    """Every movement of these consumers, newest first, in one query."""
    qs = Movimento.objects.filter(consumatore_id__in=[c.pk for c in consumatori]).order_by("-data_valuta", "-id")
    if anno is not None:
        qs = qs.filter(data_valuta__year=anno)
    return qs


def posizioni_of_user(*, user) -> QuerySet:
    """The debt positions (carts paid or to pay) of this account in the current comune."""
    from .models import Posizione

    return Posizione.objects.filter(utente=user).prefetch_related("righe__consumatore").order_by("-creata_il")


def posizione_of_user(*, user, token) -> Posizione:
    """One of the account's positions, or 404 for anyone else's."""
    from django.shortcuts import get_object_or_404

    from .models import Posizione

    return get_object_or_404(Posizione.objects.select_related("comune", "utente"), utente=user, token=token)


def suggested_topup(*, saldo_attuale: Decimal, minimo: Decimal) -> Decimal | None:
    """For an account in the red: the amount that brings it back to credit (at least the minimum)."""
    if saldo_attuale >= 0:
        return None
    return max(-saldo_attuale, minimo).quantize(ZERO)
