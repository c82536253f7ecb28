"""On a 390 px phone: a parent applies for the canteen for a linked child, from CITTADINO to "Invia"."""

import pytest
from django_scopes import scope

from iscrizioni.models import Domanda, StatoDomanda
from tests.conftest import PASSWORD
from tests.iscrizioni.conftest import _private_files, anno, finestre  # noqa: F401  (fixtures)
from tests.mensa.conftest import Clock

pytestmark = pytest.mark.browser


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def test_a_parent_applies_on_a_phone(live_server, page, clock, leporano, alice, alice_children, finestre):  # noqa: F811
    sofia = alice_children[1]
    page.goto(live_server.url + "/login/leporano/")
    page.get_by_label("Indirizzo e-mail").fill("alice@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url("**/leporano/")
    page.get_by_test_id("iscrizioni-aperte").get_by_role("link", name="Iscrizioni").click()
    page.get_by_role("link", name="Presenta una domanda").click()
    page.get_by_label("Alunno").select_option(str(sofia.pk))
    with scope(comune=leporano):
        scuola_id = sofia.classe.scuola_id
    page.get_by_label("Scuola", exact=True).select_option(str(scuola_id))
    page.locator("label[for=id_mensa]").click()  # Bootstrap Italia draws the box on the label
    page.get_by_label("Valore ISEE (euro)").fill("8.500,00")
    page.get_by_label("Protocollo DSU").fill("INPS-ISEE-2026-12345678A-00")
    page.locator("label[for=id_consenso_privacy]").click()
    # Nothing wider than the phone: no horizontal scrolling on the form.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Continua al riepilogo").click()
    page.get_by_text("Riepilogo della domanda").first.wait_for()
    page.get_by_role("button", name="Invia").click()
    page.get_by_test_id("protocollo").wait_for()
    with scope(comune=leporano):
        domanda = Domanda.objects.get()
    assert domanda.stato == StatoDomanda.INVIATA and domanda.consumatore == sofia
    assert page.get_by_test_id("protocollo").inner_text() == domanda.protocollo
    assert str(domanda.isee) == "8500.00"
