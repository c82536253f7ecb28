"""What answers when a dependency does not: /healthz/ names it, a database outage is a 503 page.

/healthz/ (the compose healthcheck, the load balancer) checks PostgreSQL, the cache (Redis) and the Celery
broker, one line each, and answers 503 if PostgreSQL fails (the portal cannot serve) — Redis and the broker
failing degrade it (no cache, work queued later) and are reported with 200, so that the balancer keeps
routing to a web process that still serves.

With PostgreSQL down a request ends in an OperationalError wherever it first touched the database (a
middleware, the view, a template): Django hands every uncaught exception to handler500, which here answers
503 with a page in Italian that reads nothing from the database, and never a traceback.
"""

from __future__ import annotations

import sys

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.defaults import server_error

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 60


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return f"errore ({type(error).__name__})"
    return "ok"


def _cache() -> str:
    available = getattr(cache, "available", None)
    if available is None:
        return "ok (in memoria)"
    return "ok" if available() else "non raggiungibile: pagine servite senza cache"


def _broker() -> str:
    from omnibus.celery import app

    url = app.conf.broker_url or ""
    if not url.startswith(("redis", "amqp")):
        return "ok (" + url.split(":", 1)[0] + ")"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as error:  # kombu wraps every transport's error differently
        return f"non raggiungibile: lavori in attesa ({type(error).__name__})"
    return "ok"


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    checks = {"database": _database(), "cache": _cache(), "broker": _broker()}
    status = 200 if checks["database"] == "ok" else 503
    body = "ok\n" if status == 200 else "errore\n"
    body += "".join(f"{name}: {esito}\n" for name, esito in checks.items())
    return HttpResponse(body, content_type="text/plain; charset=utf-8", status=status)


def server_error_or_unavailable(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: a database outage is "servizio momentaneamente non disponibile" (503), the rest a 500."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_DOWN) or isinstance(getattr(error, "__cause__", None), DATABASE_DOWN):
        try:
            body = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
        except Exception:
            body = "Servizio momentaneamente non disponibile. Riprova tra qualche minuto."
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    try:
        return server_error(request, template_name)
    except Exception:
        return HttpResponseServerError(b"<h1>Errore del server</h1>", content_type="text/html")

