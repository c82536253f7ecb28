"""Canteen fixtures: the 2026/27 calendar of alice's and charlie's schools, a 4,10 € tariff, enrolments.

Monday 23 November 2026 is "today" in these tests; `clock` moves the time of the whole app.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_scopes import scope

from .factories import CalendarioScuolaFactory, IscrizioneMensaFactory, PrezzoTariffaFactory, TariffaFactory

ROME = ZoneInfo("Europe/Rome")
MONDAY = datetime.date(2026, 11, 23)
TUESDAY = datetime.date(2026, 11, 24)
SATURDAY = datetime.date(2026, 11, 28)
TARIFFA = Decimal("4.10")


def rome(day: datetime.date, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=ROME)


class Clock:
    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.now = rome(MONDAY, 8, 0)
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, day: datetime.date, hour: int, minute: int = 0, second: int = 0) -> None:
        self.now = rome(day, hour, minute, second)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def setup_mensa(comune, children, importo=TARIFFA):
    """Calendar Monday–Friday for the children's schools, one tariff, everybody enrolled."""
    tariffa = TariffaFactory(comune=comune)
    PrezzoTariffaFactory(comune=comune, tariffa=tariffa, importo=importo)
    with scope(comune=comune):
        schools = {(c.classe.scuola_id, c.classe.anno_scolastico_id): c.classe for c in children}
    for classe in schools.values():
        with scope(comune=comune):
            scuola, anno = classe.scuola, classe.anno_scolastico
        CalendarioScuolaFactory(comune=comune, scuola=scuola, calendario__anno_scolastico=anno)
    for child in children:
        IscrizioneMensaFactory(comune=comune, consumatore=child, tariffa=tariffa)
    return tariffa


@pytest.fixture
def mensa_alice(leporano, alice_children):
    return setup_mensa(leporano, alice_children)


@pytest.fixture
def mensa_charlie(pulsano, charlie_child):
    return setup_mensa(pulsano, [charlie_child])
