"""The confirmation e-mail of an application says it was received, with its number, and nothing else: no
receipt attached, no ISEE, DSU protocol or diet (health and ISEE data never travel by e-mail). The receipt
stays behind the family's login."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from notifiche.models import Notifica
from tests.factories import UserFactory

from .conftest import PDF, domanda_inviata


@pytest.fixture
def inviata(leporano, anno, alice, famiglia, finestre, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return domanda_inviata(
            utente=alice, anno=anno, scuola=famiglia["classe"].scuola, classe=famiglia["classe"],
            isee=Decimal("8500.00"), protocollo_dsu="INPS-ISEE-2026-12345678A-00", dieta="sanitaria",
            dieta_descrizione="Celiachia: senza glutine",
            certificato=SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf"),
        )


def test_the_confirmation_e_mail_says_received_with_its_number_and_nothing_of_health_or_isee(leporano, alice,
                                                                                             inviata):
    [email] = mail.outbox
    assert email.to == [alice.email] and inviata.protocollo in email.subject
    assert not email.attachments and not getattr(email, "alternatives", [])
    assert f"Abbiamo ricevuto la domanda di iscrizione numero {inviata.protocollo}" in email.body
    for secret in ("8500", "8.500", "INPS-ISEE", "Celiachia", "glutine", "salute", "certificato", "ISEE", "Chiara"):
        assert secret not in email.body and secret not in email.subject, secret
    with scope(comune=leporano):  # the portal message says the same and names no document
        notifica = Notifica.objects.get(user=alice)
    assert notifica.allegato == "" and "Celiachia" not in notifica.testo


def test_the_receipt_stays_behind_login(client, leporano, alice, inviata):
    url = reverse("iscrizioni:ricevuta", kwargs={"comune": "leporano", "pk": inviata.pk})
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(UserFactory(email="elena@example.org"))
    assert client.get(url).status_code == 404
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_an_old_message_naming_the_receipt_sends_no_attachment(leporano, alice, inviata,
                                                               django_capture_on_commit_callbacks):
    """Messages queued before this change named the receipt ("ricevuta_domanda:<pk>"): nothing renders it now."""
    from notifiche.services import notifica_send

    mail.outbox.clear()
    with scope(comune=leporano), django_capture_on_commit_callbacks(execute=True):
        notifica_send(comune=leporano, user=alice, titolo="Promemoria", testo="Testo.",
                      allegato=f"ricevuta_domanda:{inviata.pk}")
    [email] = mail.outbox
    assert not email.attachments and "In allegato" not in email.body


def test_the_acceptance_e_mail_names_the_tariff_but_not_the_isee(leporano, bob, inviata, tariffe_mensa,
                                                                 django_capture_on_commit_callbacks):
    from iscrizioni.accoglienza import domande_accogli

    mail.outbox.clear()
    with scope(comune=leporano), django_capture_on_commit_callbacks(execute=True):
        assert domande_accogli(domande=[inviata], da=bob, giorno=datetime.date(2026, 11, 23)) == (1, [])
    [email] = mail.outbox
    assert "accolta" in email.subject and "Fascia B" in email.body  # 8.500 € falls in Fascia B
    for secret in ("8500", "8.500", "ISEE", "Celiachia", "glutine"):
        assert secret not in email.body, secret
