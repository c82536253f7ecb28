"""Web Push delivery: each notification pushed once per device of its recipient.

Delivery follows RFC 8030 (POST to the subscription's endpoint with a TTL; 201 Created), RFC 8291
(payload encrypted with the device's keys, aes128gcm) and RFC 8292 (VAPID Authorization, one signed
token per push service reused while valid); a 404 or 410 means the subscription is gone and the device
is removed.

The work is set-based, so that a nightly job warning 2,000 families costs a few queries, not a few per
family: one INSERT queues the deliveries of a whole batch of notifications (the unique key makes a
second run add none), one claim takes them, the pushes go out concurrently over pooled keep-alive
connections (a bounded pool), and each outcome is one UPDATE.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests
import requests.adapters
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from pywebpush import WebPusher

from . import vapid
from .models import DispositivoPush, InvioPush, Notifica, PreferenzeCanali, StatoInvio
from .push import endpoint_check

TTL_SECONDS = 24 * 60 * 60
STALE_CLAIM = datetime.timedelta(minutes=10)
PARALLEL_SENDS = 16


def push_fanout(*, notifiche_ids: list[int], notifica: Notifica | None = None) -> int:
    """One delivery row per device of each recipient who did not turn push off (a second run adds none).

    `notifica`: the one message of notifiche_ids, already loaded by a caller that has read its family's
    preferences (push on): neither is read again (a message alone, as each absence of the 09:00 rush)."""
    if vapid.vapid() is None or not notifiche_ids:
        return 0
    if notifica is not None and [notifica.pk] == list(notifiche_ids):
        notifiche = [(notifica.pk, notifica.comune_id, notifica.user_id)]
        users = {notifica.user_id}
    else:
        notifiche = list(Notifica.objects.filter(pk__in=notifiche_ids).values_list("pk", "comune_id", "user_id"))
        users = {user_id for _, _, user_id in notifiche}
        users -= set(PreferenzeCanali.objects.filter(user_id__in=users, push=False).values_list("user_id",
                                                                                                flat=True))
    devices: dict[int, list[int]] = defaultdict(list)
    for pk, user_id in DispositivoPush.objects.filter(user_id__in=users).values_list("pk", "user_id"):
        devices[user_id].append(pk)
    rows = [InvioPush(comune_id=comune_id, notifica_id=pk, dispositivo_id=device)
            for pk, comune_id, user_id in notifiche for device in devices.get(user_id, ())]
    return len(InvioPush.objects.bulk_create(rows, ignore_conflicts=True)) if rows else 0


def _claim(notifiche_ids: list[int]) -> list[InvioPush]:
    """Take the deliveries still to send; another worker running the same task gets the others (or none)."""
    stale = timezone.now() - STALE_CLAIM
    with transaction.atomic():
        invii = list(
            InvioPush.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(notifica_id__in=notifiche_ids, dispositivo__isnull=False)
            .filter(Q(stato=StatoInvio.DA_INVIARE) | Q(stato=StatoInvio.IN_INVIO, aggiornato_il__lt=stale))
            .select_related("dispositivo", "notifica__comune")
        )
        if invii:
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
    notifiche_da_ritentare: list[int] = field(default_factory=list)


SERVIZIO_NON_AMMESSO = "servizio di notifica non ammesso"


class NoRedirectSession(requests.Session):
    """A push service answers the POST itself: a redirect is its answer (a failure), never followed, so
    an allowed host cannot send the worker on to another (an internal address)."""

    max_redirects = 0

    def request(self, *args, **kwargs) -> requests.Response:
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


@functools.cache
def _session() -> requests.Session:
    """One connection pool per worker process: push services keep the connection alive."""
    session = NoRedirectSession()
    adapter = requests.adapters.HTTPAdapter(pool_connections=16, pool_maxsize=PARALLEL_SENDS)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _post(invio: InvioPush, payload: bytes, session: requests.Session) -> int | None:
    """Encrypt for the device (a fresh ECDH key each time, RFC 8291) and POST; None when no answer."""
    device = invio.dispositivo
    subscription = {"endpoint": device.endpoint, "keys": {"p256dh": device.p256dh, "auth": device.auth}}
    try:
        response = WebPusher(subscription, requests_session=session).send(
            payload, headers={**vapid.authorization(device.endpoint), "Urgency": "normal"},
            ttl=TTL_SECONDS, timeout=settings.WEBPUSH_TIMEOUT_SECONDS,
        )
    except (requests.RequestException, OSError):
        return None
    return response.status_code


def push_deliver(*, notifiche_ids: list[int], session: requests.Session | None = None) -> EsitoPush:
    """Send the pending pushes of these notifications; transient failures stay pending for the task's retry."""
    invii = _claim(notifiche_ids)
    if not invii:
        return EsitoPush()
    payloads = {}
    for invio in invii:
        if invio.notifica_id not in payloads:
            payloads[invio.notifica_id] = payload_of(invio.notifica)
    session = session or _session()
    refused = []
    for invio in list(invii):
        try:
            endpoint_check(invio.dispositivo.endpoint)  # again: the allowlist may have changed since
        except ValidationError:
            refused.append(invio.pk)
            invii.remove(invio)
    if refused:
        InvioPush.objects.filter(pk__in=refused).update(stato=StatoInvio.FALLITO, esito=SERVIZIO_NON_AMMESSO,
                                                        aggiornato_il=timezone.now())
    if not invii:
        return EsitoPush(falliti=len(refused))
    for endpoint in {invio.dispositivo.endpoint for invio in invii}:
        vapid.authorization(endpoint)  # sign once per push service, before the threads
    # Push services answer in tens of milliseconds: the pushes go out concurrently, at most PARALLEL_SENDS at once.
    with ThreadPoolExecutor(max_workers=min(PARALLEL_SENDS, len(invii))) as pool:
        statuses = list(pool.map(lambda invio: _post(invio, payloads[invio.notifica_id], session), invii))
    sent, gone, retry, failed = [], [], [], defaultdict(list)
    for invio, status in zip(invii, statuses, strict=True):
        if status is None or status == 429 or status >= 500:
            retry.append(invio)
        elif status in (200, 201, 202):
            sent.append(invio.pk)
        elif status in (404, 410):
            gone.append(invio)
        else:
            failed[f"HTTP {status}"].append(invio.pk)
    now = timezone.now()
    with transaction.atomic():
        if sent:
            InvioPush.objects.filter(pk__in=sent).update(stato=StatoInvio.INVIATO, esito="201", aggiornato_il=now)
        if retry:
            InvioPush.objects.filter(pk__in=[i.pk for i in retry]).update(stato=StatoInvio.DA_INVIARE,
                                                                          aggiornato_il=now)
        for reason, pks in failed.items():
            InvioPush.objects.filter(pk__in=pks).update(stato=StatoInvio.FALLITO, esito=reason, aggiornato_il=now)
        if gone:
            InvioPush.objects.filter(pk__in=[i.pk for i in gone]).update(
                stato=StatoInvio.FALLITO, esito="abbonamento scaduto (404/410)", aggiornato_il=now)
            DispositivoPush.objects.filter(pk__in={i.dispositivo_id for i in gone}).delete()
    return EsitoPush(inviati=len(sent), rimossi=len(gone), da_ritentare=len(retry),
                     falliti=len(refused) + sum(len(pks) for pks in failed.values()),
                     notifiche_da_ritentare=sorted({i.notifica_id for i in retry}))


def push_give_up(*, notifiche_ids: list[int]) -> int:
    """After the last retry: what is still pending is marked failed."""
    return InvioPush.objects.filter(notifica_id__in=notifiche_ids, stato=StatoInvio.DA_INVIARE).update(
        stato=StatoInvio.FALLITO, esito="non consegnato dopo i tentativi", aggiornato_il=timezone.now())
