"""Fault drill of the outbox: made / delivered / duplicated / lost per fault, counting raw sends.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onestop \\
        .venv/bin/python bench/fault_drill.py [--dossiers 40] [--gateway-outage 600] [--only kill,redis,...]

In a throw-away PostgreSQL database with the demo district, with real processes: one Celery worker per
queue (celery, mail, sms; two pool processes each) on a private ``redis-server`` the drill can stop, the
SMS gateway simulator over HTTP, and an SMTP server of the drill's own that keeps every message it
receives. This process plays the web (status changes through the services, each writing an in-portal, an
e-mail and an SMS row) and beat (the sweep once a minute, as scheduled). Each fault, in turn:

- ``kill``: sends take 2 s at the gateway and at the mail server; the mail and SMS workers are killed
  with ``kill -9`` while sends are in flight, then started again;
- ``redis``: the broker is stopped for 60 s while status changes are made;
- ``postgres``: sends take 2 s again, and PostgreSQL is restarted (``pg_ctlcluster … restart``) while the
  workers deliver;
- ``gateway``: the SMS gateway answers 500 for ``--gateway-outage`` seconds (10 minutes);
- ``smtp``: the mail server accepts connections and never answers for 60 s.

Then it waits until every row is settled and prints, per channel: rows made, rows delivered, raw sends
(every request the gateway received, failed ones included, and every message the mail server received,
not de-duplicated), messages accepted more than once, messages lost (made but never accepted), and rows
marked "uncertain" (a send interrupted mid-call and sent again under the same SMS ``ref`` or e-mail
``Message-ID``: the desk sees them). The task time limit is
30 s for the drill (``CELERY_TASK_TIME_LIMIT``), so an interrupted send is found after 90 s, not 6 min.
Restarting PostgreSQL affects everything on the machine: run it on a machine of its own.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
os.environ["CELERY_TASK_TIME_LIMIT"] = "30"
os.environ["CELERY_TASK_SOFT_TIME_LIMIT"] = "25"

import django  # noqa: E402

django.setup()

from io import StringIO  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from _common import submitted_dossiers, throwaway_database  # noqa: E402

from onestop.smtp_sink import MailSink, free_port  # noqa: E402

FAULTS = ["kill", "redis", "postgres", "gateway", "smtp"]


class Redis:
    def __init__(self, folder: Path):
        self.port, self.folder, self.process = free_port(), folder, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


class Workers:
    def __init__(self, env):
        self.env, self.processes = env, {}

    def start(self, queue):
        self.processes[queue] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "onestop",
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                f"--queues={queue}",
                f"--hostname={queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=ERROR",
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill(self, queue):
        os.killpg(self.processes[queue].pid, signal.SIGKILL)  # the worker and its pool, sends in hand
        self.processes[queue].wait(10)

    def stop_all(self):
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def changes(dossiers):
    """Two status changes per dossier through the services (reception, withdrawal)."""
    from accounts.models import User
    from dossiers.services import dossier_receive, dossier_withdraw

    clerk = User.objects.get(email="motcua.bensung@demo.vn")
    citizen = User.objects.get(email="congdan@demo.vn")
    for dossier in dossiers:
        dossier = dossier_receive(dossier=dossier, by=clerk).dossier
        dossier_withdraw(dossier=dossier, by=citizen, reason="Diễn tập")


def sweep():
    from dossiers.outbox import notifications_sweep

    try:
        notifications_sweep()
    except Exception as error:
        print(f"    sweep skipped: {type(error).__name__}")
        connection.close()


def settle(dossiers, *, limit: float) -> float:
    """Sweep once a minute until no row of ``dossiers`` is pending or sending; returns the seconds."""
    from dossiers.constants import NotificationStatus
    from dossiers.models import Notification

    started, last_sweep = time.monotonic(), 0.0
    while time.monotonic() - started < limit:
        try:
            open_rows = Notification.objects.filter(
                dossier__in=dossiers, status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING]
            ).count()
        except Exception:
            connection.close()
            time.sleep(1)
            continue
        if not open_rows:
            return time.monotonic() - started
        if time.monotonic() - last_sweep >= 60:
            sweep()
            last_sweep = time.monotonic()
        time.sleep(1)
    return time.monotonic() - started


def report(name, dossiers, gateway, mail, seconds):
    from dossiers.models import Notification

    rows = list(Notification.objects.filter(dossier__in=dossiers).values_list("key", "channel", "status"))
    uncertain = Counter(
        Notification.objects.filter(dossier__in=dossiers, uncertain=True).values_list("channel", flat=True)
    )
    sms_keys = {key for key, channel, _status in rows if channel == "sms"}
    mail_ids = {f"<{key.replace(':', '.')}@" for key, channel, _status in rows if channel == "email"}
    accepted = Counter(r["body"].get("ref") for r in gateway.requests if r.get("status") == 200)
    requests = Counter(r["body"].get("ref") for r in gateway.requests)
    received = Counter(next((m for m in mail_ids if mid.startswith(m)), None) for mid in mail.message_ids())
    print(f"\n{name} (settled in {seconds:.0f} s)")
    print(f"{'channel':<8} {'made':>5} {'delivered':>9} {'raw sends':>9} {'twice':>6} {'lost':>5} {'uncertain':>9}")
    for channel, keys, raw, got in (
        ("sms", sms_keys, sum(requests[k] for k in sms_keys), {k: accepted[k] for k in sms_keys}),
        ("email", mail_ids, sum(received[k] for k in mail_ids), {k: received[k] for k in mail_ids}),
        ("in_app", {key for key, c, _s in rows if c == "in_app"}, None, None),
    ):
        made = len(keys)
        delivered = sum(1 for _key, c, status in rows if c == channel and status == "sent")
        if got is None:
            print(f"{channel:<8} {made:>5} {delivered:>9} {'—':>9} {'—':>6} {made - delivered:>5} {'—':>9}")
            continue
        twice = sum(1 for count in got.values() if count > 1)
        lost = sum(1 for count in got.values() if count == 0)
        print(f"{channel:<8} {made:>5} {delivered:>9} {raw:>9} {twice:>6} {lost:>5} {uncertain[channel]:>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=40, help="dossiers per fault (two status changes each)")
    parser.add_argument("--gateway-outage", type=int, default=600, help="seconds the SMS gateway answers 500")
    parser.add_argument("--only", default=",".join(FAULTS))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL (PostgreSQL): the workers are separate processes.")
    import tempfile

    from onestop.celery import app
    from onestop.sms_simulator import GatewaySimulator

    folder = Path(tempfile.mkdtemp(prefix="fault-drill-"))
    broker = Redis(folder)
    broker.start()
    app.conf.broker_url = broker.url
    app.conf.task_always_eager = False
    gateway = GatewaySimulator(behaviour="ok").start()
    accept = gateway._accept

    def recorded(body, auth):  # every request with the status it got: raw sends, not de-duplicated
        status, answer = accept(body, auth)
        gateway.requests[-1]["status"] = status
        return status, answer

    gateway._accept = recorded
    mail = MailSink().start()
    with throwaway_database():
        call_command("seed_demo", stdout=StringIO())
        database = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}",
            "CELERY_BROKER_URL": broker.url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_URL": f"smtp://127.0.0.1:{mail.port}",
            "EMAIL_TIMEOUT": "10",
            "SMS_BACKEND": "onestop.sms.HttpGatewayBackend",
            "SMS_GATEWAY_URL": gateway.url,
            "SMS_GATEWAY_TIMEOUT": "5",
        }
        workers = Workers(env)
        for queue in ("celery", "mail", "sms"):
            workers.start(queue)
        time.sleep(5)
        try:
            for fault in args.only.split(","):
                dossiers = submitted_dossiers(args.dossiers)
                if fault == "kill":
                    gateway.behaviour, gateway.delay, mail.delay = "slow", 2.0, 2.0
                    changes(dossiers)
                    time.sleep(4)
                    workers.kill("mail")
                    workers.kill("sms")
                    workers.start("mail")
                    workers.start("sms")
                    name = "worker kill -9 while sends take 2 s"
                elif fault == "redis":
                    broker.stop()
                    changes(dossiers)  # the clerks' work goes on: rows pending, nothing queued
                    time.sleep(60)
                    broker.start()
                    name = "Redis down 60 s"
                elif fault == "postgres":
                    gateway.behaviour, gateway.delay, mail.delay = "slow", 2.0, 2.0  # deliveries in flight
                    changes(dossiers)
                    time.sleep(5)
                    cluster = sorted(os.listdir("/etc/postgresql"))[0]
                    subprocess.run(
                        ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"], check=True
                    )
                    connection.close()
                    name = "PostgreSQL restarted while delivering"
                elif fault == "gateway":
                    gateway.behaviour = "error"
                    changes(dossiers)
                    outage_end, last_sweep = time.monotonic() + args.gateway_outage, time.monotonic()
                    while time.monotonic() < outage_end:  # beat's sweep goes on meanwhile
                        if time.monotonic() - last_sweep >= 60:
                            sweep()
                            last_sweep = time.monotonic()
                        time.sleep(1)
                    gateway.behaviour = "ok"
                    name = f"SMS gateway answering 500 for {args.gateway_outage} s"
                elif fault == "smtp":
                    mail.hang.set()
                    changes(dossiers)
                    time.sleep(60)
                    mail.hang.clear()
                    name = "mail server hung 60 s"
                else:
                    continue
                seconds = settle(dossiers, limit=3600)
                gateway.behaviour, gateway.delay, mail.delay = "ok", 2.0, 0.0
                report(name, dossiers, gateway, mail, seconds)
        finally:
            workers.stop_all()
            broker.stop()
            gateway.stop()


if __name__ == "__main__":
    main()
