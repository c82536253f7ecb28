"""PostgreSQL does not answer: a 503 page in Italian, never a traceback; /healthz/ names the database."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import path

PAGINA = "Servizio momentaneamente non disponibile"


def _refuse(execute, sql, params, many, context):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", ["/", "/leporano/", "/login/leporano/", "/leporano/menu/"])
def test_it_answers_503_in_italian_when_the_database_is_down(anonymous, alice, url):
    anonymous.force_login(alice)
    with connection.execute_wrapper(_refuse):
        response = anonymous.get(url)
    assert response.status_code == 503
    body = response.content.decode()
    assert PAGINA in body and "Nessun dato è andato perso" in body
    assert "Traceback" not in body and "OperationalError" not in body and "5432" not in body
    assert response["Retry-After"] == "60"


def _boom(request):
    raise RuntimeError("a bug, not an outage")


urlpatterns = [path("boom/", _boom)]
handler500 = "omnibus.health.server_error_or_unavailable"


@pytest.mark.urls(__name__)
def test_other_errors_stay_a_500_page_without_traceback(anonymous, db):
    response = anonymous.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Si è verificato un errore" in body and "RuntimeError" not in body


def test_healthz_names_the_failed_dependency(anonymous, db):
    healthy = anonymous.get("/healthz/")
    assert healthy.status_code == 200
    assert healthy.content.decode().splitlines()[:2] == ["ok", "database: ok"]
    with connection.execute_wrapper(_refuse):
        down = anonymous.get("/healthz/")
    assert down.status_code == 503
    assert "database: errore (OperationalError)" in down.content.decode()
