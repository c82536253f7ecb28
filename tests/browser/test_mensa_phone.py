"""On a phone: a parent cancels tomorrow's meal with one tap (htmx), an operator taps a child absent."""

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from comuni.models import Ruolo
from comuni.services import incarico_assign
from mensa.models import Assenza, Presenza
from tests.comuni.test_secondo_fattore import totp_now
from tests.conftest import PASSWORD
from tests.factories import UserFactory, totp_activate
from tests.mensa.conftest import TUESDAY, Clock, setup_mensa

pytestmark = pytest.mark.browser


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def test_a_parent_cancels_tomorrow_with_one_tap(live_server, page, clock, leporano, alice, alice_children):
    setup_mensa(leporano, alice_children)
    leonardo = alice_children[0]
    page.goto(live_server.url + "/login/leporano/")
    page.get_by_label("Indirizzo e-mail").fill("alice@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url("**/leporano/")
    page.goto(f"{live_server.url}/leporano/consumatori/{leonardo.pk}/?mese=2026-11")
    row = page.locator("#g20261124")
    row.get_by_role("button", name="Disdici").click()
    page.get_by_text("Assenza registrata per Leonardo: 24/11/2026").wait_for()
    expect(page.locator("#g20261124").get_by_role("button", name="Ritira l'assenza")).to_be_visible()
    with scope(comune=leporano):
        assert Assenza.objects.filter(consumatore=leonardo, giorno=TUESDAY).exists()


def test_an_operator_taps_a_child_absent(live_server, page, clock, leporano, alice_children):
    setup_mensa(leporano, alice_children)
    user = UserFactory(email="operatore@example.org")
    incarico_assign(user=user, comune=leporano, ruolo=Ruolo.OPERATORE_MENSA)
    totp_activate(user)
    page.clock.set_system_time(clock.now)  # the tablet's clock agrees with the server's (taps ahead are refused)
    page.goto(live_server.url + "/login/leporano/")
    page.get_by_label("Indirizzo e-mail").fill("operatore@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.locator("input[name=code]").fill(totp_now())  # operators have a second factor too
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/leporano/mensa/operatore/")
    child = alice_children[0]
    row = page.locator(f"#c{child.pk}")
    with page.expect_response("**/mensa/operatore/sincronizza/"):  # from the device queue to the server
        row.get_by_role("button", name="Assente").click()
    page.locator(f"#c{child.pk} button[value='0'][aria-pressed='true']").wait_for()
    with scope(comune=leporano):
        assert Presenza.objects.get(consumatore=child).presente is False
