"""Monthly transport debit for 100,000 enrolments against the bare SQL INSERT … SELECT of the same
ledger rows (ratio, target 1.5 as in quality.md), and a second run of the same month as a fraction of the first.

The bare SQL writes the same rows under the same unique key (consumer, service, "mese:YYYY-MM") with
ON CONFLICT DO NOTHING, as the meal debit's bare SQL does (bench_mensa): the key is what makes any monthly
debit idempotent (quality.md), so it is part of the least SQL that does this job. Every timed run starts
after the comune's rows are deleted, vacuumed and checkpointed (untimed)."""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

from django.db import connection
from django_scopes import scope, scopes_disabled

MESE = "2026-04"
PRIMO = datetime.date(2026, 4, 1)


def _populate(n: int):
    from comuni.models import Comune
    from consumatori.models import AnnoScolastico
    from trasporto.models import Fermata, Linea, Percorso, TariffaTrasporto

    with scopes_disabled():
        comune, _ = Comune.objects.get_or_create(
            slug="bench-trasporto",
            defaults={"nome": "Bench Trasporto", "codice_fiscale": "12345678903", "provincia": "TA",
                      "data_attivazione_trasporto": datetime.date(2026, 1, 7)},
        )
        anno, _ = AnnoScolastico.objects.get_or_create(
            comune=comune, nome="2025/26",
            defaults={"data_inizio": datetime.date(2025, 9, 15), "data_fine": datetime.date(2026, 6, 10)},
        )
        linea, _ = Linea.objects.get_or_create(comune=comune, anno_scolastico=anno, nome="Linea bench")
        fermata, _ = Fermata.objects.get_or_create(comune=comune, linea=linea, ordine=1, defaults={"nome": "Piazza"})
        for percorso, importo in [(Percorso.ANDATA_RITORNO, "25.00"), (Percorso.SOLO_ANDATA, "15.00")]:
            TariffaTrasporto.objects.get_or_create(
                comune=comune, percorso=percorso, fascia=None, valido_dal=datetime.date(2025, 9, 1),
                defaults={"importo_mensile": Decimal(importo), "riduzione_fratelli": Decimal("20")},
            )
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO consumatori_consumatore (comune_id, nome, cognome, codice_fiscale, data_nascita,
                   classe_id, dieta_speciale, note_dieta, codice_pagamento, attivo, creato_il)
               SELECT %s, 'Alunno', 'N' || g, lpad(g::text, 16, 'X'), DATE '2018-01-01', NULL, FALSE, '',
                   'B' || lpad(g::text, 11, '0'), TRUE, now()
               FROM generate_series(1, %s) g""",
            [comune.pk, n],
        )
        # Most on the full route, one in five with the sibling reduction, one in ten outward only.
        cursor.execute(
            """INSERT INTO trasporto_iscrizione (comune_id, consumatore_id, linea_id, fermata_id, percorso,
                   data_inizio, data_fine, fascia_id, esente, riduzione_fratelli, note, creato_il)
               SELECT c.comune_id, c.id, %s, %s,
                   CASE WHEN c.id %% 10 = 0 THEN 'solo_andata' ELSE 'andata_ritorno' END,
                   DATE '2026-01-07', DATE '2026-06-10', NULL, FALSE, c.id %% 5 = 0, '', now()
               FROM consumatori_consumatore c WHERE c.comune_id = %s""",
            [linea.pk, fermata.pk, comune.pk],
        )
        cursor.execute("ANALYZE")
    return comune


BARE_SQL = """
    INSERT INTO pagamenti_movimento (comune_id, consumatore_id, servizio, tipo, importo, data_valuta,
        riferimento, descrizione, chiave, creato_da_id, motivo, creato_il)
    SELECT i.comune_id, i.consumatore_id, 'trasporto', 'mensilita', -25.00, DATE '2026-04-01', '2026-04',
        'Mensilità trasporto aprile 2026', 'mese:2026-04', NULL, '', now()
    FROM trasporto_iscrizione i WHERE i.comune_id = %s
    ON CONFLICT (consumatore_id, servizio, chiave, data_valuta) DO NOTHING
"""


def _clear(comune) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM pagamenti_movimento WHERE comune_id = %s", [comune.pk])
        # The ledger is append-only in the portal: with its rows gone, so goes the record of the month's debit.
        cursor.execute("DELETE FROM trasporto_addebitomensilita WHERE comune_id = %s", [comune.pk])
        cursor.execute("VACUUM ANALYZE pagamenti_movimento")
        cursor.execute("CHECKPOINT")


def run(ctx) -> None:
    from trasporto.services import mensilita_debit

    n = ctx.size(100_000)
    comune = _populate(n)
    runs = 3 if ctx.quick else 5

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(BARE_SQL, [comune.pk])

    def service() -> int:
        with scope(comune=comune):
            return mensilita_debit(comune=comune, mese=MESE).addebitati

    ratios, seconds, service_times, second_fractions = [], [], [], []
    for _ in range(runs):
        _clear(comune)
        start = time.perf_counter()
        bare()
        bare_time = time.perf_counter() - start
        _clear(comune)
        start = time.perf_counter()
        written = service()
        first = time.perf_counter() - start
        assert written == n, f"expected {n} fees, wrote {written}"
        start = time.perf_counter()
        again = service()
        second = time.perf_counter() - start
        assert again == 0, "the second run of the month wrote fees"
        ratios.append(first / bare_time)
        seconds.append(bare_time)
        service_times.append(first)
        second_fractions.append(second / first)
    ctx.report("transport_debit_bare_sql_seconds", seconds, "s", 60)
    ctx.report("transport_debit_seconds", service_times, "s", 60)
    ctx.report("transport_debit_vs_bare_sql_ratio", ratios, "ratio", 1.5)
    ctx.report("transport_debit_second_run_vs_first_ratio", second_fractions, "ratio", 0.05)
    _clear(comune)
