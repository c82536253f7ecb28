"""The ledger: append-only, exact decimals, idempotent by key, derived balances."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_scopes import scope

from pagamenti.models import Movimento, Servizio, TipoMovimento
from pagamenti.selectors import saldi, saldo
from pagamenti.services import movimento_register
from tests.concurrency import run_at_once

DAY = datetime.date(2026, 11, 23)


def register(child, importo, chiave, tipo=TipoMovimento.PASTO, servizio=Servizio.MENSA, **extra):
    return movimento_register(
        consumatore=child, servizio=servizio, tipo=tipo, importo=Decimal(importo), data_valuta=DAY,
        chiave=chiave, **extra,
    )


def test_the_balance_is_the_exact_sum_of_the_movements(leporano, alice_children):
    child = alice_children[0]
    with scope(comune=leporano):
        register(child, "20.00", "avviso:1", tipo=TipoMovimento.RICARICA_PAGOPA)
        for n in range(3):
            register(child, "-4.10", f"pasto:2026-11-{20 + n}")
        register(child, "-0.10", "rettifica:1", tipo=TipoMovimento.RETTIFICA, motivo="Arrotondamento")
        assert saldo(consumatore=child, servizio=Servizio.MENSA) == Decimal("7.60")
        assert saldo(consumatore=child, servizio=Servizio.TRASPORTO) == Decimal("0.00")


def test_the_same_key_counts_once(leporano, alice_children):
    child = alice_children[0]
    with scope(comune=leporano):
        first, created = register(child, "-4.10", "pasto:2026-11-23")
        again, created_again = register(child, "-4.10", "pasto:2026-11-23")
        assert created and not created_again and first.pk == again.pk
        assert Movimento.objects.count() == 1


@pytest.mark.parametrize("importo", ["0.00", "1.001"])
def test_a_zero_or_sub_cent_amount_is_refused(leporano, alice_children, importo):
    with scope(comune=leporano), pytest.raises(ValidationError) as error:
        register(alice_children[0], importo, "x")
    assert "importo" in error.value.message_dict


def test_a_correction_needs_a_reason(leporano, alice_children, bob):
    with scope(comune=leporano), pytest.raises(ValidationError) as error:
        register(alice_children[0], "5.00", "r:1", tipo=TipoMovimento.RETTIFICA, creato_da=bob)
    assert "motivo" in error.value.message_dict


def test_balances_of_many_children_take_one_query(leporano, alice_children, django_assert_num_queries):
    with scope(comune=leporano):
        register(alice_children[0], "10.00", "a:1", tipo=TipoMovimento.RICARICA_PAGOPA)
        register(alice_children[1], "-30.00", "m:1", tipo=TipoMovimento.MENSILITA, servizio=Servizio.TRASPORTO)
        with django_assert_num_queries(1):
            result = saldi(consumatori=alice_children)
    assert result[(alice_children[0].pk, "mensa")] == Decimal("10.00")
    assert result[(alice_children[1].pk, "trasporto")] == Decimal("-30.00")
    assert result[(alice_children[1].pk, "mensa")] == Decimal("0.00")


@pytest.mark.django_db(transaction=True)
def test_two_workers_writing_the_same_movement_at_once_write_one(leporano, alice_children):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL")
    child = alice_children[0]

    def worker(n):
        with scope(comune=leporano):
            return register(child, "-4.10", "pasto:2026-11-23")[1]

    outcomes = run_at_once(worker, 4)
    assert sorted(outcomes) == [False, False, False, True]
    with scope(comune=leporano):
        assert Movimento.objects.count() == 1
