"""Throttling, no user enumeration, sessions, and the audit log of logins that staff read."""

from __future__ import annotations

import html

from django.core import mail

from comuni.adapters import ACCESSO_BLOCCATO, CREDENZIALI_NON_VALIDE
from comuni.models import EventoAccesso, TipoEvento
from tests.conftest import PASSWORD


def _login(client, email, password="sbagliata-123"):
    return client.post("/login/leporano/", {"login": email, "password": password})


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_same_message_whether_or_not_the_email_exists(client, alice):
    assert str(CREDENZIALI_NON_VALIDE) in _text(_login(client, "alice@example.org"))
    assert str(CREDENZIALI_NON_VALIDE) in _text(_login(client, "nessuno@example.org"))


def test_an_account_is_locked_after_five_failures_even_with_the_right_password(client, alice):
    for _ in range(5):
        _login(client, "alice@example.org")
    response = _login(client, "alice@example.org", PASSWORD)
    assert str(ACCESSO_BLOCCATO) in _text(response)
    assert "_auth_user_id" not in client.session
    assert EventoAccesso.objects.filter(tipo=TipoEvento.BLOCCO, email="alice@example.org").exists()


def test_one_address_is_throttled_across_accounts(client, alice):
    for n in range(10):
        _login(client, f"utente{n}@example.org")
    assert str(ACCESSO_BLOCCATO) in _text(_login(client, "alice@example.org", PASSWORD))


def test_logins_and_failures_are_in_the_audit_log(client, alice, leporano):
    _login(client, "alice@example.org")
    _login(client, "alice@example.org", PASSWORD)
    failed = EventoAccesso.objects.get(tipo=TipoEvento.ACCESSO_FALLITO)
    assert failed.email == "alice@example.org" and failed.indirizzo_ip == "127.0.0.1" and failed.comune == leporano
    assert EventoAccesso.objects.filter(tipo=TipoEvento.ACCESSO, utente=alice).exists()


def test_staff_read_the_audit_log_of_their_comune_only(client, alice, charlie, bob, dora):
    _login(client, "alice@example.org")
    client.post("/login/pulsano/", {"login": "charlie@example.org", "password": "sbagliata-123"})
    client.force_login(bob)
    body = client.get("/admin/comuni/eventoaccesso/").content.decode()
    assert "alice@example.org" in body and "charlie@example.org" not in body
    client.force_login(dora)
    body = client.get("/admin/comuni/eventoaccesso/").content.decode()
    assert "charlie@example.org" in body and "alice@example.org" not in body


def test_a_password_change_ends_every_other_session(client, alice):
    from django.test import Client

    other = Client()
    other.post("/login/leporano/", {"login": "alice@example.org", "password": PASSWORD})
    assert other.get("/leporano/").status_code == 200
    client.post("/login/leporano/", {"login": "alice@example.org", "password": PASSWORD})
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "Nuova-Password-2026!", "password2": "Nuova-Password-2026!"},
    )
    assert response.status_code == 302
    assert client.get("/leporano/").status_code == 200  # this session stays
    assert other.get("/leporano/").status_code == 302  # the other is signed out
    assert EventoAccesso.objects.filter(tipo=TipoEvento.PASSWORD_CAMBIATA, utente=alice).exists()


def test_password_reset_requests_are_rate_limited_per_address(client, alice):
    for _ in range(5):
        client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    assert len(mail.outbox) == 3


def test_sessions_expire(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 60 * 60 * 8


def test_the_daily_housekeeping_deletes_the_access_log_past_its_retention(db, settings, alice):
    """The access log holds e-mails and IP addresses: it is kept ACCESSI_CONSERVAZIONE_GIORNI, then deleted."""
    import datetime

    from django.utils import timezone

    from comuni.services import evento_accesso_register
    from comuni.tasks import housekeeping

    settings.ACCESSI_CONSERVAZIONE_GIORNI = 365
    vecchio = evento_accesso_register(tipo=TipoEvento.ACCESSO, user=alice)
    recente = evento_accesso_register(tipo=TipoEvento.ACCESSO, user=alice)
    EventoAccesso.objects.filter(pk=vecchio.pk).update(quando=timezone.now() - datetime.timedelta(days=366))
    EventoAccesso.objects.filter(pk=recente.pk).update(quando=timezone.now() - datetime.timedelta(days=364))

    assert housekeeping.delay().get()["eventi_accesso_eliminati"] == 1
    assert list(EventoAccesso.objects.values_list("pk", flat=True)) == [recente.pk]
