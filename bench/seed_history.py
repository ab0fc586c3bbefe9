"""Benchmark: how fast the demo history is made through the services, and what the report shows of it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onestop \\
        .venv/bin/python bench/seed_history.py [--year 2021] [--until 2021-06-30] [--workers 2]

In a throw-away database (PostgreSQL when DATABASE_URL is set, else SQLite) with the demo district and
catalogue: the history of dossiers received in YEAR (``dossiers.demo_history.generate_history``, as
``seed_demo --history YEAR`` makes it; ``--until`` stops earlier), timed. Prints the dossiers made, the
seconds, dossiers per second and CPU seconds per dossier (this process and its workers), then the
online-service table of the first half of 2021 per unit through the report's own function
(``reports.indicators.indicator_table``), with each unit's online share and on-time rate.
"""

import argparse
import os
import resource
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")

import django

django.setup()

from io import StringIO  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from _common import throwaway_database  # noqa: E402


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def table(year: int) -> None:
    from accounts.models import Agency
    from reports.indicators import indicator_table
    from reports.periods import period_range

    result = indicator_table(
        agency=Agency.objects.get(code="000.00.22.H56"), period=period_range(date(year, 1, 1), date(year, 6, 30))
    )
    print(f"\nOnline-service table, 01/01/{year} – 30/06/{year} (reports.indicators):")
    header = f"{'unit':<36} {'recv':>5} {'online':>6} {'L3':>5} {'L4':>5} {'share %':>8} {'on time %':>9}"
    print(header)
    print("-" * len(header))
    for row in [*result.report.rows, result.report.total]:
        counts, rates = row.counts, result.rates(row)
        print(
            f"{str(row.label)[:36]:<36} {counts.get('received', 0):>5} {counts.get('online', 0):>6} "
            f"{counts.get('online_l3', 0):>5} {counts.get('online_l4', 0):>5} "
            f"{rates['online_share'] or 0:>8} {rates['on_time_rate'] or 0:>9}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--until", type=date.fromisoformat, default=None, help="last reception day (ISO)")
    parser.add_argument("--workers", type=int, default=None, help="default: 2 on PostgreSQL, 1 on SQLite")
    args = parser.parse_args()
    from dossiers.demo_history import generate_history

    with throwaway_database():
        call_command("seed_demo", stdout=StringIO())
        workers = args.workers or (2 if connection.vendor == "postgresql" else 1)
        until = args.until or date(args.year, 12, 31)
        cpu, started = cpu_seconds(), time.perf_counter()
        outcomes = generate_history(since=date(args.year, 1, 1), until=until, settle=True, workers=workers)
        elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        count = sum(outcomes.values())
        print(f"database: {connection.vendor}; workers: {workers}; cores: {os.cpu_count()}")
        print(f"history {args.year} (to {until:%d/%m/%Y}): {count} dossiers in {elapsed:.1f} s")
        print(f"{count / elapsed:.1f} dossiers/s; {1000 * cpu / count:.1f} ms CPU per dossier (Python side)")
        print(f"outcomes: {outcomes}")
        table(args.year)


if __name__ == "__main__":
    main()
