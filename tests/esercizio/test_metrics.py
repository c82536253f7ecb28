"""/metrics: a 404 without METRICS_TOKEN, a 401 without the bearer token, and the series with it."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django_scopes import scope

from mensa.models import AddebitoEseguito
from tests.pagamenti.conftest import configure

TOKEN = "token-di-prova-delle-metriche-0123456789"


@pytest.fixture
def scraper(settings):
    settings.METRICS_TOKEN = TOKEN
    return Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


def test_without_a_token_configured_there_is_no_endpoint(client, settings, db):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer qualsiasi").status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer sbagliato", f"Basic {TOKEN}", "Bearer "])
def test_a_missing_or_wrong_bearer_is_401(client, settings, db, header):
    settings.METRICS_TOKEN = TOKEN
    response = client.get("/metrics", **({"HTTP_AUTHORIZATION": header} if header else {}))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"omnibus_" not in response.content


def test_it_shows_requests_tasks_and_the_service_state(scraper, client, leporano, alice, alice_children):
    configure(leporano)
    with scope(comune=leporano):
        AddebitoEseguito.objects.create(comune=leporano, giorno=datetime.date(2026, 11, 23))
    client.force_login(alice)
    assert client.get("/leporano/").status_code == 200
    from comuni.tasks import housekeeping

    housekeeping.delay()  # eager in the tests: the signals still count it
    body = scraper.get("/metrics").content.decode()
    assert 'omnibus_http_request_duration_seconds_count{method="GET",status="200",view="cittadino:home"}' in body
    assert 'omnibus_celery_tasks_total{outcome="success",task="comuni.tasks.housekeeping"}' in body
    assert "omnibus_pagopa_positions_unpublished" in body and "omnibus_pagopa_paused" in body
    assert "omnibus_notifications_outbox 0.0" in body
    age = next(line for line in body.splitlines()
               if line.startswith('omnibus_job_age_seconds{comune="leporano",job="addebito_pasti"}'))
    assert float(age.split()[-1]) >= 0


def test_the_request_id_is_echoed_and_carried_to_logs(client, db):
    response = client.get("/healthz/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    fresh = client.get("/healthz/")["X-Request-ID"]
    assert len(fresh) == 32 and fresh != "abc-123"
