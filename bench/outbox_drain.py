"""Benchmark: how fast Celery workers drain the notification outbox, against an empty task.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onestop REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/outbox_drain.py [--changes 10000] [--workers 2] [--redis-db 14] [--port 0]

In a throw-away PostgreSQL database (``<name>_drain``) with the demo district: N status changes through
the services (half receptions, half withdrawals, each writing an in-portal, an email and an SMS row and
queueing them on Redis after commit) while no worker runs; then real ``celery worker`` processes
(prefork, one pool process each, the portal's Celery settings) start and the clock runs from the first
message taken until no row is pending. Mail goes over SMTP to a local mail sink, SMS over HTTP to the
local gateway simulator, so a connection kept per gateway is a real one for both.

For scale, the same workers first drain as many empty tasks (Celery's built-in ``celery.accumulate``),
timed the same way: the ratio says how close the outbox comes to Celery's own cost per task.

Prints the time to write the changes; empty tasks per second; messages per second and per worker, by
channel; the connections opened to the gateway, the mail sink and PostgreSQL during the drain; what
reached the gateway and the sink (each message once); and the time a status change takes when the
broker is down (it must not wait on it). ``--redis-db`` names the Redis database used as the broker (it
is emptied first); ``--port`` the first of two ports for the simulators (0: any free ones).
"""

import argparse
import os
import statistics
import subprocess
import sys
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
POLL = 0.05


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


def timed_drain(workers: int, env: dict, remaining) -> tuple[int, float]:
    """Start the workers and wait until ``remaining()`` is 0. Returns how many were done and in how
    many seconds, counted from the first one done (the workers' start-up is not the work measured)."""
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
    try:
        total = left = remaining()
        while left == total:
            if any(process.poll() is not None for process in processes):
                sys.exit("a worker exited before taking any work")
            time.sleep(POLL)
            left = remaining()
        started, counted = time.perf_counter(), left
        while left:
            time.sleep(POLL)
            left = remaining()
        return counted, time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)


def empty_tasks(count: int, workers: int, env: dict, broker) -> float:
    """Empty tasks per second per worker, on the default queue."""
    from onestop.celery import app

    queue = app.conf.task_default_queue
    with app.producer_or_acquire() as producer:
        for _ in range(count):
            app.send_task("celery.accumulate", (), queue=queue, producer=producer)

    def remaining() -> int:
        return broker.llen(queue) + broker.hlen("unacked")

    done, seconds = timed_drain(workers, env, remaining)
    return done / seconds / workers


def database_sessions(name: str) -> int:
    """Connections ever opened to database ``name`` (PostgreSQL's statistics)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s", [name])
        return cursor.fetchone()[0]


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
    parser.add_argument("--redis-db", type=int, default=14, help="the broker's Redis database, emptied first")
    parser.add_argument("--port", type=int, default=0, help="first of two ports for the simulators")
    parser.add_argument(
        "--empty-tasks", type=int, default=0, help="how many empty tasks (default: as many as messages)"
    )
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL")
    if connection.vendor != "postgresql" or not redis_url:
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: workers are separate processes.")

    from django.db.models import Count, Max, Min

    import redis

    from dossiers.models import Notification
    from onestop.celery import app
    from onestop.sms_simulator import GatewaySimulator
    from onestop.smtp_sink import MailSink

    broker_url = redis_url.rsplit("/", 1)[0] + f"/{args.redis_db}"  # a database of its own, emptied first
    broker = redis.Redis.from_url(broker_url)
    broker.flushdb()
    app.conf.broker_url = broker_url
    app.conf.task_always_eager = False
    gateway = GatewaySimulator(port=args.port).start()
    sink = MailSink(port=args.port + 1 if args.port else 0).start()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{connection.settings_dict['NAME']}_drain"
    with throwaway_database():
        call_command("seed_demo", stdout=StringIO())
        dossiers = submitted_dossiers(args.changes // 2 + 50)
        database = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "SMS_BACKEND": "onestop.sms.HttpGatewayBackend",
            "SMS_GATEWAY_URL": gateway.url,
        }
        # First, with nothing else queued: as many empty tasks as there will be messages.
        baseline = empty_tasks(args.empty_tasks or args.changes * 3, args.workers, env, broker)
        print(f"empty Celery tasks: {baseline:.0f} tasks/s per worker ({args.workers} worker processes)")
        changes, writing = status_changes(dossiers[: args.changes // 2])
        rows = Notification.objects.filter(dossier__in=dossiers[: args.changes // 2]).count()
        rate = changes / writing
        print(f"{changes} status changes through the services in {writing:.1f} s ({rate:.0f}/s), {rows} outbox rows")
        pending = Notification.objects.filter(status="pending")
        sessions = database_sessions(database["NAME"])
        connection.close()
        done, seconds = timed_drain(args.workers, env, pending.count)
        time.sleep(1)  # the workers' backends report their statistics as they exit
        sessions = database_sessions(database["NAME"]) - sessions - 1  # this process's own, to read it
        sent = Notification.objects.filter(status="sent")
        rate = done / seconds
        print(
            f"drained {done} messages with {args.workers} worker processes in {seconds:.1f} s: "
            f"{rate:.0f} messages/s, {rate / args.workers:.0f} per worker, "
            f"{rate / args.workers / baseline:.2f}x an empty task"
        )
        spans = sent.values("channel").annotate(n=Count("pk"), first=Min("sent_at"), last=Max("sent_at"))
        for span in spans.order_by("channel"):
            span_seconds = (span["last"] - span["first"]).total_seconds()
            print(f"  {span['channel']}: {span['n']} sent, the last {span_seconds:.1f} s after the first")
        failed = Notification.objects.exclude(status="sent").count()
        print(
            f"connections opened during the drain: gateway {getattr(gateway, 'connections', '?')}, "
            f"mail sink {getattr(sink, 'connections', '?')}, PostgreSQL {sessions}; rows not sent: {failed}"
        )
        mail_ids = sink.message_ids()
        sms_rows, mail_rows = sent.filter(channel="sms").count(), sent.filter(channel="email").count()
        print(
            f"SMS reaching the gateway: {len(gateway.delivered)} for {sms_rows} rows "
            f"({len(gateway.requests)} requests); mails at the sink: {len(mail_ids)} "
            f"({len(set(mail_ids))} distinct Message-IDs) for {mail_rows} rows"
        )
        times = broker_down_latency(dossiers[args.changes // 2 :])
        print(
            f"status change with the broker down: median {statistics.median(times):.1f} ms, "
            f"p95 {p95(times):.1f} ms, max {max(times):.1f} ms over {len(times)}"
        )
    gateway.stop()
    sink.stop()
    broker.flushdb()


if __name__ == "__main__":
    main()
