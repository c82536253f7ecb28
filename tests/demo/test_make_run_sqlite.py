"""`make run` works on SQLite and the filesystem broker: the migrations apply and the whole demo loads.

The rest of the suite runs on PostgreSQL, where raw SQL that SQLite does not speak (LATERAL, `::text`,
NOW(), arrays) would pass unseen; this runs the two commands of `make run` in a child process on a
fresh SQLite file, without Redis, as a newcomer's machine does."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_run_migrates_and_seeds_the_demo_on_sqlite(tmp_path):
    database = tmp_path / "omnibus.sqlite3"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DATABASE_URL=f"sqlite:///{database}", DEBUG="1")
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        result = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=600)
        assert result.returncode == 0, f"manage.py {command[0]} failed on SQLite:\n{result.stderr[-4000:]}"
    with sqlite3.connect(database) as db:
        # The demo's daily flow and the school year around it are there: families, meals debited by the
        # nightly job, the office's reminders, the enrolment applications.
        counts = {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
                  for table in ("consumatori_tutore", "pagamenti_movimento", "ufficio_sollecito",
                                "iscrizioni_domanda")}
    assert all(counts.values()), counts
