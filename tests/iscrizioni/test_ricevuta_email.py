"""The receipt PDF attached to the e-mail that confirms an application, through the notifiche e-mail path."""

from __future__ import annotations

import pytest
from django.core import mail
from django_scopes import scope

from iscrizioni import ricevuta
from iscrizioni.ricevuta import ricevuta_allegato_ref
from notifiche.models import Notifica
from notifiche.services import notifica_email_send, notifica_send
from tests.factories import UserFactory

from .conftest import domanda_inviata


@pytest.fixture
def inviata(leporano, anno, alice, famiglia, finestre, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return domanda_inviata(utente=alice, anno=anno, scuola=famiglia["classe"].scuola, classe=famiglia["classe"])


def test_the_confirmation_e_mail_carries_the_receipt(leporano, alice, inviata):
    [email] = mail.outbox
    assert email.to == [alice.email] and inviata.protocollo in email.subject
    [(nome, contenuto, tipo)] = email.attachments
    assert (nome, tipo) == (f"ricevuta-{inviata.protocollo}.pdf", "application/pdf")
    assert contenuto.startswith(b"%PDF")
    assert email.body.endswith(f"In allegato: ricevuta-{inviata.protocollo}.pdf")
    with scope(comune=leporano):  # the portal message itself says nothing of an attachment
        assert "In allegato" not in Notifica.objects.get(user=alice).testo


def _message(comune, user, allegato: str, django_capture_on_commit_callbacks) -> None:
    with scope(comune=comune), django_capture_on_commit_callbacks(execute=True):
        notifica_send(comune=comune, user=user, titolo="Promemoria", testo="Testo.", allegato=allegato)


def test_another_familys_or_an_unknown_receipt_is_never_attached(leporano, alice, inviata,
                                                                  django_capture_on_commit_callbacks):
    mail.outbox.clear()
    elena = UserFactory(email="elena@example.org")
    for user, allegato in ((elena, ricevuta_allegato_ref(inviata)), (alice, "ricevuta_domanda:999999"),
                           (alice, "ricevuta_domanda:../1"), (alice, "sconosciuto:1")):
        _message(leporano, user, allegato, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 4
    assert all(not email.attachments and "In allegato" not in email.body for email in mail.outbox)


def test_a_receipt_that_cannot_be_rendered_leaves_the_e_mail_going_out(leporano, alice, anno, famiglia, finestre,
                                                                       monkeypatch, django_capture_on_commit_callbacks):
    def broken(domanda):
        raise ValueError("font missing")

    monkeypatch.setattr(ricevuta, "ricevuta_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        domanda = domanda_inviata(utente=alice, anno=anno, scuola=famiglia["classe"].scuola)
    [email] = mail.outbox
    assert domanda.protocollo in email.subject and not email.attachments
    with scope(comune=leporano):  # sent once: a retried task sends nothing more
        notifica = Notifica.objects.get(user=alice)
        assert notifica.email_inviata_il is not None and not notifica_email_send(notifica_id=notifica.pk)
    assert len(mail.outbox) == 1
