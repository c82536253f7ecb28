"""The read replica (DATABASE_REPLICA_URL), here a mirror of the test database: the office's lists read from
it; money paths, family pages and reads after a write stay on the primary."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from omnibus.db_router import da_replica
from pagamenti.models import Movimento
from pagamenti.selectors import saldo
from pagamenti.services import movimento_register

# The replica as DATABASE_REPLICA_URL defines it, a TEST MIRROR of default: declared when this module is
# collected, before the test databases are set up, so that Django treats it as the mirror it is. The router
# only uses it where USE_READ_REPLICA is on (the tests below).
connections.settings.setdefault("replica", {**connections.settings["default"], "TEST": {"MIRROR": "default"}})

pytestmark = [pytest.mark.django_db(databases=["default", "replica"]),
              pytest.mark.skipif(connections["default"].vendor != "postgresql", reason="a mirror needs PostgreSQL")]


@pytest.fixture
def replica(settings):
    settings.USE_READ_REPLICA = True
    return connections["replica"]


def _tables(queries) -> str:
    return " ".join(q["sql"] for q in queries)


def test_the_office_lists_read_the_replica_and_the_access_check_the_primary(replica, bob):
    office = Client()
    office.force_login(bob)
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections["default"]) as on_primary:
        assert office.get("/leporano/ufficio/morosi/").status_code == 200
    assert "pagamenti_movimento" in _tables(on_replica) or "pagamenti_saldoconsolidato" in _tables(on_replica)
    assert "pagamenti_movimento" not in _tables(on_primary)
    assert "comuni_incarico" in _tables(on_primary)  # who may see it: always the primary


def test_family_pages_and_money_paths_stay_on_the_primary(replica, alice, alice_children, leporano):
    family = Client()
    family.force_login(alice)
    with CaptureQueriesContext(replica) as on_replica:
        assert family.get("/leporano/").status_code == 200
        assert family.get(f"/leporano/consumatori/{alice_children[0].pk}/").status_code == 200
        with scope(comune=leporano):
            movimento_register(consumatore=alice_children[0], servizio="mensa", tipo="ricarica_puntolis",
                               importo=Decimal("10.00"), data_valuta=datetime.date(2026, 11, 23), chiave="lis:1")
            assert saldo(consumatore=alice_children[0], servizio="mensa") == Decimal("10.00")
    assert on_replica.captured_queries == []


def test_a_read_after_a_write_in_the_same_transaction_stays_on_the_primary(replica, leporano, alice_children):
    with scope(comune=leporano), da_replica():
        with CaptureQueriesContext(replica) as on_replica:
            assert Movimento.objects.count() == 0  # outside a transaction: the replica
        assert len(on_replica.captured_queries) == 1
        with transaction.atomic(), CaptureQueriesContext(replica) as inside:
            movimento_register(consumatore=alice_children[0], servizio="mensa", tipo="ricarica_puntolis",
                               importo=Decimal("5.00"), data_valuta=datetime.date(2026, 11, 23), chiave="lis:2")
            assert Movimento.objects.count() == 1  # the row it just wrote, from the primary
        assert inside.captured_queries == []
