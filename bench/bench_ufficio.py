"""School office: the debtors page on 100,000 consumers (fixed queries) and 1,000 reminder letters."""

from __future__ import annotations

import time
from decimal import Decimal

from django_scopes import scope


def _setup(size: int):
    """Consumers with 20 meals each and a guardian; 70% topped up, the rest in debt (set-based, untimed).
    The hourly consolidation of the sums (pagamenti.consolidamento) has run; after it, 10,000 payments not yet
    consolidated (a tenth of the accounts: far more than an hour of office time brings), so the page reads the
    consolidated accounts and adds the fresh movements of 10,000 of them."""
    from django.db import connection

    from comuni.models import Comune, User
    from consumatori.models import Consumatore, Tutore
    from pagamenti.models import ConfigurazionePagamenti

    comune, _ = Comune.objects.get_or_create(
        slug="bench-ufficio", defaults={"nome": "Bench Ufficio", "codice_fiscale": "80009310733", "provincia": "TA"})
    ufficio, _ = User.objects.get_or_create(email="bench.ufficio@example.org")
    with scope(comune=comune):
        ConfigurazionePagamenti.objects.get_or_create(comune=comune)
        if Consumatore.objects.exists():
            return comune, ufficio
        import datetime

        Consumatore.objects.bulk_create(
            [Consumatore(comune=comune, nome=f"N{n}", cognome="Bench", codice_fiscale=f"BNCBNC{n:010d}",
                         data_nascita=datetime.date(2016, 1, 1)) for n in range(size)], batch_size=5000)
        Tutore.objects.bulk_create(
            [Tutore(comune=comune, consumatore_id=pk, nome="Genitore", cognome="Bench", email=f"g{pk}@example.org")
             for pk in Consumatore.objects.values_list("pk", flat=True)], batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO pagamenti_movimento (comune_id, consumatore_id, servizio, tipo, importo, data_valuta,
                riferimento, descrizione, chiave, motivo, creato_il)
            SELECT c.comune_id, c.id, 'mensa', 'pasto', -4.10, DATE '2026-10-01' + g, '', '', 'pasto:' || g, '', now()
            FROM consumatori_consumatore c CROSS JOIN generate_series(0, 19) g WHERE c.comune_id = %s""", [comune.pk])
        cursor.execute("""
            INSERT INTO pagamenti_movimento (comune_id, consumatore_id, servizio, tipo, importo, data_valuta,
                riferimento, descrizione, chiave, motivo, creato_il)
            SELECT c.comune_id, c.id, 'mensa', 'ricarica_puntolis', 90.00, DATE '2026-10-01', '', '', 'lis:1', '',
                now()
            FROM consumatori_consumatore c WHERE c.comune_id = %s AND c.id %% 10 < 7""", [comune.pk])
    from pagamenti.consolidamento import saldi_consolida

    saldi_consolida()
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO pagamenti_movimento (comune_id, consumatore_id, servizio, tipo, importo, data_valuta,
                riferimento, descrizione, chiave, motivo, creato_il)
            SELECT c.comune_id, c.id, 'mensa', 'ricarica_puntolis', 10.00, DATE '2026-10-21', '', '', 'lis:2', '',
                now()
            FROM consumatori_consumatore c WHERE c.comune_id = %s AND c.id %% 10 = 7""", [comune.pk])
        cursor.execute("ANALYZE")
    return comune, ufficio


def run(ctx) -> None:
    import logging

    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ufficio.invio import invio_run
    from ufficio.models import InvioSolleciti
    from ufficio.selectors import FiltriMorosi, morosi_all, morosi_page

    from .http import cpu_seconds

    logging.getLogger("celery").setLevel(logging.WARNING)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    size = ctx.size(100_000)
    comune, ufficio = _setup(size)
    with scope(comune=comune):
        morosi_page(comune=comune, filtri=FiltriMorosi())  # warm
        counts = []

        def page():
            with CaptureQueriesContext(connection) as queries:
                result = morosi_page(comune=comune, filtri=FiltriMorosi(importo_minimo=Decimal("5")))
            counts.append(len(queries.captured_queries))
            assert result.totale > 0

        runs = ctx.measure(page, runs=5)
        assert len(set(counts)) == 1, counts  # fixed queries whatever the page
        ctx.report(f"debtors_list_{size // 1000}k_consumers_ms", [r * 1000 for r in runs], "ms", 300)

        letters = ctx.size(1000)
        morosi = [[m.consumatore_id, m.servizio] for m in
                  morosi_all(comune=comune, filtri=FiltriMorosi(), completi=False)[:2 * letters]]
        # Named for 1,000 letters: with --quick the time of a tenth is scaled up, one-time costs included
        # (the workers' first import of WeasyPrint and its fonts), so the quick figure errs high.
        elapsed, sent = _letters_by_workers(comune, ufficio, morosi[:letters])
        ctx.report("solleciti_1000_letters_s", [elapsed * 1000 / sent], "s", 120)
        # The same job run block after block in this one process (the demo's way), for comparison.
        invio = InvioSolleciti.objects.create(comune=comune, livello="primo", conti=morosi[letters:],
                                              totale=len(morosi[letters:]), creato_da=ufficio)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        db_cpu = cpu_seconds(backend, children=False)
        start, cpu = time.perf_counter(), time.process_time()
        invio_run(invio=invio)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        db_cpu = cpu_seconds(backend, children=False) - db_cpu
        assert invio.inviati == len(invio.conti), (invio.inviati, len(invio.conti))
        print(f"  {invio.inviati} letters in this process in {elapsed:.1f} s: {cpu:.1f} s of CPU here, "
              f"{db_cpu:.1f} s in its PostgreSQL backend", flush=True)
        ctx.report("solleciti_1000_letters_one_process_s", [elapsed * 1000 / invio.inviati], "s", 120)


def _letters_by_workers(comune, ufficio, conti) -> tuple[float, int]:
    """The job as the office starts it: queued on the broker, its blocks taken by real Celery workers;
    timed from the click to the job marked complete (what the progress bar shows)."""
    from omnibus.celery import app
    from ufficio.models import InvioSolleciti, StatoInvio
    from ufficio.tasks import invio_solleciti_task

    from .http import celery_worker, cpu_seconds, procfile_worker

    worker = procfile_worker()  # the worker `make run` starts, so the bench waits as a clerk would
    invio = InvioSolleciti.objects.create(comune=comune, livello="primo", conti=conti, totale=len(conti),
                                          creato_da=ufficio)
    served = {"CELERY_TASK_ALWAYS_EAGER": "0", "EMAIL_URL": "memorymail://"}
    with celery_worker(env=served, **worker) as process:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if time.monotonic() > deadline:
                raise RuntimeError("the Celery worker did not start")
        eager, app.conf.task_always_eager = app.conf.task_always_eager, False
        try:
            cpu = cpu_seconds(process.pid)
            start = time.perf_counter()
            invio_solleciti_task.delay(comune.pk, invio.pk)
            deadline = time.monotonic() + 3600
            while InvioSolleciti.objects.filter(pk=invio.pk).values_list("stato", flat=True).get() != \
                    StatoInvio.COMPLETATO:
                if time.monotonic() > deadline:
                    raise RuntimeError("the reminder job did not complete")
                time.sleep(0.1)
            elapsed = time.perf_counter() - start
            cpu = cpu_seconds(process.pid) - cpu
        finally:
            app.conf.task_always_eager = eager
    invio.refresh_from_db()
    assert invio.inviati == len(conti), (invio.inviati, len(conti))
    # The workers' own CPU time tells what the wall time would be on cores of their own (the machine may
    # be shared): PostgreSQL's share is not in it.
    print(f"  {invio.inviati} letters by {worker['concurrency']} worker processes in {elapsed:.1f} s, "
          f"{cpu:.1f} s of worker CPU", flush=True)
    return elapsed, invio.inviati
