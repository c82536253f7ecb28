"""The ledger partitioned by school year (pagamenti/partizioni.py), on PostgreSQL: each school year's rows in
its own table, the night writing into this year's, next year's table made ahead, the key still unique."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django_scopes import scope

from pagamenti.models import Movimento, Servizio, TipoMovimento
from pagamenti.partizioni import anno_scolastico, nome, partizione_crea, partizioni, partizioni_prepara
from pagamenti.services import movimento_register
from tests.concurrency import run_at_once

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="partitioning is PostgreSQL's")


def _tabella(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM pagamenti_movimento WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _register(child, chiave, giorno, importo="-4.10", tipo=TipoMovimento.PASTO):
    return movimento_register(consumatore=child, servizio=Servizio.MENSA, tipo=tipo, importo=Decimal(importo),
                              data_valuta=giorno, chiave=chiave)


def test_a_school_year_runs_from_september_to_august():
    assert anno_scolastico(datetime.date(2026, 9, 1)) == 2026
    assert anno_scolastico(datetime.date(2027, 8, 31)) == 2026
    assert anno_scolastico(datetime.date(2026, 8, 31)) == 2025


def test_the_ledger_has_this_and_next_school_years_tables(db):
    from django.utils import timezone

    anno = anno_scolastico(timezone.localdate())
    assert {nome(anno), nome(anno + 1), "pagamenti_movimento_altri"} <= set(partizioni())


def test_a_movement_lands_in_its_school_years_table(leporano, alice_children):
    child = alice_children[0]
    with scope(comune=leporano):
        meal, _ = _register(child, "pasto:2026-11-23", datetime.date(2026, 11, 23))
        old, _ = _register(child, "saldo_iniziale", datetime.date(2019, 6, 30), "12.00", TipoMovimento.SALDO_INIZIALE)
    assert _tabella(meal.pk) == "pagamenti_movimento_a2026"
    assert _tabella(old.pk) == "pagamenti_movimento_altri"  # no table of 2018/19: the DEFAULT one


def test_making_a_years_table_moves_its_rows_out_of_the_default_one(leporano, alice_children):
    child = alice_children[0]
    with scope(comune=leporano):
        moved, _ = _register(child, "pasto:2031-03-02", datetime.date(2031, 3, 2))
        stays, _ = _register(child, "pasto:2032-03-02", datetime.date(2032, 3, 2))
    assert _tabella(moved.pk) == "pagamenti_movimento_altri"
    assert partizione_crea(2030) is True
    assert partizione_crea(2030) is False  # already there
    assert _tabella(moved.pk) == "pagamenti_movimento_a2030"
    assert _tabella(stays.pk) == "pagamenti_movimento_altri"
    with scope(comune=leporano):
        assert Movimento.objects.filter(consumatore=child).count() == 2
        # The key is enforced in the new table too: the same meal again is the same row.
        again, created = _register(child, "pasto:2031-03-02", datetime.date(2031, 3, 2))
    assert (again.pk, created) == (moved.pk, False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'pagamenti_movimento_a2030'")
        definizioni = " ".join(row[0] for row in cursor.fetchall())
    assert "UNIQUE" in definizioni and "(consumatore_id, servizio, chiave, data_valuta)" in definizioni


def test_the_nightly_job_makes_next_years_table_ahead(db):
    made = partizioni_prepara(oggi=datetime.date(2029, 10, 1))
    assert made == ["pagamenti_movimento_a2029", "pagamenti_movimento_a2030"]
    assert partizioni_prepara(oggi=datetime.date(2029, 10, 2)) == []
    entry = settings.CELERY_BEAT_SCHEDULE["pagamenti-partizioni-registro"]
    assert entry["task"] == "pagamenti.tasks.partizioni_prepara_task"
    assert settings.CELERY_TASK_ROUTES[entry["task"]] == {"queue": "notturna"}


@pytest.mark.django_db(transaction=True)
def test_one_key_written_at_once_with_two_days_is_written_once(leporano, alice_children):
    """The unique index holds the day too; the key's lock keeps (consumer, service, key) unique by itself:
    a receipt handled twice at the same moment, once with another day, credits once."""
    child = alice_children[0]
    days = [datetime.date(2026, 11, 23), datetime.date(2027, 9, 2), datetime.date(2026, 11, 23),
            datetime.date(2027, 9, 2)]

    def worker(n):
        with scope(comune=leporano):
            return _register(child, "avviso:302000000000000123", days[n], "25.50", TipoMovimento.RICARICA_PAGOPA)[1]

    assert sorted(run_at_once(worker, 4)) == [False, False, False, True]
    with scope(comune=leporano):
        assert Movimento.objects.filter(consumatore=child, chiave="avviso:302000000000000123").count() == 1
