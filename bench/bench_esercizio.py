"""Running it as a service: a backup and its restore drill of a database with one million movements
(`restore_drill_1m_movements_s`, target ≤ 300 s): pg_dump of the whole database, the archive, then the
drill (restore into a temporary database, every check, drop), timed together as `make backup` followed by
`make restore-drill`. The ledger is 1,000 children with 1,000 movements each (a tenth with --quick, the
figure then scaled by ten), consolidated as every night."""

from __future__ import annotations

import tempfile

from django.db import connection
from django.test.utils import override_settings


def run(ctx) -> None:
    from bench.bench_pagamenti import _setup
    from esercizio.backup import backup_create
    from esercizio.drill import restore_drill
    from pagamenti.consolidamento import saldi_consolida

    movements = ctx.size(1_000_000)
    comune, _utente, consumatori = _setup(1000)
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO pagamenti_movimento (comune_id, consumatore_id, servizio, tipo, importo, data_valuta,
                riferimento, descrizione, chiave, motivo, creato_il)
            SELECT %s, c.id, 'mensa', 'pasto', -4.10, DATE '2016-09-01' + (g / 1000), '', '', 'pasto:' || g, '', now()
            FROM unnest(%s::bigint[]) WITH ORDINALITY AS c(id, n)
            JOIN generate_series(0, %s - 1) g ON g %% 1000 = c.n - 1""",
                       [comune.pk, [c.pk for c in consumatori], movements])
    saldi_consolida()

    def backup_and_drill() -> None:
        with tempfile.TemporaryDirectory(prefix="omnibus-bench-backup-") as directory, \
                override_settings(BACKUP_DIR=directory, BACKUP_PASSPHRASE=""):
            backup_create(keep=1)
            esiti = restore_drill(out=lambda line: None)
            if not all(e.ok for e in esiti):
                raise RuntimeError("the restore drill failed: " + "; ".join(e.line() for e in esiti if not e.ok))

    runs = ctx.measure(backup_and_drill, runs=1 if ctx.quick else 3)
    scale = 1_000_000 / movements
    ctx.report("restore_drill_1m_movements_s", [r * scale for r in runs], "s", 300)
