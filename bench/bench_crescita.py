"""Growth: what ten school years of ledger do to the nightly debit and to a family's "Dettaglio".

`meal_debit_after_10_years_vs_first_year_ratio` (target ≤ 1.2): the whole nightly job (mensa.tasks'
meal_debit_night: debit, suspensions, warnings, markers) for the same night, the same 100 comuni and
100,000 children as bench_mensa, first on the first year's ledger (opening balances only), then once the
ledger holds ten past school years (2016/17–2025/26, about 20 million movements): the meals of those years
and two pagoPA top-ups a year per child, folded by the consolidation as every night. Each run after the
same untimed setup as bench_mensa (the night's rows deleted and vacuumed, a CHECKPOINT); the ratio of each
run after the ten years to the median before.

`consumer_detail_after_10_years_vs_first_year_ratio` (target ≥ 0.9): on that ten-year ledger, Dettaglio
(the month's days and balances, as a family opens it) served by gunicorn and loaded with wrk, for a child
with five years of history (every meal of 2021/22–2025/26 and a monthly top-up) against a child in its
first year, in alternating rounds; the ratio of their throughputs. The family pages' cache is off for
it, so that every request reads the ledger (the first view after each night's debit does).

On PostgreSQL the ledger is partitioned by school year (pagamenti/partizioni.py): the past years go into
their own tables, made as the nightly job makes them. How the history is loaded (untimed): the ledger's
indexes other than the primary key are dropped, the rows inserted in the order the nights wrote them (ids
grow with the day), then the indexes built again, VACUUM ANALYZE, the consolidation. An index built at once
is packed tighter than one grown night after night, so the nights measured afterwards split more of its
pages than production's would: it errs slow.
With --quick: a tenth of the children (and so of the rows).
"""

from __future__ import annotations

import datetime
import statistics
import urllib.request

from django.db import connection, transaction
from django_scopes import scopes_disabled

PRIMO_ANNO = 2016  # ten school years, 2016/17 … 2025/26
ANNI = 10
ANNI_VETERANO = 5  # the five-year child's history: 2021/22 … 2025/26
VETERANI = 10  # children of the first comune with five years of every meal
MODULO = 8  # a child with history eats every eighth school day of the past years (about 20M rows at full size)


def _indexes() -> list[tuple[str, str, str | None, str | None]]:
    """The ledger's indexes other than the primary key: (name, definition, constraint, its definition)."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), con.conname,
                   pg_get_constraintdef(con.oid)
            FROM pg_index i
            LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
            WHERE i.indrelid = 'pagamenti_movimento'::regclass AND NOT i.indisprimary""")
        return cursor.fetchall()


def _service_days(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 9, 15), datetime.date(year + 1, 6, 8)


def _history(veterani: list[int], nuovi_modulo: int) -> int:
    """Ten past school years of every comune of the bench (see the docstring); returns the rows written."""
    from pagamenti.partizioni import partizionata, partizione_crea

    if partizionata():  # each past school year in its own table, as the nightly job makes them a year ahead
        for year in range(PRIMO_ANNO, PRIMO_ANNO + ANNI):
            partizione_crea(year)
    indexes = _indexes()
    with connection.cursor() as cursor:
        for name, _definition, constraint, _c in indexes:
            if constraint:
                cursor.execute(f'ALTER TABLE pagamenti_movimento DROP CONSTRAINT "{constraint}"')
            else:
                cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SELECT count(*) FROM pagamenti_movimento")
        before = cursor.fetchone()[0]
        for year in range(PRIMO_ANNO, PRIMO_ANNO + ANNI):
            inizio, fine = _service_days(year)
            veterano = year >= PRIMO_ANNO + ANNI - ANNI_VETERANO
            with transaction.atomic():
                # The nights of the year, in order: each day's meals of the children with history (not the
                # first-year children, id % 5 = 1; the five-year children have their own rows), then the
                # five-year children eating every day of their years.
                cursor.execute(
                    """
                    INSERT INTO pagamenti_movimento (comune_id, consumatore_id, servizio, tipo, importo,
                        data_valuta, riferimento, descrizione, chiave, motivo, creato_il)
                    SELECT c.comune_id, c.id, 'mensa', 'pasto', -4.10, d.giorno, d.giorno::text,
                        'Pasto del ' || to_char(d.giorno, 'DD/MM/YYYY'), 'pasto:' || d.giorno::text, '',
                        d.giorno + TIME '23:30'
                    FROM (SELECT g::date AS giorno, (g::date - DATE '2000-01-03') %% %(modulo)s AS turno
                          FROM generate_series(%(inizio)s::date, %(fine)s::date, INTERVAL '1 day') g
                          WHERE extract(isodow FROM g) < 6) d
                    JOIN consumatori_consumatore c
                      ON (c.id %% %(modulo)s = d.turno AND c.id %% %(nuovi)s <> 1 AND c.id <> ALL(%(veterani)s))
                      OR (%(veterano)s AND c.id = ANY(%(veterani)s))
                    ORDER BY d.giorno, c.id
                    """,
                    {"modulo": MODULO, "inizio": inizio, "fine": fine, "nuovi": nuovi_modulo,
                     "veterani": veterani, "veterano": veterano},
                )
                # Top-ups: two pagoPA payments a year per child with history, one a month for the five-year
                # children; each a notice number of its own, as the receipts write them.
                cursor.execute(
                    """
                    INSERT INTO pagamenti_movimento (comune_id, consumatore_id, servizio, tipo, importo,
                        data_valuta, riferimento, descrizione, chiave, motivo, creato_il)
                    SELECT c.comune_id, c.id, 'mensa', 'ricarica_pagopa', 60.00, m.giorno, n.avviso,
                        'Ricarica pagoPA', 'avviso:' || n.avviso, '', m.giorno + TIME '10:00'
                    FROM generate_series(0, 9) AS k
                    CROSS JOIN LATERAL (SELECT (%(inizio)s::date + make_interval(months => k))::date AS giorno) m
                    JOIN consumatori_consumatore c
                      ON (k IN (0, 5) AND c.id %% %(nuovi)s <> 1 AND c.id <> ALL(%(veterani)s))
                      OR (%(veterano)s AND c.id = ANY(%(veterani)s))
                    CROSS JOIN LATERAL (SELECT '30' || lpad((%(anno)s * 10 + k)::text, 5, '0')
                                               || lpad(c.id::text, 11, '0') AS avviso) n
                    ORDER BY m.giorno, c.id
                    """,
                    {"inizio": inizio, "nuovi": nuovi_modulo, "veterani": veterani, "veterano": veterano,
                     "anno": year},
                )
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _name, definition, constraint, constraint_definition in indexes:
            if constraint:
                cursor.execute(f'ALTER TABLE pagamenti_movimento ADD CONSTRAINT "{constraint}" {constraint_definition}')
            else:  # a partitioned table's index reads "ON ONLY": built here for every partition
                cursor.execute(definition.replace(" ON ONLY ", " ON "))
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("SELECT count(*) FROM pagamenti_movimento")
        written = cursor.fetchone()[0] - before
    from pagamenti.consolidamento import saldi_consolida

    saldi_consolida()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
    return written


def _family(consumatore_id: int) -> str:
    """A logged-in family of this child: the session cookie, stored as login leaves it."""
    from django.test import Client

    from comuni.models import User
    from consumatori.models import Consumatore, Tutore

    with scopes_disabled():
        consumatore = Consumatore.objects.get(pk=consumatore_id)
        utente = User.objects.create_user(email=f"crescita-{consumatore_id}@example.org", password=None)
        Tutore.objects.create(comune_id=consumatore.comune_id, consumatore=consumatore, utente=utente,
                              nome="Genitore", cognome=consumatore.cognome, relazione="genitore")
    client = Client()
    client.force_login(utente)
    return f"sessionid={client.cookies['sessionid'].value}"


def _dettaglio(ctx, slug: str, veterano: int, nuovo: int) -> None:
    from .http import gunicorn, wrk

    pages = {"veterano": (veterano, _family(veterano)), "nuovo": (nuovo, _family(nuovo))}
    seconds = 3 if ctx.quick else 10
    rounds = 3 if ctx.quick else 5
    mese = datetime.date.today().strftime("%Y-%m")
    rps: dict[str, list[float]] = {"veterano": [], "nuovo": []}
    # Every request renders from the ledger: the family pages' cache (consumatori.page_cache) would serve
    # the same bytes to both children and hide what the history costs.
    with gunicorn(env={"FAMILY_PAGE_CACHE_SECONDS": "0"}) as base:
        for name, (consumatore_id, cookie) in pages.items():
            # wrk counts a redirect as an answer: the page itself must be what the family gets.
            url = f"{base}/{slug}/consumatori/{consumatore_id}/?mese={mese}"
            request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - loopback only
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
                if response.status != 200 or response.url != request.full_url:
                    raise RuntimeError(f"Dettaglio of the {name} child answered {response.status} {response.url}")
            wrk(request.full_url, 2, cookie=cookie)  # warm up
        for _ in range(rounds):
            for name, (consumatore_id, cookie) in pages.items():
                rps[name].append(wrk(f"{base}/{slug}/consumatori/{consumatore_id}/?mese={mese}", seconds,
                                     cookie=cookie)["rps"])
    print(f"  Dettaglio req/s: five years {[round(r) for r in rps['veterano']]}, "
          f"first year {[round(r) for r in rps['nuovo']]}", flush=True)
    ctx.report("consumer_detail_after_10_years_vs_first_year_ratio",
               [v / n for v, n in zip(rps["veterano"], rps["nuovo"], strict=True)], "ratio", 0.9,
               higher_is_better=True)


def run(ctx) -> None:
    from consumatori.models import Consumatore

    from .bench_mensa import _build, _delete_day, _nightly

    comuni = _build(ctx)
    runs = 3 if ctx.quick else 5
    primo = ctx.measure(lambda: _nightly(comuni), runs=runs, setup=_delete_day)
    print(f"  first year's night: {[round(r, 2) for r in primo]} s", flush=True)

    nuovi_modulo = 5  # a fifth of the children (id % 5 = 1) are in their first year
    with scopes_disabled():
        ids = list(Consumatore.objects.filter(comune=comuni[0]).order_by("pk").values_list("pk", flat=True))
    veterani = [pk for pk in ids if pk % nuovi_modulo != 1][:VETERANI]
    nuovo = next(pk for pk in ids if pk % nuovi_modulo == 1)
    written = _history(veterani, nuovi_modulo)
    with connection.cursor() as cursor:
        # A partitioned table has no size of its own: its partitions' sizes, with their indexes.
        cursor.execute("SELECT pg_size_pretty(sum(pg_total_relation_size(relid))) "
                       "FROM pg_partition_tree('pagamenti_movimento')")
        size = cursor.fetchone()[0]
    print(f"  ten years written: {written:,} movements ({size} with indexes)", flush=True)

    dopo = ctx.measure(lambda: _nightly(comuni), runs=runs, setup=_delete_day)
    print(f"  night after ten years: {[round(r, 2) for r in dopo]} s", flush=True)
    base = statistics.median(primo)
    ctx.report("meal_debit_after_10_years_vs_first_year_ratio", [d / base for d in dopo], "ratio", 1.2)
    _dettaglio(ctx, comuni[0].slug, veterani[0], nuovo)
