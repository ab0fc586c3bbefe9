"""The notification outbox: rows written with what they announce, delivered after commit, swept while
pending.

- ``notify`` writes one message to one person: a row per channel they can be reached on and allow
  (email, SMS; the portal's own list always), each under an idempotency key, with the texts rendered
  in the person's language there and then, so a template that fails fails the write, never an empty
  message. ``notifications_queue`` does it for the applicant, inside the transaction of a status change.
- ``notification_deliver`` sends one row under a row lock and only while it is pending, so a task run
  twice (a redelivered message) sends once. Failures are retried with exponential backoff for 24 hours,
  then the row is marked failed with the reason, for staff to see and resend. ``notifications_deliver``
  does it for the rows of one channel queued together (the sweep's), one task for up to 50. A worker
  process keeps its connections to the SMTP server and the SMS gateway (``onestop.sms``) open between
  messages, and its database connection between tasks (``CELERY_DB_REUSE_MAX``).
- ``notifications_sweep`` re-queues pending rows whose time has come: a broker that was down at commit
  time delays a message, it does not lose it.
"""

import logging
import os
import smtplib
import threading
import time
import traceback
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.validators import validate_email
from django.db import InterfaceError, OperationalError, close_old_connections, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.validators import normalize_phone, validate_phone
from onestop.sms import SmsError, get_sms_backend, plain_sms

from .constants import Channel, EventKind, NotificationChannel, NotificationKind, NotificationStatus
from .links import lookup_url
from .models import Dossier, DossierEvent, Heartbeat, Notification

logger = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(hours=24)
# Longer than any send may take (the task's hard time limit): a send begun before and never settled was
# interrupted.
SEND_TIME_LIMIT = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
# A row queued longer ago than this and still pending was lost on the way (the broker, a worker).
REQUEUE_AFTER = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=2)
SWEEP_BATCH = 5000
# Rows of one channel queued together go to a worker as one task of at most this many (``_enqueue``);
# a task stops taking new rows after a quarter of its soft time limit (the rest are queued again).
DELIVER_BATCH = 50
BATCH_TIME_BUDGET = settings.CELERY_TASK_SOFT_TIME_LIMIT / 4


class EmptyMessage(ValueError):
    """A message template rendered nothing: a bug to fix, never a blank message to send."""


@dataclass(frozen=True)
class Texts:
    subject: str
    body: str
    sms: str


def render_texts(template: str, context: dict, *, language: str, link: str, sms: bool = True) -> Texts:
    """The subject, mail body and (unless ``sms`` is False: no SMS is written) the SMS of
    ``dossiers/notifications/<template>*.txt`` in ``language`` (a ``template`` with a folder,
    ``feedback/notifications/answered``, names another app's)."""
    folder, _sep, template = template.rpartition("/")
    folder = folder or "dossiers/notifications"
    with translation.override(language):
        subject = " ".join(render_to_string(f"{folder}/{template}_subject.txt", context).split())
        body = render_to_string(f"{folder}/{template}.txt", context).strip()
        text = plain_sms(render_to_string(f"{folder}/{template}_sms.txt", context), link=link) if sms else None
    if not subject or not body or (text is not None and len(text) <= len(link) + 1):
        raise EmptyMessage(f"the {template} message rendered empty in {language}")
    return Texts(subject=subject, body=body + "\n", sms=text or "")


def notify(
    *,
    recipient: User,
    key: str,
    kind: str,
    template: str,
    context: dict,
    link: str,
    event: DossierEvent | None = None,
    dossier: Dossier | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> list[int]:
    """Write one message to ``recipient`` (call inside the transaction of what it announces) and send
    it after commit. ``key`` says what the message is; writing the same key again adds nothing.
    Returns the ids of its pending rows (none inside ``delivery_batched``, which sends them at its end).
    Without ``phone``, SMS goes to the account's number only once it is confirmed (``confirmed_phone``)."""
    phone = phone or recipient.confirmed_phone
    in_app_only = getattr(_batch, "in_app_only", False)
    by_sms = bool(phone and recipient.notify_sms) and not in_app_only
    texts = render_texts(
        template,
        {**context, "recipient": recipient, "link": link},
        language=_language(recipient),
        link=link,
        sms=by_sms,
    )
    common = {"recipient": recipient, "kind": kind, "event": event, "dossier": dossier or (event and event.dossier)}
    rows = [
        Notification(
            key=f"{key}:{NotificationChannel.IN_APP}",
            channel=NotificationChannel.IN_APP,
            subject=texts.subject,
            body=texts.body,
            **common,
        )
    ]
    email = email or recipient.email
    if email and recipient.notify_email and not in_app_only:
        rows.append(
            Notification(
                key=f"{key}:{NotificationChannel.EMAIL}",
                channel=NotificationChannel.EMAIL,
                address=email,
                subject=texts.subject,
                body=texts.body,
                **common,
            )
        )
    if by_sms:
        rows.append(
            Notification(
                key=f"{key}:{NotificationChannel.SMS}",
                channel=NotificationChannel.SMS,
                address=phone,
                body=texts.sms,
                **common,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    keys = [row.key for row in rows]
    batch = getattr(_batch, "keys", None)
    if batch is not None:
        batch.extend(keys)  # sent together when the batch ends (``delivery_batched``)
        return []
    pending = Notification.objects.filter(key__in=keys, status=NotificationStatus.PENDING)
    rows = list(pending.values_list("pk", "channel"))
    transaction.on_commit(lambda: _enqueue(rows))
    return [pk for pk, _channel in rows]


CODE_SENT = "[code sent]"


def phone_code_send(*, recipient: User, phone: str, text: str, key: str) -> int:
    """Write the SMS carrying a phone confirmation code to ``phone`` (the number being confirmed, not
    yet the account's) as one outbox row, in the caller's transaction, and send it after commit like
    every message, so a broker outage delays it and loses nothing. No copy goes to the portal's own
    list or by email: the code proves that the phone is the person's. Once delivered (or given up),
    the row keeps no code. Returns the row's id. Named by ``settings.PHONE_CODE_SENDER``."""
    row, _created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "kind": NotificationKind.PHONE_CODE,
            "channel": NotificationChannel.SMS,
            "recipient": recipient,
            "address": normalize_phone(phone),
            "body": plain_sms(text),
        },
    )
    if getattr(_batch, "keys", None) is not None:
        _batch.keys.append(row.key)
    else:
        transaction.on_commit(lambda: _enqueue([(row.pk, row.channel)]))
    return row.pk


_batch = threading.local()


@contextmanager
def delivery_batched(*, in_app_only: bool = False):
    """For bulk work through the services (the demo history): inside, every message is written as usual
    but not sent after its own commit; on leaving, the rows still pending are delivered together:
    in-portal rows in one update (what ``notification_deliver`` does to each), email and SMS queued
    one by one as usual. Rows of a transaction that rolled back do not exist, so nothing is sent for
    them. With ``in_app_only``, messages go to the people's lists in the portal only (a history of
    what happened long ago is not mailed or texted)."""
    previous = getattr(_batch, "keys", None)
    previous_in_app_only = getattr(_batch, "in_app_only", False)
    _batch.keys = keys = []
    _batch.in_app_only = in_app_only or previous_in_app_only
    try:
        yield
    except BaseException:  # interrupted (an error, Ctrl-C): what was written and committed is delivered
        _batch.keys, _batch.in_app_only = previous, previous_in_app_only
        if previous is not None:
            previous.extend(keys)
        else:
            try:
                _deliver_batch(keys)
            except Exception:  # the interruption is what the caller must see
                logger.exception("messages of an interrupted batch left pending for the sweep")
        raise
    _batch.keys, _batch.in_app_only = previous, previous_in_app_only
    if previous is not None:  # nested: the outer batch sends them
        previous.extend(keys)
    else:
        _deliver_batch(keys)


def _deliver_batch(keys: list[str]) -> None:
    """Deliver the rows written under ``keys`` that are still pending (a key of a transaction that
    rolled back has no row)."""
    for start in range(0, len(keys), SWEEP_BATCH):
        chunk = keys[start : start + SWEEP_BATCH]
        pending = Notification.objects.filter(key__in=chunk, status=NotificationStatus.PENDING)
        pending.filter(channel=NotificationChannel.IN_APP).update(
            status=NotificationStatus.SENT,
            sent_at=timezone.now(),
            attempts=models.F("attempts") + 1,
            provider_id="in-app",
            last_error="",
        )
        _enqueue(list(pending.exclude(channel=NotificationChannel.IN_APP).values_list("pk", "channel")))


def _language(user: User) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return user.language if user.language in codes else settings.LANGUAGE_CODE


def notifications_queue(*, event: DossierEvent) -> list[int]:
    """The applicant's message about ``event`` (a status change, an apology, a payment), in the event's
    transaction. Email and phone are those given on the dossier, else the account's. Any other event
    that leaves the status as it was (a hand-over) announces nothing: its message would only repeat the
    status already sent, so each status is announced once; a payment is announced as a payment."""
    announced = (EventKind.APOLOGY, EventKind.PAYMENT)
    if event.kind not in announced and event.from_status and event.from_status == event.to_status:
        return []
    dossier = event.dossier
    data = dossier.applicant_data or {}
    return notify(
        recipient=dossier.applicant,
        key=f"event:{event.pk}",
        kind=NotificationKind.EVENT,
        template="event",
        context={"dossier": dossier, "event": event},
        link=lookup_url(dossier),
        event=event,
        email=data.get("email") or None,
        phone=_dossier_phone(dossier, data.get("phone")),
    )


def _dossier_phone(dossier: Dossier, phone: str | None) -> str | None:
    """The number a dossier's news goes to by SMS: the one written on the dossier when a clerk took it
    down at the desk (the applicant stood there) or when it is the account's confirmed number; any
    other number typed online has not been confirmed by its holder, so the news goes to the account's
    confirmed number, if any."""
    if not phone:
        return None
    if dossier.channel != Channel.ONLINE:
        return phone
    confirmed = dossier.applicant.confirmed_phone
    if confirmed and normalize_phone(phone) == normalize_phone(confirmed):
        return phone
    return confirmed


def _enqueue(rows) -> None:
    """Hand the rows ``(pk, channel)`` to the broker, each on its channel's queue (``NOTIFICATION_QUEUES``:
    a hung mail server holds up only the workers of the mail queue), noting when (the sweep leaves a
    row queued recently alone). Rows of one channel queued together (the sweep's, a batch's) travel as
    one broker message of up to ``DELIVER_BATCH`` ids: one task's overhead for many messages. A batch goes
    as ``notifications_deliver_task``; a row alone (a status change's, after its commit) as
    ``notification_deliver_task`` with its one id, the message a worker of an earlier release also takes
    during a rolling deploy (a batch it does not know waits for the sweep)."""
    from .tasks import notification_deliver_task, notifications_deliver_task

    rows = list(rows)
    ids = [pk for pk, _channel in rows]
    Notification.objects.filter(pk__in=ids, status=NotificationStatus.PENDING).update(queued_at=timezone.now())
    by_channel: dict[str, list[int]] = {}
    for pk, channel in rows:
        by_channel.setdefault(channel, []).append(pk)
    batches = [
        (channel, pks[start : start + DELIVER_BATCH])
        for channel, pks in by_channel.items()
        for start in range(0, len(pks), DELIVER_BATCH)
    ]
    queues = settings.NOTIFICATION_QUEUES
    for n, (channel, pks) in enumerate(batches):
        queue = queues.get(channel, settings.CELERY_TASK_DEFAULT_QUEUE)
        try:
            if len(pks) == 1:
                notification_deliver_task.apply_async((pks[0],), queue=queue)
            else:
                notifications_deliver_task.apply_async((pks,), queue=queue)
        except Exception as error:  # broker down: the sweep sends these later
            later = [pk for _channel, batch in batches[n:] for pk in batch]
            Notification.objects.filter(pk__in=later, status=NotificationStatus.PENDING).update(queued_at=None)
            logger.warning("%s notifications not queued now (%s); the sweep will send them", len(later), error)
            return


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2**attempts), MAX_BACKOFF)


_mail = threading.local()
# A mail-server connection unused this long is asked whether it is still there (NOOP) before a message
# goes over it: servers close idle connections, and a message must not be lost on one found closed.
MAIL_IDLE_CHECK = 2.0


def _mail_send(message: EmailMessage) -> None:
    """Send ``message`` through ``EMAIL_BACKEND``. Over SMTP (Django's backend or a subclass), this
    thread's open connection to the mail server is used, opened on first use and kept between messages:
    no TCP/TLS handshake and login per mail. Any other backend (files, the console, the test outbox)
    opens and closes its own per message, as Django does: one mail file per message.

    Each call hands the message to the server at most once, as with a connection per mail: a kept
    connection found closed before the message goes is replaced; one the server closes when the message
    begins (it answers 421, or hangs up before the message's text was sent: the message was certainly
    not taken) is replaced and the message sent once more on the new one; any other failure drops the
    connection and is raised, for the outbox to retry under the same Message-ID."""
    if not issubclass(import_string(settings.EMAIL_BACKEND), SmtpBackend):
        message.send()
        return
    key = (
        os.getpid(),  # a forked child never shares its parent's connection
        settings.EMAIL_BACKEND,
        settings.EMAIL_HOST,
        settings.EMAIL_PORT,
        settings.EMAIL_HOST_USER,
        settings.EMAIL_USE_TLS,
        settings.EMAIL_USE_SSL,
    )
    held = getattr(_mail, "held", None)
    if held is None or held["key"] != key:
        if held is not None:
            _mail_drop(held["backend"])
        held = _mail.held = {"key": key, "backend": get_connection(fail_silently=False), "used": 0.0}
    backend = held["backend"]
    server = backend.connection
    if isinstance(server, smtplib.SMTP) and time.monotonic() - held["used"] > MAIL_IDLE_CHECK:
        try:
            alive = server.noop()[0] == 250
        except (smtplib.SMTPException, OSError):
            alive = False
        if not alive:
            _mail_drop(backend)
    reused = backend.connection is not None
    try:
        try:
            backend.open()
            message.connection = backend
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            if not (reused and _not_taken(error)):
                raise
            _mail_drop(backend)
            backend.open()
            message.send()
    except BaseException:
        _mail_drop(backend)  # in an unknown state mid-conversation: the next message opens a new one
        raise
    held["used"] = time.monotonic()


def _not_taken(error: Exception) -> bool:
    """Whether the mail server certainly did not take the message: it answered 421 (closing the session)
    to one of its commands, or the connection broke before the message's text was sent (anywhere before
    DATA; after, the server may have queued it)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code == 421 for code, _reply in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code == 421
    if isinstance(error, smtplib.SMTPServerDisconnected | ConnectionError):
        return not any(
            frame.name == "data" and frame.filename == smtplib.__file__
            for frame in traceback.extract_tb(error.__traceback__)
        )
    return False


def _mail_drop(backend) -> None:
    """Close ``backend``'s connection without a goodbye (a server that stopped answering would hold
    the QUIT until the timeout)."""
    server = getattr(backend, "connection", None)
    if isinstance(server, smtplib.SMTP):
        with suppress(OSError):
            server.close()
        backend.connection = None
    else:
        with suppress(Exception):
            backend.close()


def _send(notification: Notification) -> str:
    if notification.channel == NotificationChannel.IN_APP:
        return "in-app"
    if notification.channel == NotificationChannel.EMAIL:
        validate_email(notification.address)
        # A stable Message-ID: a copy sent again after a crash is recognisably the same message.
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
        message = EmailMessage(
            notification.subject,
            notification.body,
            None,
            [notification.address],
            headers={"Message-ID": f"<{notification.key.replace(':', '.')}@{domain}>"},
        )
        _mail_send(message)
        return "mail"
    validate_phone(notification.address)
    return get_sms_backend().send(
        phone=normalize_phone(notification.address), text=notification.body, reference=notification.key
    )


def notification_deliver(*, notification_id: int) -> str:
    """Send one pending row; returns its status afterwards. Three steps, so no network call happens
    inside a transaction and a crash mid-call is visible: the row is taken (locked, still pending and
    due) and marked "sending" in a short transaction; the message is sent with no transaction open;
    the outcome is written. A worker killed during the call leaves the row "sending": the sweep finds
    it when the send's time is over and sends it again under the same key, marked uncertain."""
    now = timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .first()
        )
        if notification is None:  # sent already, being sent, failed for good, or another worker has it now
            return "skipped"
        if notification.next_attempt_at and notification.next_attempt_at > now:
            return NotificationStatus.PENDING
        notification.attempts += 1
        notification.status = NotificationStatus.SENDING
        notification.sending_since = now
        notification.save(update_fields=["attempts", "status", "sending_since"])
    error, retryable = None, True
    try:
        notification.provider_id = _send(notification)[:100]
    except SmsError as failure:
        error, retryable = str(failure), failure.retryable
    except ValidationError as failure:  # an invalid phone number or address: no retry will help
        error, retryable = "; ".join(failure.messages), False
    except smtplib.SMTPRecipientsRefused as failure:  # the mail server refuses this address
        error, retryable = f"address refused: {failure.recipients}", False
    except Exception as failure:  # a mail server error, a timeout: recorded with the reason
        error = f"{type(failure).__name__}: {failure}"
    now = timezone.now()
    if error is None:
        notification.status = NotificationStatus.SENT
        notification.sent_at = now
        notification.last_error = ""
    else:
        _failed_attempt(notification, error, retryable=retryable, now=now)
    settled = {}
    if notification.kind == NotificationKind.PHONE_CODE and notification.status != NotificationStatus.PENDING:
        settled["body"] = CODE_SENT  # the code is kept nowhere once it left (or never will)
    # Settled only if still ours: a send the sweep already declared uncertain is left to that resend.
    Notification.objects.filter(pk=notification.pk, status=NotificationStatus.SENDING).update(
        **settled,
        status=notification.status,
        sent_at=notification.sent_at,
        last_error=notification.last_error,
        next_attempt_at=notification.next_attempt_at,
        provider_id=notification.provider_id,
        queued_at=None,  # a retry is queued by the sweep when its time comes
        sending_since=None,
    )
    return notification.status


def notifications_deliver(*, notification_ids) -> list[str]:
    """Deliver the rows ``notification_ids`` (of one channel, queued together) one after the other, each
    through ``notification_deliver``: each is taken under its row lock only while pending and settled
    right after its own send, so a batch run twice, or by two workers at once, sends each row once, and
    a worker killed mid-batch leaves only the row on the wire to the sweep. The rows not begun are queued
    again at once, rather than left to the sweep, after ``BATCH_TIME_BUDGET`` (a slow server: not held
    past the task's time limit) and when the database connection fails (a restart, a failover: the row
    in hand is settled by the sweep like any interrupted send; the others go on a new connection).
    Returns the statuses of the rows delivered here."""
    ids = list(notification_ids)
    started = time.monotonic()
    statuses = []
    for n, pk in enumerate(ids):
        if n and time.monotonic() - started > BATCH_TIME_BUDGET:
            _requeue(ids[n:])
            break
        try:
            statuses.append(notification_deliver(notification_id=pk))
        except (OperationalError, InterfaceError) as error:
            logger.warning("database error in a batch at notification %s (%s); the rest queued again", pk, error)
            if not transaction.get_connection().in_atomic_block:  # a caller's transaction is the caller's
                close_old_connections()  # a broken connection is closed; the next query opens a new one
            _requeue(ids[n:])  # the row in hand too, if its take was undone: only pending rows go
            break
    return statuses


def _requeue(ids: list[int]) -> None:
    """Queue again those of ``ids`` still pending (a row being sent, or sent, is not)."""
    rest = Notification.objects.filter(pk__in=ids, status=NotificationStatus.PENDING)
    _enqueue(rest.order_by("pk").values_list("pk", "channel"))


def _failed_attempt(notification: Notification, reason: str, *, retryable: bool, now) -> None:
    notification.last_error = reason[:500]
    logger.warning("notification %s attempt %s failed: %s", notification.pk, notification.attempts, reason)
    if retryable and now - notification.created_at < GIVE_UP_AFTER:
        notification.status = NotificationStatus.PENDING
        notification.next_attempt_at = now + _backoff(notification.attempts)
    else:
        notification.status = NotificationStatus.FAILED


def notifications_sweep(*, now=None) -> int:
    """Queue every pending row whose time has come and that is not waiting in the broker already (a
    row queued within ``REQUEUE_AFTER`` is left alone; one queued longer ago was lost with a worker or
    the broker); first, a send that began longer ago than any send may take and never settled (its
    worker died mid-call) is made pending again, marked uncertain. Returns how many were queued."""
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):  # the desk reads it as it reads the history
        interrupted = _("Interrupted while sending: sent again under the same reference.")
    Notification.objects.filter(status=NotificationStatus.SENDING, sending_since__lt=now - SEND_TIME_LIMIT).update(
        status=NotificationStatus.PENDING,
        uncertain=True,
        next_attempt_at=None,
        queued_at=None,
        sending_since=None,
        last_error=interrupted,
    )
    due = Notification.objects.filter(
        models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now),
        models.Q(queued_at__isnull=True) | models.Q(queued_at__lt=now - REQUEUE_AFTER),
        status=NotificationStatus.PENDING,
    )
    rows = list(due.order_by("pk").values_list("pk", "channel")[:SWEEP_BATCH])
    _enqueue(rows)
    return len(rows)


def heartbeat(name: str) -> None:
    """Note that the periodic job ``name`` completed now."""
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


def last_heartbeat(name: str):
    """When the periodic job ``name`` last completed, or None."""
    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()


def notification_resend(*, notification: Notification) -> bool:
    """Staff's one-click resend of a failed row: pending again, now, to the address now in the
    person's account (where the wrong number or address was corrected). False when it was not failed
    (a second click, or someone else resent it first)."""
    recipient = notification.recipient
    if notification.kind == NotificationKind.PHONE_CODE:
        return False  # a code is asked for again by its owner, on the page where it is typed
    current = recipient.email if notification.channel == NotificationChannel.EMAIL else recipient.confirmed_phone
    changes = {"status": NotificationStatus.PENDING, "next_attempt_at": None, "last_error": "", "attempts": 0}
    if notification.channel != NotificationChannel.IN_APP and current:
        changes["address"] = current
    changed = Notification.objects.filter(pk=notification.pk, status=NotificationStatus.FAILED).update(
        created_at=timezone.now(), **changes
    )
    if changed:
        transaction.on_commit(lambda: _enqueue([(notification.pk, notification.channel)]))
    notification.refresh_from_db()
    return bool(changed)


def notifications_mark_read(*, user, now=None) -> int:
    """Mark the person's in-portal messages read (when they open the list)."""
    return Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
