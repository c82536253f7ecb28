"""On the bus without signal: the assistant marks a pupil on board, the tap waits on the phone and is
recorded once when the network is back."""

import pytest
from django_scopes import scope

from pwa.models import Tocco
from tests.comuni.test_secondo_fattore import totp_now
from tests.conftest import PASSWORD
from tests.trasporto.conftest import enrol, fermate, leporano_trasporto, linea  # noqa: F401 (fixtures)
from tests.trasporto.test_bordo import _setup
from trasporto.models import Salita

pytestmark = pytest.mark.browser


def test_a_boarding_marked_offline_is_sent_when_the_network_returns(live_server, page, linea, enrol,  # noqa: F811
                                                                    alice_children):
    driver, andata, _ = _setup(linea, enrol, alice_children)
    driver.set_password(PASSWORD)
    driver.save()
    page.goto(live_server.url + "/login/leporano/")
    page.get_by_label("Indirizzo e-mail").fill(driver.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.locator("input[name=code]").fill(totp_now())  # drivers and assistants have a second factor
    page.locator("form button[type=submit]").first.click()
    # Wait for the second factor's answer: going on at once would abort the login's navigation.
    page.wait_for_url(lambda url: "/accounts/2fa/" not in url)
    page.goto(f"{live_server.url}/leporano/trasporto/bordo/{linea.pk}/?tratta=andata")
    page.get_by_text("Tutto inviato.").wait_for()

    page.context.set_offline(True)
    page.get_by_role("button", name="Segna salito").click()
    page.get_by_role("button", name="A bordo ✓").wait_for()
    page.get_by_text("1 tocco da inviare").wait_for()
    with scope(comune=linea.comune):
        assert not Salita.objects.exists()

    page.context.set_offline(False)
    page.get_by_text("Tutto inviato.").wait_for()
    with scope(comune=linea.comune):
        assert Salita.objects.get().iscrizione == andata
        assert Tocco.objects.count() == 1
