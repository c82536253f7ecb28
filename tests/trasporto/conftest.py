"""Bus fixtures: Leporano's transport active from 1 April 2026, a route of 2025/26 with two stops
and the tariffs of the notice (andata e ritorno 25 €, solo andata 15 €)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django_scopes import scope

from trasporto.models import Percorso

from .factories import FermataFactory, LineaFactory, TariffaFactory

ATTIVAZIONE = datetime.date(2026, 4, 1)


@pytest.fixture
def leporano_trasporto(leporano):
    leporano.data_attivazione_trasporto = ATTIVAZIONE
    leporano.save(update_fields=["data_attivazione_trasporto"])
    TariffaFactory(comune=leporano, percorso=Percorso.ANDATA_RITORNO, importo_mensile=Decimal("25.00"))
    TariffaFactory(comune=leporano, percorso=Percorso.SOLO_ANDATA, importo_mensile=Decimal("15.00"))
    TariffaFactory(comune=leporano, percorso=Percorso.SOLO_RITORNO, importo_mensile=Decimal("15.00"))
    return leporano


@pytest.fixture
def linea(leporano_trasporto):
    return LineaFactory(comune=leporano_trasporto, nome="Linea Gandoli")


@pytest.fixture
def fermate(linea):
    return [
        FermataFactory(linea=linea, ordine=1, nome="Piazza Castello", indirizzo="Piazza Castello",
                       ora_andata=datetime.time(7, 35), ora_ritorno=datetime.time(13, 50)),
        FermataFactory(linea=linea, ordine=2, nome="Gandoli", indirizzo="Via Gandoli",
                       ora_andata=datetime.time(7, 45), ora_ritorno=datetime.time(13, 40)),
    ]


@pytest.fixture
def enrol(leporano_trasporto, linea, fermate):
    """enrol(child, **fields): enrol a Leporano child on the Gandoli route through the service."""
    from trasporto.services import iscrizione_create

    def _enrol(consumatore, **fields):
        fields.setdefault("linea", linea)
        fields.setdefault("fermata", fermate[1])
        fields.setdefault("data_inizio", datetime.date(2026, 3, 2))
        with scope(comune=leporano_trasporto):
            return iscrizione_create(consumatore=consumatore, **fields)

    return _enrol
