"""Benchmark: clerks of one unit acting on different dossiers at once do not wait for each other.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onestop \\
        .venv/bin/python bench/one_unit_actions.py [--dossiers 400] [--clients 8]

In a throw-away PostgreSQL database with the demo district: registers DOSSIERS walk-in dossiers at one
commune desk through the services, then hands each on along its route (``dossier_hand_over``), first
from one process, then from CLIENTS processes at once, each with its own dossiers of the same unit
and procedures. A monitor samples ``pg_stat_activity`` every 5 ms and counts the samples in which a
client's session waits for a lock (row locks on the unit or procedure rows would show here: every
action of the unit would queue behind the others). Prints actions per second for each run, the lock
wait samples, and errors (deadlocks included).
"""

import argparse
import logging
import multiprocessing
import os
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")

import django

django.setup()

from io import StringIO  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from _common import throwaway_database  # noqa: E402

UNIT = "000.12.22.H56"  # a commune desk of the demo district (Xuân Du)


def register(count: int) -> list[int]:
    from accounts.constants import Role
    from accounts.models import Agency
    from dossiers.constants import ResultDelivery
    from dossiers.demo_history import _citizens, _staff, district_offer
    from dossiers.services import dossier_register_at_desk
    from dossiers.services.routing import route_ahead

    district = Agency.objects.get(code="000.00.22.H56")
    units, offered = district_offer(district)
    unit = next(u for u in units if u.code == UNIT)
    clerk, staff = _staff(unit, Role.CLERK, {}), {}
    citizen = _citizens(1)[0]
    versions = [v for v in offered[unit.pk] if v.steps.exists()]
    ids = []
    for n in range(count):
        version = versions[n % len(versions)]
        dossier = dossier_register_at_desk(
            clerk=clerk,
            agency=unit,
            version=version,
            applicant=citizen,
            applicant_data={"full_name": citizen.full_name, "phone": citizen.phone},
            form_data={},
            result_delivery=ResultDelivery.DESK,
            submission_key=uuid.uuid4(),
        )
        for step in route_ahead(dossier=dossier)[:1]:
            target = Agency.objects.get(pk=step.agency_id or unit.pk)
            _staff(target, step.role, staff)
        ids.append(dossier.pk)
    return ids


def hand_on(ids: list[int]) -> tuple[int, list[str]]:
    """Each dossier of ``ids`` handed to its route's next step by the desk clerk; (done, errors)."""
    from accounts.constants import Role
    from accounts.models import Agency, StaffMembership
    from dossiers.models import Dossier
    from dossiers.services import dossier_hand_over
    from dossiers.services.routing import route_ahead, step_unit_id

    connections.close_all()
    done, errors = 0, []
    for pk in ids:
        dossier = Dossier.objects.select_related("procedure_version", "agency", "current_agency", "applicant").get(
            pk=pk
        )
        step = route_ahead(dossier=dossier)[0]
        unit = Agency.objects.get(pk=step_unit_id(step, dossier))
        to_user = StaffMembership.objects.filter(agency=unit, role=step.role, is_active=True).first().user
        clerk = StaffMembership.objects.filter(agency=dossier.agency, role=Role.CLERK, is_active=True).first().user
        try:
            dossier_hand_over(dossier=dossier, by=clerk, to_agency=unit, to_user=to_user)
            done += 1
        except Exception as error:  # a deadlock or a lock timeout would land here
            errors.append(f"{type(error).__name__}: {error}"[:200])
    connection.close()
    return done, errors


def monitor(database: str, stop: threading.Event, samples: list) -> None:
    import psycopg2

    settings = connection.settings_dict
    watch = psycopg2.connect(
        dbname=database, user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432
    )
    watch.autocommit = True
    with watch.cursor() as cursor:
        while not stop.is_set():
            cursor.execute(
                "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), count(*) FILTER (WHERE state = 'active')"
                " FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [database],
            )
            samples.append(cursor.fetchone())
            time.sleep(0.005)
    watch.close()


def run(ids: list[int], clients: int) -> dict:
    shares = [ids[n::clients] for n in range(clients)]
    database = connection.settings_dict["NAME"]
    connections.close_all()
    stop, samples = threading.Event(), []
    watcher = threading.Thread(target=monitor, args=(database, stop, samples))
    watcher.start()
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        results = pool.map(hand_on, shares)
    elapsed = time.perf_counter() - started
    stop.set()
    watcher.join()
    done = sum(r[0] for r in results)
    errors = [e for r in results for e in r[1]]
    waiting = sum(1 for locks, _active in samples if locks)
    return {
        "done": done,
        "seconds": elapsed,
        "rate": done / elapsed,
        "errors": errors,
        "samples": samples,
        "lock_samples": waiting,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # a line per in-process message otherwise
    with throwaway_database():
        if connection.vendor != "postgresql":
            sys.exit("PostgreSQL only: set DATABASE_URL")
        call_command("seed_demo", stdout=StringIO())
        ids = register(args.dossiers)
        half = len(ids) // 2
        one = run(ids[:half], 1)
        many = run(ids[half:], args.clients)
        print(f"database: postgresql; cores: {os.cpu_count()}; unit {UNIT}; hand-overs of different dossiers")
        for label, result in (("1 client", one), (f"{args.clients} clients", many)):
            print(
                f"{label:>11}: {result['done']} hand-overs in {result['seconds']:.1f} s = {result['rate']:.0f}/s; "
                f"lock-wait samples {result['lock_samples']} of {len(result['samples'])}; "
                f"errors {len(result['errors'])}"
            )
            for error in result["errors"][:5]:
                print("   ", error)


if __name__ == "__main__":
    main()
