"""Push subscriptions may name only the browsers' push services (settings.PUSH_SERVICE_HOSTS), checked when a
device subscribes and again before each push, and a push service's redirect is never followed: the worker
never POSTs to a name that points inside our network (server-side request forgery).

The fake push service is tests/fakes/push_service.py (RFC 8030/8291/8292); it listens on 127.0.0.1.
"""

from __future__ import annotations

import json
import socket

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django_scopes import scope

from notifiche.models import DispositivoPush, InvioPush, StatoInvio
from notifiche.push import SERVIZIO_ERROR, endpoint_check
from notifiche.push_invio import SERVIZIO_NON_AMMESSO
from notifiche.services import notifica_send

NEW = "/leporano/messaggi/notifiche/dispositivi/"
# A name an attacker's DNS zone points at 127.0.0.1 (here the test's resolver does, as that zone would).
INTERNO = "push.interno.example"


@pytest.fixture
def push(settings, monkeypatch):
    from tests.fakes.push_service import FakePushService

    settings.WEBPUSH_TIMEOUT_SECONDS = 0.5
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        return real("127.0.0.1" if host == INTERNO else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with FakePushService() as service:
        # Over http only because the fake has no TLS; the allowlist below decides the host, not this.
        settings.WEBPUSH_ALLOWED_HTTP_HOSTS = ["127.0.0.1", INTERNO]
        yield service


def internal_endpoint(push, subscription) -> str:
    port = push.url.rsplit(":", 1)[1]
    return f"http://{INTERNO}:{port}/push/{subscription.token}"


def body_for(push, subscription, endpoint: str) -> str:
    body = json.loads(push.browser_json(subscription))
    body["endpoint"] = endpoint
    return json.dumps(body)


def send(comune, user, capture, chiave):
    with scope(comune=comune), capture(execute=True):
        notifica_send(comune=comune, user=user, titolo="Assenza registrata", testo="Assenza registrata per Leonardo.",
                      chiave=chiave, email=False)


@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/abc", "https://android.googleapis.com/gcm/send/abc",
    "https://updates.push.services.mozilla.com/wpush/v2/abc", "https://push.services.mozilla.com/wpush/v1/abc",
    "https://web.push.apple.com/QGx", "https://api.push.apple.com/3/device/abc",
    "https://db5p.notify.windows.com/w/?token=abc", "https://FCM.googleapis.com./fcm/send/abc",
])
def test_the_browsers_push_services_are_allowed_by_default(endpoint):
    endpoint_check(endpoint)


@pytest.mark.parametrize("endpoint", [
    "https://push.apple.com/x",  # "*.push.apple.com" names its subdomains only
    "https://evilpush.apple.com/x", "https://fcm.googleapis.com.evil.example/x", "https://googleapis.com/x",
    "https://notify.windows.com.evil.example/x", "https://127.0.0.1/x", "https://[::1]/x",
    f"https://{INTERNO}/x", "http://fcm.googleapis.com/fcm/send/x", "https://user@fcm.googleapis.com/x",
    "https://fcm.googleapis.com:99999/x",
])
def test_other_hosts_and_plain_http_are_refused(endpoint):
    with pytest.raises(ValidationError) as error:
        endpoint_check(endpoint)
    assert list(error.value.message_dict) == ["endpoint"]


def test_a_name_resolving_to_127_0_0_1_is_refused_at_subscription(client, push, leporano, alice):
    assert socket.getaddrinfo(INTERNO, 80)[0][4][0] == "127.0.0.1"
    client.force_login(alice)
    subscription = push.subscribe()
    response = client.post(NEW, body_for(push, subscription, internal_endpoint(push, subscription)),
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errori"] == {"endpoint": [SERVIZIO_ERROR]}
    with scope(comune=leporano):
        assert not DispositivoPush.objects.exists()
    assert push.received == [] and push.refused == []


def test_a_stored_device_outside_the_allowlist_is_never_posted_to(client, push, leporano, alice, settings,
                                                                  django_capture_on_commit_callbacks):
    """A device stored before the allowlist (or allowed by one since narrowed) is checked at send time."""
    subscription = push.subscribe()
    keys = subscription.keys()
    with scope(comune=leporano):
        DispositivoPush.objects.create(comune=leporano, user=alice, endpoint=internal_endpoint(push, subscription),
                                       p256dh=keys["p256dh"], auth=keys["auth"])
    send(leporano, alice, django_capture_on_commit_callbacks, "a")
    assert push.received == [] and push.refused == []  # no request reached the service
    with scope(comune=leporano):
        invio = InvioPush.objects.get()
    assert (invio.stato, invio.esito) == (StatoInvio.FALLITO, SERVIZIO_NON_AMMESSO)

    # The same name, once listed, is reached: the refusal above is the allowlist's, not a broken name.
    settings.PUSH_SERVICE_HOSTS = [*django_settings.PUSH_SERVICE_HOSTS, INTERNO]
    send(leporano, alice, django_capture_on_commit_callbacks, "b")
    assert len(push.received) + len(push.refused) == 1


def test_a_redirect_from_an_allowed_service_is_not_followed(client, push, leporano, alice, settings,
                                                            django_capture_on_commit_callbacks):
    settings.PUSH_SERVICE_HOSTS = [*settings.PUSH_SERVICE_HOSTS, "127.0.0.1"]
    target = push.subscribe()
    hop = push.subscribe(redirect_to=push.endpoint(target))  # 307 to another push resource on the same host
    client.force_login(alice)
    assert client.post(NEW, push.browser_json(hop), content_type="application/json").status_code == 201
    send(leporano, alice, django_capture_on_commit_callbacks, "c")
    assert push.refused == [(hop.token, 307, "redirected")]
    assert push.received == []  # the Location was never requested
    with scope(comune=leporano):
        invio = InvioPush.objects.get()
    assert (invio.stato, invio.esito) == (StatoInvio.FALLITO, "HTTP 307")
