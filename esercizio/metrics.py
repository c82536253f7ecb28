"""Prometheus metrics (prometheus-client): requests, errors and Celery tasks as they happen, and the
service's state read from the database and the broker at each scrape.

- `omnibus_http_request_duration_seconds{view,method,status}`: latency by view and status (a histogram);
- `omnibus_http_exceptions_total{view,exception}`: uncaught errors;
- `omnibus_celery_tasks_total{task,outcome}` (success, failure, retry) and
  `omnibus_celery_task_duration_seconds{task}`: Celery's signals;
- `omnibus_celery_queue_length{queue}`: messages waiting in each broker queue (Redis LLEN);
- `omnibus_pagopa_positions_unpublished{comune}`: positions waiting for publication on GPD;
- `omnibus_pagopa_paused{host}`: 1 while a pagoPA host is paused after going unanswered;
- `omnibus_notifications_outbox`: messages waiting for the broker (notifiche's outbox);
- `omnibus_job_age_seconds{job,comune}`: since the last nightly debit, receipts poll and FdR import.

With several processes (gunicorn workers, Celery) set PROMETHEUS_MULTIPROC_DIR to a directory they share
(prometheus-client's multiprocess mode); the web's /metrics then sums every process's series.
"""

from __future__ import annotations

import hmac
import os
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REQUEST_LATENCY = Histogram(
    "omnibus_http_request_duration_seconds", "Time to answer a request, by view and status.",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10),
)
REQUEST_EXCEPTIONS = Counter("omnibus_http_exceptions", "Uncaught exceptions, by view.", ["view", "exception"])
TASKS = Counter("omnibus_celery_tasks", "Celery tasks run, by name and outcome.", ["task", "outcome"])
TASK_DURATION = Histogram("omnibus_celery_task_duration_seconds", "Celery task run time.", ["task"],
                          buckets=(0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900))

QUEUES = ("interattiva", "massiva", "notturna", "celery")


def _view_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name or match._func_path) if match else "<non risolta>"


class RequestMetricsMiddleware:
    """Outermost middleware: the latency and status of every request, labelled by view name (not path:
    the ids in paths would make a series per child)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_LATENCY.labels(_view_of(request), request.method, str(response.status_code)).observe(
            time.perf_counter() - started)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        REQUEST_EXCEPTIONS.labels(_view_of(request), type(exception).__name__).inc()


class ServiceCollector:
    """Gauges read at scrape time: cheap aggregate queries, no per-family series."""

    def collect(self):
        from django.core.cache import cache
        from django.db.models import Count, Max
        from django_scopes import scopes_disabled

        from mensa.models import AddebitoEseguito
        from notifiche.models import Notifica
        from pagamenti.models import ConfigurazionePagamenti, Posizione, StatoPosizione, TipoGateway
        from pagamenti.pagopa.gpd import _pause_key
        from pagamenti.riconciliazione.models import FlussoRendicontazione

        from .models import Esecuzione, Lavoro

        queue = GaugeMetricFamily("omnibus_celery_queue_length", "Messages waiting in a broker queue.",
                                  labels=["queue"])
        for name, length in _queue_lengths().items():
            queue.add_metric([name], length)
        yield queue

        now = timezone.now()
        with scopes_disabled():
            unpublished = GaugeMetricFamily("omnibus_pagopa_positions_unpublished",
                                            "Positions waiting for publication on pagoPA.", labels=["comune"])
            for slug, count in (Posizione.objects.filter(stato=StatoPosizione.IN_ATTESA, pubblicata_il__isnull=True)
                                .exclude(gateway=TipoGateway.SANDBOX).values_list("comune__slug")
                                .annotate(n=Count("id"))):
                unpublished.add_metric([slug], count)
            yield unpublished

            paused = GaugeMetricFamily("omnibus_pagopa_paused", "1 while a pagoPA host is paused.", labels=["host"])
            for url in set(ConfigurazionePagamenti.objects.filter(gateway=TipoGateway.GPD)
                           .exclude(gpd_url="").values_list("gpd_url", flat=True)):
                paused.add_metric([urlsplit(url).netloc], 1 if cache.get(_pause_key(url)) else 0)
            yield paused

            outbox = GaugeMetricFamily("omnibus_notifications_outbox", "Notifications waiting for the broker.")
            outbox.add_metric([], Notifica.objects.filter(da_consegnare__isnull=False).count())
            yield outbox

            age = GaugeMetricFamily("omnibus_job_age_seconds", "Seconds since a job last completed.",
                                    labels=["job", "comune"])
            rows = [(Lavoro.ADDEBITO_PASTI, AddebitoEseguito.objects.values_list("comune__slug")
                     .annotate(last=Max("eseguito_il"))),
                    (Lavoro.IMPORT_FDR, FlussoRendicontazione.objects.values_list("comune__slug")
                     .annotate(last=Max("importato_il"))),
                    (Lavoro.VERIFICA_RICEVUTE, Esecuzione.objects.filter(lavoro=Lavoro.VERIFICA_RICEVUTE)
                     .values_list("comune__slug").annotate(last=Max("completato_il")))]
            for job, values in rows:
                for slug, last in values:
                    age.add_metric([str(job), slug or "piattaforma"], (now - last).total_seconds())
            yield age


def _queue_lengths() -> dict[str, int]:
    from omnibus.celery import app

    if not (app.conf.broker_url or "").startswith("redis"):
        return {}
    try:
        with app.connection_for_write() as conn:
            client = conn.default_channel.client
            return {name: int(client.llen(name)) for name in QUEUES}
    except Exception:  # the broker is down: no series rather than a failed scrape
        return {}


def _registry_output() -> bytes:
    services = CollectorRegistry(auto_describe=True)
    services.register(ServiceCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        live = CollectorRegistry()
        multiprocess.MultiProcessCollector(live)
        return generate_latest(live) + generate_latest(services)
    return generate_latest(REGISTRY) + generate_latest(services)


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """/metrics with `Authorization: Bearer <METRICS_TOKEN>`; without METRICS_TOKEN set it does not exist."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "")
    if not given.startswith("Bearer ") or not hmac.compare_digest(given[7:].encode(), token.encode()):
        response = HttpResponse("401 Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(_registry_output(), content_type=CONTENT_TYPE_LATEST)
