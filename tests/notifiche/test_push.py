"""Push notifications: a family turns them on per device, sees and removes its devices, and every
portal message reaches its phones once, against a local fake push service (tests/fakes/push_service.py)."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django_scopes import scope

from notifiche.models import DispositivoPush, InvioPush, StatoInvio
from notifiche.push import ENDPOINT_ERROR, preferenze_set
from notifiche.services import notifica_send
from notifiche.tasks import push_notifica
from tests.factories import UserFactory
from tests.fakes.push_service import FakePushService

URL = "/leporano/messaggi/notifiche/"
NEW = "/leporano/messaggi/notifiche/dispositivi/"


@pytest.fixture
def push(settings):
    settings.WEBPUSH_ALLOWED_HTTP_HOSTS = ["127.0.0.1"]
    settings.PUSH_SERVICE_HOSTS = [*settings.PUSH_SERVICE_HOSTS, "127.0.0.1"]  # the local fake push service
    settings.WEBPUSH_TIMEOUT_SECONDS = 0.5
    with FakePushService() as service:
        yield service


def register(client, body: str | bytes):
    return client.post(NEW, body, content_type="application/json")


def devices(comune):
    with scope(comune=comune):
        return list(DispositivoPush.objects.all())


def send(comune, user, django_capture_on_commit_callbacks, chiave="assenza:1"):
    with scope(comune=comune), django_capture_on_commit_callbacks(execute=True):
        return notifica_send(comune=comune, user=user, titolo="Assenza registrata",
                             testo="Assenza registrata per Leonardo: 24/11/2026.", chiave=chiave)


def test_a_family_turns_push_on_sees_its_device_and_removes_it(client, push, leporano, alice,
                                                              django_assert_num_queries):
    client.force_login(alice)
    subscription = push.subscribe()
    body = json.loads(push.browser_json(subscription))
    body["nome"] = "Android"
    response = register(client, json.dumps(body))
    assert response.status_code == 201
    assert register(client, json.dumps(body)).status_code == 201  # the same device again: one row
    [device] = devices(leporano)
    assert device.user == alice and device.endpoint == push.endpoint(subscription)
    # session, user, preferences, devices (the comune is cached by the tenancy middleware)
    with django_assert_num_queries(4):
        page = client.get(URL).content.decode()
    assert "Android" in page and "Attiva le notifiche su questo dispositivo" in page
    response = client.post(f"{URL}dispositivi/{device.pk}/rimuovi/")
    assert response.status_code == 302
    assert devices(leporano) == []


@pytest.mark.parametrize(("body", "field"), [
    ('{"endpoint": "ftp://push.example.org/x", "keys": {"p256dh": "AA", "auth": "AA"}}', "endpoint"),
    ('{"endpoint": "http://push.example.org/x", "keys": {"p256dh": "AA", "auth": "AA"}}', "endpoint"),
    ('{"endpoint": "https://10.0.0.1/x", "keys": {"p256dh": "AA", "auth": "AA"}}', "endpoint"),
    ('{"endpoint": "https://localhost/x", "keys": {"p256dh": "AA", "auth": "AA"}}', "endpoint"),
    ('{"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": {"p256dh": "AA", "auth": "AA"}}', "keys"),
    ('{"endpoint": "https://fcm.googleapis.com/x"}', "corpo"),
    ("not json", "corpo"),
    ("[1, 2]", "corpo"),
    ('{"endpoint": "https://fcm.googleapis.com/' + "x" * 5000 + '", "keys": {}}', "corpo"),
])
def test_a_foreign_oversized_or_malformed_subscription_is_refused(client, push, leporano, alice, body, field):
    client.force_login(alice)
    response = register(client, body)
    assert response.status_code == 400
    assert field in response.json()["errori"]
    assert devices(leporano) == []


def test_the_endpoint_error_names_the_field(client, push, leporano, alice):
    client.force_login(alice)
    response = register(client, '{"endpoint": "javascript:alert(1)", "keys": {"p256dh": "AA", "auth": "AA"}}')
    assert response.json()["errori"]["endpoint"] == [ENDPOINT_ERROR]


def test_another_familys_device_cannot_be_removed(client, push, leporano, pulsano, alice, charlie):
    neighbour = UserFactory(email="vicina@example.org")
    client.force_login(neighbour)
    register(client, push.browser_json(push.subscribe()))
    [device] = devices(leporano)
    client.force_login(alice)
    assert client.post(f"{URL}dispositivi/{device.pk}/rimuovi/").status_code == 404
    client.force_login(charlie)
    assert client.post(f"/pulsano/messaggi/notifiche/dispositivi/{device.pk}/rimuovi/").status_code == 404
    assert devices(leporano) == [device]
    assert "vicina" not in client.get("/pulsano/messaggi/notifiche/").content.decode()


def test_anonymous_visitors_go_to_the_login(client, leporano):
    assert client.post(NEW, "{}", content_type="application/json").status_code == 302
    assert client.get(URL)["Location"].startswith("/login/leporano/")


def test_every_message_is_pushed_once_per_device(client, push, leporano, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    phone, tablet = push.subscribe(), push.subscribe()
    register(client, push.browser_json(phone))
    register(client, push.browser_json(tablet))
    notifica = send(leporano, alice, django_capture_on_commit_callbacks)
    assert sorted(r.token for r in push.received) == sorted([phone.token, tablet.token])
    message = json.loads(push.received[0].payload)
    assert message["titolo"] == "Assenza registrata"
    assert message["url"] == "/leporano/messaggi/"
    assert int(push.received[0].headers["ttl"]) > 0
    assert len(mail.outbox) == 1  # and the e-mail, as before
    push_notifica.delay(leporano.pk, notifica.pk)  # the task runs twice
    assert len(push.received) == 2
    with scope(comune=leporano):
        assert set(InvioPush.objects.values_list("stato", flat=True)) == {StatoInvio.INVIATO}


def test_a_gone_subscription_is_removed(client, push, leporano, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    expired, unknown, good = push.subscribe(gone=True), push.subscribe(), push.subscribe()
    for s in (expired, unknown, good):
        register(client, push.browser_json(s))
    del push.subscriptions[unknown.token]  # the push service forgot it: 404
    send(leporano, alice, django_capture_on_commit_callbacks)
    assert [d.endpoint for d in devices(leporano)] == [push.endpoint(good)]
    assert sorted(status for _, status, _ in push.refused) == [404, 410]


@pytest.mark.parametrize("answers", [[500, 201], [429, 503, 201]])
def test_throttling_and_server_errors_are_retried(client, push, leporano, alice, answers,
                                                  django_capture_on_commit_callbacks):
    client.force_login(alice)
    register(client, push.browser_json(push.subscribe(answers=list(answers))))
    send(leporano, alice, django_capture_on_commit_callbacks)
    assert len(push.received) == 1
    with scope(comune=leporano):
        invio = InvioPush.objects.get()
    assert (invio.stato, invio.tentativi) == (StatoInvio.INVIATO, len(answers))


def test_a_push_service_that_never_answers_is_given_up(client, push, leporano, alice,
                                                       django_capture_on_commit_callbacks):
    client.force_login(alice)
    register(client, push.browser_json(push.subscribe(delay=1.5)))
    send(leporano, alice, django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        invio = InvioPush.objects.get()
    assert invio.stato == StatoInvio.FALLITO
    assert invio.tentativi == 6  # the first run and 5 retries
    assert len(devices(leporano)) == 1  # a slow service is not a dead subscription


def test_the_familys_channels_decide_what_goes_out(client, push, leporano, alice,
                                                   django_capture_on_commit_callbacks):
    client.force_login(alice)
    register(client, push.browser_json(push.subscribe()))
    response = client.post(URL, {"push": "on"})  # e-mail off, App IO off
    assert response.status_code == 302
    send(leporano, alice, django_capture_on_commit_callbacks, chiave="a")
    assert len(push.received) == 1 and mail.outbox == []
    with scope(comune=leporano):
        preferenze_set(comune=leporano, user=alice, email=True, push=False, app_io=False)
    send(leporano, alice, django_capture_on_commit_callbacks, chiave="b")
    assert len(push.received) == 1 and len(mail.outbox) == 1
