"""PuntoLIS: the consumer's QR (page, PDF, full screen) and the signed, replay-safe LIS notifications."""

import json
import time
from decimal import Decimal

import pypdfium2
import pytest
import zxingcpp
from django_scopes import scope

from pagamenti.models import Movimento, TransazioneLIS
from pagamenti.puntolis.adapter import sign
from pagamenti.puntolis.qr import puntolis_qr_content
from pagamenti.puntolis.services import CODICE_PAGAMENTO_SCONOSCIUTO
from pagamenti.selectors import saldo

from .conftest import LIS_SECRET
from .helpers import url


def test_pagamenti_puntolis_dettaglio_shows_the_qr(client, alice, alice_children, config_leporano):
    client.force_login(alice)
    assert "PuntoLIS" in client.get(url("pagamenti")).content.decode()
    listing = client.get(url("puntolis")).content.decode()
    assert listing.count(">Dettaglio<") == 2
    child = alice_children[0]
    page = client.get(url("puntolis_dettaglio", pk=child.pk)).content.decode()
    assert "<svg" in page and 'id="puntolis-qr"' in page and "js/puntolis.js" in page
    assert child.codice_pagamento in page and "Scarica PDF" in page
    assert "<script>" not in page  # no inline script: the tap is handled by static/js


def test_the_puntolis_pdf_decodes_to_comune_and_payment_code(client, alice, alice_children, config_leporano):
    client.force_login(alice)
    child = alice_children[0]
    response = client.get(url("puntolis_pdf", pk=child.pk))
    assert response.status_code == 200
    image = pypdfium2.PdfDocument(response.content)[0].render(scale=200 / 72).to_pil()
    texts = [r.text for r in zxingcpp.read_barcodes(image)]
    assert texts == [puntolis_qr_content(child)] == [f"OMNIBUS|LIS|1|80009290737|{child.codice_pagamento}"]
    assert str(child.pk) not in texts[0].split("|")[-1] and child.codice_fiscale not in texts[0]


def test_the_neighbours_child_is_404(client, alice, charlie_child, config_leporano):
    client.force_login(alice)
    for name in ("puntolis_dettaglio", "puntolis_pdf"):
        assert client.get(url(name, pk=charlie_child.pk)).status_code == 404
        assert client.get(url(name, comune="pulsano", pk=charlie_child.pk)).status_code == 404


def notify(client, body: dict, secret=LIS_SECRET, timestamp=None, comune="leporano"):
    raw = json.dumps(body).encode()
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    return client.post(url("lis_notifica", comune=comune), raw, content_type="application/json",
                       headers={"X-LIS-Timestamp": timestamp,
                                "X-LIS-Signature": sign(secret=secret, timestamp=timestamp, body=raw)})


def body_for(child, transaction_id="LIS-1", amount="25.00", service="mensa"):
    return {"transaction_id": transaction_id, "payment_code": child.codice_pagamento, "amount": amount,
            "service": service, "paid_at": "2026-11-23T10:15:00+01:00"}


def test_a_signed_notification_credits_once_per_transaction(client, leporano, alice_children, config_leporano):
    child = alice_children[0]
    first = notify(client, body_for(child))
    assert first.status_code == 201 and first.json()["esito"] == "accreditata"
    replay = notify(client, body_for(child))
    assert replay.status_code == 200 and replay.json()["esito"] == "gia_registrata"
    notify(client, body_for(child, "LIS-2", "10.00", "trasporto"))
    with scope(comune=leporano):
        assert saldo(consumatore=child, servizio="mensa") == Decimal("25.00")
        assert saldo(consumatore=child, servizio="trasporto") == Decimal("10.00")
        assert TransazioneLIS.objects.count() == 2


def test_a_bad_signature_or_an_old_timestamp_is_refused(client, leporano, alice_children, config_leporano):
    child = alice_children[0]
    assert notify(client, body_for(child), secret="altro").status_code == 403
    old = notify(client, body_for(child), timestamp=int(time.time()) - 3600)
    assert old.status_code == 403 and old.json()["errore"] == "timestamp_fuori_finestra"
    raw = json.dumps(body_for(child)).encode()
    unsigned = client.post(url("lis_notifica"), raw, content_type="application/json")
    assert unsigned.status_code == 403
    with scope(comune=leporano):
        assert not Movimento.objects.exists()


def test_an_unknown_payment_code_is_refused_clearly(client, leporano, alice_children, charlie_child,
                                                      config_leporano, config_pulsano):
    response = notify(client, {**body_for(alice_children[0]), "payment_code": "ZZZZZZZZZZZZ"})
    assert response.status_code == 422
    assert response.json() == {"esito": "rifiutata", "errore": "codice_pagamento_sconosciuto",
                               "messaggio": str(CODICE_PAGAMENTO_SCONOSCIUTO)}
    # Another comune's child is unknown here too.
    assert notify(client, body_for(charlie_child, "LIS-X")).status_code == 422


@pytest.mark.parametrize("amount", ["0", "-5", "1.001", "abc"])
def test_a_malformed_notification_is_refused(client, alice_children, config_leporano, amount):
    assert notify(client, body_for(alice_children[0], amount=amount)).status_code == 400
