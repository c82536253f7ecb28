"""Web Push: the family's devices (subscriptions checked before they are stored) and its channels.

The delivery of each notification to the devices is in push_invio.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from comuni.models import Comune, User

from .models import DispositivoPush, PreferenzeCanali

MAX_BODY_BYTES = 4096

ENDPOINT_ERROR = "L'indirizzo del servizio di notifica non è valido (serve https)."
SERVIZIO_ERROR = ("Il servizio di notifica di questo browser non è tra quelli ammessi dal portale "
                  "(Google, Mozilla, Apple, Microsoft).")
KEYS_ERROR = "Le chiavi del dispositivo non sono valide."
BODY_ERROR = "La richiesta di attivazione non è valida."


def _b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _host_allowed(host: str) -> bool:
    """The host is one of the browsers' push services of PUSH_SERVICE_HOSTS ("*.example.com": any subdomain).

    Matched by name, never by what it resolves to: a name we do not list may point anywhere (an internal
    address included), so it is never contacted at all."""
    host = host.lower().removesuffix(".")
    for pattern in settings.PUSH_SERVICE_HOSTS:
        pattern = pattern.strip().lower().removesuffix(".")
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]):  # ".push.apple.com": a subdomain, not the name itself
                return True
        elif pattern and host == pattern:
            return True
    return False


def endpoint_check(endpoint: str) -> None:
    """ValidationError unless the endpoint is https (or a test host over http) on an allowed push service.

    Checked when a device subscribes and again before every push (push_invio)."""
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        raise ValidationError({"endpoint": ENDPOINT_ERROR}) from None
    if parts.username or parts.password or not host:
        raise ValidationError({"endpoint": ENDPOINT_ERROR})
    if not (parts.scheme == "https" or (parts.scheme == "http" and host in settings.WEBPUSH_ALLOWED_HTTP_HOSTS)):
        raise ValidationError({"endpoint": ENDPOINT_ERROR})
    if not _host_allowed(host):
        raise ValidationError({"endpoint": SERVIZIO_ERROR})


def subscription_parse(body: bytes) -> dict:
    """The fields of a browser's PushSubscription.toJSON(), checked; ValidationError naming the field."""
    if len(body) > MAX_BODY_BYTES:
        raise ValidationError({"corpo": BODY_ERROR})
    try:
        data = json.loads(body)
        endpoint, keys = str(data["endpoint"]), data["keys"]
        p256dh, auth = str(keys["p256dh"]), str(keys["auth"])
    except (ValueError, KeyError, TypeError):
        raise ValidationError({"corpo": BODY_ERROR}) from None
    if len(endpoint) > 2048:
        raise ValidationError({"endpoint": ENDPOINT_ERROR})
    endpoint_check(endpoint)
    try:
        valid = len(_b64decode(p256dh)) == 65 and _b64decode(p256dh)[0] == 4 and len(_b64decode(auth)) == 16
    except ValueError:
        valid = False
    if not valid or len(p256dh) > 100 or len(auth) > 50:
        raise ValidationError({"keys": KEYS_ERROR})
    nome = str(data.get("nome", ""))[:120] if isinstance(data, dict) else ""
    return {"endpoint": endpoint, "p256dh": p256dh, "auth": auth, "nome": nome}


def dispositivo_register(*, comune: Comune, user: User, body: bytes) -> DispositivoPush:
    """Record (or refresh) this device's subscription for the family; ValidationError if malformed."""
    fields = subscription_parse(body)
    dispositivo, _ = DispositivoPush.objects.update_or_create(
        comune=comune, user=user, endpoint=fields["endpoint"],
        defaults={"p256dh": fields["p256dh"], "auth": fields["auth"], "nome": fields["nome"]},
    )
    return dispositivo


def dispositivo_remove(*, user: User, pk: int) -> bool:
    """Remove one of the user's own devices; False if it is not theirs (or already gone)."""
    deleted, _ = DispositivoPush.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)


def preferenze_of(*, comune: Comune, user: User) -> PreferenzeCanali:
    return PreferenzeCanali.objects.filter(comune=comune, user=user).first() or PreferenzeCanali(
        comune=comune, user=user)


def preferenze_set(*, comune: Comune, user: User, email: bool, push: bool, app_io: bool) -> PreferenzeCanali:
    preferenze, _ = PreferenzeCanali.objects.update_or_create(
        comune=comune, user=user, defaults={"email": email, "push": push, "app_io": app_io})
    return preferenze
