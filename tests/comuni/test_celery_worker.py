"""The Celery wiring, end to end: a task sent through the real Redis broker runs on a real worker."""

from __future__ import annotations

import datetime
import os
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from comuni.tasks import housekeeping
from omnibus.celery import app

pytestmark = pytest.mark.services


@pytest.fixture
def redis_broker():
    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("REQUIRE_SERVICES=1 but REDIS_URL is not set")
        pytest.skip("no Redis server: set REDIS_URL or start Redis on 127.0.0.1:6379")
    assert app.conf.broker_url.startswith("redis://")
    app.conf.task_always_eager = False
    return url


def test_housekeeping_runs_on_a_worker_through_redis(transactional_db, redis_broker):
    expired = SessionStore()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(days=1)
    )
    live = SessionStore()
    live.create()

    # A queue of our own, so parallel test runs sharing the Redis server never steal each other's tasks.
    queue = f"test-{uuid.uuid4().hex}"
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=20):
        result = housekeeping.apply_async(queue=queue)
        assert result.get(timeout=30) == {"sessioni_scadute_eliminate": 1, "eventi_accesso_eliminati": 0,
                                           "cache_emergenza_eliminate": 0}

    assert not Session.objects.filter(session_key=expired.session_key).exists()
    assert Session.objects.filter(session_key=live.session_key).exists()


def test_the_daily_housekeeping_is_scheduled_for_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["pulizia-giornaliera"]
    assert entry["task"] == "comuni.tasks.housekeeping"
    assert housekeeping.name in app.tasks
