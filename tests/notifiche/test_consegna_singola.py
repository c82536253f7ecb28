"""One broker message per notification: the worker e-mails, pushes and sends to App IO in one run; a
channel that fails is retried by its own task, and never keeps the others from going out."""

from __future__ import annotations

import smtplib

from django.core import mail
from django_scopes import scope

from notifiche.models import MessaggioIO, Notifica, StatoMessaggioIO
from notifiche.services import notifica_send


def send(comune, user, capture, **extra) -> Notifica:
    with scope(comune=comune), capture(execute=True):
        return notifica_send(comune=comune, user=user, titolo="Assenza registrata",
                             testo="Assenza registrata per Leonardo: 24/11/2026.", **extra)


def test_a_notification_queues_one_message_for_every_channel(leporano, alice, monkeypatch,
                                                              django_capture_on_commit_callbacks):
    from notifiche import tasks

    queued = []
    for task in (tasks.notifica_email, tasks.push_notifica, tasks.io_notifica, tasks.notifica_consegna):
        monkeypatch.setattr(task, "delay", lambda *args, task=task, **kwargs: queued.append((task.name, args, kwargs)))
    notifica = send(leporano, alice, django_capture_on_commit_callbacks)
    assert queued == [("notifiche.tasks.notifica_consegna", (leporano.pk, notifica.pk),
                       {"email": True, "ambito_io": "mensa", "pagamento": None})]


def test_the_one_message_mails_and_records_every_channel(leporano, alice, django_capture_on_commit_callbacks):
    notifica = send(leporano, alice, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[alice.email]]
    with scope(comune=leporano):
        assert Notifica.objects.get(pk=notifica.pk).email_inviata_il is not None
        # App IO without a key is recorded for staff, as before.
        assert MessaggioIO.objects.get(notifica=notifica).stato == StatoMessaggioIO.CHIAVE


def test_a_mail_server_down_is_retried_by_the_email_task_and_mails_once(leporano, alice, monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages
    attempts = []

    def flaky(self, messages):
        attempts.append(1)
        if len(attempts) == 1:
            raise smtplib.SMTPServerDisconnected("down")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    notifica = send(leporano, alice, django_capture_on_commit_callbacks)
    assert len(attempts) == 2 and len(mail.outbox) == 1
    with scope(comune=leporano):
        assert Notifica.objects.get(pk=notifica.pk).email_inviata_il is not None


def test_a_failing_channel_does_not_stop_the_others(leporano, alice, monkeypatch, caplog,
                                                    django_capture_on_commit_callbacks):
    from notifiche import push_invio

    def broken(**kwargs):
        raise RuntimeError("push service library bug")

    monkeypatch.setattr(push_invio, "push_fanout", broken)
    notifica = send(leporano, alice, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    with scope(comune=leporano):
        assert MessaggioIO.objects.filter(notifica=notifica).exists()
    assert "the push channel failed" in caplog.text


def test_no_email_wanted_sends_the_other_channels_only(leporano, alice, django_capture_on_commit_callbacks):
    notifica = send(leporano, alice, django_capture_on_commit_callbacks, email=False)
    assert mail.outbox == []
    with scope(comune=leporano):
        assert MessaggioIO.objects.filter(notifica=notifica).exists()


def test_without_an_io_key_the_outcome_is_recorded_once(leporano, alice, django_capture_on_commit_callbacks):
    from notifiche.io.invio import NO_KEY
    from notifiche.tasks import io_notifica

    notifica = send(leporano, alice, django_capture_on_commit_callbacks)
    io_notifica.delay(leporano.pk, notifica.pk)  # a duplicated run changes nothing
    with scope(comune=leporano):
        messaggio = MessaggioIO.objects.get(notifica=notifica)
    assert (messaggio.stato, messaggio.esito, messaggio.tentativi) == (StatoMessaggioIO.CHIAVE, NO_KEY, 1)


def test_a_pending_io_message_whose_key_was_refused_since_is_closed(leporano, alice,
                                                                    django_capture_on_commit_callbacks):
    from notifiche.models import ServizioIO, StatoChiaveIO
    from notifiche.tasks import io_notifica

    notifica = send(leporano, alice, django_capture_on_commit_callbacks, email=False)
    with scope(comune=leporano):
        servizio = ServizioIO.objects.create(comune=leporano, ambito="mensa", nome="Mensa", api_key="k",
                                             stato_chiave=StatoChiaveIO.RIFIUTATA)
        MessaggioIO.objects.filter(notifica=notifica).update(stato=StatoMessaggioIO.DA_INVIARE, tentativi=1,
                                                             servizio=servizio)
    io_notifica.delay(leporano.pk, notifica.pk)
    with scope(comune=leporano):
        messaggio = MessaggioIO.objects.get(notifica=notifica)
    assert (messaggio.stato, messaggio.tentativi) == (StatoMessaggioIO.CHIAVE, 2)
