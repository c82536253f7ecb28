"""A parent on a phone: types LEPO, reaches the Leporano login, logs in and sees the children."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_a_parent_finds_the_comune_logs_in_and_sees_the_children(live_server, page, alice, alice_children, pulsano):
    page.goto(live_server.url + "/")
    page.get_by_label("Il tuo comune").press_sequentially("LEPO", delay=50)
    link = page.get_by_role("link", name="Comune di Leporano")
    link.wait_for()
    expect(page.get_by_role("link", name="Comune di Pulsano")).to_have_count(0)
    link.click()
    page.wait_for_url("**/login/leporano/")

    page.get_by_label("Indirizzo e-mail").fill("alice@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url("**/leporano/")

    expect(page.get_by_role("heading", name="CITTADINO")).to_be_visible()
    for child in alice_children:
        expect(page.get_by_role("heading", name=f"{child.nome} {child.cognome}")).to_be_visible()
    expect(page.get_by_text("Classe 3ª – sezione B").first).to_be_visible()

    page.get_by_role("button", name="Esci").click()
    page.wait_for_url("**/login/leporano/")


def test_a_wrong_password_shows_the_message_in_the_page(live_server, page, alice):
    page.goto(live_server.url + "/login/leporano/")
    page.get_by_label("Indirizzo e-mail").fill("alice@example.org")
    page.get_by_label("Password", exact=True).fill("sbagliata")
    page.get_by_role("button", name="Accedi").click()
    assert page.get_by_role("alert").inner_text().strip().startswith("Credenziali non valide")
