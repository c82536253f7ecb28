"""Factories of the bus models, created inside their comune's scope."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from tests.factories import AnnoScolasticoFactory, ComuneFactory, ScopedFactory
from trasporto.models import Fermata, Linea, Percorso, TariffaTrasporto


class AnnoPrecedenteFactory(AnnoScolasticoFactory):
    nome = "2025/26"
    data_inizio = datetime.date(2025, 9, 15)
    data_fine = datetime.date(2026, 6, 10)


class LineaFactory(ScopedFactory):
    class Meta:
        model = Linea

    comune = factory.SubFactory(ComuneFactory)
    anno_scolastico = factory.SubFactory(AnnoPrecedenteFactory, comune=factory.SelfAttribute("..comune"))
    nome = factory.Sequence(lambda n: f"Linea {n + 1}")
    mezzo = "Scuolabus FG 123 AB"
    autista = "Cosimo Cito"
    telefono_autista = "333 1234567"


class FermataFactory(ScopedFactory):
    class Meta:
        model = Fermata

    comune = factory.SelfAttribute("linea.comune")
    linea = factory.SubFactory(LineaFactory)
    ordine = factory.Sequence(lambda n: n + 1)
    nome = factory.Sequence(lambda n: f"Fermata {n + 1}")
    indirizzo = "Via Aldo Moro"
    ora_andata = datetime.time(7, 40)
    ora_ritorno = datetime.time(13, 35)


class TariffaFactory(ScopedFactory):
    class Meta:
        model = TariffaTrasporto

    comune = factory.SubFactory(ComuneFactory)
    percorso = Percorso.ANDATA_RITORNO
    importo_mensile = Decimal("25.00")
    valido_dal = datetime.date(2025, 9, 1)
