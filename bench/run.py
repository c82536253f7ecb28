"""`make bench`: the speed targets of quality.md, measured on a PostgreSQL database of their own.

Usage: python -m bench.run [--quick] [--only NAME ...]

Creates the database `<DATABASE_URL name>_bench`, migrates it, runs every `bench/bench_*.py` module's
`run(ctx)`, writes var/bench/report.json (a list of {"name", "value", "unit", "target", "ok", "runs"},
value being the median) and prints the same as a table, then drops the database.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class BenchContext:
    quick: bool
    results: list[dict] = field(default_factory=list)

    def size(self, full: int) -> int:
        """A data size: the full figure, or a tenth of it with --quick."""
        return max(1, full // 10) if self.quick else full

    def measure(
        self, fn: Callable[[], object], runs: int = 5, setup: Callable[[], object] | None = None
    ) -> list[float]:
        """Run fn `runs` times (setup before each, untimed) and return the durations in seconds."""
        durations = []
        for _ in range(runs):
            if setup is not None:
                setup()
            start = time.perf_counter()
            fn()
            durations.append(time.perf_counter() - start)
        return durations

    def report(self, name: str, runs: list[float], unit: str, target: float, higher_is_better: bool = False,
               value: float | None = None) -> dict:
        """Record one figure; value defaults to the median of runs."""
        median = statistics.median(runs) if value is None else value
        ok = median >= target if higher_is_better else median <= target
        entry = {"name": name, "value": round(median, 4), "unit": unit, "target": target, "ok": ok,
                 "runs": [round(r, 4) for r in runs]}
        self.results.append(entry)
        print(f"  {name}: {entry['value']} {unit} (target {'≥' if higher_is_better else '≤'} {target}) "
              f"{'ok' if ok else 'MISSED'}", flush=True)
        return entry


def _bench_database() -> str:
    import environ

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/omnibus")
    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://... or start it on 127.0.0.1:5432")
    name = f"{config['NAME']}_bench"
    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    return name


def _recreate(name: str, drop_only: bool = False) -> None:
    import psycopg

    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes, fewer runs")
    parser.add_argument("--only", nargs="*", help="module names without the bench_ prefix")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnibus.settings")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    name = _bench_database()
    _recreate(name)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        ctx = BenchContext(quick=args.quick)
        modules = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
                         if m.name.startswith("bench_"))
        for module_name in modules:
            if args.only and module_name.removeprefix("bench_") not in args.only:
                continue
            print(f"{module_name}:", flush=True)
            # Each module builds its own data set: start it from empty tables.
            call_command("flush", interactive=False, verbosity=0)
            importlib.import_module(f"bench.{module_name}").run(ctx)
        out = ROOT / "var" / "bench" / "report.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(ctx.results, indent=2, ensure_ascii=False))
        print()
        width = max((len(r["name"]) for r in ctx.results), default=10)
        print(f"{'name'.ljust(width)}  {'value':>12}  unit        target      ok")
        for r in ctx.results:
            print(f"{r['name'].ljust(width)}  {r['value']:>12}  {r['unit']:<10}  {r['target']:<10}  "
                  f"{'yes' if r['ok'] else 'NO'}")
        print(f"\nreport: {out.relative_to(ROOT)}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _recreate(name, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
