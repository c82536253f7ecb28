"""The school's Wi-Fi drops: the operator keeps tapping, the taps wait on the tablet as "da inviare"
and are recorded once when the network is back."""

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from comuni.models import Ruolo
from comuni.services import incarico_assign
from mensa.models import Presenza
from pwa.models import Tocco
from tests.comuni.test_secondo_fattore import totp_now
from tests.conftest import PASSWORD
from tests.factories import UserFactory, totp_activate
from tests.mensa.conftest import Clock, setup_mensa

pytestmark = pytest.mark.browser


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def test_taps_made_offline_are_sent_when_the_network_returns(live_server, page, clock, leporano, alice_children):
    setup_mensa(leporano, alice_children)
    user = UserFactory(email="operatore@example.org")
    incarico_assign(user=user, comune=leporano, ruolo=Ruolo.OPERATORE_MENSA)
    totp_activate(user)
    page.clock.set_system_time(clock.now)  # the tablet's clock agrees with the server's (taps ahead are refused)
    page.goto(live_server.url + "/login/leporano/")
    page.get_by_label("Indirizzo e-mail").fill("operatore@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.locator("input[name=code]").fill(totp_now())
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/leporano/mensa/operatore/")
    sofia, leonardo = alice_children
    page.get_by_text("Tutto inviato.").wait_for()

    page.context.set_offline(True)
    page.locator(f"#c{sofia.pk}").get_by_role("button", name="Assente").click()
    page.locator(f"#c{leonardo.pk}").get_by_role("button", name="Assente").click()
    page.locator(f"#c{leonardo.pk}").get_by_role("button", name="Presente").click()  # changed her mind
    page.locator(f"#c{sofia.pk} .js-da-inviare").wait_for()
    expect(page.locator(f"#c{sofia.pk} button[value='0']")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#c{leonardo.pk} button[value='1']")).to_have_attribute("aria-pressed", "true")
    page.get_by_text("3 tocchi da inviare").wait_for()
    expect(page.locator(f"#c{leonardo.pk}").get_by_text("da inviare")).to_be_visible()
    with scope(comune=leporano):
        assert not Presenza.objects.exists()

    page.context.set_offline(False)
    page.get_by_text("Tutto inviato.").wait_for()
    expect(page.locator(".js-da-inviare")).to_have_count(0)
    with scope(comune=leporano):
        assert dict(Presenza.objects.values_list("consumatore_id", "presente")) == {sofia.pk: False,
                                                                                     leonardo.pk: True}
        assert Tocco.objects.count() == 3
    # A reload sends nothing twice: the queue on the device is empty.
    page.reload()
    page.get_by_text("Tutto inviato.").wait_for()
    with scope(comune=leporano):
        assert Tocco.objects.count() == 3
