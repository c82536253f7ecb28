"""Reads of the enrolment windows and applications (inside the comune scope of the request)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from comuni.models import User
from mensa.cutoff import ROME

from .models import Domanda, FinestraIscrizione


def oggi() -> datetime.date:
    return timezone.localtime(timezone.now(), ROME).date()


def finestre_aperte(*, giorno: datetime.date | None = None) -> list[FinestraIscrizione]:
    """The comune's windows open today, earliest school year first (1 query)."""
    giorno = giorno or oggi()
    return list(
        FinestraIscrizione.objects.filter(apre_il__lte=giorno, chiude_il__gte=giorno)
        .select_related("anno_scolastico").order_by("anno_scolastico__data_inizio", "servizio")
    )


def domande_of_family(*, user: User) -> QuerySet[Domanda]:
    return Domanda.objects.filter(utente=user).exclude(stato="bozza").select_related("anno_scolastico")


def domanda_of_family(*, user: User, pk: int) -> Domanda:
    """The family's own application, or 404 for anyone else's."""
    return get_object_or_404(
        Domanda.objects.filter(utente=user).select_related(
            "anno_scolastico", "scuola", "classe", "linea", "fermata", "consumatore", "tipo_dieta"), pk=pk
    )
