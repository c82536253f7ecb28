"""The 09:00 absence rush while the office's bulk work runs: 1,000 reminder letters print and a report exports.

Why: the queues by urgency (omnibus/settings.py CELERY_TASK_ROUTES). What a family or a clerk waits for now
(the absence's confirmation) is on `interattiva`, the office's letters, exports and reports on `massiva`, and
docker-compose runs one worker per queue, each at a CPU weight below the web's (`cpu_shares`). The letters
(WeasyPrint, with their pagoPA avvisi) are the heaviest CPU work the portal does: this measures whether a
family's "Disdici" keeps its latency, and its confirmation arrives, while a clerk prints them.

What: bench_rush's rush, reused as it is (its data, logged-in sessions, 16 aiohttp clients posting "Disdici"
as the browser does, gunicorn as gunicorn.conf.py, its checks), beside the office of a comune of
ctx.size(100_000) consumers (bench_ufficio's, as its debtors page: 20 meals each, 30 % in debt). Its clerks,
through the services their pages call, queue the balances of every consumer as XLSX (report "saldi", the
ledger's export: long enough at that size to run beside the rush) and a reminder job of ctx.size(1,000)
letters, e-mailed with their avvisi. The Celery workers run as docker-compose runs them
(bench.http.compose_worker): worker-interattiva and worker-massiva with their queues and concurrency, the
compose's cpu_shares as a nice level.

The bulk work starts first; the rush starts once the first block of letters is done (WeasyPrint loaded,
both bulk processes busy). Printed: how many letters were done when the rush ended, when the rest and the
export completed, when the last confirmation was e-mailed, and the CPU each role used during the rush
(client, gunicorn, each worker, PostgreSQL's backends, Redis, and the rest of the machine: the kernel,
PostgreSQL's own processes and, on a shared machine, the others).
Afterwards every letter must be sent (the load was real) and every 2xx absence must have its Assenza row
and exactly one e-mailed confirmation: `absence_rush_during_bulk_work_lost` counts those that do not.
Figures: `absence_rush_during_bulk_work_p99_ms` (target ≤ 300), `_p50_ms`, `_errors` and `_lost` (target 0).
"""

from __future__ import annotations

import asyncio
import datetime
import os
import time

from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from .bench_rush import CLIENTS, N_COMUNI, SERVED, _families, _lost, _next_service_day, _print_cpu, _rush, _summary
from .bench_ufficio import _setup as _office
from .http import celery_worker, compose_worker, cpu_during, gunicorn, machine_cpu


def _workers_ready(names: set[str], seconds: float = 60) -> None:
    from omnibus.celery import app

    deadline = time.monotonic() + seconds
    while {node.split("@")[0] for reply in app.control.ping(timeout=0.5) for node in reply} < names:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the Celery workers {sorted(names)} did not start")


def _bulk_start(comune, ufficio, letters: int):
    """What the clerks click: the balances' export, then the reminder job; both queued on `massiva`."""
    from ufficio.esportazioni import esportazione_create
    from ufficio.invio import invio_create
    from ufficio.selectors import FiltriMorosi, morosi_all

    oggi = timezone.localdate()
    with scope(comune=comune):
        conti = [(m.consumatore_id, m.servizio) for m in
                 morosi_all(comune=comune, filtri=FiltriMorosi(), completi=False)[:letters]]
        assert len(conti) == letters, (len(conti), letters)
        esportazione = esportazione_create(comune=comune, creato_da=ufficio, nome="saldi", formato="xlsx",
                                           parametri={"dal": oggi - datetime.timedelta(days=365), "al": oggi,
                                                      "per_mese": False})
        invio = invio_create(comune=comune, creato_da=ufficio, livello="primo", conti=conti)
    return esportazione, invio


def _wait(what: str, done, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not within {seconds:.0f} s")
        time.sleep(0.2)


@scopes_disabled()  # the bench reads the office's rows of every comune; the clerks' services run in its scope
def run(ctx) -> None:
    from omnibus.celery import app
    from ufficio.models import Esportazione, InvioSolleciti, StatoEsportazione, StatoInvio

    if not os.environ.get("REDIS_URL"):
        print("  skipped: the rush needs Redis (REDIS_URL) for sessions, cache and the Celery broker")
        return
    day = _next_service_day()
    jobs = _families(ctx, day)
    comune, ufficio = _office(ctx.size(100_000))
    letters = ctx.size(1000)
    interattiva, massiva = compose_worker("worker-interattiva"), compose_worker("worker-massiva")
    print(f"  {len(jobs)} families in {N_COMUNI} comuni, absences for {day:%d/%m/%Y}, {CLIENTS} clients; "
          f"{letters} letters and the balances' XLSX of {ctx.size(100_000)} consumers; workers as docker-compose: "
          + ", ".join(f"{w['name']} -Q {','.join(w['queues'])} x{w['concurrency']} nice {w['nice']}"
                      for w in (interattiva, massiva)), flush=True)
    database = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")  # the build's bulk writes go to disk now, not inside the timed rush
    with celery_worker(env=SERVED, **interattiva), celery_worker(env=SERVED, **massiva), \
            gunicorn(workers=None, threads=None, env=SERVED) as base:
        _workers_ready({interattiva["name"], massiva["name"]})
        asyncio.run(_rush(base, jobs[:CLIENTS * 2], day + datetime.timedelta(days=1), CLIENTS))  # warm up
        eager, app.conf.task_always_eager = app.conf.task_always_eager, False
        try:
            queued = time.perf_counter()
            esportazione, invio = _bulk_start(comune, ufficio, letters)
        finally:
            app.conf.task_always_eager = eager
        fatte = InvioSolleciti.objects.filter(pk=invio.pk)
        _wait("the first letters", lambda: fatte.values_list("elaborati", flat=True).get() > 0, 600)
        first = time.perf_counter() - queued
        with cpu_during(database) as cpu:
            machine, rush_start, start = machine_cpu(), timezone.now(), time.perf_counter()
            results = asyncio.run(_rush(base, jobs, day, CLIENTS))
            elapsed, machine = time.perf_counter() - start, machine_cpu() - machine
        done_at_end = fatte.values_list("inviati", flat=True).get()
        lost, pending = _lost(results, day)
        drained = time.perf_counter() - start - elapsed  # the confirmations left at the rush's end, sent
        # The rest of the bulk work, to the end: every letter sent, the export's file written.
        _wait("the reminder job", lambda: fatte.values_list("stato", flat=True).get() == StatoInvio.COMPLETATO,
              3600)
        export = Esportazione.objects.filter(pk=esportazione.pk)
        _wait("the export", lambda: export.exclude(stato__in=[StatoEsportazione.IN_CODA,
                                                                StatoEsportazione.IN_CORSO]).exists(), 3600)
    invio.refresh_from_db()
    esportazione = Esportazione.objects.defer("contenuto").get(pk=esportazione.pk)
    assert invio.inviati == letters, (invio.inviati, letters)
    assert esportazione.stato == StatoEsportazione.COMPLETATO, (esportazione.stato, esportazione.errore)

    def since_rush(moment: datetime.datetime) -> str:
        seconds = (moment - rush_start).total_seconds()
        return f"{seconds:.1f} s after the rush started" if seconds >= 0 else f"{-seconds:.1f} s before the rush"

    p50, p99, errors = _summary(results)
    print(f"  the first letters were done {first:.1f} s after the click; when the rush ended {done_at_end} of "
          f"{letters} letters were done; all of them {since_rush(invio.completato_il)}; the export completed "
          f"{since_rush(esportazione.completato_il)}", flush=True)
    _print_cpu(cpu, elapsed, len(results), machine)
    print(f"  {len(results) / elapsed:.1f} absences/s", flush=True)
    if pending:
        print(f"  {pending} confirmations still unsent after the wait", flush=True)
    else:
        print(f"  every confirmation e-mailed {drained:.1f} s after the rush ended", flush=True)
    ctx.report("absence_rush_during_bulk_work_p50_ms", [p50], "ms", 300)
    ctx.report("absence_rush_during_bulk_work_p99_ms", [p99], "ms", 300)
    ctx.report("absence_rush_during_bulk_work_errors", [float(errors)], "requests", 0)
    ctx.report("absence_rush_during_bulk_work_lost", [float(lost)], "absences", 0)
