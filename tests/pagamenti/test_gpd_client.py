"""The GPD client against a local fake GPD server: publication, receipts, timeouts and 500s."""

import json
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django_scopes import scope

from pagamenti.models import Posizione, StatoPosizione, TipoGateway
from pagamenti.pagopa import gateway as gateway_module
from pagamenti.pagopa.services import RigaCarrello, posizione_create, posizione_poll
from pagamenti.selectors import saldo
from pagamenti.tasks import posizioni_poll_task

from .conftest import configure

API_KEY = "chiave-gpd-di-prova"


class FakeGpd:
    """Scripted answers: mode is "ok", "500" or "slow"; positions and paid notices are kept in memory."""

    def __init__(self):
        self.mode = "ok"
        self.positions = {}
        self.paid = set()
        self.requests = []
        self.carts = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, body):
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _guard(self):
                fake.requests.append((self.command, self.path, self.headers.get("Ocp-Apim-Subscription-Key")))
                if self.headers.get("Ocp-Apim-Subscription-Key") != API_KEY:
                    self._answer(401, {"title": "Unauthorized"})
                    return False
                if fake.mode == "slow":
                    time.sleep(1.0)
                if fake.mode == "500":
                    self._answer(500, {"title": "Internal Server Error"})
                    return False
                return True

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path.endswith("/carts"):
                    fake.requests.append(("POST", self.path, None))
                    if fake.mode != "ok":
                        return self._answer(500, {"title": "down"})
                    fake.carts.append(body)
                    self.send_response(302)
                    self.send_header("Location", f"https://checkout.example/c/{body['paymentNotices'][0]['noticeNumber']}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if not self._guard():
                    return
                nav = body["paymentOption"][0]["nav"]
                if nav in fake.positions:
                    return self._answer(409, {"title": "Conflict"})
                fake.positions[nav] = body
                self._answer(201, body)

            def do_GET(self):
                if not self._guard():
                    return
                nav = self.path.rsplit("/", 1)[1]
                if nav not in fake.positions:
                    return self._answer(404, {"title": "Not found"})
                option = fake.positions[nav]["paymentOption"][0]
                status = "PO_PAID" if nav in fake.paid else "PO_UNPAID"
                self._answer(200, {"nav": nav, "status": status, "amount": option["amount"],
                                   "idReceipt": f"RT-{nav}", "pspCompany": "Banca di prova",
                                   "paymentDate": "2026-11-23T10:00:00+01:00"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/gpd/api/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gpd(monkeypatch):
    monkeypatch.setattr(gateway_module, "GPD_TIMEOUT_SECONDS", 0.3)
    fake = FakeGpd()
    yield fake
    fake.stop()


@pytest.fixture
def posizione(gpd, leporano, alice, alice_children, django_capture_on_commit_callbacks):
    configure(leporano, gateway=TipoGateway.GPD, gpd_url=gpd.url, gpd_api_key=API_KEY)
    with scope(comune=leporano), django_capture_on_commit_callbacks(execute=True):
        posizione, _ = posizione_create(
            comune=leporano, utente=alice, modalita="avviso", chiave_carrello="k",
            righe=[RigaCarrello(alice_children[0], "mensa", Decimal("20.00")),
                   RigaCarrello(alice_children[1], "trasporto", Decimal("10.00"))],
        )
    return posizione


def test_the_position_is_published_with_api_key_iban_and_taxonomy(gpd, posizione, leporano):
    body = gpd.positions[posizione.numero_avviso]
    method, path, _key = gpd.requests[0]
    assert method == "POST" and "/organizations/80009290737/debtpositions?toPublish=true" in path
    option = body["paymentOption"][0]
    assert option["iuv"] == posizione.iuv and option["amount"] == 3000
    categories = [t["category"] for t in option["transfer"]]
    assert categories == ["9/0101107TS/", "9/0101108TS/"]
    assert {t["iban"] for t in option["transfer"]} == {"IT60X0542811101000000123456"}
    with scope(comune=leporano):
        posizione.refresh_from_db()
        assert posizione.pubblicata_il is not None


def test_a_paid_position_is_credited_by_the_polling_task(gpd, posizione, leporano, alice_children):
    assert posizioni_poll_task.delay(leporano.pk).get() == 0
    gpd.paid.add(posizione.numero_avviso)
    assert posizioni_poll_task.delay(leporano.pk).get() == 1
    posizioni_poll_task.delay(leporano.pk).get()
    with scope(comune=leporano):
        posizione.refresh_from_db()
        assert posizione.stato == StatoPosizione.PAGATA
        assert saldo(consumatore=alice_children[0], servizio="mensa") == Decimal("20.00")
        assert saldo(consumatore=alice_children[1], servizio="trasporto") == Decimal("10.00")


@pytest.mark.parametrize("mode", ["500", "slow"])
def test_a_failing_gpd_leaves_the_position_pending_and_it_is_retried(
    gpd, leporano, alice, alice_children, mode, django_capture_on_commit_callbacks
):
    configure(leporano, gateway=TipoGateway.GPD, gpd_url=gpd.url, gpd_api_key=API_KEY)
    gpd.mode = mode
    with scope(comune=leporano), django_capture_on_commit_callbacks(execute=True):
        posizione, _ = posizione_create(
            comune=leporano, utente=alice, modalita="avviso", chiave_carrello="k",
            righe=[RigaCarrello(alice_children[0], "mensa", Decimal("20.00"))],
        )
    with scope(comune=leporano):
        posizione.refresh_from_db()
        assert posizione.pubblicata_il is None and posizione.stato == StatoPosizione.IN_ATTESA
        assert posizione.tentativi == 1 and "GPD" in posizione.ultimo_errore
        assert posizione_poll(posizione=posizione) is None  # still failing: still pending, nothing lost
    gpd.mode = "ok"
    gpd.paid.add(posizione.numero_avviso)
    assert posizioni_poll_task.delay(leporano.pk).get() == 1
    with scope(comune=leporano):
        posizione.refresh_from_db()
        assert posizione.pubblicata_il is not None and posizione.stato == StatoPosizione.PAGATA
        assert Posizione.objects.count() == 1


def test_a_wrong_api_key_is_an_error_not_a_success(gpd, leporano, alice, alice_children):
    configure(leporano, gateway=TipoGateway.GPD, gpd_url=gpd.url, gpd_api_key="sbagliata")
    with scope(comune=leporano):
        posizione, _ = posizione_create(
            comune=leporano, utente=alice, modalita="avviso", chiave_carrello="k2",
            righe=[RigaCarrello(alice_children[0], "mensa", Decimal("20.00"))],
        )
        from pagamenti.pagopa.services import posizione_publish

        assert posizione_publish(posizione=posizione) is False
        assert "401" in Posizione.objects.get(pk=posizione.pk).ultimo_errore


def test_beat_polls_every_comune_with_pending_positions_and_expires_old_ones(gpd, posizione, leporano):
    from pagamenti.tasks import posizioni_poll_all

    gpd.paid.add(posizione.numero_avviso)
    assert posizioni_poll_all.delay().get() == 1
    with scope(comune=leporano):
        posizione.refresh_from_db()
        assert posizione.stato == StatoPosizione.PAGATA


def test_an_expired_pending_position_is_closed_by_the_poller(gpd, posizione, leporano):
    import datetime

    with scope(comune=leporano):
        Posizione.objects.filter(pk=posizione.pk).update(scadenza=datetime.date(2020, 1, 1))
        posizione.refresh_from_db()
        assert posizione_poll(posizione=posizione) is None
        posizione.refresh_from_db()
        assert posizione.stato == StatoPosizione.SCADUTA


def test_online_payment_goes_to_pagopa_checkout_and_falls_back_to_the_avviso(
    client, gpd, leporano, alice, alice_children, django_capture_on_commit_callbacks
):
    from .helpers import add_to_cart, checkout, url

    configure(leporano, gateway=TipoGateway.GPD, gpd_url=gpd.url, gpd_api_key=API_KEY, checkout_url=gpd.url)
    client.force_login(alice)
    add_to_cart(client, alice_children[0], "20.00")
    with django_capture_on_commit_callbacks(execute=True):
        response, _ = checkout(client, "online")
    with scope(comune=leporano):
        posizione = Posizione.objects.get()
    assert response["Location"] == f"https://checkout.example/c/{posizione.numero_avviso}"
    cart = gpd.carts[0]
    assert cart["paymentNotices"][0]["fiscalCode"] == "80009290737"
    assert cart["paymentNotices"][0]["amount"] == 2000
    assert cart["returnUrls"]["returnOkUrl"].endswith(url("posizione", token=posizione.token))

    gpd.mode = "500"
    add_to_cart(client, alice_children[1], "10.00")
    response, _ = checkout(client, "online")
    with scope(comune=leporano):
        second = Posizione.objects.exclude(pk=posizione.pk).get()
    assert response["Location"] == url("posizione", token=second.token)
    assert "non è al momento raggiungibile" in client.get(response["Location"]).content.decode()
