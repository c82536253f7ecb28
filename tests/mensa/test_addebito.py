"""The nightly meal debit: who is present, at which tariff, written once whatever happens."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django_scopes import scope

from comuni.models import Ruolo
from comuni.services import incarico_assign
from mensa.addebito import meal_debit_for_day
from mensa.assenze import presenza_set
from mensa.models import Assenza
from pagamenti.models import Movimento, TipoMovimento
from tests.concurrency import run_at_once
from tests.factories import ClasseFactory, ConsumatoreFactory, ScuolaFactory, UserFactory, totp_activate

from .conftest import MONDAY, SATURDAY, TUESDAY, rome
from .factories import CalendarioScuolaFactory, ChiusuraFactory, PrezzoTariffaFactory


def _debits(comune):
    with scope(comune=comune):
        return sorted(
            (m.consumatore.nome, m.data_valuta, m.importo, m.chiave)
            for m in Movimento.objects.filter(tipo=TipoMovimento.PASTO).select_related("consumatore")
        )


def _debit(comune, day):
    with scope(comune=comune):
        return meal_debit_for_day(comune=comune, giorno=day)


@pytest.fixture
def operatore(leporano):
    user = UserFactory(email="operatore@example.org")
    incarico_assign(user=user, comune=leporano, ruolo=Ruolo.OPERATORE_MENSA)
    totp_activate(user)
    return user


def test_it_debits_one_meal_per_present_consumer_at_their_tariff(leporano, alice_children, mensa_alice):
    assert _debit(leporano, MONDAY) == 2
    assert _debits(leporano) == [
        ("Leonardo", MONDAY, Decimal("-4.10"), "pasto:2026-11-23"),
        ("Sofia", MONDAY, Decimal("-4.10"), "pasto:2026-11-23"),
    ]


def test_running_the_same_day_twice_writes_nothing_more(leporano, alice_children, mensa_alice):
    assert _debit(leporano, MONDAY) == 2
    assert _debit(leporano, MONDAY) == 0
    assert len(_debits(leporano)) == 2


def test_no_debit_on_a_day_without_service(leporano, alice_children, mensa_alice):
    assert _debit(leporano, SATURDAY) == 0
    assert _debit(leporano, datetime.date(2026, 12, 8)) == 0


def test_an_absence_recorded_before_the_cut_off_is_not_debited(leporano, alice, alice_children, mensa_alice):
    leonardo, sofia = alice_children
    with scope(comune=leporano):
        Assenza.objects.create(comune=leporano, consumatore=leonardo, giorno=MONDAY,
                               registrata_il=rome(MONDAY, 8, 59), registrata_da=alice)
        # Recorded after the cut-off (e.g. by the office): the booking stood, the meal was cooked.
        Assenza.objects.create(comune=leporano, consumatore=sofia, giorno=MONDAY,
                               registrata_il=rome(MONDAY, 9, 30), registrata_da=alice)
    _debit(leporano, MONDAY)
    assert [d[0] for d in _debits(leporano)] == ["Sofia"]


def test_an_absence_withdrawn_before_the_cut_off_is_debited(leporano, alice, alice_children, mensa_alice):
    leonardo = alice_children[0]
    with scope(comune=leporano):
        Assenza.objects.create(comune=leporano, consumatore=leonardo, giorno=MONDAY, registrata_il=rome(MONDAY, 7),
                               registrata_da=alice, annullata_il=rome(MONDAY, 8), annullata_da=alice)
    _debit(leporano, MONDAY)
    assert [d[0] for d in _debits(leporano)] == ["Leonardo", "Sofia"]


def test_the_operator_record_wins_over_the_booking(leporano, alice, alice_children, mensa_alice, operatore):
    leonardo, sofia = alice_children
    with scope(comune=leporano):
        Assenza.objects.create(comune=leporano, consumatore=leonardo, giorno=MONDAY, registrata_il=rome(MONDAY, 7),
                               registrata_da=alice)
        presenza_set(consumatore=leonardo, giorno=MONDAY, presente=True, registrata_da=operatore)
        presenza_set(consumatore=sofia, giorno=MONDAY, presente=False, registrata_da=operatore)
    _debit(leporano, MONDAY)
    assert [d[0] for d in _debits(leporano)] == ["Leonardo"]


def test_a_tariff_change_mid_month_debits_each_day_at_its_own_tariff(leporano, alice_children, mensa_alice):
    with scope(comune=leporano):
        prezzo = mensa_alice.prezzi.get()
        prezzo.valido_al = datetime.date(2026, 11, 23)
        prezzo.save()
    PrezzoTariffaFactory(comune=leporano, tariffa=mensa_alice, valido_dal=TUESDAY, importo=Decimal("4.35"))
    _debit(leporano, MONDAY)
    _debit(leporano, TUESDAY)
    amounts = {(d[0], d[1]): d[2] for d in _debits(leporano)}
    assert amounts[("Leonardo", MONDAY)] == Decimal("-4.10")
    assert amounts[("Leonardo", TUESDAY)] == Decimal("-4.35")


def test_an_exempt_consumer_is_never_debited(leporano, alice_children, mensa_alice):
    with scope(comune=leporano):
        mensa_alice.esenzione = True
        mensa_alice.save()
        mensa_alice.prezzi.update(importo=Decimal("0"))
    assert _debit(leporano, MONDAY) == 0


def test_a_consumer_moving_class_mid_year_follows_the_new_schools_calendar(leporano, alice_children, mensa_alice):
    leonardo = alice_children[0]
    _debit(leporano, MONDAY)
    with scope(comune=leporano):
        anno = leonardo.classe.anno_scolastico
        calendario = leonardo.classe.scuola.calendari_mensa.get().calendario
    nuova_scuola = ScuolaFactory(comune=leporano, nome="Scuola primaria «Marconi»")
    CalendarioScuolaFactory(comune=leporano, calendario=calendario, scuola=nuova_scuola, martedi=False)
    nuova = ClasseFactory(comune=leporano, scuola=nuova_scuola, anno_scolastico=anno, anno=3, sezione="C")
    with scope(comune=leporano):
        leonardo.classe = nuova
        leonardo.save()
    _debit(leporano, TUESDAY)  # no Tuesday service in the new school
    wednesday = TUESDAY + datetime.timedelta(1)
    _debit(leporano, wednesday)
    assert [(d[0], d[1]) for d in _debits(leporano)] == [
        ("Leonardo", MONDAY), ("Leonardo", wednesday), ("Sofia", MONDAY), ("Sofia", TUESDAY), ("Sofia", wednesday),
    ]


def test_a_class_on_a_trip_is_not_debited(leporano, alice_children, mensa_alice):
    other_class = ClasseFactory(comune=leporano, scuola=alice_children[0].classe.scuola,
                                anno_scolastico=alice_children[0].classe.anno_scolastico, anno=4, sezione="A")
    with scope(comune=leporano):
        alice_children[1].classe = other_class
        alice_children[1].save()
    ChiusuraFactory(comune=leporano, data_inizio=MONDAY, data_fine=MONDAY, motivo="Gita",
                    scuola=other_class.scuola, classe=other_class)
    _debit(leporano, MONDAY)
    assert [d[0] for d in _debits(leporano)] == ["Leonardo"]


def test_not_enrolled_or_before_enrolment_is_not_debited(leporano, alice_children, mensa_alice):
    with scope(comune=leporano):
        alice_children[0].iscrizioni_mensa.update(data_inizio=TUESDAY)
    extra = ConsumatoreFactory(comune=leporano, nome="Zeno", classe=alice_children[0].classe)
    assert extra.pk
    _debit(leporano, MONDAY)
    assert [d[0] for d in _debits(leporano)] == ["Sofia"]


def test_other_comuni_are_untouched(leporano, pulsano, alice_children, mensa_alice, charlie_child, mensa_charlie):
    _debit(leporano, MONDAY)
    assert _debits(pulsano) == []


def test_the_management_command_runs_the_same_code(leporano, alice_children, mensa_alice, charlie_child,
                                                   mensa_charlie, pulsano):
    call_command("mensa_debit", "--date", "2026-11-23")
    call_command("mensa_debit", "--date", "2026-11-23", "--comune", "leporano")
    assert len(_debits(leporano)) == 2
    assert len(_debits(pulsano)) == 1


def test_the_celery_fan_out_runs_per_comune(leporano, alice_children, mensa_alice, charlie_child, mensa_charlie,
                                            pulsano):
    from mensa.tasks import meal_debit_all

    assert meal_debit_all.delay("2026-11-23").get() == 2
    assert len(_debits(leporano)) == 2
    assert len(_debits(pulsano)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_give_the_same_ledger(leporano, alice_children, mensa_alice):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL")
    from django.db import transaction

    def worker(n):
        with scope(comune=leporano), transaction.atomic():
            return meal_debit_for_day(comune=leporano, giorno=MONDAY)

    results = run_at_once(worker, 2)
    assert sorted(results) == [0, 2]
    assert len(_debits(leporano)) == 2
