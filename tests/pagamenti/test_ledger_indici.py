"""The ledger at its floor: only the indexes a query plan needs, and no row orphaned without the FK.

Which query uses which index: README "The ledger's indexes" (from scripts/explain_movimento.py).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import ProtectedError
from django_scopes import scope

from pagamenti.models import Servizio, TipoMovimento
from pagamenti.services import movimento_register


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'pagamenti_movimento'")
        return dict(cursor.fetchall())


def test_movimento_keeps_four_indexes(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL catalogue")
    definitions = sorted(d.split(" USING ")[1] for d in _indexes().values())
    assert definitions == sorted([
        # The partition key is in both unique indexes, as PostgreSQL requires (pagamenti/partizioni.py).
        "btree (id, data_valuta)",  # primary key
        "btree (consumatore_id, servizio, chiave, data_valuta)",  # idempotency key; balances and movements per consumer
        "btree (comune_id, servizio, data_valuta)",  # nightly job of a comune, debtors of a service
        "btree (creato_da_id) WHERE (creato_da_id IS NOT NULL)",  # PROTECT check when deleting an account
    ])


def test_a_consumer_with_movements_cannot_be_deleted(leporano, alice_children):
    child = alice_children[0]
    with scope(comune=leporano):
        movimento_register(consumatore=child, servizio=Servizio.MENSA, tipo=TipoMovimento.SALDO_INIZIALE,
                           importo=Decimal("10.00"), data_valuta=datetime.date(2026, 9, 1), chiave="saldo_iniziale")
        with pytest.raises(ProtectedError):
            child.delete()


def test_the_ledger_has_no_foreign_key_trigger(db):
    """No RI trigger queued per inserted row: comune, consumer and author are guarded by Django's PROTECT."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL catalogue")
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = 'pagamenti_movimento'::regclass "
                       "AND contype = 'f'")
        assert cursor.fetchall() == []


def test_an_account_that_recorded_a_movement_cannot_be_deleted(leporano, alice_children, bob):
    with scope(comune=leporano):
        movimento_register(consumatore=alice_children[0], servizio=Servizio.MENSA, tipo=TipoMovimento.RETTIFICA,
                           importo=Decimal("5.00"), data_valuta=datetime.date(2026, 9, 1), chiave="r:1",
                           creato_da=bob, motivo="Pasto non consumato")
    with pytest.raises(ProtectedError):
        bob.delete()
