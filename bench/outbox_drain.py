"""Benchmark: how fast Celery workers drain the notification outbox.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onestop REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/outbox_drain.py [--changes 10000] [--workers 2]

In a throw-away PostgreSQL database with the demo district: N status changes through the services
(half receptions, half withdrawals, each writing an in-portal, an email and an SMS row and queueing them on
Redis after commit) while no worker runs; then real ``celery worker`` processes start and the clock
runs until no row is pending. Mail goes to files, SMS to the local gateway simulator over HTTP.
Prints the time to write the changes, the drain time and messages per second by channel, and the
time a status change takes when the broker is down (it must not wait on it).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")

import django  # noqa: E402

django.setup()

from io import StringIO  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from _common import p95, submitted_dossiers, throwaway_database  # noqa: E402

WORKER = [sys.executable, "-m", "celery", "-A", "onestop", "worker", "--pool=prefork", "--concurrency=1"]
WORKER += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=ERROR"]


def status_changes(dossiers) -> tuple[int, float]:
    from accounts.models import User
    from dossiers.services import dossier_receive, dossier_withdraw

    clerk = User.objects.get(email="motcua.bensung@demo.vn")
    citizen = User.objects.get(email="congdan@demo.vn")
    started = time.perf_counter()
    changes = 0
    for dossier in dossiers:
        dossier = dossier_receive(dossier=dossier, by=clerk).dossier
        dossier_withdraw(dossier=dossier, by=citizen, reason="Benchmark")
        changes += 2
    return changes, time.perf_counter() - started


def drain(workers: int, env: dict) -> float:
    from dossiers.constants import NotificationStatus
    from dossiers.models import Notification

    processes = [
        subprocess.Popen(
            [*WORKER, "-n", f"bench{i}@%h"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(workers)
    ]
    started = time.perf_counter()
    try:
        while Notification.objects.filter(status=NotificationStatus.PENDING).exists():
            time.sleep(0.2)
        return time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)


def broker_down_latency(dossiers) -> list[float]:
    """Status changes while the broker refuses connections: what the clerk waits."""
    from accounts.models import User
    from dossiers.services import dossier_receive
    from onestop.celery import app

    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    clerk = User.objects.get(email="motcua.bensung@demo.vn")
    times = []
    for dossier in dossiers:
        started = time.perf_counter()
        dossier_receive(dossier=dossier, by=clerk)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL")
    if connection.vendor != "postgresql" or not redis_url:
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: workers are separate processes.")

    import redis

    from dossiers.models import Notification
    from onestop.celery import app
    from onestop.sms_simulator import GatewaySimulator

    broker_url = redis_url.rsplit("/", 1)[0] + "/14"  # a database of its own, emptied first
    redis.Redis.from_url(broker_url).flushdb()
    app.conf.broker_url = broker_url
    app.conf.task_always_eager = False
    gateway = GatewaySimulator().start()
    mail_dir = Path(tempfile.mkdtemp(prefix="outbox-bench-mail-"))
    with throwaway_database():
        call_command("seed_demo", stdout=StringIO())
        dossiers = submitted_dossiers(args.changes // 2 + 50)
        changes, writing = status_changes(dossiers[: args.changes // 2])
        rows = Notification.objects.filter(dossier__in=dossiers[: args.changes // 2]).count()
        rate = changes / writing
        print(f"{changes} status changes through the services in {writing:.1f} s ({rate:.0f}/s), {rows} outbox rows")
        database = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_FILE_PATH": str(mail_dir),
            "SMS_BACKEND": "onestop.sms.HttpGatewayBackend",
            "SMS_GATEWAY_URL": gateway.url,
        }
        connection.close()
        seconds = drain(args.workers, env)
        sent = Notification.objects.filter(status="sent").count()
        by_channel = dict(Notification.objects.values_list("channel").annotate(n=django.db.models.Count("pk")))
        print(
            f"drained {sent} messages with {args.workers} worker processes in {seconds:.1f} s: "
            f"{sent / seconds:.0f} messages/s ({by_channel})"
        )
        mails = sum(path.read_text().count("\nMessage-ID: ") for path in mail_dir.glob("*.log"))
        print(f"SMS reaching the gateway simulator: {len(gateway.delivered)}; mails in the mail files: {mails}")
        times = broker_down_latency(dossiers[args.changes // 2 :])
        print(
            f"status change with the broker down: median {statistics.median(times):.1f} ms, "
            f"p95 {p95(times):.1f} ms, max {max(times):.1f} ms over {len(times)}"
        )
    gateway.stop()


if __name__ == "__main__":
    main()
