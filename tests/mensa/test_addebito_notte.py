"""The night of every comune at once: each comune's own rules in one statement of each kind, a second
run that only reads the done-markers, and one task per comune when the set-based night fails."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from mensa import addebito
from mensa.addebito import meal_debit_night
from mensa.models import AddebitoEseguito, Assenza
from pagamenti.models import Movimento, TipoMovimento

from .conftest import MONDAY, TUESDAY, rome


def _meals(comune, giorno) -> int:
    with scope(comune=comune):
        return Movimento.objects.filter(tipo=TipoMovimento.PASTO, data_valuta=giorno).count()


def test_each_comune_keeps_its_own_cut_off(leporano, alice, alice_children, mensa_alice, pulsano, charlie,
                                           charlie_child, mensa_charlie):
    pulsano.ora_limite_disdetta = datetime.time(10, 0)
    pulsano.save()
    # Both cancelled at 09:30: after Leporano's 09:00 cut-off (the meal stands), before Pulsano's 10:00.
    Assenza.objects.create(comune=leporano, consumatore=alice_children[0], giorno=MONDAY,
                           registrata_il=rome(MONDAY, 9, 30), registrata_da=alice)
    Assenza.objects.create(comune=pulsano, consumatore=charlie_child, giorno=MONDAY,
                           registrata_il=rome(MONDAY, 9, 30), registrata_da=charlie)
    results = meal_debit_night(giorno=MONDAY)
    assert [(r["comune"], r["pasti_addebitati"]) for r in results] == [("leporano", 2), ("pulsano", 0)]
    assert (_meals(leporano, MONDAY), _meals(pulsano, MONDAY)) == (2, 0)
    with scope(comune=[leporano, pulsano]):
        assert sorted(AddebitoEseguito.objects.values_list("comune__slug", "pasti")) == [
            ("leporano", 2), ("pulsano", 0)]


def test_a_second_night_only_reads_the_done_markers(leporano, alice_children, mensa_alice, pulsano, charlie_child,
                                                    mensa_charlie, django_assert_num_queries):
    meal_debit_night(giorno=MONDAY)
    with django_assert_num_queries(2):  # the active comuni, the day's done-markers
        again = meal_debit_night(giorno=MONDAY)
    assert all(r["gia_eseguito"] and r["pasti_addebitati"] == 0 for r in again)
    assert (_meals(leporano, MONDAY), _meals(pulsano, MONDAY)) == (2, 1)


def test_more_comuni_cost_no_more_queries(leporano, alice_children, mensa_alice, pulsano, charlie_child,
                                          mensa_charlie):
    def queries(giorno, comuni) -> int:
        with CaptureQueriesContext(connection) as captured:
            meal_debit_night(giorno=giorno, comuni=comuni)
        return len(captured)

    one = queries(MONDAY, [leporano])
    assert queries(TUESDAY, [leporano, pulsano]) == one
    assert (_meals(leporano, TUESDAY), _meals(pulsano, TUESDAY)) == (2, 1)


def test_a_failing_night_falls_back_to_one_task_per_comune(leporano, alice_children, mensa_alice, pulsano,
                                                           charlie_child, mensa_charlie, monkeypatch):
    from mensa.tasks import meal_debit_all

    real = addebito.meal_debit_night

    def together_fails(*, giorno, comuni=None, force=False):
        if comuni is None or len(comuni) > 1:
            raise RuntimeError("dati di un comune inattesi")
        return real(giorno=giorno, comuni=comuni, force=force)

    monkeypatch.setattr(addebito, "meal_debit_night", together_fails)
    assert meal_debit_all.delay(MONDAY.isoformat()).get() == 2
    assert (_meals(leporano, MONDAY), _meals(pulsano, MONDAY)) == (2, 1)
