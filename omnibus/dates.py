"""The range of dates the portal accepts from input: one place, so year 0 or 9999 never reaches a 500.

Python's `date` stops at 9999-12-31 and PostgreSQL's range differs; a day or a month near either
end makes `date ± timedelta` overflow (the month grid's "next month", the cut-off's aware datetime).
Every business date typed by a family, an operator or a machine is within a school career anyway.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DATA_MIN = datetime.date(1900, 1, 1)
DATA_MAX = datetime.date(2199, 12, 31)

DATA_FUORI_INTERVALLO_ERROR = _("Indica una data tra il 01/01/1900 e il 31/12/2199.")


def data_in_range(value: datetime.date | None) -> bool:
    return value is None or DATA_MIN <= value <= DATA_MAX


def validate_data(value: datetime.date | None) -> None:
    if not data_in_range(value):
        raise ValidationError(DATA_FUORI_INTERVALLO_ERROR, code="date_out_of_range")


class DataField(forms.DateField):
    """A form date limited to DATA_MIN … DATA_MAX."""

    default_validators = [validate_data]


def mese_parse(value: str | None) -> datetime.date | None:
    """'YYYY-MM' to the first of that month, or None when malformed or out of range."""
    try:
        year, month = (int(x) for x in (value or "").split("-"))
        mese = datetime.date(year, month, 1)
    except (ValueError, OverflowError):
        return None
    return mese if data_in_range(mese) else None


def giorno_parse(value: str | None) -> datetime.date | None:
    """'YYYY-MM-DD' to a date, or None when malformed or out of range."""
    try:
        giorno = datetime.date.fromisoformat(value or "")
    except ValueError:
        return None
    return giorno if data_in_range(giorno) else None
