"""THE cut-off rule of the canteen: one place that views, tasks and services ask."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import Comune

ROME = ZoneInfo("Europe/Rome")

CUTOFF_PASSED_ERROR = _(
    "Non è più possibile modificare il pasto del %(giorno)s: l'ora limite (%(ora)s) è passata. Nulla è stato salvato."
)


def data_it(giorno: datetime.date) -> str:
    return giorno.strftime("%d/%m/%Y")


def cutoff_datetime(*, comune: Comune, giorno: datetime.date) -> datetime.datetime:
    """The moment (aware) after which the day's booking is locked: the comune's hour in Europe/Rome."""
    return datetime.datetime.combine(giorno, comune.ora_limite_disdetta, tzinfo=ROME)


def cutoff_passed(*, comune: Comune, giorno: datetime.date, now: datetime.datetime | None = None) -> bool:
    """THE cut-off rule: families may change a day only before the comune's hour of that day (Rome time)."""
    now = now or timezone.now()
    return now >= cutoff_datetime(comune=comune, giorno=giorno)


def cutoff_check(comune: Comune, giorno: datetime.date, now: datetime.datetime) -> None:
    if cutoff_passed(comune=comune, giorno=giorno, now=now):
        raise ValidationError(
            CUTOFF_PASSED_ERROR,
            code="cutoff",
            params={"giorno": data_it(giorno), "ora": comune.ora_limite_disdetta.strftime("%H:%M")},
        )
