"""RICARICA as the notices describe it: amount, consumers, cart, declaration, payment mode."""

from decimal import Decimal

import pytest
from django.utils.html import escape
from django_scopes import scope

from pagamenti.forms import (
    DICHIARAZIONE_ERROR,
    IMPORTO_DECIMALI_ERROR,
    IMPORTO_MASSIMO_ERROR,
    IMPORTO_MINIMO_ERROR,
    IMPORTO_NON_NUMERICO_ERROR,
)
from pagamenti.models import Movimento, Posizione, Servizio, StatoPosizione, TipoMovimento
from pagamenti.selectors import saldo
from pagamenti.services import movimento_register

from .helpers import add_to_cart, checkout, url


def test_the_ricarica_page_has_the_labels_of_the_notice(client, alice, config_leporano):
    client.force_login(alice)
    body = client.get(url("ricarica")).content.decode()
    assert "RICARICA" in body and "Continua il pagamento" in body
    response = client.get(url("ricarica"), {"importo": "25,50"})
    assert response.status_code == 302
    consumers = client.get(response["Location"]).content.decode()
    assert consumers.count(">Ricarica<") == 4  # two children, two services each
    assert "25.50" in consumers


@pytest.mark.parametrize(
    ("importo", "message"),
    [("0", IMPORTO_MINIMO_ERROR), ("-5", IMPORTO_MINIMO_ERROR), ("1.001", IMPORTO_DECIMALI_ERROR),
     ("100000", IMPORTO_MASSIMO_ERROR), ("venti", IMPORTO_NON_NUMERICO_ERROR), ("NaN", IMPORTO_NON_NUMERICO_ERROR)],
)
def test_bad_amounts_are_refused_with_a_clear_message(client, alice, alice_children, config_leporano, importo,
                                                      message):
    client.force_login(alice)
    response = client.get(url("ricarica"), {"importo": importo})
    assert response.status_code == 200
    # Amounts in messages are written the Italian way: "5,00 €".
    expected = str(message) % {"minimo": "5,00", "massimo": "500,00"} if "%" in str(message) \
        else str(message)
    assert escape(expected) in response.content.decode()
    response = add_to_cart(client, alice_children[0], importo=importo)
    assert response.status_code == 200
    assert not client.session.get("pagamenti_carrello", {}).get("leporano", {}).get("righe")


def test_two_children_and_two_services_in_one_cart_make_one_notice(client, alice, alice_children, config_leporano):
    client.force_login(alice)
    sofia, leonardo = alice_children[1], alice_children[0]
    add_to_cart(client, sofia, "20.00", "mensa")
    add_to_cart(client, leonardo, "15.50", "mensa")
    add_to_cart(client, leonardo, "30.00", "trasporto")
    cart = client.get(url("carrello")).content.decode()
    assert "65,50" in cart and "Effettua il pagamento" in cart
    page = client.get(url("checkout")).content.decode()
    assert "Dichiaro…" in page and "Scegli la modalità di pagamento" in page and url("privacy") in page
    response, _ = checkout(client, "avviso")
    assert response.status_code == 302
    with scope(comune=alice_children[0].comune):
        posizione = Posizione.objects.get()
        assert posizione.importo == Decimal("65.50")
        assert posizione.righe.count() == 3
        assert posizione.numero_avviso.startswith("302")
    assert response["Location"] == url("posizione", token=posizione.token)


def test_the_declaration_must_be_ticked(client, alice, alice_children, config_leporano):
    client.force_login(alice)
    add_to_cart(client, alice_children[0])
    response, _ = checkout(client, dichiaro=False)
    assert response.status_code == 200
    assert escape(str(DICHIARAZIONE_ERROR)) in response.content.decode()
    with scope(comune=alice_children[0].comune):
        assert not Posizione.objects.exists()


def test_paying_the_same_cart_twice_makes_one_position(client, alice, alice_children, config_leporano):
    client.force_login(alice)
    add_to_cart(client, alice_children[0])
    first, chiave = checkout(client, "avviso")
    # The second click (or the second tab) posts the same cart key after the cart was emptied.
    second = client.post(url("checkout"), {"chiave": chiave, "modalita": "avviso", "dichiaro": "on"})
    assert second.status_code == 302 and second["Location"] == first["Location"]
    with scope(comune=alice_children[0].comune):
        assert Posizione.objects.count() == 1


def test_another_familys_consumer_cannot_enter_the_cart(client, alice, charlie_child, config_leporano):
    client.force_login(alice)
    assert add_to_cart(client, charlie_child).status_code == 404
    # Even forged into the session, it is refused at the cart and at checkout.
    session = client.session
    session["pagamenti_carrello"] = {"leporano": {"chiave": "x" * 32, "righe": [
        {"consumatore": charlie_child.pk, "servizio": "mensa", "importo": "25.00"}]}}
    session.save()
    assert client.get(url("carrello")).status_code == 404
    assert client.post(url("checkout"), {"chiave": "x" * 32, "modalita": "avviso", "dichiaro": "on"}).status_code == 404


def test_a_consumer_in_the_red_gets_a_suggested_amount(client, alice, alice_children, config_leporano, leporano):
    import datetime

    child = alice_children[0]
    with scope(comune=leporano):
        movimento_register(consumatore=child, servizio=Servizio.MENSA, tipo=TipoMovimento.SALDO_INIZIALE,
                           importo=Decimal("-12.30"), data_valuta=datetime.date(2026, 9, 1), chiave="saldo_iniziale")
    client.force_login(alice)
    body = client.get(url("ricarica_consumatori")).content.decode()
    assert "12,30 € per tornare in credito" in body


def test_online_payment_in_the_sandbox_credits_once(client, alice, alice_children, config_leporano, leporano):
    client.force_login(alice)
    add_to_cart(client, alice_children[0], "20.00")
    add_to_cart(client, alice_children[1], "10.00", "trasporto")
    response, _ = checkout(client, "online")
    with scope(comune=leporano):
        posizione = Posizione.objects.get()
    assert response["Location"] == url("sandbox_checkout", token=posizione.token)
    page = client.get(response["Location"]).content.decode()
    assert ">paga<" in page and ">annulla<" in page
    client.post(response["Location"], {"esito": "paga"})
    client.post(response["Location"], {"esito": "paga"})  # browser back and resubmit
    with scope(comune=leporano):
        posizione.refresh_from_db()
        assert posizione.stato == StatoPosizione.PAGATA
        assert saldo(consumatore=alice_children[0], servizio="mensa") == Decimal("20.00")
        assert saldo(consumatore=alice_children[1], servizio="trasporto") == Decimal("10.00")
        assert Movimento.objects.count() == 2
    receipt = client.get(url("ricevuta_pdf", token=posizione.token))
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")


def test_cancelling_in_the_sandbox_closes_the_position(client, alice, alice_children, config_leporano, leporano):
    client.force_login(alice)
    add_to_cart(client, alice_children[0])
    response, _ = checkout(client, "online")
    client.post(response["Location"], {"esito": "annulla"})
    client.post(response["Location"], {"esito": "paga"})
    with scope(comune=leporano):
        assert Posizione.objects.get().stato == StatoPosizione.ANNULLATA
        assert not Movimento.objects.exists()


def test_a_position_of_another_family_is_404(client, alice, alice_children, charlie, config_leporano, leporano):
    client.force_login(alice)
    add_to_cart(client, alice_children[0])
    checkout(client)
    with scope(comune=leporano):
        posizione = Posizione.objects.get()
    client.force_login(charlie)
    for name in ("posizione", "avviso_pdf", "ricevuta_pdf", "sandbox_checkout"):
        assert client.get(url(name, token=posizione.token)).status_code == 404
        assert client.get(url(name, comune="pulsano", token=posizione.token)).status_code == 404
