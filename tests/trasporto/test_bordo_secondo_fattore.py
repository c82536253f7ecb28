"""Drivers and assistants see children's names and stops: the bus-board pages need the second factor."""

from __future__ import annotations

from django.urls import reverse
from django_scopes import scope

from tests.comuni.test_secondo_fattore import totp_now
from tests.conftest import PASSWORD
from tests.factories import UserFactory, totp_activate


def _driver(linea, **kwargs):
    driver = UserFactory(email="autista@example.org", **kwargs)
    with scope(comune=linea.comune):
        linea.accompagnatori.add(driver)
    return driver


def test_a_driver_without_a_second_factor_is_sent_to_set_it_up(client, linea):
    client.force_login(_driver(linea))
    for url in (reverse("trasporto:bordo", kwargs={"comune": "leporano"}),
                reverse("trasporto:bordo_linea", kwargs={"comune": "leporano", "pk": linea.pk})):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")


def test_a_driver_with_totp_must_give_the_code_at_login_then_opens_the_board(client, linea):
    driver = _driver(linea)
    totp_activate(driver)
    response = client.post("/login/leporano/", {"login": driver.email, "password": PASSWORD})
    assert response.status_code == 302 and response.url.startswith("/accounts/2fa/authenticate/")
    client.post("/accounts/2fa/authenticate/", {"code": totp_now()})
    assert client.get(reverse("trasporto:bordo", kwargs={"comune": "leporano"})).status_code == 200


def test_a_family_is_not_asked_for_a_second_factor(client, alice, linea):
    client.force_login(alice)
    assert client.get(reverse("cittadino:home", kwargs={"comune": "leporano"})).status_code == 200
    # The board is the drivers' page: a family is refused it, without being asked for a factor.
    assert client.get(reverse("trasporto:bordo", kwargs={"comune": "leporano"})).status_code == 404
