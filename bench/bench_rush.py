"""The 09:00 rush: families post absences through the served stack, as production runs it.

Data: ctx.size(10_000) consumers across 10 comuni, each with a family account already logged in (the
sessions are written beforehand, where login leaves them: password hashing is not what this measures).
Then gunicorn (gunicorn.conf.py, as production) on PostgreSQL, Redis for sessions, cache and broker, and a
Celery worker taking the confirmation e-mails; N concurrent asyncio clients (aiohttp) each tap "Disdici" on
<day> for one child after another, as the browser posts it (the form's fields with its CSRF token and cookie,
htmx's headers): the answer is that day's row with the confirmation (mensa/_giorno_assente.html).

"Now" is never frozen in the served app: the day posted is the next service day after today, whose
cut-off (09:00 Europe/Rome) is always in the future, so the run is the same at any hour.

Afterwards every 2xx/3xx must have its Assenza row and exactly one confirmation (one Notifica, its
e-mail sent by the worker): `absence_rush_lost` counts those that do not.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import secrets
import statistics
import time
from collections import Counter

from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from .http import celery_worker, cpu_during, gunicorn, machine_cpu, procfile_worker

N_COMUNI = 10
CLIENTS = 16
PASSWORD = "!bench-rush"  # an unusable password: the same session hash for every account
# The served processes' environment: tasks go to the broker, e-mails into the worker's memory.
SERVED = {"CELERY_TASK_ALWAYS_EAGER": "0", "EMAIL_URL": "memorymail://"}


def _next_service_day() -> datetime.date:
    from mensa.calendario import festivo_nazionale

    day = timezone.localdate() + datetime.timedelta(days=1)
    while day.weekday() >= 5 or festivo_nazionale(day):
        day += datetime.timedelta(days=1)
    return day


def _build(ctx, day: datetime.date) -> list[tuple[str, int, int]]:
    """Comuni, calendars around `day`, consumers enrolled, one family account each; returns
    (comune slug, consumer id, user id) per consumer."""
    from comuni.models import Comune
    from consumatori.models import AnnoScolastico, Classe, Scuola, TipoScuola
    from mensa.models import Calendario, CalendarioScuola, PrezzoTariffa, Tariffa

    per_comune = ctx.size(10_000) // N_COMUNI
    inizio, fine = day - datetime.timedelta(days=120), day + datetime.timedelta(days=120)
    with scopes_disabled(), transaction.atomic(), connection.cursor() as cursor:
        for n in range(N_COMUNI):
            comune = Comune.objects.create(nome=f"Rush {n:02d}", slug=f"rush-{n:02d}", codice_fiscale=f"8{n:010d}",
                                           provincia="TA")
            anno = AnnoScolastico.objects.create(comune=comune, nome="corrente", data_inizio=inizio, data_fine=fine)
            calendario = Calendario.objects.create(comune=comune, anno_scolastico=anno)
            tariffa = Tariffa.objects.create(comune=comune, nome="Tariffa intera")
            PrezzoTariffa.objects.create(comune=comune, tariffa=tariffa, valido_dal=inizio, importo="4.10")
            scuola = Scuola.objects.create(comune=comune, nome="Scuola primaria", tipo=TipoScuola.PRIMARIA)
            CalendarioScuola.objects.create(comune=comune, calendario=calendario, scuola=scuola, data_inizio=inizio,
                                            data_fine=fine)
            classe = Classe.objects.create(comune=comune, scuola=scuola, anno_scolastico=anno, anno=1, sezione="A")
            cursor.execute(
                """
                INSERT INTO consumatori_consumatore (comune_id, nome, cognome, codice_fiscale, data_nascita,
                    classe_id, dieta_speciale, note_dieta, codice_pagamento, attivo, creato_il)
                SELECT %s, 'Bimbo', 'Rush' || i, 'RSH' || lpad(i::text, 13, '0'), DATE '2018-01-01', %s, false, '',
                    upper(substr(md5(%s || '-' || i), 1, 12)), true, now()
                FROM generate_series(1, %s) AS i
                """,
                [comune.pk, classe.pk, comune.pk, per_comune],
            )
            cursor.execute(
                "INSERT INTO mensa_iscrizionemensa (comune_id, consumatore_id, tariffa_id, data_inizio, creata_il) "
                "SELECT comune_id, id, %s, %s, now() FROM consumatori_consumatore WHERE comune_id = %s",
                [tariffa.pk, inizio, comune.pk],
            )
            cursor.execute(
                """
                INSERT INTO comuni_user (password, is_superuser, first_name, last_name, is_staff, is_active,
                    date_joined, email, telefono, codice_fiscale_verificato)
                SELECT %s, false, 'Genitore', c.cognome, false, true, now(), 'rush-' || c.id || '@example.org', '',
                    false
                FROM consumatori_consumatore c WHERE c.comune_id = %s
                """,
                [PASSWORD, comune.pk],
            )
            cursor.execute(
                """
                INSERT INTO consumatori_tutore (comune_id, consumatore_id, utente_id, nome, cognome, codice_fiscale,
                    relazione, email, telefono)
                SELECT c.comune_id, c.id, u.id, 'Genitore', c.cognome, '', 'genitore', '', ''
                FROM consumatori_consumatore c JOIN comuni_user u ON u.email = 'rush-' || c.id || '@example.org'
                WHERE c.comune_id = %s
                """,
                [comune.pk],
            )
        cursor.execute(
            "SELECT co.slug, c.id, t.utente_id FROM consumatori_consumatore c JOIN comuni_comune co "
            "ON co.id = c.comune_id JOIN consumatori_tutore t ON t.consumatore_id = c.id ORDER BY c.id"
        )
        rows = cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return rows


def _sessions(user_ids: list[int]) -> dict[int, str]:
    """One logged-in session per family, stored where django.contrib.auth.login leaves it with the
    configured SESSION_ENGINE: the database row, and with `cached_db` (Redis) the cache entry too."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.cache import caches

    from comuni.models import User

    auth_hash = User(password=PASSWORD).get_session_auth_hash()
    age = datetime.timedelta(hours=8)
    expire = timezone.now() + age
    store = SessionStore()
    keys = {pk: secrets.token_hex(16) for pk in user_ids}
    data = {pk: {SESSION_KEY: str(pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                 HASH_SESSION_KEY: auth_hash} for pk in user_ids}
    Session.objects.bulk_create(
        [Session(session_key=keys[pk], expire_date=expire, session_data=store.encode(data[pk])) for pk in user_ids],
        batch_size=2000,
    )
    engine = import_module(settings.SESSION_ENGINE).SessionStore
    if hasattr(engine, "cache_key_prefix"):  # cached_db: save() also writes the session to the cache
        caches[settings.SESSION_CACHE_ALIAS].set_many(
            {engine(session_key=keys[pk]).cache_key: data[pk] for pk in user_ids}, int(age.total_seconds()))
    return keys


async def _rush(base: str, jobs: list[tuple[str, int, str]], day: datetime.date, clients: int) -> list:
    """`clients` concurrent families, each posting one absence after another. The client would keep its
    connections alive; gunicorn's sync workers close each after its answer, so every post opens its own, as a
    family's browser does when it taps after reading the page.

    aiohttp (C-accelerated HTTP parsing; installed with pywebpush) keeps the client's own CPU per post
    well under a millisecond: on the same two cores, the client must not starve the server."""
    import aiohttp

    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    results: list[tuple[int, int, float]] = []  # (consumer id, status, seconds)
    row = f"g{day:%Y%m%d}"  # the day's row in "Dettaglio", which its "Disdici" button swaps (htmx)

    async def client(http: aiohttp.ClientSession) -> None:
        while not queue.empty():
            slug, consumatore_id, session_key = queue.get_nowait()
            token = secrets.token_hex(16)
            # What the browser sends when the family taps the day's "Disdici": the form's fields, htmx's headers.
            body = f"csrfmiddlewaretoken={token}&dal={day.isoformat()}".encode()
            start = time.perf_counter()
            try:
                async with http.post(
                    f"/{slug}/mensa/consumatori/{consumatore_id}/assenze/", data=body, allow_redirects=False,
                    headers={"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true",
                             "HX-Target": row, "Referer": base + f"/{slug}/consumatori/{consumatore_id}/",
                             "Cookie": f"sessionid={session_key}; csrftoken={token}"},
                ) as response:
                    await response.read()
                    status = response.status
            except (TimeoutError, aiohttp.ClientError):
                status = 0
            results.append((consumatore_id, status, time.perf_counter() - start))

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(base_url=base, connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                     timeout=aiohttp.ClientTimeout(total=30)) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return results


def _lost(results: list, day: datetime.date, wait_seconds: float = 120) -> tuple[int, int]:
    """Accepted posts without exactly one absence row and one e-mailed confirmation; also the mails pending."""
    accepted = [c for c, status, _ in results if 200 <= status < 400]
    deadline = time.monotonic() + wait_seconds
    with scopes_disabled(), connection.cursor() as cursor:
        while True:  # the worker drains the e-mail queue after the rush
            cursor.execute("SELECT count(*) FROM notifiche_notifica WHERE email_inviata_il IS NULL")
            pending = cursor.fetchone()[0]
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(1)
        cursor.execute(
            """
            SELECT c.id,
                (SELECT count(*) FROM mensa_assenza a WHERE a.consumatore_id = c.id AND a.giorno = %s
                    AND a.annullata_il IS NULL),
                (SELECT count(*) FROM notifiche_notifica n WHERE n.consumatore_id = c.id AND n.titolo LIKE %s),
                (SELECT count(*) FROM notifiche_notifica n WHERE n.consumatore_id = c.id AND n.titolo LIKE %s
                    AND n.email_inviata_il IS NOT NULL)
            FROM consumatori_consumatore c WHERE c.id = ANY(%s)
            """,
            [day, f"%{day:%d/%m/%Y}%", f"%{day:%d/%m/%Y}%", accepted],
        )
        rows = cursor.fetchall()
    good = {pk for pk, assenze, notifiche, inviate in rows if assenze == notifiche == inviate == 1}
    bad = Counter(f"{assenze} absence(s), {notifiche} confirmation(s), {inviate} e-mailed"
                  for pk, assenze, notifiche, inviate in rows if pk not in good)
    for kind, count in bad.most_common():
        print(f"  lost: {count} with {kind}", flush=True)
    return sum(1 for pk in accepted if pk not in good), pending


def _families(ctx, day: datetime.date) -> list[tuple[str, int, str]]:
    """The rush's data and sessions: (comune slug, consumer id, session key) per family, comuni and families
    interleaved, as 09:00 traffic arrives."""
    rows = _build(ctx, day)
    keys = _sessions(sorted({user_id for _, _, user_id in rows}))
    jobs = [(slug, consumatore_id, keys[user_id]) for slug, consumatore_id, user_id in rows]
    return jobs[::2] + jobs[1::2]


def _summary(results: list) -> tuple[float, float, int]:
    """p50 and p99 of the posts' latencies (ms), and the posts not answered 2xx/3xx."""
    latencies = sorted(seconds * 1000 for _, _, seconds in results)
    errors = sum(1 for _, status, _ in results if not 200 <= status < 400)
    return statistics.median(latencies), latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], errors


def _print_cpu(cpu: dict[str, float], elapsed: float, posts: int, machine: float | None = None) -> None:
    """Who used the two cores during the rush (CPU seconds, and per absence): the client must not starve the
    server. With `machine` (machine_cpu's difference over the rush), also what the rest of the machine took:
    the kernel, PostgreSQL's own processes and, on a shared machine, the others."""
    others = f"; the rest of the machine {machine - sum(cpu.values()):.1f} s" if machine is not None else ""
    print(f"  CPU during the rush ({elapsed:.1f} s wall, {posts} posts): " + ", ".join(
        f"{role} {seconds:.1f} s ({seconds / posts * 1000:.1f} ms/post)" for role, seconds in cpu.items())
        + others, flush=True)


def run(ctx) -> None:
    if not os.environ.get("REDIS_URL"):
        print("  skipped: the rush needs Redis (REDIS_URL) for sessions, cache and the Celery broker")
        return
    day = _next_service_day()
    jobs = _families(ctx, day)
    print(f"  {len(jobs)} families in {N_COMUNI} comuni, absences for {day:%d/%m/%Y}, {CLIENTS} clients", flush=True)
    # As production serves it: gunicorn.conf.py's workers and threads (the Dockerfile's), not a bench's own.
    # The worker as `make run`'s Procfile starts it (two processes at nice 10, on every queue).
    with celery_worker(env=SERVED, **procfile_worker()), gunicorn(workers=None, threads=None, env=SERVED) as base:
        asyncio.run(_rush(base, jobs[:CLIENTS * 2], day + datetime.timedelta(days=1), CLIENTS))  # warm up
        database = connection.settings_dict["NAME"]
        with connection.cursor() as cursor:
            # The build's bulk writes and the warm-up's go to disk now, not inside the timed rush.
            cursor.execute("CHECKPOINT")
        with cpu_during(database) as cpu:
            machine, start = machine_cpu(), time.perf_counter()
            results = asyncio.run(_rush(base, jobs, day, CLIENTS))
            elapsed, machine = time.perf_counter() - start, machine_cpu() - machine
        lost, pending = _lost(results, day)
    p50, p99, errors = _summary(results)
    _print_cpu(cpu, elapsed, len(results), machine)
    if pending:
        print(f"  {pending} confirmations still unsent after the wait", flush=True)
    ctx.report("absence_rush_per_second", [len(results) / elapsed], "abs/s", 100, higher_is_better=True)
    ctx.report("absence_rush_p50_ms", [p50], "ms", 300)
    ctx.report("absence_rush_p99_ms", [p99], "ms", 300)
    ctx.report("absence_rush_errors", [float(errors)], "requests", 0)
    ctx.report("absence_rush_lost", [float(lost)], "absences", 0)
