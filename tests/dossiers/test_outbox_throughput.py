"""What lets one worker drain the outbox quickly, without a message sent twice: connections kept open to
the mail server, the SMS gateway and the database between messages, and rows of one channel delivered
in batches (each row still under its own lock). And what keeps that from delaying or losing a message: a
kept connection a network forgot or a server closed, a proxy, a rolling deploy, a database lost mid-batch,
mail written to files."""

import base64
import datetime
import inspect
import ipaddress
import socket
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

from django.db import OperationalError, connection, connections

import pytest
from celery import Task
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from dossiers import outbox
from dossiers.constants import NotificationChannel, NotificationStatus
from dossiers.models import Notification
from dossiers.outbox import notification_deliver, notifications_deliver, notifications_sweep
from onestop import sms
from onestop.sms_simulator import GatewaySimulator
from onestop.smtp_sink import MailSink
from tests.dossiers.conftest import submit_online

pytestmark = pytest.mark.django_db
ONE_ROW_TASK = "dossiers.tasks.notification_deliver_task"  # what producers of every release send for one row
BATCH_TASK = "dossiers.tasks.notifications_deliver_task"


def _pending(citizen, network, allowance, n: int, channel: str) -> list[Notification]:
    """The ``channel`` rows of ``n`` submissions, written and not yet sent (never handed to a broker)."""
    with mock.patch("dossiers.outbox._enqueue"):
        for _ in range(n):
            submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    rows = list(Notification.objects.filter(channel=channel, status=NotificationStatus.PENDING).order_by("pk"))
    assert len(rows) == n
    return rows


@contextmanager
def _published():
    """What goes to the broker: ``(task name, args, queue)`` per message, none of them run."""
    published = []

    def publish(task, args=None, kwargs=None, **options):
        published.append((task.name, args, options.get("queue")))

    with mock.patch.object(Task, "apply_async", autospec=True, side_effect=publish):
        yield published


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
    with _published() as published:
        assert notifications_sweep() == 9
    batches = [(args[0], queue) for name, args, queue in published if name == BATCH_TASK]
    alone = [(args, queue) for name, args, queue in published if name == ONE_ROW_TASK]
    assert len(batches) == 3 and all(len(ids) == 2 for ids, _queue in batches)
    assert len(alone) == 3 and len(published) == 6
    for ids, queue in batches + alone:
        channels = set(Notification.objects.filter(pk__in=ids).values_list("channel", flat=True))
        assert len(channels) == 1 and queue == settings.NOTIFICATION_QUEUES.get(channels.pop(), "celery")
    assert sorted(pk for ids, _queue in batches + alone for pk in ids) == sorted(
        Notification.objects.values_list("pk", flat=True)
    )
    Notification.objects.update(queued_at=None)
    assert notifications_sweep() == 9  # eager: the batches are delivered
    assert not Notification.objects.exclude(status=NotificationStatus.SENT).exists()


def test_a_worker_of_the_release_before_batching_takes_every_message_under_the_old_name(
    citizen, network, allowance, django_capture_on_commit_callbacks
):
    """Rolling deploy: workers of the earlier release run ``notification_deliver_task(notification_id)``.
    A status change's rows (one per channel) still go under that name with one id each; batches go under
    a name such a worker does not know (it leaves them to the sweep instead of failing on them)."""

    def before_batching(notification_id): ...

    with _published() as published, django_capture_on_commit_callbacks(execute=True):
        submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    assert len(published) == 3
    for name, args, _queue in published:
        assert name == ONE_ROW_TASK
        inspect.signature(before_batching).bind(*args)  # the old worker's call would not raise TypeError


def test_the_one_id_task_of_earlier_messages_still_delivers(citizen, network, allowance):
    from dossiers.tasks import notification_deliver_task, notifications_deliver_task

    first, second, third, fourth = _pending(citizen, network, allowance, 4, NotificationChannel.EMAIL)
    assert notification_deliver_task.apply(args=(first.pk,)).get() == NotificationStatus.SENT
    assert notification_deliver_task.apply(args=(second.pk, third.pk)).get() == [NotificationStatus.SENT] * 2
    assert notifications_deliver_task.apply(args=([fourth.pk, first.pk],)).get() == [NotificationStatus.SENT, "skipped"]
    assert set(Notification.objects.filter(channel=NotificationChannel.EMAIL).values_list("status", "attempts")) == {
        (NotificationStatus.SENT, 1)
    }


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
    _drop_connection(pid)
    assert task() != pid  # the dropped connection was noticed before the task's query, and replaced


def test_an_sms_after_a_pause_goes_on_a_new_connection_not_one_a_firewall_forgot(
    citizen, network, allowance, gateway, monkeypatch, settings
):
    """A NAT or firewall that dropped an idle flow swallows what is sent over it; the portal's socket still
    looks open. An SMS after a pause longer than the idle limit must not wait out the timeout on it."""
    monkeypatch.setattr(sms, "GATEWAY_IDLE_LIMIT", 0.2)
    settings.SMS_GATEWAY_TIMEOUT = 3
    first, second = _pending(citizen, network, allowance, 2, NotificationChannel.SMS)
    assert notification_deliver(notification_id=first.pk) == NotificationStatus.SENT
    gateway.forget_connections()
    time.sleep(0.3)
    started = time.monotonic()
    assert notification_deliver(notification_id=second.pk) == NotificationStatus.SENT
    assert time.monotonic() - started < 1  # no timeout waited
    second.refresh_from_db()
    assert second.attempts == 1 and second.last_error == ""
    assert [message["ref"] for message in gateway.delivered] == [first.key, second.key]
    assert gateway.connections == 2


def test_a_kept_sms_connection_broken_before_the_answer_is_sent_again_once_reaching_the_phone_once(
    citizen, network, allowance, gateway
):
    first, second, third = _pending(citizen, network, allowance, 3, NotificationChannel.SMS)
    assert notification_deliver(notification_id=first.pk) == NotificationStatus.SENT
    gateway.hang_up_after_next()  # takes the message (it reaches the phone), then closes without an answer
    assert notification_deliver(notification_id=second.pk) == NotificationStatus.SENT
    second.refresh_from_db()
    assert second.attempts == 1 and second.last_error == ""
    assert [request["body"]["ref"] for request in gateway.requests] == [first.key, second.key, second.key]
    assert [message["ref"] for message in gateway.delivered] == [first.key, second.key]
    assert gateway.connections == 2
    # On a connection just opened the same failure is the gateway's: reported, retried later with backoff.
    gateway.drop_connections()
    time.sleep(0.1)
    gateway.hang_up_after_next()
    assert notification_deliver(notification_id=third.pk) == NotificationStatus.PENDING
    third.refresh_from_db()
    assert "unreachable" in third.last_error and third.next_attempt_at is not None
    assert [request["body"]["ref"] for request in gateway.requests].count(third.key) == 1


class TinyProxy:
    """An HTTP proxy for the tests: CONNECT opens a tunnel to the address named; any other request (it
    names a whole address) is passed on, as it is, to the host in it. ``seen`` holds the request line's
    method and target and the headers of each connection's first request."""

    def __init__(self):
        self.seen: list[tuple[str, str, dict]] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def stop(self) -> None:
        self._listener.close()

    def _serve(self) -> None:
        while True:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                if not (chunk := client.recv(65536)):
                    return
                head += chunk
            head, _sep, rest = head.partition(b"\r\n\r\n")
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            method, target, _version = request_line.split(" ")
            self.seen.append((method, target, dict(line.split(": ", 1) for line in header_lines)))
            if method == "CONNECT":
                host, port = target.rsplit(":", 1)
                upstream = socket.create_connection((host, int(port)))
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                address = urlsplit(target)
                upstream = socket.create_connection((address.hostname, address.port))
                upstream.sendall(head + b"\r\n\r\n" + rest)
            with upstream:
                back = threading.Thread(target=self._pipe, args=(upstream, client), daemon=True)
                back.start()
                self._pipe(client, upstream)
                back.join(5)

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        with suppress(OSError):
            while chunk := source.recv(65536):
                target.sendall(chunk)
        with suppress(OSError):
            target.shutdown(socket.SHUT_WR)


@pytest.fixture
def proxy(monkeypatch):
    proxy = TinyProxy()
    for name in ("no_proxy", "NO_PROXY", "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    yield proxy
    proxy.stop()


def _self_signed(folder: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sms gateway")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = folder / "gateway.pem", folder / "gateway.key"
    certfile.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(certfile), str(keyfile)


def test_sms_to_an_https_gateway_go_through_the_proxy_the_environment_names(
    citizen, network, allowance, proxy, monkeypatch, settings, tmp_path
):
    certfile, keyfile = _self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", certfile)  # the gateway's certificate is trusted, and checked
    monkeypatch.setenv("https_proxy", proxy.url.replace("http://", "http://relay:secret@"))
    simulator = GatewaySimulator(tls=(certfile, keyfile)).start()
    settings.SMS_BACKEND, settings.SMS_GATEWAY_URL = "onestop.sms.HttpGatewayBackend", simulator.url
    try:
        rows = _pending(citizen, network, allowance, 2, NotificationChannel.SMS)
        for row in rows:
            assert notification_deliver(notification_id=row.pk) == NotificationStatus.SENT
    finally:
        simulator.stop()
    assert [message["ref"] for message in simulator.delivered] == [row.key for row in rows]
    [(method, target, headers)] = proxy.seen  # one tunnel, kept for both
    gateway_address = urlsplit(simulator.url).netloc
    assert (method, target) == ("CONNECT", gateway_address)
    assert headers["Proxy-Authorization"] == "Basic " + base64.b64encode(b"relay:secret").decode()


def test_sms_to_a_plain_http_gateway_go_through_its_proxy_unless_no_proxy_exempts_it(
    citizen, network, allowance, gateway, proxy, monkeypatch
):
    first, second = _pending(citizen, network, allowance, 2, NotificationChannel.SMS)
    monkeypatch.setenv("http_proxy", proxy.url)
    assert notification_deliver(notification_id=first.pk) == NotificationStatus.SENT
    assert [(method, target) for method, target, _headers in proxy.seen] == [("POST", gateway.url)]
    monkeypatch.setenv("no_proxy", "localhost,127.0.0.1")
    assert notification_deliver(notification_id=second.pk) == NotificationStatus.SENT
    assert len(proxy.seen) == 1  # straight to the gateway
    assert [message["ref"] for message in gateway.delivered] == [first.key, second.key]


@pytest.mark.parametrize(
    ("step", "reply"),
    [("mail", "421 4.4.2 idle too long, closing"), ("mail", "")],
    ids=["421", "hung-up"],
)
def test_a_mail_server_closing_the_kept_connection_as_a_mail_begins_delays_no_mail(
    citizen, network, allowance, sink, step, reply
):
    first, second = _pending(citizen, network, allowance, 2, NotificationChannel.EMAIL)
    assert notification_deliver(notification_id=first.pk) == NotificationStatus.SENT
    sink.close_at_next(step, reply=reply)
    assert notification_deliver(notification_id=second.pk) == NotificationStatus.SENT
    second.refresh_from_db()
    assert second.attempts == 1 and second.last_error == ""
    assert sorted(sink.message_ids()) == sorted(
        f"<{row.key.replace(':', '.')}@motcua.localhost>" for row in (first, second)
    )
    assert sink.connections == 2


def test_a_mail_whose_text_reached_the_server_is_not_sent_again_at_once(citizen, network, allowance, sink):
    """The server may have queued a mail whose "250" never came: no second copy now; the outbox retries
    it later under the same Message-ID, as before."""
    first, second = _pending(citizen, network, allowance, 2, NotificationChannel.EMAIL)
    assert notification_deliver(notification_id=first.pk) == NotificationStatus.SENT
    sink.close_at_next("data")
    assert notification_deliver(notification_id=second.pk) == NotificationStatus.PENDING
    second.refresh_from_db()
    assert "SMTPServerDisconnected" in second.last_error
    assert len(sink.message_ids()) == 2 and sink.connections == 1


def test_mail_written_to_files_makes_one_file_per_mail(citizen, network, allowance, settings, tmp_path):
    """The embedded default's file backend: each mail its own file under EMAIL_FILE_PATH, as before (no
    file held open for the life of the process, so var/mail can be emptied or rotated)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    rows = _pending(citizen, network, allowance, 3, NotificationChannel.EMAIL)
    for row in rows:
        assert notification_deliver(notification_id=row.pk) == NotificationStatus.SENT
    texts = [path.read_text() for path in (tmp_path / "mail").iterdir()]
    assert len(texts) == 3
    for row in rows:
        assert sum(f"Message-ID: <{row.key.replace(':', '.')}@" in text for text in texts) == 1


def test_a_database_error_mid_batch_queues_the_rest_again_at_once(citizen, network, allowance):
    rows = _pending(citizen, network, allowance, 4, NotificationChannel.SMS)
    real = outbox.notification_deliver
    lost = OperationalError("server closed the connection unexpectedly")
    with (
        mock.patch.object(outbox, "notification_deliver", side_effect=[real(notification_id=rows[0].pk), lost]),
        _published() as published,
    ):
        statuses = notifications_deliver(notification_ids=[row.pk for row in rows])
    assert statuses == [NotificationStatus.SENT]
    assert published == [(BATCH_TASK, ([row.pk for row in rows[1:]],), "sms")]
    assert set(Notification.objects.filter(pk__in=[row.pk for row in rows[1:]]).values_list("status", flat=True)) == {
        NotificationStatus.PENDING
    }
    assert not Notification.objects.filter(pk__in=[row.pk for row in rows[1:]], queued_at=None).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_database_connection_lost_mid_batch_leaves_only_the_sms_on_the_wire_to_the_sweep(
    citizen, network, allowance, gateway, monkeypatch
):
    rows = _pending(citizen, network, allowance, 4, NotificationChannel.SMS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    send = sms.HttpGatewayBackend.send

    def send_then_lose_the_database(backend, **message):
        answer = send(backend, **message)
        if message["reference"] == rows[1].key:  # PostgreSQL restarted while this SMS was on the wire
            _drop_connection(pid)
        return answer

    monkeypatch.setattr(sms.HttpGatewayBackend, "send", send_then_lose_the_database)
    statuses = notifications_deliver(notification_ids=[row.pk for row in rows])  # the rest queued: eager, sent
    assert statuses == [NotificationStatus.SENT]
    assert dict(Notification.objects.filter(pk__in=[row.pk for row in rows]).values_list("key", "status")) == {
        rows[0].key: NotificationStatus.SENT,
        rows[1].key: NotificationStatus.SENDING,  # the sweep makes it pending when its send time is over
        rows[2].key: NotificationStatus.SENT,
        rows[3].key: NotificationStatus.SENT,
    }
    assert sorted(message["ref"] for message in gateway.delivered) == sorted(row.key for row in rows)


def _drop_connection(pid: int) -> None:
    """The database ends the session of server process ``pid``, as a restart would."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    time.sleep(0.1)
