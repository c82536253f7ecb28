"""Issue 20.3: staff land in their own area, with a staff navigation; staff who are parents switch areas."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django_scopes import scope

from comuni.models import Ruolo
from comuni.services import incarico_assign
from tests.comuni.test_secondo_fattore import totp_now
from tests.conftest import PASSWORD
from tests.factories import TutoreFactory, UserFactory, totp_activate
from tests.trasporto.factories import LineaFactory

FAMILY_MENU = ("RICARICA", "Collega un figlio", "Contatta l")


def test_a_new_clerk_types_the_password_once_sets_up_totp_and_lands_on_the_cruscotto(client, leporano):
    clerk = UserFactory(email="nuovo.ufficio@example.org")
    incarico_assign(user=clerk, comune=leporano, ruolo=Ruolo.UFFICIO_SCUOLA)
    response = client.post("/login/leporano/", {"login": clerk.email, "password": PASSWORD})
    assert response["Location"] == "/leporano/ufficio/"
    assert client.get("/leporano/ufficio/")["Location"] == "/accounts/2fa/totp/activate/"
    page = client.get("/accounts/2fa/totp/activate/")  # no "Conferma l'accesso" in between
    assert page.status_code == 200
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_now(client.session[SECRET_SESSION_KEY])})
    assert response["Location"] == "/leporano/ufficio/"
    body = client.get("/leporano/ufficio/").content.decode()
    assert "Ufficio scuola" in body and "Riconciliazione" in body and "Amministrazione" in body
    assert not any(item in body for item in FAMILY_MENU)
    assert "Area famiglia" not in body  # not a parent


@pytest.mark.parametrize(("role", "home"), [
    ("operatore", "/leporano/mensa/operatore/"), ("autista", "/leporano/trasporto/bordo/"), ("piattaforma", "/admin/"),
])
def test_each_role_lands_in_its_area_after_the_code(client, leporano, role, home):
    account = UserFactory(email=f"{role}@example.org", is_staff=role == "piattaforma",
                          is_superuser=role == "piattaforma")
    if role == "operatore":
        incarico_assign(user=account, comune=leporano, ruolo=Ruolo.OPERATORE_MENSA)
    elif role == "autista":
        linea = LineaFactory(comune=leporano)
        with scope(comune=leporano):
            linea.accompagnatori.add(account)
    totp_activate(account)
    client.post("/login/leporano/", {"login": account.email, "password": PASSWORD})
    assert client.post("/accounts/2fa/authenticate/", {"code": totp_now()})["Location"] == home
    page = client.get(home)
    assert page.status_code == 200
    assert not any(item in page.content.decode() for item in FAMILY_MENU)


def test_staff_without_children_opening_the_family_home_go_to_their_area(client, bob):
    client.force_login(bob)
    assert client.get("/leporano/")["Location"] == "/leporano/ufficio/"


def test_staff_who_are_parents_switch_between_the_two_areas(client, bob, alice_children, leporano):
    TutoreFactory(comune=leporano, consumatore=alice_children[0], utente=bob, nome="Roberto", cognome="Ufficio")
    client.force_login(bob)
    cruscotto = client.get("/leporano/ufficio/").content.decode()
    assert 'href="/leporano/">' in cruscotto and "Area famiglia" in cruscotto and "RICARICA" not in cruscotto
    famiglia = client.get("/leporano/").content.decode()
    assert "RICARICA" in famiglia and alice_children[0].nome in famiglia
    assert 'href="/leporano/ufficio/"><span>Area del personale' in famiglia


def test_a_family_sees_no_staff_link(client, alice):
    client.force_login(alice)
    body = client.get("/leporano/").content.decode()
    assert "RICARICA" in body and "Area del personale" not in body
