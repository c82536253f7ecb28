"""The headers of every signed or token-protected endpoint, with any value: never a 5xx, nothing written.

- PuntoLIS notification (README.md "PuntoLIS notification"): X-LIS-Timestamp, X-LIS-Signature (an HMAC), the
  only endpoint without a session; a non-ASCII signature made hmac.compare_digest raise TypeError (a 500).
- The session endpoints a device posts JSON to with Django's CSRF token in X-CSRFToken (the token is the
  request's proof, https://docs.djangoproject.com/en/5.2/howto/csrf/#setting-the-token-on-the-ajax-request):
  the canteen's and the bus's offline batches and the push subscription.
Each also gets a hostile Content-Type (a multipart type without a boundary makes Django's request.POST, which
the CSRF check reads, raise MultiPartParserError).
"""

from __future__ import annotations

import json
import time
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from hypothesis import example, given
from hypothesis import strategies as st

from mensa.models import Presenza
from notifiche.models import DispositivoPush
from pagamenti.models import Movimento
from pagamenti.puntolis.adapter import sign
from pwa.models import Tocco
from tests.pagamenti.conftest import LIS_SECRET, configure

from .conftest import assert_answered, nasty_text, with_extremes
from .test_operatori import autista, operatore  # noqa: F401 - fixtures

header_values = st.one_of(
    nasty_text,
    st.text(max_size=80),
    st.text(alphabet=st.characters(min_codepoint=0x80, max_codepoint=0x10FFFF, exclude_categories=["Cs"]),
            min_size=1, max_size=64),
)
CONTENT_TYPES = ["application/json", "multipart/form-data", "multipart/form-data; boundary=x",
                 "application/x-www-form-urlencoded", "text/plain; charset=utf-99", "application/json; charset=é",
                 "", "é/é"]
content_types = st.one_of(st.sampled_from(CONTENT_TYPES), header_values)
CSRF = "a" * 32  # a well-formed token (Django's format: 32 or 64 characters of [a-zA-Z0-9])


def with_content_types(**fixed):
    """Each hostile Content-Type as an explicit example, the other arguments fixed."""

    def decorate(test):
        for content_type in CONTENT_TYPES:
            test = example(content_type=content_type, **fixed)(test)
        return test

    return decorate


def _csrf_client(logged_in: Client) -> Client:
    """The same session, with Django's CSRF check on (the test client skips it unless told)."""
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = logged_in.cookies
    strict.cookies["csrftoken"] = CSRF
    return strict


# --- PuntoLIS ------------------------------------------------------------------------------------------


@pytest.fixture
def lis(client, leporano, alice_children):
    configure(leporano)
    return client


def _credits(comune) -> Decimal:
    with scope(comune=comune):
        return sum((m.importo for m in Movimento.objects.all()), Decimal("0.00"))


@given(timestamp=header_values, signature=header_values, content_type=content_types)
@with_extremes("timestamp", "signature", content_type="application/json")
@with_content_types(timestamp=None, signature=None)
def test_puntolis_headers(lis, leporano, alice_children, timestamp, signature, content_type):
    body = json.dumps({"transaction_id": f"LIS-{uuid.uuid4()}", "payment_code": alice_children[0].codice_pagamento,
                       "amount": "5.00", "service": "mensa"}).encode()
    good_timestamp = str(int(time.time()))
    headers = {"X-LIS-Timestamp": good_timestamp if timestamp is None else timestamp,
               "X-LIS-Signature": (sign(secret=LIS_SECRET, timestamp=good_timestamp, body=body)
                                   if signature is None else signature)}
    before = _credits(leporano)
    response = lis.generic("POST", reverse("pagamenti:lis_notifica", kwargs={"comune": "leporano"}), body,
                           content_type=content_type, headers=headers)
    assert_answered(response)
    if content_type.lower().startswith("multipart/"):
        # Django parses a multipart body as a form before the view (the NUL check): refused, never credited.
        assert response.status_code in (400, 403)
        assert _credits(leporano) == before
    elif signature is None and timestamp is None:
        assert response.status_code == 201  # signed right: any other Content-Type does not matter
        assert _credits(leporano) - before == Decimal("5.00")
    else:
        assert response.status_code == 403
        assert _credits(leporano) == before


def test_a_non_ascii_signature_is_a_403(lis, leporano):
    body = b'{"transaction_id": "LIS-1", "payment_code": "X", "amount": "1.00"}'
    for signature in ("é" * 64, "０" * 64, "\x00", "🍝"):
        response = lis.post(reverse("pagamenti:lis_notifica", kwargs={"comune": "leporano"}), body,
                            content_type="application/json",
                            headers={"X-LIS-Timestamp": str(int(time.time())), "X-LIS-Signature": signature})
        assert response.status_code == 403
        assert response.json()["errore"] == "firma_non_valida"


# --- session endpoints with the CSRF token ------------------------------------------------------------


def _post_json(client: Client, url: str, payload: dict, token: str, content_type: str):
    # generic(): the body goes as UTF-8 bytes whatever charset the Content-Type names (post() would encode it).
    return client.generic("POST", url, json.dumps(payload).encode(), content_type=content_type,
                          headers={"X-CSRFToken": token})


@given(token=header_values, content_type=content_types)
@with_extremes("token", content_type="application/json")
@with_content_types(token=CSRF)
def test_canteen_offline_batch_headers(operatore, leporano, alice_children, token, content_type):  # noqa: F811
    strict = _csrf_client(operatore)
    tap = {"id": str(uuid.uuid4()), "consumatore": alice_children[0].pk, "giorno": timezone.localdate().isoformat(),
           "presente": "1", "registrato_il": timezone.localtime().isoformat()}
    response = _post_json(strict, reverse("mensa:sincronizza", kwargs={"comune": "leporano"}), {"tocchi": [tap]},
                          token, content_type)
    assert_answered(response)
    with scope(comune=leporano):
        written = Tocco.objects.filter(uuid=tap["id"]).exists()
        assert Presenza.objects.count() <= Tocco.objects.count()  # nothing written without its audit row
    assert written == (response.status_code == 200), response.status_code
    if token != CSRF:
        assert response.status_code in (400, 403)  # 400: a multipart type without a boundary


@given(token=header_values, content_type=content_types)
@with_extremes("token", content_type="application/json")
@with_content_types(token=CSRF)
def test_bus_offline_batch_headers(autista, linea, token, content_type):  # noqa: F811
    strict = _csrf_client(autista)
    tap = {"id": str(uuid.uuid4()), "iscrizione": 1, "tratta": "andata", "giorno": timezone.localdate().isoformat(),
           "salito": "1", "registrato_il": timezone.localtime().isoformat()}
    response = _post_json(strict, reverse("trasporto:bordo_sincronizza", kwargs={"comune": "leporano",
                                                                                  "pk": linea.pk}),
                          {"tocchi": [tap]}, token, content_type)
    assert_answered(response)
    if token != CSRF:
        assert response.status_code in (400, 403)  # 400: a multipart type without a boundary


@given(token=header_values, content_type=content_types)
@with_extremes("token", content_type="application/json")
@with_content_types(token=CSRF)
def test_push_subscription_headers(client, leporano, alice, token, content_type):
    client.force_login(alice)
    strict = _csrf_client(client)
    body = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc",
            "keys": {"p256dh": "B" + "A" * 86, "auth": "A" * 22}}
    with scope(comune=leporano):
        before = DispositivoPush.objects.filter(user=alice).count()  # examples share the test's transaction
    response = _post_json(strict, "/leporano/messaggi/notifiche/dispositivi/", body, token, content_type)
    assert_answered(response)
    if token != CSRF:
        assert response.status_code in (400, 403)  # 400: a multipart type without a boundary
        with scope(comune=leporano):
            assert DispositivoPush.objects.filter(user=alice).count() == before
