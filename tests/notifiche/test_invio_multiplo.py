"""Messages stored in bulk (e.g. the decisions of a bulk enrolment acceptance) are delivered exactly as
notifica_send delivers one: e-mail once and only if the family wants it, push and App IO too."""

from __future__ import annotations

from django.core import mail
from django_scopes import scope

from notifiche.models import Notifica, PreferenzeCanali
from notifiche.services import NotificaDaInviare, notifiche_send_bulk
from tests.factories import UserFactory


def test_bulk_messages_take_every_channel_and_honour_the_preferences(
    leporano, alice, monkeypatch, django_capture_on_commit_callbacks
):
    from notifiche import tasks

    pushed, io = [], []
    monkeypatch.setattr(tasks.push_notifiche, "delay", lambda comune, pks: pushed.extend(pks))
    monkeypatch.setattr(tasks.io_notifiche, "delay", lambda comune, voci: io.extend(v[0] for v in voci))
    senza_email = UserFactory(email="no-mail@example.org")
    with scope(comune=leporano):
        PreferenzeCanali.objects.create(comune=leporano, user=senza_email, email=False)
        messages = [NotificaDaInviare(comune=leporano, user=u, titolo="Domanda accolta", testo="Accolta.",
                                      chiave="domanda:1:accolta") for u in (alice, senza_email)]
        with django_capture_on_commit_callbacks(execute=True):
            stored = notifiche_send_bulk(messages)
        with django_capture_on_commit_callbacks(execute=True):
            again = notifiche_send_bulk(messages)  # the same keys: nothing stored, nothing sent
        assert len(stored) == 2 and again == []
        assert Notifica.objects.count() == 2
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert sorted(pushed) == sorted(stored) and sorted(io) == sorted(stored)
