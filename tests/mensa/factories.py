"""Factories of the canteen, created inside their comune's scope like the app does."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from mensa.models import Calendario, CalendarioScuola, Chiusura, IscrizioneMensa, PrezzoTariffa, Tariffa
from tests.factories import AnnoScolasticoFactory, ComuneFactory, ScopedFactory, ScuolaFactory


class CalendarioFactory(ScopedFactory):
    class Meta:
        model = Calendario
        django_get_or_create = ["comune", "anno_scolastico"]

    comune = factory.SubFactory(ComuneFactory)
    anno_scolastico = factory.SubFactory(AnnoScolasticoFactory, comune=factory.SelfAttribute("..comune"))
    santo_patrono = "San Bartolomeo"
    festa_patronale = None


class CalendarioScuolaFactory(ScopedFactory):
    class Meta:
        model = CalendarioScuola

    comune = factory.SubFactory(ComuneFactory)
    calendario = factory.SubFactory(CalendarioFactory, comune=factory.SelfAttribute("..comune"))
    scuola = factory.SubFactory(ScuolaFactory, comune=factory.SelfAttribute("..comune"))
    data_inizio = datetime.date(2026, 9, 21)
    data_fine = datetime.date(2027, 6, 4)


class ChiusuraFactory(ScopedFactory):
    class Meta:
        model = Chiusura

    comune = factory.SubFactory(ComuneFactory)
    motivo = "Sciopero"


class TariffaFactory(ScopedFactory):
    class Meta:
        model = Tariffa
        django_get_or_create = ["comune", "nome"]

    comune = factory.SubFactory(ComuneFactory)
    nome = "Tariffa intera"


class PrezzoTariffaFactory(ScopedFactory):
    class Meta:
        model = PrezzoTariffa

    comune = factory.SubFactory(ComuneFactory)
    tariffa = factory.SubFactory(TariffaFactory, comune=factory.SelfAttribute("..comune"))
    valido_dal = datetime.date(2026, 9, 1)
    importo = Decimal("4.10")


class IscrizioneMensaFactory(ScopedFactory):
    class Meta:
        model = IscrizioneMensa

    comune = factory.SubFactory(ComuneFactory)
    tariffa = factory.SubFactory(TariffaFactory, comune=factory.SelfAttribute("..comune"))
    data_inizio = datetime.date(2026, 9, 1)
