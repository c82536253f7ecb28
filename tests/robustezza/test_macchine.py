"""Machine-facing bodies, correctly signed but malformed: the PuntoLIS notification and the GPD receipt.

Wire formats: README.md "PuntoLIS notification"; GPD `GET .../debtpositions/{iupd}` answer fields
(status PO_PAID/PO_REPORTED, amount in euro cents, idReceipt, pspCompany, paymentDate) from
pagopa/pagopa-api, openapi of the GPD service (as in tests/pagamenti/pagopa_contratti.py).
"""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope
from hypothesis import given
from hypothesis import strategies as st

from pagamenti.models import Movimento, Ricevuta, TransazioneLIS
from pagamenti.pagopa.gateway import GatewayError
from pagamenti.pagopa.services import RigaCarrello, posizione_create, ricevuta_receive
from pagamenti.puntolis.adapter import sign
from tests.pagamenti.conftest import LIS_SECRET, configure

from .conftest import EXTREMES, assert_answered, nasty_text, with_extremes

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), nasty_text)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=6,
)


def _credits(comune) -> Decimal:
    with scope(comune=comune):
        return sum((m.importo for m in Movimento.objects.all()), Decimal("0.00"))


@pytest.fixture
def lis(client, leporano, alice_children):
    configure(leporano)
    return client


def _notify(client, raw: bytes, timestamp: str | None = None):
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    return client.post(reverse("pagamenti:lis_notifica", kwargs={"comune": "leporano"}), raw,
                       content_type="application/json",
                       headers={"X-LIS-Timestamp": timestamp,
                                "X-LIS-Signature": sign(secret=LIS_SECRET, timestamp=timestamp, body=raw)})


@given(transaction_id=json_values, payment_code=json_values, amount=json_values, service=json_values,
       paid_at=json_values)
@with_extremes("amount", transaction_id="LIS-A", payment_code=None, service="mensa", paid_at=None)
@with_extremes("paid_at", transaction_id="LIS-P", payment_code=None, service="mensa", amount="1.00")
@with_extremes("transaction_id", payment_code=None, service="trasporto", amount="2.00", paid_at=None)
def test_puntolis_notification_fields(lis, leporano, alice_children, transaction_id, payment_code, amount, service,
                                      paid_at):
    child = alice_children[0]
    body = {"transaction_id": transaction_id, "payment_code": payment_code or child.codice_pagamento,
            "amount": amount, "service": service, "paid_at": paid_at}
    before = _credits(leporano)
    with scope(comune=leporano):
        seen = TransazioneLIS.objects.filter(identificativo=str(transaction_id).strip().replace("\x00", "")).exists()
    response = _notify(lis, json.dumps(body).encode())
    assert_answered(response)
    credited = _credits(leporano) - before
    if response.status_code == 201:
        assert not seen and credited == Decimal(str(amount)) > 0
    else:
        assert credited == 0, "credited without a 201"
    with scope(comune=leporano):
        assert TransazioneLIS.objects.count() == Movimento.objects.filter(tipo="ricarica_puntolis").count()


@given(raw=st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode())),
       timestamp=nasty_text)
@with_extremes("timestamp", raw=b"{}")
def test_puntolis_raw_bodies_and_timestamps(lis, leporano, raw, timestamp):
    response = _notify(lis, raw, timestamp=timestamp)
    assert_answered(response)
    assert response.status_code in (400, 403, 422)
    assert _credits(leporano) == 0


@pytest.fixture
def posizione(leporano, alice, alice_children):
    configure(leporano, gateway="gpd", gpd_url="https://gpd.example", gpd_api_key="k")
    with scope(comune=leporano):
        return posizione_create(comune=leporano, utente=alice, modalita="avviso", chiave_carrello="c1",
                                righe=[RigaCarrello(alice_children[0], "mensa", Decimal("20.00"))])[0]


option_payloads = st.fixed_dictionaries(
    {"status": st.sampled_from(["PO_PAID", "PO_REPORTED", "PO_UNPAID"])},
    optional={"iuv": json_values, "amount": json_values, "idReceipt": json_values, "pspCompany": json_values,
              "paymentDate": json_values})


@given(payload=st.one_of(json_values, st.fixed_dictionaries(
    {"status": st.sampled_from(["PAID", "REPORTED", "VALID", "EXPIRED", "INVALID"])},
    optional={"paymentOption": st.one_of(json_values, st.lists(option_payloads, max_size=2)),
              "paymentDate": json_values})))
@with_extremes("payload")
def test_gpd_position_bodies(leporano, posizione, payload):
    """`GET …/debtpositions/{iupd}` answers garbage (fields of gpd.json PaymentPositionModelBaseResponse):
    a GatewayError (retried later) or a state, and the ledger is credited only with the exact amount."""
    from pagamenti.pagopa.gpd import state_of

    with scope(comune=leporano):
        try:
            if not isinstance(payload, dict):
                raise GatewayError("not an object")  # what GpdGateway.state does before state_of
            stato = state_of(payload, posizione)
        except GatewayError:
            stato = None
        if stato is not None and stato.ricevuta is not None:
            stored = ricevuta_receive(comune=leporano, ricevuta=stato.ricevuta, origine="gpd")
            assert stored.pk is not None
        total = _credits(leporano)
        assert total in (Decimal("0.00"), Decimal("20.00"))
        assert Ricevuta.objects.filter(esito="accreditata").count() == (1 if total else 0)


def test_extremes_cover_what_broke():
    assert "9999-12" in EXTREMES and "\x00" in EXTREMES and "1e999999" in EXTREMES
