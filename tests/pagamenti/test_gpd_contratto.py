"""The GPD client held to pagoPA's official contracts by a fake server that refuses anything else.

Facts and sources are in tests/pagamenti/pagopa_contratti.py (pagopa/pagopa-api, openapi/gpd.json,
gpd_payments.json, checkout_v2.json).
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import httpx
import pytest
from django_scopes import scope

from pagamenti.models import Posizione, StatoPosizione, TipoGateway
from pagamenti.pagopa.services import RigaCarrello, posizione_publish
from tests.factories import ConsumatoreFactory

from .conftest import configure, gpd_config, new_position
from .fake_pagopa import API_KEY


def test_it_publishes_with_every_field_the_contract_requires(pagopa, posizione_gpd, leporano):
    # gpd.json PaymentPositionModel: iupd, type, fiscalCode, fullName, companyName, switchToExpired required.
    created = pagopa.operations("gpd_create")
    assert len(created) == 1 and not pagopa.refused
    assert created[0]["path"].endswith("/organizations/80009290737/debtpositions?toPublish=true")
    assert created[0]["api_key"] == API_KEY
    body = json.loads(created[0]["raw"])
    assert body["companyName"] == "Comune di Leporano"
    assert body["switchToExpired"] is True and body["type"] == "F"
    option = body["paymentOption"][0]
    assert option["iuv"] == posizione_gpd.iuv and option["nav"] == posizione_gpd.numero_avviso
    assert option["amount"] == 3000 and option["isPartialPayment"] is False
    assert option["dueDate"].endswith(("+01:00", "+02:00"))
    assert [t["idTransfer"] for t in option["transfer"]] == ["1", "2"]
    assert [t["category"] for t in option["transfer"]] == ["9/0101107TS/", "9/0101108TS/"]
    assert [t["amount"] for t in option["transfer"]] == [2000, 1000]
    assert {t["iban"] for t in option["transfer"]} == {"IT60X0542811101000000123456"}
    assert pagopa.positions[body["iupd"]]["status"] == "VALID"
    with scope(comune=leporano):
        posizione_gpd.refresh_from_db()
        assert posizione_gpd.pubblicata_il is not None and posizione_gpd.attivo


def test_the_old_body_without_company_name_and_switch_to_expired_is_refused(pagopa):
    # What our client sent before: the contract's two required fields missing → 400 ProblemJson.
    old = {"iupd": "80009290737-02000000000000184", "type": "F", "fiscalCode": "LCTLCA80A41L049X",
           "fullName": "Alice Lacaita", "paymentOption": [{
               "iuv": "02000000000000184", "nav": "302000000000000184", "amount": 2000, "description": "Ricarica",
               "isPartialPayment": False, "dueDate": "2026-12-30T23:59:00+01:00",
               "transfer": [{"idTransfer": "1", "amount": 2000, "remittanceInformation": "Ricarica",
                             "category": "9/0101107TS/"}]}]}
    response = httpx.post(f"{pagopa.gpd_url}/organizations/80009290737/debtpositions?toPublish=true", json=old,
                          headers={"Ocp-Apim-Subscription-Key": API_KEY})
    assert response.status_code == 400
    assert set(response.json()) == {"title", "status", "detail"} and response.json()["status"] == 400
    assert "companyName" in response.json()["detail"]
    assert pagopa.positions == {}


def test_the_old_paymentoptions_path_does_not_exist(pagopa):
    # gpd.json has no /paymentoptions/ path: the old poll would have read 404 for ever.
    response = httpx.get(f"{pagopa.gpd_url}/organizations/80009290737/paymentoptions/302000000000000184",
                         headers={"Ocp-Apim-Subscription-Key": API_KEY})
    assert response.status_code == 404 and response.json()["status"] == 404


def test_a_retry_after_a_lost_answer_is_published_by_the_409(pagopa, posizione_gpd, leporano):
    with scope(comune=leporano):
        Posizione.objects.filter(pk=posizione_gpd.pk).update(pubblicata_il=None)
        posizione_gpd.refresh_from_db()
        assert posizione_publish(posizione=posizione_gpd) is True
    assert len(pagopa.operations("gpd_create")) == 2 and len(pagopa.positions) == 1


def test_more_than_five_cart_lines_share_transfers_by_service(pagopa, leporano, alice, alice_children):
    # TransferModel.idTransfer is an enum "1".."5": six lines would be refused.
    gpd_config(leporano, pagopa)
    classe = alice_children[0].classe
    with scope(comune=leporano):
        others = [ConsumatoreFactory(comune=leporano, classe=classe) for _ in range(2)]
    children = alice_children + others
    righe = [RigaCarrello(c, s, Decimal("5.00")) for c in children[:3] for s in ("mensa", "trasporto")]
    posizione_gpd = new_position(leporano, alice, righe)
    with scope(comune=leporano):
        assert posizione_publish(posizione=posizione_gpd) is True
    option = json.loads(pagopa.operations("gpd_create")[0]["raw"])["paymentOption"][0]
    assert [(t["idTransfer"], t["amount"]) for t in option["transfer"]] == [("1", 1500), ("2", 1500)]


def test_a_refused_position_is_shown_to_staff_and_not_handed_out_as_payable(
    pagopa, leporano, alice, alice_children, client
):
    gpd_config(leporano, pagopa, iban="IT60 X054")  # a blank in the IBAN breaks the contract's pattern
    posizione_gpd = new_position(leporano, alice, [RigaCarrello(alice_children[0], "mensa", Decimal("20.00"))])
    with scope(comune=leporano):
        assert posizione_publish(posizione=posizione_gpd) is False
        posizione_gpd.refresh_from_db()
    assert posizione_gpd.pubblicata_il is None and "HTTP 400" in posizione_gpd.ultimo_errore
    assert "iban" in posizione_gpd.ultimo_errore.lower() or "does not match" in posizione_gpd.ultimo_errore
    client.force_login(alice)
    page = client.get(f"/leporano/pagamenti/avvisi/{posizione_gpd.token}/").content.decode()
    assert "Avviso non ancora attivo, riprova più tardi." in page
    assert "avviso.pdf" not in page
    response = client.get(f"/leporano/pagamenti/avvisi/{posizione_gpd.token}/avviso.pdf")
    assert response.status_code == 302 and response["Content-Type"] != "application/pdf"


def test_a_wrong_api_key_is_an_error_not_a_success(pagopa, leporano, alice, alice_children):
    configure(leporano, gateway=TipoGateway.GPD, gpd_url=pagopa.gpd_url, gpd_api_key="sbagliata")
    posizione_gpd = new_position(leporano, alice, [RigaCarrello(alice_children[0], "mensa", Decimal("20.00"))])
    with scope(comune=leporano):
        assert posizione_publish(posizione=posizione_gpd) is False
        assert "401" in Posizione.objects.get(pk=posizione_gpd.pk).ultimo_errore


@pytest.mark.parametrize("mode", ["500", "slow"])
def test_a_failing_gpd_leaves_the_position_pending_and_it_is_retried(
    pagopa, leporano, alice, alice_children, mode, django_capture_on_commit_callbacks
):
    from pagamenti.pagopa.services import posizione_poll
    from pagamenti.tasks import posizioni_poll_task

    gpd_config(leporano, pagopa)
    pagopa.mode = mode
    posizione_gpd = new_position(leporano, alice, [RigaCarrello(alice_children[0], "mensa", Decimal("20.00"))],
                             capture=django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        posizione_gpd.refresh_from_db()
        assert posizione_gpd.pubblicata_il is None and posizione_gpd.stato == StatoPosizione.IN_ATTESA
        assert posizione_gpd.tentativi == 1 and "GPD" in posizione_gpd.ultimo_errore
        assert posizione_poll(posizione=posizione_gpd) is None
    pagopa.mode = "ok"
    assert posizioni_poll_task.delay(leporano.pk).get() == 0  # published now, not paid yet
    pagopa.pay(posizione_gpd.numero_avviso)
    assert posizioni_poll_task.delay(leporano.pk).get() == 1
    with scope(comune=leporano):
        posizione_gpd.refresh_from_db()
        assert posizione_gpd.stato == StatoPosizione.PAGATA and Posizione.objects.count() == 1


def test_online_payment_goes_to_checkout_with_the_v2_cart_and_falls_back_to_the_avviso(
    client, pagopa, leporano, alice, alice_children, django_capture_on_commit_callbacks
):
    from .helpers import add_to_cart, checkout, url

    gpd_config(leporano, pagopa)
    client.force_login(alice)
    add_to_cart(client, alice_children[0], "20.00")
    with django_capture_on_commit_callbacks(execute=True):
        response, _ = checkout(client, "online")
    with scope(comune=leporano):
        posizione_gpd = Posizione.objects.get()
    assert response["Location"] == f"https://checkout.example/c/{posizione_gpd.numero_avviso}"
    assert not pagopa.refused
    cart = pagopa.carts[0]
    assert cart["paymentNotices"][0] == {
        "noticeNumber": posizione_gpd.numero_avviso, "fiscalCode": "80009290737", "amount": 2000,
        "companyName": "Comune di Leporano", "description": "Ricarica servizi scolastici",
    }
    assert cart["returnUrls"]["returnOkUrl"].endswith(url("posizione", token=posizione_gpd.token))
    assert cart["returnUrls"]["returnCancelUrl"].endswith("?esito=annullato")
    # Checkout was called only once GPD had the position: Checkout finds the notice there.
    operations = [r["operation"] for r in pagopa.requests]
    assert operations.index("gpd_create") < operations.index("checkout_cart")

    pagopa.mode = "500"
    add_to_cart(client, alice_children[1], "10.00")
    response, _ = checkout(client, "online")
    with scope(comune=leporano):
        second = Posizione.objects.exclude(pk=posizione_gpd.pk).get()
    assert response["Location"] == url("posizione", token=second.token)
    page = client.get(response["Location"]).content.decode()
    assert "non è al momento raggiungibile" in page
    assert "Avviso non ancora attivo, riprova più tardi." in page


def test_a_cart_without_return_waiting_url_is_refused_by_checkout(pagopa):
    # checkout_v2.json CartRequestV2.returnUrls requires returnWaitingUrl too.
    body = {"paymentNotices": [{"noticeNumber": "302000000000000184", "fiscalCode": "80009290737", "amount": 2000,
                                "companyName": "Comune di Leporano", "description": "Ricarica"}],
            "returnUrls": {"returnOkUrl": "https://x/ok", "returnCancelUrl": "https://x/ko",
                           "returnErrorUrl": "https://x/err"}}
    response = httpx.post(f"{pagopa.checkout_url}/carts", json=body)
    assert response.status_code == 400 and "returnWaitingUrl" in response.json()["detail"]


def test_the_due_date_is_sent_with_the_rome_offset(pagopa, posizione_gpd, leporano):
    option = json.loads(pagopa.operations("gpd_create")[0]["raw"])["paymentOption"][0]
    due = datetime.datetime.fromisoformat(option["dueDate"])
    assert due.date() == posizione_gpd.scadenza and due.utcoffset() in (datetime.timedelta(hours=1),
                                                                    datetime.timedelta(hours=2))
