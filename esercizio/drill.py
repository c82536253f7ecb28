"""The restore drill: the latest backup restored into a new, temporary database and checked, then dropped.

Each check prints one line with its time. The checks read the restored database in SQL (not through the
portal's models: the drill must not trust what it checks):

- migrations: every migration of this code is recorded as applied;
- balances: each account's consolidated balance (pagamenti_saldoconsolidato) equals the sum of its
  movements up to the consolidation's horizon (the ledger is append-only: any difference is damage);
- paid positions: each has exactly one credited receipt, and each of its lines exactly one credit
  movement of its amount (`avviso:<notice number>`);
- certificates: every medical certificate a stored application refers to is in the archive.
"""

from __future__ import annotations

import datetime
import secrets
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.conf import settings
from django.db.migrations.loader import MigrationLoader

from .backup import BackupError, _run, backups_list, gpg, libpq_env


@dataclass
class Esito:
    nome: str
    ok: bool
    dettaglio: str
    secondi: float

    def line(self) -> str:
        return f"{'OK    ' if self.ok else 'FAILED'} {self.nome}: {self.dettaglio} ({self.secondi:.2f} s)"


def _conninfo(dbname: str) -> str:
    db = settings.DATABASES["default"]
    return psycopg.conninfo.make_conninfo(host=db.get("HOST") or None, port=db.get("PORT") or None,
                                          user=db.get("USER") or None, password=db.get("PASSWORD") or None,
                                          dbname=dbname)


def _tables() -> dict[str, str]:
    from iscrizioni.models import Domanda
    from pagamenti.models import ConsolidamentoSaldi, Movimento, Posizione, Ricevuta, RigaPosizione, SaldoConsolidato

    return {name: model._meta.db_table for name, model in {
        "movimento": Movimento, "saldo": SaldoConsolidato, "consolidamento": ConsolidamentoSaldi,
        "posizione": Posizione, "riga": RigaPosizione, "ricevuta": Ricevuta, "domanda": Domanda}.items()}


def check_migrations(cursor) -> tuple[bool, str]:
    expected = set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    cursor.execute("SELECT app, name FROM django_migrations")
    applied = set(cursor.fetchall())
    missing = sorted(expected - applied)
    if missing:
        return False, f"{len(missing)} of {len(expected)} not applied, e.g. {missing[0][0]}.{missing[0][1]}"
    return True, f"{len(expected)} applied"


def check_balances(cursor) -> tuple[bool, str]:
    t = _tables()
    cursor.execute(f"SELECT COALESCE(MAX(fino_a), 0) FROM {t['consolidamento']}")  # noqa: S608 - our tables
    fino_a = cursor.fetchone()[0]
    cursor.execute(f"""
        WITH somme AS (SELECT consumatore_id, servizio, SUM(importo) AS somma FROM {t['movimento']}
                       WHERE id <= %s GROUP BY consumatore_id, servizio)
        SELECT COALESCE(s.consumatore_id, m.consumatore_id), COALESCE(s.servizio, m.servizio),
               COALESCE(s.saldo, 0), COALESCE(m.somma, 0)
        FROM {t['saldo']} s FULL JOIN somme m ON m.consumatore_id = s.consumatore_id AND m.servizio = s.servizio
        WHERE COALESCE(s.saldo, 0) <> COALESCE(m.somma, 0)
        ORDER BY 1, 2""", [fino_a])  # noqa: S608
    wrong = cursor.fetchall()
    cursor.execute(f"SELECT COUNT(*), (SELECT COUNT(*) FROM {t['movimento']}) FROM {t['saldo']}")  # noqa: S608
    accounts, movements = cursor.fetchone()
    if wrong:
        consumatore, servizio, saldo, somma = wrong[0]
        return False, (f"{len(wrong)} accounts differ, e.g. consumer {consumatore} {servizio}: "
                       f"balance {saldo} but movements {somma}")
    return True, f"{accounts} accounts equal the sum of their movements ({movements} movements)"


def check_paid_positions(cursor) -> tuple[bool, str]:
    t = _tables()
    cursor.execute(f"""
        SELECT p.id, p.numero_avviso FROM {t['posizione']} p WHERE p.stato = 'pagata'
          AND (SELECT COUNT(*) FROM {t['ricevuta']} r WHERE r.posizione_id = p.id AND r.esito = 'accreditata') <> 1
        ORDER BY p.id""")  # noqa: S608
    without_receipt = cursor.fetchall()
    cursor.execute(f"""
        SELECT p.id, p.numero_avviso FROM {t['riga']} l JOIN {t['posizione']} p ON p.id = l.posizione_id
        WHERE p.stato = 'pagata' AND (
            SELECT COUNT(*) FROM {t['movimento']} m WHERE m.consumatore_id = l.consumatore_id
               AND m.servizio = l.servizio AND m.chiave = 'avviso:' || p.numero_avviso AND m.importo = l.importo
        ) <> 1 ORDER BY p.id""")  # noqa: S608
    without_credit = cursor.fetchall()
    cursor.execute(f"SELECT COUNT(*) FROM {t['posizione']} WHERE stato = 'pagata'")  # noqa: S608
    paid = cursor.fetchone()[0]
    if without_receipt:
        return False, f"{len(without_receipt)} paid positions without exactly one receipt, e.g. {without_receipt[0][1]}"
    if without_credit:
        return False, f"{len(without_credit)} lines of paid positions not credited once, e.g. {without_credit[0][1]}"
    return True, f"{paid} paid positions, each with its receipt and its credits once"


def check_certificates(cursor, members: set[str]) -> tuple[bool, str]:
    t = _tables()
    cursor.execute(f"SELECT id, certificato FROM {t['domanda']} WHERE certificato <> '' ORDER BY id")  # noqa: S608
    rows = cursor.fetchall()
    missing = [(pk, name) for pk, name in rows if f"private/{name}" not in members]
    if missing:
        return False, f"{len(missing)} of {len(rows)} certificates missing, e.g. application {missing[0][0]}"
    return True, f"{len(rows)} certificates referenced, all in the archive"


def restore_drill(*, archive: Path | None = None, passphrase: str | None = None,
                  out: Callable[[str], None] = print) -> list[Esito]:
    """Restore `archive` (default: the latest backup) into a temporary database, check it, drop it."""
    archive = archive or (backups_list() or [None])[-1]
    if archive is None:
        raise BackupError(f"no backup in {settings.BACKUP_DIR}: run make backup first")
    passphrase = settings.BACKUP_PASSPHRASE if passphrase is None else passphrase
    started = time.monotonic()
    esiti: list[Esito] = []

    def step(nome: str, fn) -> None:
        t0 = time.monotonic()
        try:
            ok, dettaglio = fn()
        except Exception as error:  # a check that cannot run is a failed check, reported, never a traceback
            ok, dettaglio = False, f"{type(error).__name__}: {str(error).strip()[:300]}"
        esiti.append(Esito(nome, ok, dettaglio, time.monotonic() - t0))
        out(esiti[-1].line())

    out(f"Restore drill of {archive.name}")
    dbname = f"omnibus_drill_{datetime.datetime.now():%Y%m%d%H%M%S}_{secrets.token_hex(3)}"
    admin = psycopg.connect(_conninfo(settings.DATABASES["default"]["NAME"]), autocommit=True)
    with tempfile.TemporaryDirectory(prefix="omnibus-drill-") as work:
        work_path = Path(work)
        tar_path = archive
        members: set[str] = set()

        def unpack() -> tuple[bool, str]:
            nonlocal tar_path
            if archive.name.endswith(".gpg"):
                if not passphrase:
                    return False, "the backup is encrypted: set BACKUP_PASSPHRASE"
                tar_path = work_path / "omnibus.tar"
                gpg(["--decrypt", "--output", str(tar_path), str(archive)], passphrase)
            with tarfile.open(tar_path) as tar:
                members.update(tar.getnames())
                tar.extract("database.dump", work_path, filter="data")
            return True, f"{len(members)} entries, {archive.stat().st_size / 1e6:.1f} MB"

        def restore() -> tuple[bool, str]:
            admin.execute(f'CREATE DATABASE "{dbname}"')
            env = libpq_env() | {"PGDATABASE": dbname}
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--jobs=2",
                  f"--dbname={dbname}", str(work_path / "database.dump")], env=env)
            return True, f"into the temporary database {dbname}"

        try:
            step("archive", unpack)
            if esiti[-1].ok:
                step("restore", restore)
            if esiti[-1].ok:
                with psycopg.connect(_conninfo(dbname), autocommit=True) as conn, conn.cursor() as cursor:
                    step("migrations", lambda: check_migrations(cursor))
                    step("balances", lambda: check_balances(cursor))
                    step("paid positions", lambda: check_paid_positions(cursor))
                    step("certificates", lambda: check_certificates(cursor, members))
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            admin.close()
    ok = all(e.ok for e in esiti)
    out(f"{'Drill passed' if ok else 'DRILL FAILED'} in {time.monotonic() - started:.1f} s; "
        f"temporary database {dbname} dropped")
    return esiti
