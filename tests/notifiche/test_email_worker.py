"""The e-mail of a portal message goes through Celery after commit, once even if the task runs twice."""

from __future__ import annotations

from django_scopes import scope

from notifiche.models import Notifica
from notifiche.services import notifica_email_send, notifica_send
from notifiche.tasks import notifica_email


def test_the_email_is_sent_once_whatever_the_retries(leporano, alice, mailoutbox, django_capture_on_commit_callbacks):
    with scope(comune=leporano), django_capture_on_commit_callbacks(execute=True):
        notifica = notifica_send(comune=leporano, user=alice, titolo="Assenza registrata", testo="Per lunedì.")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["alice@example.org"]
    with scope(comune=leporano):
        assert Notifica.objects.get(pk=notifica.pk).email_inviata_il is not None
        assert notifica_email_send(notifica_id=notifica.pk) is False
    notifica_email.delay(leporano.pk, notifica.pk)  # a duplicated task
    assert len(mailoutbox) == 1


def test_nothing_is_mailed_when_the_transaction_rolls_back(leporano, alice, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    with scope(comune=leporano), django_capture_on_commit_callbacks(execute=False) as callbacks:
        notifica_send(comune=leporano, user=alice, titolo="x", testo="y")
    assert callbacks and mailoutbox == []  # the delivery waits for a commit that never comes
