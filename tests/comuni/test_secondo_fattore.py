"""Staff and superusers need a second factor (TOTP) before the admin opens; operators may use a tablet."""

from __future__ import annotations

import time

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.conf import settings

from comuni.models import Ruolo
from comuni.services import incarico_assign
from tests.conftest import PASSWORD
from tests.factories import TOTP_SECRET, UserFactory


def totp_now(secret: str = TOTP_SECRET) -> str:
    # A code taken in the last seconds of its 30 s window may reach the server in the next one.
    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_staff_without_a_second_factor_is_sent_to_set_it_up(client, leporano):
    clerk = UserFactory(email="nuovo@example.org")
    incarico_assign(user=clerk, comune=leporano, ruolo=Ruolo.UFFICIO_SCUOLA)
    client.force_login(clerk)
    for url in ("/admin/", "/admin/consumatori/consumatore/"):
        assert client.get(url)["Location"] == "/accounts/2fa/totp/activate/"


def test_a_superuser_without_a_second_factor_is_refused_too(client, db):
    root = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    client.force_login(root)
    assert client.get("/admin/")["Location"] == "/accounts/2fa/totp/activate/"


def test_canteen_operators_need_it_for_their_pages(client, leporano):
    operatore = UserFactory(email="op@example.org")
    incarico_assign(user=operatore, comune=leporano, ruolo=Ruolo.OPERATORE_MENSA)
    client.force_login(operatore)
    assert client.get("/operatore/")["Location"] == "/accounts/2fa/totp/activate/"


def test_the_admin_login_goes_through_allauth_and_its_second_factor(client, bob):
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    response = client.post("/accounts/login/?next=/admin/", {"login": "bob@example.org", "password": PASSWORD})
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert client.get("/admin/").status_code == 302  # password alone opens nothing
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_now()})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_staff_set_up_totp_then_the_admin_opens(client, leporano):
    clerk = UserFactory(email="nuovo@example.org")
    incarico_assign(user=clerk, comune=leporano, ruolo=Ruolo.UFFICIO_SCUOLA)
    client.post("/accounts/login/", {"login": "nuovo@example.org", "password": PASSWORD})
    # Right after the login the first factor is set up without typing the password again.
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_now(secret)})
    assert response["Location"] == "/leporano/ufficio/"
    assert Authenticator.objects.filter(user=clerk, type=Authenticator.Type.TOTP).exists()
    assert client.get("/admin/").status_code == 200


def test_later_the_password_is_asked_again_before_adding_a_factor(client, leporano):
    clerk = UserFactory(email="nuovo@example.org")
    incarico_assign(user=clerk, comune=leporano, ruolo=Ruolo.UFFICIO_SCUOLA)
    client.post("/accounts/login/", {"login": "nuovo@example.org", "password": PASSWORD})
    session = client.session  # the login was ten minutes ago: no longer fresh
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**m, "at": m["at"] - 600} for m in session[AUTHENTICATION_METHODS_SESSION_KEY]]
    session.save()
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200


def test_removing_the_factor_asks_for_the_password_even_right_after_login(client, bob):
    client.post("/accounts/login/", {"login": "bob@example.org", "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": totp_now()})
    assert client.get("/accounts/2fa/totp/deactivate/")["Location"].startswith("/accounts/reauthenticate/")


def test_families_are_not_asked_for_a_second_factor(client, alice):
    client.post("/login/leporano/", {"login": "alice@example.org", "password": PASSWORD})
    assert client.get("/leporano/").status_code == 200


def test_an_operator_on_a_tablet_gets_a_session_that_ends_with_the_day(client, leporano):
    from tests.factories import totp_activate

    operatore = UserFactory(email="op@example.org")
    incarico_assign(user=operatore, comune=leporano, ruolo=Ruolo.OPERATORE_MENSA)
    totp_activate(operatore)
    client.post("/login/leporano/", {"login": "op@example.org", "password": PASSWORD, "tablet": "on"})
    client.post("/accounts/2fa/authenticate/", {"code": totp_now()})
    assert "_auth_user_id" in client.session
    assert 0 < client.session.get_expiry_age() <= settings.SESSION_TABLET_MAX_SECONDS
    assert not client.session.get_expire_at_browser_close()


def test_the_canteen_pages_of_a_comune_need_it_too(client, leporano):
    operatore = UserFactory(email="tablet@example.org")
    incarico_assign(user=operatore, comune=leporano, ruolo=Ruolo.OPERATORE_MENSA)
    client.force_login(operatore)
    for url in ("/leporano/mensa/operatore/", "/leporano/mensa/cucina/", "/leporano/mensa/cucina/pasti.csv"):
        assert client.get(url)["Location"] == "/accounts/2fa/totp/activate/", url
