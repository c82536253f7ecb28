"""Portal messages: stored, e-mailed after commit, sent once per key, read by the family only."""

from __future__ import annotations

from django.core import mail
from django_scopes import scope

from notifiche.models import Notifica
from notifiche.services import notifica_send


def test_a_keyed_message_is_stored_and_emailed_once(leporano, alice, django_capture_on_commit_callbacks):
    with scope(comune=leporano), django_capture_on_commit_callbacks(execute=True):
        first = notifica_send(comune=leporano, user=alice, titolo="Avviso", testo="Testo", chiave="k:1")
        second = notifica_send(comune=leporano, user=alice, titolo="Avviso", testo="Testo", chiave="k:1")
    assert first is not None and second is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Comune di Leporano: Avviso"
    with scope(comune=leporano):
        assert Notifica.objects.get().email_inviata_il is not None


def test_no_email_if_the_transaction_rolls_back(leporano, alice, django_capture_on_commit_callbacks):
    with scope(comune=leporano), django_capture_on_commit_callbacks(execute=False) as callbacks:
        notifica_send(comune=leporano, user=alice, titolo="Avviso", testo="Testo")
    assert callbacks  # the delivery waits for a commit that never comes
    assert mail.outbox == []


def test_the_family_reads_its_messages_and_marks_them_read(client, leporano, alice, charlie, pulsano):
    with scope(comune=leporano):
        notifica_send(comune=leporano, user=alice, titolo="Per Alice", testo="Ciao", email=False)
    with scope(comune=pulsano):
        notifica_send(comune=pulsano, user=charlie, titolo="Per Carlo", testo="Ciao", email=False)
    client.force_login(alice)
    body = client.get("/leporano/messaggi/").content.decode()
    assert "Per Alice" in body and "Per Carlo" not in body and "nuovo" in body
    assert "Messaggi" in client.get("/leporano/").content.decode()
    client.post("/leporano/messaggi/lette/")
    with scope(comune=leporano):
        assert Notifica.objects.get().letta is True
    client.force_login(charlie)
    assert "Per Alice" not in client.get("/pulsano/messaggi/").content.decode()
    assert "Per Alice" not in client.get("/leporano/messaggi/").content.decode()


def test_anonymous_visitors_go_to_the_login(client, leporano):
    assert client.get("/leporano/messaggi/")["Location"].startswith("/login/leporano/")
