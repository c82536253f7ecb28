"""A parent on a phone tops up through the path of the notice and shows the PuntoLIS QR full screen."""

from decimal import Decimal

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from pagamenti.selectors import saldo
from tests.conftest import PASSWORD
from tests.pagamenti.conftest import configure

pytestmark = pytest.mark.browser


def login(page, live_server):
    page.goto(live_server.url + "/login/leporano/")
    page.get_by_label("Indirizzo e-mail").fill("alice@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url("**/leporano/")


def test_ricarica_online_in_the_sandbox_and_puntolis_full_screen(live_server, page, alice, alice_children, leporano):
    configure(leporano)
    login(page, live_server)
    page.get_by_role("link", name="RICARICA").click()
    page.get_by_label("Importo da ricaricare (€)").fill("25,00")
    page.get_by_role("button", name="Continua il pagamento").click()
    child = alice_children[0]
    page.get_by_role("link", name=f"Ricarica {child.nome} Refezione scolastica").click()
    page.get_by_role("button", name="Aggiungi al carrello").click()
    page.get_by_role("link", name="Effettua il pagamento").click()
    page.locator("label[for=dichiaro]").click(position={"x": 4, "y": 8})  # the box drawn by Bootstrap Italia
    assert page.locator("#dichiaro").is_checked()
    page.get_by_role("button", name="Paga online ora").click()
    page.get_by_role("button", name="paga").click()
    expect(page.locator("#stato")).to_have_text("Pagata")
    with scope(comune=leporano):
        assert saldo(consumatore=child, servizio="mensa") == Decimal("25.00")

    page.get_by_role("link", name="Pagamenti", exact=True).first.click()
    page.get_by_role("link", name="PuntoLIS", exact=True).first.click()
    page.get_by_role("link", name=f"Dettaglio {child.nome}").click()
    qr = page.locator("#puntolis-qr")
    box = qr.bounding_box()
    assert box["width"] <= 390  # fits the phone
    qr.click()
    page.wait_for_function(
        "document.fullscreenElement !== null || document.querySelector('.puntolis-qr-full') !== null")
