"""After the debit: warning at 2 meals in debit and at low credit (once each), suspension at 5 meals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from mensa.addebito import meal_debit_run
from mensa.cutoff import ROME
from mensa.debiti import MOTIVO_REVOCA_ERROR, sospensione_revoke
from mensa.models import Sospensione
from notifiche.models import Notifica
from pagamenti.models import Servizio, TipoMovimento
from pagamenti.selectors import saldo
from pagamenti.services import movimento_register

from .conftest import MONDAY

WEEK = [MONDAY + datetime.timedelta(n) for n in range(5)]
NEXT_WEEK = [d + datetime.timedelta(7) for d in WEEK]


def _run(comune, day, force=False):
    with scope(comune=comune):
        return meal_debit_run(comune=comune, giorno=day, force=force)


def _credit(comune, child, amount, key):
    with scope(comune=comune):
        movimento_register(consumatore=child, servizio=Servizio.MENSA, tipo=TipoMovimento.RICARICA_PAGOPA,
                           importo=Decimal(amount), data_valuta=MONDAY, chiave=key)


def _titles(comune, user):
    with scope(comune=comune):
        return list(Notifica.objects.filter(user=user).order_by("id").values_list("titolo", flat=True))


@pytest.fixture
def one_child(leporano, alice_children, mensa_alice):
    """Only Leonardo is enrolled, so the figures are his."""
    with scope(comune=leporano):
        alice_children[1].iscrizioni_mensa.all().delete()
    return alice_children[0]


def test_the_family_is_warned_once_at_two_meals_then_suspended_at_five(
    leporano, alice, one_child, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        for day in WEEK:
            _run(leporano, day)
            assert _run(leporano, day)["gia_eseguito"] is True
            _run(leporano, day, force=True)  # even forced, a second run the same night sends nothing more
    titles = _titles(leporano, alice)
    assert titles == [
        "Leonardo Lacaita: credito mensa in esaurimento",
        "Leonardo Lacaita: 2 pasti a debito",
        "Servizio mensa sospeso per Leonardo Lacaita",
    ]
    assert len(mail.outbox) == 3
    assert "-8,20 €" in mail.outbox[1].body and "RICARICA" in mail.outbox[1].body
    with scope(comune=leporano):
        sospensione = Sospensione.objects.get(consumatore=one_child)
        assert sospensione.dal == WEEK[4] + datetime.timedelta(1)
        assert saldo(consumatore=one_child, servizio=Servizio.MENSA) == Decimal("-20.50")
    # Suspended: not booked the next Monday, so not debited.
    assert _run(leporano, NEXT_WEEK[0])["pasti_addebitati"] == 0


def test_a_consumer_in_credit_gets_no_message(leporano, alice, one_child):
    _credit(leporano, one_child, "100.00", "avviso:1")
    for day in WEEK:
        _run(leporano, day)
    assert _titles(leporano, alice) == []


def test_the_low_credit_warning_is_sent_once_per_episode(leporano, alice, one_child):
    _credit(leporano, one_child, "20.00", "avviso:1")
    for day in WEEK[:3]:
        _run(leporano, day)  # 20 - 3 × 4,10 = 7,70 < 10
    assert _titles(leporano, alice) == ["Leonardo Lacaita: credito mensa in esaurimento"]
    _credit(leporano, one_child, "5.00", "avviso:2")  # a new top-up starts a new episode
    _run(leporano, WEEK[3])
    assert len(_titles(leporano, alice)) == 2


def test_the_suspension_is_lifted_when_the_balance_is_restored(leporano, alice, one_child):
    for day in WEEK:
        _run(leporano, day)
    _credit(leporano, one_child, "30.00", "avviso:1")
    result = _run(leporano, NEXT_WEEK[0])
    assert result["riattivati"] == 1
    with scope(comune=leporano):
        sospensione = Sospensione.objects.get(consumatore=one_child)
        assert sospensione.al is not None
    assert _run(leporano, NEXT_WEEK[1])["pasti_addebitati"] == 1


def test_a_top_up_that_restores_the_balance_lifts_the_suspension_at_once(
    leporano, alice, one_child, django_capture_on_commit_callbacks
):
    for day in WEEK:
        _run(leporano, day)
    with django_capture_on_commit_callbacks(execute=True):
        _credit(leporano, one_child, "1.00", "avviso:poco")
    with scope(comune=leporano):
        assert saldo(consumatore=one_child, servizio=Servizio.MENSA) < 0
        assert Sospensione.objects.get(consumatore=one_child).al is None  # still in debit: still suspended
    with django_capture_on_commit_callbacks(execute=True):
        _credit(leporano, one_child, "100.00", "avviso:ricarica")
    with scope(comune=leporano):
        sospensione = Sospensione.objects.get(consumatore=one_child)
    assert sospensione.al is not None
    assert sospensione.motivo_revoca == "Saldo ripristinato con una ricarica"


def test_staff_lift_a_suspension_with_a_reason_and_it_is_not_reimposed(leporano, alice, bob, one_child):
    for day in WEEK:
        _run(leporano, day)
    with scope(comune=leporano):
        sospensione = Sospensione.objects.get(consumatore=one_child)
        with pytest.raises(ValidationError) as error:
            sospensione_revoke(sospensione=sospensione, revocata_da=bob, motivo=" ")
        assert str(MOTIVO_REVOCA_ERROR) in str(error.value)
        # Lifted on the Friday evening (a fixed clock: the real one may be the Monday after the cut-off).
        friday_evening = datetime.datetime.combine(WEEK[-1], datetime.time(20, 0), tzinfo=ROME)
        sospensione_revoke(sospensione=sospensione, revocata_da=bob, motivo="Piano di rientro concordato",
                           now=friday_evening)
    assert _run(leporano, NEXT_WEEK[0])["pasti_addebitati"] == 1
    with scope(comune=leporano):
        assert Sospensione.objects.filter(consumatore=one_child).count() == 1


def test_the_thresholds_are_per_comune(leporano, alice, one_child):
    leporano.soglia_sospensione_pasti = 3
    leporano.save()
    for day in WEEK[:3]:
        _run(leporano, day)
    with scope(comune=leporano):
        assert Sospensione.objects.filter(consumatore=one_child).exists()


def test_an_opening_debt_counts(leporano, alice, one_child):
    with scope(comune=leporano):
        movimento_register(consumatore=one_child, servizio=Servizio.MENSA, tipo=TipoMovimento.SALDO_INIZIALE,
                           importo=Decimal("-16.40"), data_valuta=MONDAY, chiave="saldo_iniziale")
    _run(leporano, MONDAY)  # -20,50: five meals
    with scope(comune=leporano):
        assert Sospensione.objects.filter(consumatore=one_child).exists()
