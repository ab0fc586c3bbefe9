"""What lets one worker drain the outbox quickly, without a message sent twice: connections kept open to
the mail server, the SMS gateway and the database between messages, and rows of one channel delivered
in batches (each row still under its own lock)."""

import threading
import time
from unittest import mock

from django.db import connection, connections

import pytest

from dossiers import outbox
from dossiers.constants import NotificationChannel, NotificationStatus
from dossiers.models import Notification
from dossiers.outbox import notification_deliver, notifications_deliver, notifications_sweep
from onestop.sms_simulator import GatewaySimulator
from onestop.smtp_sink import MailSink
from tests.dossiers.conftest import submit_online

pytestmark = pytest.mark.django_db


def _pending(citizen, network, allowance, n: int, channel: str) -> list[Notification]:
    """The ``channel`` rows of ``n`` submissions, written and not yet sent (never handed to a broker)."""
    with mock.patch("dossiers.outbox._enqueue"):
        for _ in range(n):
            submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    rows = list(Notification.objects.filter(channel=channel, status=NotificationStatus.PENDING).order_by("pk"))
    assert len(rows) == n
    return rows


@pytest.fixture
def sink(settings):
    sink = MailSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    yield sink
    sink.stop()


@pytest.fixture
def gateway(settings):
    simulator = GatewaySimulator().start()
    settings.SMS_BACKEND = "onestop.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = simulator.url
    yield simulator
    simulator.stop()


def test_a_worker_sends_many_mails_over_one_connection_to_the_mail_server(citizen, network, allowance, sink):
    rows = _pending(citizen, network, allowance, 5, NotificationChannel.EMAIL)
    for row in rows:
        assert notification_deliver(notification_id=row.pk) == NotificationStatus.SENT
    assert sorted(sink.message_ids()) == sorted(f"<{row.key.replace(':', '.')}@motcua.localhost>" for row in rows)
    assert sink.connections == 1


def test_a_mail_server_closing_the_idle_connection_delays_no_mail(citizen, network, allowance, sink, monkeypatch):
    monkeypatch.setattr(outbox, "MAIL_IDLE_CHECK", 0)  # as if every mail came after a pause
    first, second = _pending(citizen, network, allowance, 2, NotificationChannel.EMAIL)
    assert notification_deliver(notification_id=first.pk) == NotificationStatus.SENT
    sink.drop_connections()
    assert notification_deliver(notification_id=second.pk) == NotificationStatus.SENT
    second.refresh_from_db()
    assert second.attempts == 1 and second.last_error == ""
    assert len(sink.message_ids()) == 2 and sink.connections == 2


def test_a_mail_that_fails_mid_send_is_retried_later_on_a_new_connection(citizen, network, allowance, sink):
    first, second = _pending(citizen, network, allowance, 2, NotificationChannel.EMAIL)
    with mock.patch("smtplib.SMTP.sendmail", side_effect=OSError("connection reset")):
        assert notification_deliver(notification_id=first.pk) == NotificationStatus.PENDING
    first.refresh_from_db()
    assert "connection reset" in first.last_error and sink.message_ids() == []
    assert notification_deliver(notification_id=second.pk) == NotificationStatus.SENT
    assert sink.connections == 2  # the broken one was not used again


def test_a_worker_sends_many_sms_over_one_connection_to_the_gateway(citizen, network, allowance, gateway):
    rows = _pending(citizen, network, allowance, 5, NotificationChannel.SMS)
    for row in rows:
        assert notification_deliver(notification_id=row.pk) == NotificationStatus.SENT
    assert [message["ref"] for message in gateway.delivered] == [row.key for row in rows]
    assert gateway.connections == 1


def test_a_gateway_closing_the_idle_connection_delays_no_sms(citizen, network, allowance, gateway):
    first, second = _pending(citizen, network, allowance, 2, NotificationChannel.SMS)
    assert notification_deliver(notification_id=first.pk) == NotificationStatus.SENT
    gateway.drop_connections()
    time.sleep(0.1)  # the close reaches the portal's side
    assert notification_deliver(notification_id=second.pk) == NotificationStatus.SENT
    second.refresh_from_db()
    assert second.attempts == 1 and second.last_error == ""
    assert len(gateway.requests) == 2 and gateway.connections == 2


def test_rows_of_one_channel_queued_together_go_as_one_task_each_row_once(
    citizen, network, allowance, monkeypatch, settings
):
    monkeypatch.setattr(outbox, "DELIVER_BATCH", 2)
    _pending(citizen, network, allowance, 3, NotificationChannel.SMS)
    with mock.patch("dossiers.tasks.notification_deliver_task.apply_async") as queued:
        assert notifications_sweep() == 9
    batches = [(call.args[0], call.kwargs["queue"]) for call in queued.call_args_list]
    assert len(batches) == 6 and all(1 <= len(ids) <= 2 for ids, _queue in batches)
    for ids, queue in batches:
        channels = set(Notification.objects.filter(pk__in=ids).values_list("channel", flat=True))
        assert len(channels) == 1 and queue == settings.NOTIFICATION_QUEUES.get(channels.pop(), "celery")
    assert sorted(pk for ids, _queue in batches for pk in ids) == sorted(
        Notification.objects.values_list("pk", flat=True)
    )
    Notification.objects.update(queued_at=None)
    assert notifications_sweep() == 9  # eager: the batches are delivered
    assert not Notification.objects.exclude(status=NotificationStatus.SENT).exists()


def test_a_batch_that_runs_out_of_time_queues_the_rest_again(citizen, network, allowance, monkeypatch):
    monkeypatch.setattr(outbox, "BATCH_TIME_BUDGET", 0)
    rows = _pending(citizen, network, allowance, 3, NotificationChannel.EMAIL)
    with mock.patch("dossiers.outbox._enqueue") as queued:
        statuses = notifications_deliver(notification_ids=[row.pk for row in rows])
    assert statuses == [NotificationStatus.SENT]
    assert list(queued.call_args.args[0]) == [(row.pk, NotificationChannel.EMAIL) for row in rows[1:]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_run_by_two_workers_at_once_sends_each_sms_once(citizen, network, allowance, gateway):
    rows = _pending(citizen, network, allowance, 12, NotificationChannel.SMS)
    ids = [row.pk for row in rows]
    barrier, outcomes = threading.Barrier(2), []

    def worker():
        try:
            barrier.wait()
            outcomes.extend(notifications_deliver(notification_ids=ids))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(request["body"]["ref"] for request in gateway.requests) == sorted(row.key for row in rows)
    assert outcomes.count(NotificationStatus.SENT) == 12 and len(outcomes) == 24
    assert set(Notification.objects.filter(pk__in=ids).values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_between_tasks_and_replaces_a_dropped_one():
    """What a worker process does around each task: Celery's Django fixup, then the portal's check."""
    from celery.fixups.django import DjangoWorkerFixup
    from celery.signals import task_postrun, task_prerun

    from dossiers.tasks import notification_deliver_task
    from onestop.celery import app

    fixup = DjangoWorkerFixup(app)

    def task() -> int:
        notification_deliver_task.push_request(is_eager=False)
        try:
            fixup.on_task_prerun(sender=notification_deliver_task)
            task_prerun.send(sender=notification_deliver_task, task=notification_deliver_task)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            fixup.on_task_postrun(sender=notification_deliver_task)
            task_postrun.send(sender=notification_deliver_task, task=notification_deliver_task)
            return pid
        finally:
            notification_deliver_task.pop_request()

    assert len({task() for _ in range(20)}) == 1  # one connection, not one per task
    pid = task()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    time.sleep(0.1)
    assert task() != pid  # the dropped connection was noticed before the task's query, and replaced
