"""The outbox against the real services: a Celery worker process on a Redis broker, the SMS gateway
simulator over HTTP, the test's PostgreSQL database shared by both processes.

A private ``redis-server`` is started for these tests, so stopping it (a broker outage) touches no
other user of the machine's Redis. In CI every piece is there; elsewhere the tests are skipped unless
DATABASE_URL, REDIS_URL and redis-server are present.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

import pytest

from dossiers.constants import NotificationChannel, NotificationStatus, Status
from dossiers.models import Notification
from dossiers.outbox import notifications_sweep
from dossiers.services import (
    dossier_complete,
    dossier_hand_over,
    dossier_record_payment,
    dossier_request_payment,
    dossier_return,
)
from onestop.celery import app
from onestop.sms_simulator import GatewaySimulator
from tests.dossiers.conftest import pdf_upload, submit_online

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not shutil.which("redis-server") and os.environ.get("CI", "").lower() != "true",
        reason="needs redis-server to start a private broker",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
PHONE = "0912345678"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, *, timeout=40.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Broker:
    """A redis-server of the test's own, on a fixed port, that can be stopped and started again."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10, what="redis-server to start")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


class Worker:
    """``celery worker`` in its own process: one pool child, tasks acknowledged late."""

    def __init__(self, *, broker, gateway, mail_dir, queues=None, name="worker", **settings):
        self.queues, self.name = queues, name
        database = connection.settings_dict
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "onestop.settings",
            "DATABASE_URL": (
                f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or '127.0.0.1'}:"
                f"{database['PORT'] or 5432}/{database['NAME']}"
            ),
            "CELERY_BROKER_URL": broker.url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_FILE_PATH": str(mail_dir),
            "SMS_BACKEND": "onestop.sms.HttpGatewayBackend",
            "SMS_GATEWAY_URL": gateway.url,
            "SMS_GATEWAY_TIMEOUT": "1",
            **settings,
        }
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "onestop",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING",
                f"--hostname={self.name}@%h",
                *([f"--queues={self.queues}"] if self.queues else []),
            ],
            cwd=ROOT,
            env=self.env,
        )
        wait_for(lambda: self.children(), timeout=30, what="the worker's pool to start")

    def children(self) -> list[int]:
        try:
            return [
                int(pid)
                for pid in Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
            ]
        except OSError:
            return []

    def kill_child(self):
        """SIGKILL the pool process running the task (an out-of-memory kill, a crash)."""
        for pid in self.children():
            os.kill(pid, signal.SIGKILL)

    def kill(self):
        """SIGKILL the whole worker with its task in hand."""
        children = self.children()
        self.process.kill()
        self.process.wait(10)
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def broker():
    broker = Broker()
    broker.start()
    previous = app.conf.broker_url
    _use_broker(broker.url)
    yield broker
    broker.stop()
    _use_broker(previous)


def _use_broker(url):
    """Point this process's Celery app (the web side that queues tasks) at ``url``."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app.conf.broker_url = url
    app.conf.task_always_eager = False


@pytest.fixture
def gateway():
    simulator = GatewaySimulator().start()
    yield simulator
    simulator.stop()


@pytest.fixture
def worker(broker, gateway, tmp_path):
    worker = Worker(broker=broker, gateway=gateway, mail_dir=tmp_path / "worker-mail")
    worker.start()
    yield worker
    worker.stop()


def _rows(dossier, **filters):
    return Notification.objects.filter(dossier=dossier, **filters)


def _all_sent(dossier):
    return lambda: not _rows(dossier).exclude(status=NotificationStatus.SENT).exists()


def _sweep_after_the_send_time_limit() -> int:
    """The sweep as it runs once no send begun now can still be running (the task's time limit)."""
    from dossiers.outbox import SEND_TIME_LIMIT

    return notifications_sweep(now=timezone.now() + SEND_TIME_LIMIT + timedelta(seconds=1))


def _mails(mail_dir: Path) -> list[str]:
    return [path.read_text() for path in sorted(mail_dir.glob("*.log"))] if mail_dir.exists() else []


def test_a_real_worker_delivers_every_channel_of_a_status_change(citizen, network, allowance, worker, gateway):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    wait_for(_all_sent(dossier), what="the worker to deliver")
    assert _rows(dossier).count() == 3
    assert len(gateway.delivered_to(PHONE)) == 1 and dossier.code in gateway.delivered_to(PHONE)[0]
    [mail] = _mails(Path(worker.env["EMAIL_FILE_PATH"]))
    assert "hoa@example.vn" in mail
    from onestop.health import workers_answering

    assert workers_answering() == 1  # what /healthz counts: the worker answers the broker's ping


def test_a_hung_mail_server_holds_up_only_the_mail_queue(
    citizen, network, allowance, broker, gateway, silent_server, tmp_path
):
    """One worker per queue, as deployed: the mail worker's only slot hangs on a mail server that never
    answers, and the SMS and the portal's own messages of two status changes are delivered meanwhile."""
    mail = Worker(
        broker=broker,
        gateway=gateway,
        mail_dir=tmp_path / "mail",
        queues="mail",
        name="mail",
        EMAIL_URL=f"smtp://127.0.0.1:{silent_server}",
        EMAIL_TIMEOUT="60",
    )
    others = Worker(broker=broker, gateway=gateway, mail_dir=tmp_path / "other", queues="celery,sms", name="other")
    mail.start()
    others.start()
    try:
        first = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
        second = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
        for dossier in (first, second):
            wait_for(
                lambda dossier=dossier: _rows(dossier, status=NotificationStatus.SENT).count() == 2,
                timeout=20,
                what="the SMS and the portal's message",
            )
            assert set(_rows(dossier, status=NotificationStatus.SENT).values_list("channel", flat=True)) == {
                NotificationChannel.SMS,
                NotificationChannel.IN_APP,
            }
        assert len(gateway.delivered_to(PHONE)) == 2
        waiting = Notification.objects.filter(channel=NotificationChannel.EMAIL).values_list("status", flat=True)
        assert sorted(waiting) == [NotificationStatus.PENDING, NotificationStatus.SENDING]  # one hung, one queued
    finally:
        mail.kill()
        others.stop()


def test_a_dossier_through_its_statuses_with_outages_reaches_the_citizen_once_per_message(
    client, citizen, network, allowance, broker, gateway, worker, tmp_path
):
    clerk, specialist = network["clerk"], network["specialist"]
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    wait_for(_all_sent(dossier), what="the submission's messages")

    # 1. Redis stops; the clerk receives the dossier from its page: the request succeeds.
    broker.stop()
    client.force_login(clerk)
    started = time.monotonic()
    response = client.post(
        reverse("dossiers:action", args=[dossier.reference, "receive"]),
        {"expected_status": "submitted", "expected_version": dossier.version},
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 302, response.content[:500]
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert _rows(dossier, status=NotificationStatus.PENDING).count() == 3
    print(f"status change with the broker down answered in {elapsed * 1000:.0f} ms")
    # Redis comes back; the sweep (beat, every minute) re-queues; the worker delivers.
    broker.start()
    assert notifications_sweep() == 3
    wait_for(_all_sent(dossier), what="delivery after the outage")

    # 2. The worker's pool process is killed with the SMS request in hand: the row stays "sending" (the
    # message handed out again finds it so and sends nothing); once no send can still be running, the
    # sweep sends it again under the same reference, marked uncertain; the phone gets it once.
    gateway.hold()
    dossier = dossier_hand_over(dossier=dossier, by=clerk, to_agency=network["department"], to_user=specialist).dossier
    assert dossier.status == Status.PROCESSING
    assert gateway.request_arrived.wait(30)
    gateway.behaviour = "ok"
    worker.kill_child()
    gateway.release()
    wait_for(lambda: _rows(dossier, status=NotificationStatus.SENDING).count() == 1, what="the cut-off send")
    wait_for(lambda: _rows(dossier, status=NotificationStatus.PENDING).count() == 0, what="the other channels")
    _sweep_after_the_send_time_limit()
    wait_for(_all_sent(dossier), what="delivery after the pool process was killed")
    assert _rows(dossier, uncertain=True, channel=NotificationChannel.SMS).count() == 1

    # 3. The whole worker is killed with a task in hand; a new worker and the sweep deliver it.
    gateway.hold()
    dossier = dossier_request_payment(dossier=dossier, by=specialist, amount=50000).dossier
    assert gateway.request_arrived.wait(30)
    gateway.behaviour = "ok"
    worker.kill()
    gateway.release()
    worker.start()
    _sweep_after_the_send_time_limit()  # the message the dead worker held is sent again
    wait_for(_all_sent(dossier), what="delivery by the new worker")

    # 4. The SMS gateway answers 500, then times out: retried with backoff, then failed and visible.
    gateway.behaviour = "error"
    outcome = dossier_record_payment(dossier=dossier, by=specialist)
    sms = Notification.objects.get(event=outcome.event, channel=NotificationChannel.SMS)
    wait_for(
        lambda: Notification.objects.filter(pk=sms.pk, attempts=1, status=NotificationStatus.PENDING).exists(),
        what="the first failed attempt, settled",
    )
    sms.refresh_from_db()
    assert sms.status == NotificationStatus.PENDING and "500" in sms.last_error and sms.next_attempt_at > timezone.now()
    gateway.behaviour, gateway.delay = "slow", 3
    Notification.objects.filter(pk=sms.pk).update(next_attempt_at=timezone.now())
    notifications_sweep()
    wait_for(
        lambda: Notification.objects.filter(pk=sms.pk, attempts=2, status=NotificationStatus.PENDING).exists(),
        what="the timed-out attempt, settled",
    )
    Notification.objects.filter(pk=sms.pk).update(
        next_attempt_at=timezone.now(), created_at=timezone.now() - timedelta(hours=25)
    )
    notifications_sweep()
    wait_for(lambda: Notification.objects.get(pk=sms.pk).status == NotificationStatus.FAILED, what="giving up")
    sms.refresh_from_db()
    assert sms.attempts == 3
    client.force_login(clerk)
    page = client.get(reverse("dossiers:undelivered")).content.decode()
    assert dossier.code in page and sms.last_error[:30] in page
    # The gateway is back; the clerk resends with one click.
    gateway.behaviour = "ok"
    client.post(reverse("dossiers:undelivered"), {"notification": sms.pk})
    wait_for(lambda: Notification.objects.get(pk=sms.pk).status == NotificationStatus.SENT, what="the resend")

    # 5. To the end: the result, and its return.
    for holder, to_agency, to_user in [
        (specialist, network["district"], network["leader"]),
        (network["leader"], network["commune"], clerk),
    ]:
        dossier = dossier_hand_over(dossier=dossier, by=holder, to_agency=to_agency, to_user=to_user).dossier
    dossier = dossier_complete(dossier=dossier, by=clerk, results=[pdf_upload("quyet-dinh.pdf")]).dossier
    dossier = dossier_return(dossier=dossier, by=clerk, delivery="desk").dossier
    wait_for(_all_sent(dossier), what="the last messages")

    # What the citizen got: every message, once, on every channel.
    events = list(dossier.events.filter(notifications__isnull=False).distinct().order_by("pk"))
    assert [e.to_status for e in events] == [
        Status.SUBMITTED,
        Status.RECEIVED,
        Status.PROCESSING,
        Status.AWAITING_PAYMENT,
        Status.PROCESSING,
        Status.DONE,
        Status.RETURNED,
    ]
    sms_texts = gateway.delivered_to(PHONE)
    assert len(sms_texts) == len(events)
    assert sorted(sms_texts) == sorted(_rows(dossier, channel=NotificationChannel.SMS).values_list("body", flat=True))
    mails = "\n".join(_mails(Path(worker.env["EMAIL_FILE_PATH"])))
    for event in events:
        copies = mails.count(f"event.{event.pk}.email@")
        # Once; or, for a mail whose send the killed worker cut off, once more under the same Message-ID
        # (one message to the mail client), and the row says so.
        interrupted = _rows(dossier, event=event, channel=NotificationChannel.EMAIL, uncertain=True).exists()
        assert copies == 1 or (interrupted and copies == 2), f"the mail about {event.to_status} arrived {copies} times"
    assert _rows(dossier, channel=NotificationChannel.IN_APP, status=NotificationStatus.SENT).count() == len(events)
    assert not _rows(dossier).exclude(status=NotificationStatus.SENT).exists()


def test_the_web_side_fails_fast_on_a_dead_broker():
    assert django_settings.CELERY_TASK_PUBLISH_RETRY is False
    assert django_settings.CELERY_BROKER_CONNECTION_TIMEOUT <= 1
    assert django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] <= 1
    assert django_settings.CELERY_TASK_ACKS_LATE and django_settings.CELERY_TASK_REJECT_ON_WORKER_LOST
