"""The messages committed together reach the workers together: one push task and one App IO task for a
whole nightly batch, every device pushed once, a message rolled back with its savepoint never sent, and
one VAPID signature per push service reused while it is valid."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.db import transaction
from django_scopes import scope

from notifiche import tasks, vapid
from notifiche.models import InvioPush, MessaggioIO, StatoInvio, StatoMessaggioIO
from notifiche.services import notifica_send
from tests.factories import UserFactory
from tests.fakes.push_service import FakePushService

NEW = "/leporano/messaggi/notifiche/dispositivi/"


@pytest.fixture
def push(settings):
    settings.WEBPUSH_ALLOWED_HTTP_HOSTS = ["127.0.0.1"]
    settings.WEBPUSH_TIMEOUT_SECONDS = 2
    with FakePushService() as service:
        yield service


@pytest.fixture
def counted(monkeypatch):
    """How many push and App IO tasks were queued (each still runs)."""
    queued = {"push": 0, "io": 0}
    for name, task in (("push", tasks.push_notifiche), ("io", tasks.io_notifiche)):
        original = task.delay

        def delay(*args, _name=name, _original=original):
            queued[_name] += 1
            return _original(*args)

        monkeypatch.setattr(task, "delay", delay)
    return queued


def families_with_phones(client, push, n):
    families = []
    for i in range(n):
        family = UserFactory(email=f"famiglia{i}@example.org")
        client.force_login(family)
        phone = push.subscribe()
        assert client.post(NEW, push.browser_json(phone), content_type="application/json").status_code == 201
        families.append((family, phone))
    return families


def test_a_nightly_batch_is_one_push_task_and_every_device_gets_its_message(
        client, push, leporano, counted, django_capture_on_commit_callbacks):
    families = families_with_phones(client, push, 4)
    with scope(comune=leporano), django_capture_on_commit_callbacks(execute=True):
        for n, (family, _phone) in enumerate(families):
            notifica_send(comune=leporano, user=family, titolo="Credito in esaurimento", testo=f"Famiglia {n}",
                          chiave=f"credito:{n}")
    assert counted == {"push": 1, "io": 1}
    received = {r.token: json.loads(r.payload)["testo"] for r in push.received}
    assert received == {phone.token: f"Famiglia {n}" for n, (_family, phone) in enumerate(families)}
    assert len(mail.outbox) == 4  # the e-mails still go one by one
    with scope(comune=leporano):
        assert set(InvioPush.objects.values_list("stato", flat=True)) == {StatoInvio.INVIATO}
        # No IO service in Leporano: each message records why it did not go to IO, once.
        assert list(MessaggioIO.objects.values_list("stato", flat=True)) == [StatoMessaggioIO.CHIAVE] * 4


@pytest.mark.parametrize("rolled_back", [0, 2])  # the first message, or the last one
def test_a_message_rolled_back_with_its_savepoint_is_not_sent(client, push, leporano, rolled_back,
                                                              django_capture_on_commit_callbacks):
    families = families_with_phones(client, push, 3)
    with scope(comune=leporano), django_capture_on_commit_callbacks(execute=True):
        for n, (family, _phone) in enumerate(families):
            if n == rolled_back:
                with pytest.raises(RuntimeError), transaction.atomic():
                    notifica_send(comune=leporano, user=family, titolo="Annullato", testo="mai inviato")
                    raise RuntimeError
            else:
                notifica_send(comune=leporano, user=family, titolo="Avviso", testo=f"Famiglia {n}")
    assert sorted(r.token for r in push.received) == sorted(
        phone.token for n, (_family, phone) in enumerate(families) if n != rolled_back)
    assert [m.to for m in mail.outbox] == [[f.email] for n, (f, _p) in enumerate(families) if n != rolled_back]


def test_nothing_goes_out_when_the_whole_transaction_rolls_back(client, push, leporano,
                                                                django_capture_on_commit_callbacks):
    [(family, _phone)] = families_with_phones(client, push, 1)
    with scope(comune=leporano), pytest.raises(RuntimeError), transaction.atomic():
        notifica_send(comune=leporano, user=family, titolo="Annullato", testo="mai inviato")
        raise RuntimeError
    with scope(comune=leporano), django_capture_on_commit_callbacks(execute=True):
        notifica_send(comune=leporano, user=family, titolo="Avviso", testo="Questo sì", chiave="dopo")
    assert [json.loads(r.payload)["testo"] for r in push.received] == ["Questo sì"]
    assert len(mail.outbox) == 1


def test_one_vapid_signature_per_push_service_renewed_before_it_expires(
        client, push, leporano, monkeypatch, django_capture_on_commit_callbacks):
    families = families_with_phones(client, push, 3)
    vapid._tokens.clear()
    signed = []
    original = vapid.vapid().sign
    monkeypatch.setattr(vapid.vapid(), "sign", lambda claims: signed.append(claims) or original(claims))

    def send_all(round_):
        with scope(comune=leporano), django_capture_on_commit_callbacks(execute=True):
            for family, _phone in families:
                notifica_send(comune=leporano, user=family, titolo="Avviso", testo="x", chiave=f"r{round_}")

    send_all(1)
    send_all(2)
    assert len(push.received) == 6
    assert [c["aud"] for c in signed] == [push.url]  # one token for the six pushes to this service
    assert len({r.headers["authorization"] for r in push.received}) == 1
    now = vapid.time.time()
    monkeypatch.setattr(vapid.time, "time", lambda: now + vapid.TOKEN_SECONDS - vapid.REUSE_MARGIN_SECONDS + 1)
    assert vapid.authorization(push.endpoint(families[0][1]))  # close to "exp": signed again
    assert len(signed) == 2 and signed[1]["exp"] > signed[0]["exp"]
