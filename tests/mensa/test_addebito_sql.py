"""The nightly debit reads the calendar in SQL (one round trip): it must pick exactly the consumers the
booking rules (`presenti_queryset`, built on `calendario.giorno_di_servizio`) say eat, day after day."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django_scopes import scope

from mensa.addebito import _presenti_sql, meal_debit_for_day, presenti_queryset
from mensa.models import Assenza, Presenza, Sospensione
from pagamenti.models import Movimento, TipoMovimento
from tests.factories import ClasseFactory, ConsumatoreFactory, ScuolaFactory, UserFactory

from .conftest import MONDAY, rome
from .factories import (
    CalendarioFactory,
    CalendarioScuolaFactory,
    ChiusuraFactory,
    IscrizioneMensaFactory,
    PrezzoTariffaFactory,
)

DAYS = [MONDAY + datetime.timedelta(n) for n in range(-1, 17)]  # Sunday to Immacolata (8 December) and on


def _scenario(comune):
    """Three schools and four classes, with every rule that removes or adds a meal somewhere in two weeks."""
    user = UserFactory(email="operatore@example.org")
    PrezzoTariffaFactory(comune=comune)  # 4,10 € on the tariff every enrolment below gets
    calendario = CalendarioFactory(comune=comune, festa_patronale=MONDAY + datetime.timedelta(9))  # a Wednesday
    anno = calendario.anno_scolastico
    primaria = ScuolaFactory(comune=comune, nome="Primaria")
    infanzia = ScuolaFactory(comune=comune, nome="Infanzia")
    senza = ScuolaFactory(comune=comune, nome="Senza calendario")
    CalendarioScuolaFactory(comune=comune, calendario=calendario, scuola=primaria, mercoledi=False)
    CalendarioScuolaFactory(comune=comune, calendario=calendario, scuola=infanzia, sabato=True,
                            data_fine=MONDAY + datetime.timedelta(10))
    classi = [ClasseFactory(comune=comune, scuola=primaria, anno_scolastico=anno, anno=n, sezione="A") for n in (1, 2)]
    classi += [ClasseFactory(comune=comune, scuola=infanzia, anno_scolastico=anno, anno=1, sezione="B"),
               ClasseFactory(comune=comune, scuola=senza, anno_scolastico=anno, anno=1, sezione="C")]
    ChiusuraFactory(comune=comune, data_inizio=MONDAY + datetime.timedelta(1), data_fine=MONDAY + datetime.timedelta(1),
                    classe=classi[1])  # a class trip
    ChiusuraFactory(comune=comune, data_inizio=MONDAY + datetime.timedelta(3), data_fine=MONDAY + datetime.timedelta(4),
                    scuola=infanzia)  # a school strike
    ChiusuraFactory(comune=comune, data_inizio=MONDAY + datetime.timedelta(8), data_fine=MONDAY + datetime.timedelta(8))
    children = []
    for n in range(12):
        child = ConsumatoreFactory(comune=comune, nome=f"Bimbo{n}", classe=classi[n % 4], attivo=n != 5)
        IscrizioneMensaFactory(comune=comune, consumatore=child,
                               data_fine=MONDAY + datetime.timedelta(2) if n == 6 else None)
        children.append(child)
    with scope(comune=comune):
        cutoff_tuesday = rome(MONDAY + datetime.timedelta(1), 9)
        Assenza.objects.create(comune=comune, consumatore=children[0], giorno=MONDAY + datetime.timedelta(1),
                               registrata_il=cutoff_tuesday - datetime.timedelta(hours=1), registrata_da=user)
        Assenza.objects.create(comune=comune, consumatore=children[4], giorno=MONDAY + datetime.timedelta(1),
                               registrata_il=cutoff_tuesday + datetime.timedelta(minutes=1), registrata_da=user)
        Assenza.objects.create(comune=comune, consumatore=children[8], giorno=MONDAY + datetime.timedelta(1),
                               registrata_il=cutoff_tuesday - datetime.timedelta(hours=2), registrata_da=user,
                               annullata_il=cutoff_tuesday - datetime.timedelta(hours=1), annullata_da=user)
        Assenza.objects.create(comune=comune, consumatore=children[2], giorno=MONDAY + datetime.timedelta(2),
                               registrata_il=cutoff_tuesday, registrata_da=user,
                               annullata_il=cutoff_tuesday + datetime.timedelta(days=1, hours=1), annullata_da=user)
        Presenza.objects.create(comune=comune, consumatore=children[1], giorno=MONDAY, presente=False,
                                registrata_da=user)
        Presenza.objects.create(comune=comune, consumatore=children[0], giorno=MONDAY + datetime.timedelta(1),
                                presente=True, registrata_da=user)  # came after all
        Presenza.objects.create(comune=comune, consumatore=children[3], giorno=MONDAY + datetime.timedelta(2),
                                presente=True, registrata_da=user)  # ate on a day without school service
        Sospensione.objects.create(comune=comune, consumatore=children[9], dal=MONDAY + datetime.timedelta(2),
                                   al=MONDAY + datetime.timedelta(7), saldo=Decimal("-20.50"), episodio="9:0")
        Sospensione.objects.create(comune=comune, consumatore=children[10], dal=MONDAY, saldo=Decimal("-20.50"),
                                   episodio="10:0")


def _from_sql(comune, giorno):
    sql, params = _presenti_sql(comuni=[comune], giorno=giorno)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[:2] for row in cursor.fetchall())


def test_the_debit_sql_picks_exactly_who_the_booking_rules_say_eats(leporano):
    _scenario(leporano)
    seen = set()
    with scope(comune=leporano):
        for giorno in DAYS:
            expected = sorted(presenti_queryset(comune=leporano, giorno=giorno).values_list("consumatore_id",
                                                                                             "tariffa_id"))
            assert _from_sql(leporano, giorno) == expected, giorno
            seen.add(len(expected))
    assert len(seen) > 4  # the days really differ: closures, absences and records took effect


def test_the_debit_writes_those_meals_once_at_their_price(leporano):
    _scenario(leporano)
    with scope(comune=leporano):
        tuesday = MONDAY + datetime.timedelta(1)
        expected = {c for c, _t in presenti_queryset(comune=leporano, giorno=tuesday).values_list(
            "consumatore_id", "tariffa_id")}
        assert meal_debit_for_day(comune=leporano, giorno=tuesday) == len(expected)
        assert meal_debit_for_day(comune=leporano, giorno=tuesday) == 0
        rows = Movimento.objects.filter(tipo=TipoMovimento.PASTO, data_valuta=tuesday)
        assert {m.consumatore_id for m in rows} == expected
        assert {(m.importo, m.descrizione, m.chiave) for m in rows} == {
            (Decimal("-4.10"), "Pasto del 24/11/2026", "pasto:2026-11-24")}
