"""Web Push: the family's devices, and each notification pushed once per device.

Delivery follows RFC 8030 (POST to the subscription's endpoint with a TTL; 201 Created), RFC 8291
(payload encrypted with the device's keys, aes128gcm) and RFC 8292 (VAPID Authorization); a 404 or
410 means the subscription is gone and the device is removed.
"""

from __future__ import annotations

import base64
import datetime
import functools
import ipaddress
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
import requests.adapters
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from pywebpush import WebPusher

from comuni.models import Comune, User

from . import vapid
from .models import DispositivoPush, InvioPush, Notifica, PreferenzeCanali, StatoInvio

MAX_BODY_BYTES = 4096
TTL_SECONDS = 24 * 60 * 60
STALE_CLAIM = datetime.timedelta(minutes=10)
PARALLEL_SENDS = 16

ENDPOINT_ERROR = "L'indirizzo del servizio di notifica non è valido (serve https)."
KEYS_ERROR = "Le chiavi del dispositivo non sono valide."
BODY_ERROR = "La richiesta di attivazione non è valida."


def _b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _check_endpoint(endpoint: str) -> None:
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    if parts.scheme == "http" and host in settings.WEBPUSH_ALLOWED_HTTP_HOSTS:
        return
    if parts.scheme != "https" or not host or parts.username or parts.password:
        raise ValidationError({"endpoint": ENDPOINT_ERROR})
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
            raise ValidationError({"endpoint": ENDPOINT_ERROR}) from None
    else:  # push services have names; an address literal points inside a network
        raise ValidationError({"endpoint": ENDPOINT_ERROR})


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
    _check_endpoint(endpoint)
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


# --- delivery ----------------------------------------------------------------------------------


def push_fanout(*, notifica: Notifica, preferenze: PreferenzeCanali | None = None) -> int:
    """One delivery row per device of the recipient (the unique key makes a second run add none);
    returns the number of the recipient's devices (0: nothing to push)."""
    if vapid.vapid() is None:
        return 0
    if not (preferenze or preferenze_of(comune=notifica.comune, user=notifica.user)).push:
        return 0
    dispositivi = DispositivoPush.objects.filter(user=notifica.user).values_list("pk", flat=True)
    created = InvioPush.objects.bulk_create(
        [InvioPush(comune_id=notifica.comune_id, notifica=notifica, dispositivo_id=pk) for pk in dispositivi],
        ignore_conflicts=True,
    )
    return len(created)


def _claim(notifica: Notifica) -> list[InvioPush]:
    """Take the deliveries still to send; another worker running the same task gets the others (or none)."""
    stale = timezone.now() - STALE_CLAIM
    with transaction.atomic():
        invii = list(
            InvioPush.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(notifica=notifica, dispositivo__isnull=False)
            .filter(Q(stato=StatoInvio.DA_INVIARE) | Q(stato=StatoInvio.IN_INVIO, aggiornato_il__lt=stale))
            .select_related("dispositivo")
        )
        InvioPush.objects.filter(pk__in=[i.pk for i in invii]).update(
            stato=StatoInvio.IN_INVIO, tentativi=F("tentativi") + 1, aggiornato_il=timezone.now())
    return invii


def payload_of(notifica: Notifica) -> bytes:
    url = reverse("notifiche:elenco", kwargs={"comune": notifica.comune.slug})
    return json.dumps({"titolo": notifica.titolo[:120], "testo": notifica.testo[:300], "url": url,
                       "tag": f"notifica-{notifica.pk}"}, ensure_ascii=False).encode()


@dataclass
class EsitoPush:
    inviati: int = 0
    rimossi: int = 0
    da_ritentare: int = 0
    falliti: int = 0


@functools.cache
def _session() -> requests.Session:
    """One connection pool per worker process: push services keep the connection alive."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=16, pool_maxsize=PARALLEL_SENDS)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def push_deliver(*, notifica: Notifica, session: requests.Session | None = None) -> EsitoPush:
    """Send the notification's pending pushes; transient failures stay pending for the task's retry."""
    esito = EsitoPush()
    invii = _claim(notifica)
    if not invii:
        return esito
    payload = payload_of(notifica)
    headers_cache: dict = {}
    session = session or _session()

    def post(invio: InvioPush) -> int | None:
        device = invio.dispositivo
        subscription = {"endpoint": device.endpoint, "keys": {"p256dh": device.p256dh, "auth": device.auth}}
        try:
            response = WebPusher(subscription, requests_session=session).send(
                payload, headers={**vapid.authorization(device.endpoint, headers_cache), "Urgency": "normal"},
                ttl=TTL_SECONDS, timeout=settings.WEBPUSH_TIMEOUT_SECONDS,
            )
        except (requests.RequestException, OSError):
            return None
        return response.status_code

    for invio in invii:  # sign once per push service, before the threads
        vapid.authorization(invio.dispositivo.endpoint, headers_cache)
    # Push services answer in tens of milliseconds: the devices of one message are sent concurrently.
    with ThreadPoolExecutor(max_workers=min(PARALLEL_SENDS, len(invii))) as pool:
        statuses = list(pool.map(post, invii))
    sent, gone, retry, failed = [], [], [], []
    for invio, status in zip(invii, statuses, strict=True):
        if status is None or status == 429 or status >= 500:
            retry.append(invio.pk)
        elif status in (200, 201, 202):
            sent.append(invio.pk)
        elif status in (404, 410):
            gone.append((invio.pk, invio.dispositivo_id))
        else:
            failed.append((invio.pk, f"HTTP {status}"))
    now = timezone.now()
    with transaction.atomic():
        InvioPush.objects.filter(pk__in=sent).update(stato=StatoInvio.INVIATO, esito="201", aggiornato_il=now)
        InvioPush.objects.filter(pk__in=retry).update(stato=StatoInvio.DA_INVIARE, aggiornato_il=now)
        for pk, reason in failed:
            InvioPush.objects.filter(pk=pk).update(stato=StatoInvio.FALLITO, esito=reason, aggiornato_il=now)
        if gone:
            InvioPush.objects.filter(pk__in=[p for p, _ in gone]).update(
                stato=StatoInvio.FALLITO, esito="abbonamento scaduto (404/410)", aggiornato_il=now)
            DispositivoPush.objects.filter(pk__in=[d for _, d in gone]).delete()
    return EsitoPush(inviati=len(sent), rimossi=len(gone), da_ritentare=len(retry), falliti=len(failed))


def push_give_up(*, notifica: Notifica) -> int:
    """After the last retry: what is still pending is marked failed."""
    return InvioPush.objects.filter(notifica=notifica, stato=StatoInvio.DA_INVIARE).update(
        stato=StatoInvio.FALLITO, esito="non consegnato dopo i tentativi", aggiornato_il=timezone.now())
