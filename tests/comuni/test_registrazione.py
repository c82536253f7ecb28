"""A family registers at /login/<comune>/ → "NON HAI UN ACCOUNT? REGISTRATI", verifies its e-mail."""

import html
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django_scopes import scope

from comuni.forms import CF_NON_UTILIZZABILE, CONSENSO_OBBLIGATORIO
from comuni.models import ConsensoPrivacy, User
from consumatori.models import Tutore
from tests.factories import ConsumatoreFactory, TutoreFactory, UserFactory, cf_for

CF_VALIDO = cf_for("Esposito", "Anna", "F")


def _data(**overrides):
    data = {
        "first_name": "Anna", "last_name": "Esposito", "codice_fiscale": CF_VALIDO,
        "email": "anna.esposito@example.org", "telefono": "", "password1": "Mensa-Scuola-2026!",
        "password2": "Mensa-Scuola-2026!", "consenso_privacy": "on",
    }
    data.update(overrides)
    return data


def _confirm_link() -> str:
    body = mail.outbox[-1].body
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", body).group(1)


def test_the_login_page_offers_registration(client, leporano):
    body = client.get("/login/leporano/").content.decode()
    assert "NON HAI UN ACCOUNT? REGISTRATI" in body
    assert 'href="/registrati/leporano/"' in body


def test_the_registration_page_asks_what_the_notice_says(client, leporano):
    body = client.get("/registrati/leporano/").content.decode()
    for label in ("Nome", "Cognome", "Codice fiscale", "Telefono (facoltativo)", "Dichiaro"):
        assert label in body
    assert "/privacy/leporano/" in body


def test_it_registers_records_consent_and_sends_the_verification_link(client, leporano):
    leporano.informativa_privacy_versione = "2026-1"
    leporano.save()
    response = client.post("/registrati/leporano/", _data())
    assert response.status_code == 302
    user = User.objects.get(email="anna.esposito@example.org")
    assert (user.first_name, user.last_name, user.codice_fiscale) == ("Anna", "Esposito", CF_VALIDO)
    assert user.codice_fiscale_verificato is False
    with scope(comune=leporano):
        consenso = ConsensoPrivacy.objects.get(utente=user)
    assert consenso.versione == "2026-1" and consenso.accettato_il is not None
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1 and "confirm-email" in mail.outbox[0].body


def test_an_unverified_email_sees_no_child_until_the_link_is_opened(client, leporano):
    client.post("/registrati/leporano/", _data())
    # Not logged in: the area of the comune sends to the login, and the login to the verification page.
    assert client.get("/leporano/").status_code == 302
    response = client.post("/login/leporano/", {"login": "anna.esposito@example.org", "password": "Mensa-Scuola-2026!"})
    assert response["Location"] == "/accounts/confirm-email/"
    assert client.get("/leporano/").status_code == 302
    # The link printed by the console mail backend confirms and opens the CITTADINO area.
    link = _confirm_link()
    client.get(link)
    response = client.post(link)
    assert response.status_code == 302
    assert client.get("/leporano/").status_code == 200


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("RSSMRA80A01H50", "formato non valido"),  # malformed
        ("RSSMRA80A01H501X", "carattere di controllo"),  # wrong check character
    ],
)
def test_a_bad_codice_fiscale_is_refused_with_a_clear_message(client, leporano, value, message):
    response = client.post("/registrati/leporano/", _data(codice_fiscale=value))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="anna.esposito@example.org").exists()


def test_consent_to_the_privacy_notice_is_required(client, leporano):
    data = _data()
    del data["consenso_privacy"]
    response = client.post("/registrati/leporano/", data)
    assert str(CONSENSO_OBBLIGATORIO) in html.unescape(response.content.decode())
    assert not User.objects.filter(email="anna.esposito@example.org").exists()


def test_django_password_validators_apply(client, leporano):
    response = client.post("/registrati/leporano/", _data(password1="12345678", password2="12345678"))
    assert response.status_code == 200
    assert not User.objects.filter(email="anna.esposito@example.org").exists()


def test_an_email_already_in_use_creates_nothing_and_reveals_nothing(client, alice):
    response = client.post("/registrati/leporano/", _data(email="alice@example.org"))
    # Same answer as a new registration; the owner of the address gets a warning e-mail instead.
    assert response.status_code == 302
    assert User.objects.filter(email="alice@example.org").count() == 1
    assert not User.objects.filter(codice_fiscale=CF_VALIDO).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.org"]


def test_a_codice_fiscale_of_another_account_cannot_be_registered_again(client, leporano):
    UserFactory(codice_fiscale=CF_VALIDO)
    response = client.post("/registrati/leporano/", _data())
    assert str(CF_NON_UTILIZZABILE) in html.unescape(response.content.decode())


def test_a_typed_codice_fiscale_alone_links_no_child(client, leporano):
    child = ConsumatoreFactory(comune=leporano, nome="Marco")
    TutoreFactory(comune=leporano, consumatore=child, codice_fiscale=CF_VALIDO, nome="Anna", cognome="Esposito")
    client.post("/registrati/leporano/", _data())
    link = _confirm_link()
    client.post(link)
    body = client.get("/leporano/").content.decode()
    assert "Marco" not in body
    with scope(comune=leporano):
        assert Tutore.objects.get(consumatore=child).utente is None


def test_the_email_is_changed_only_through_a_verified_address(client, alice):
    client.force_login(alice)
    response = client.post("/accounts/email/", {"action_add": "", "email": "alice.nuova@example.org"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"  # unchanged until the new address is confirmed
    assert mail.outbox[-1].to == ["alice.nuova@example.org"]
    client.post(_confirm_link())
    alice.refresh_from_db()
    assert alice.email == "alice.nuova@example.org"
