"""Benchmark: a desk clerk's work queue over 100,000 dossiers in PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onestop \\
        .venv/bin/python bench/work_queue.py [--dossiers 100000] [--repeat 30]

Loads the demo district, spreads N dossiers over its 14 communes and the district desk in every
status (bulk inserts: this measures reading, not writing), then requests the clerk's queue page
(``/mot-cua/ho-so/``) with and without filters through Django's test client, printing the median and
95th percentile page time, the SQL queries per page, and the EXPLAIN ANALYZE plan of the queue query,
to show it is served by an index.
"""

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")

import django

django.setup()

from io import StringIO  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from _common import p95, throwaway_database  # noqa: E402

STATUSES = [
    ("returned", 0.62),
    ("done", 0.05),
    ("processing", 0.12),
    ("received", 0.05),
    ("submitted", 0.06),
    ("supplement_requested", 0.03),
    ("awaiting_payment", 0.01),
    ("refused", 0.02),
    ("withdrawn", 0.02),
    ("stopped", 0.02),
]


def load(count: int) -> None:
    from accounts.models import Agency, User
    from dossiers.models import Dossier
    from procedures.selectors import version_list_current

    call_command("seed_demo", stdout=StringIO())
    rng = random.Random(2026)
    agencies = list(Agency.objects.filter(kind__in=["commune", "desk"]))
    versions = list(version_list_current())
    citizen = User.objects.get(email="congdan@demo.vn")
    statuses, weights = zip(*STATUSES, strict=True)
    now = timezone.now()
    batch = []
    for n in range(count):
        agency = rng.choice(agencies)
        status = rng.choices(statuses, weights)[0]
        submitted = now - timedelta(days=rng.uniform(0, 700))
        due = submitted + timedelta(days=rng.uniform(1, 20))
        batch.append(
            Dossier(
                reference=uuid.uuid4(),
                code=f"{agency.code}-{submitted:%y%m%d}-B{n:07d}",
                procedure_version=rng.choice(versions),
                agency=agency,
                current_agency=agency,
                applicant=citizen,
                created_by=citizen,
                status=status,
                channel=rng.choice([1, 2, 2, 3]),
                service_level=3,
                applicant_data={"full_name": f"Công dân {n}", "phone": f"09{n:08d}"},
                submitted_at=submitted,
                received_at=submitted,
                due_at=due,
            )
        )
        if len(batch) == 5000:
            Dossier.objects.bulk_create(batch)
            batch = []
    Dossier.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(repeat: int) -> None:
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="motcua.bensung@demo.vn"))
    cases = [
        ("open queue", {}),
        ("overdue", {"due": "overdue"}),
        ("due soon", {"due": "soon"}),
        ("status: submitted", {"status": "submitted"}),
        ("search by code", {"q": "B00012"}),
        ("search by phone", {"q": "0900001234"}),
        ("page 5", {"page": "5"}),
    ]
    print(f"{'queue page':<22}{'rows':>8}{'queries':>9}{'median ms':>11}{'p95 ms':>9}")
    for label, params in cases:
        client.get("/mot-cua/ho-so/", params)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get("/mot-cua/ho-so/", params)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/mot-cua/ho-so/", params)
        rows = response.context["page"].paginator.count
        times.sort()
        print(f"{label:<22}{rows:>8}{len(queries):>9}{statistics.median(times):>11.1f}{p95(times):>9.1f}")


def explain() -> None:
    from accounts.models import User
    from dossiers.selectors import dossier_queue

    clerk = User.objects.get(email="motcua.bensung@demo.vn")
    queryset = dossier_queue(user=clerk)[:50]
    print("\nEXPLAIN ANALYZE of the open queue's page query:")
    print(queryset.explain(analyze=True) if connection.vendor == "postgresql" else queryset.explain())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with throwaway_database():
        started = time.perf_counter()
        load(args.dossiers)
        elapsed = time.perf_counter() - started
        print(f"database: {connection.vendor}; {args.dossiers} dossiers loaded in {elapsed:.0f} s")
        measure(args.repeat)
        explain()


if __name__ == "__main__":
    main()
