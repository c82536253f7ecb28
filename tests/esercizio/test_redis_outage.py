"""Redis stops in the middle of a family's session: the portal keeps answering from PostgreSQL, the
absence is recorded, and its confirmation is e-mailed once when Redis is back (the notifications' outbox).

The Redis is the test's own (tests/esercizio/redis_server.py), stopped and started for real."""

from __future__ import annotations

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from mensa.models import Assenza
from notifiche.consegna import consegne_in_sospeso_publish
from notifiche.models import Notifica
from tests.conftest import PASSWORD
from tests.mensa.conftest import TUESDAY, Clock, setup_mensa

from .redis_server import REDIS_SERVER

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a worker thread needs a shared PostgreSQL"),
    pytest.mark.skipif(not os.path.exists(REDIS_SERVER), reason="Debian's redis-server is not installed"),
]

REGISTRATA = "Assenza registrata il 23/11/2026 08:00 da Alice Lacaita"  # Dettaglio's line for the day


def _wait_for(predicate, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_redis_outage_is_no_outage_and_the_confirmation_follows_once(
    transactional_db, own_redis, settings, monkeypatch, leporano, alice, alice_children
):
    Clock(monkeypatch)  # Monday 23 November 2026, 08:00: before the 09:00 cut-off for Tuesday
    setup_mensa(leporano, alice_children)
    child = alice_children[0]
    family = Client()
    family.force_login(alice)
    dettaglio = f"/leporano/consumatori/{child.pk}/?mese=2026-11"
    assert family.get(dettaglio).status_code == 200
    assert cache.get(f"stamp:v1:utente:{alice.pk}")  # the page was cached under Redis's stamps

    own_redis.stop()

    # Every page answers: the public finder, the login, the public menu, CITTADINO, Dettaglio.
    other = Client()
    for url in ("/", "/comuni/cerca/?q=lep", "/login/leporano/", "/leporano/menu/"):
        assert other.get(url).status_code == 200, url
    for url in ("/leporano/", dettaglio):
        assert family.get(url).status_code == 200, url
    # A new login: the session is written to PostgreSQL and read back from it.
    assert other.post("/login/leporano/", {"login": "alice@example.org", "password": PASSWORD}).status_code == 302
    assert "CITTADINO" in other.get("/leporano/").content.decode()
    # /healthz/ says what is missing and still routes traffic here.
    health = family.get("/healthz/")
    assert health.status_code == 200
    body = health.content.decode()
    assert "database: ok" in body and "cache: non raggiungibile" in body and "broker: non raggiungibile" in body

    # The absence is recorded and the family told so on the page; its e-mail waits in the outbox.
    response = family.post(f"/leporano/mensa/consumatori/{child.pk}/assenze/", {"dal": TUESDAY.isoformat()},
                           follow=True)
    assert response.status_code == 200
    assert "Assenza registrata per Leonardo: 24/11/2026" in response.content.decode()
    with scope(comune=leporano):
        assert Assenza.objects.filter(consumatore=child, giorno=TUESDAY, annullata_il__isnull=True).exists()
    assert REGISTRATA in family.get(dettaglio).content.decode()
    with scopes_disabled():
        notifica = Notifica.objects.get(user=alice, consumatore=child)
    assert notifica.da_consegnare is not None
    assert mail.outbox == []
    # The sweeper, with the broker still down, keeps it.
    assert consegne_in_sospeso_publish(prima_di=timezone.now()) == 0

    own_redis.start()

    from omnibus import publish
    from omnibus.celery import app

    publish._down_until = 0.0  # the breaker's pause (5 s) is over
    assert consegne_in_sospeso_publish(prima_di=timezone.now()) == 1
    assert consegne_in_sospeso_publish(prima_di=timezone.now()) == 0  # published once
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20,
                      queues=list(settings.CELERY_QUEUES_BY_URGENCY)):
        assert _wait_for(lambda: len(mail.outbox) >= 1)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.org"] and "24/11/2026" in mail.outbox[0].body
    notifica.refresh_from_db()
    assert notifica.da_consegnare is None and notifica.email_inviata_il is not None
    # The page after the outage shows the absence (no page cached before it is served again).
    assert REGISTRATA in family.get(dettaglio).content.decode()
