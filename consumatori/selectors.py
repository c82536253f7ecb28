"""Reads for the family portal. They run inside the comune scope set by the request."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from comuni.models import User

from .models import Consumatore


def consumatori_of_family(*, user: User) -> QuerySet[Consumatore]:
    """The consumers linked to this account in the current comune.

    No DISTINCT needed: a Tutore row links one account to one consumer at most once (unique constraint).
    """
    return (
        Consumatore.objects.filter(tutori__utente=user, attivo=True)
        .select_related("classe__scuola", "classe__anno_scolastico")
        .order_by("nome", "cognome")
    )


def consumatore_of_family(*, user: User, pk: int) -> Consumatore:
    """One of the family's consumers, or 404 for anyone else's (no hint that it exists)."""
    return get_object_or_404(consumatori_of_family(user=user), pk=pk)
