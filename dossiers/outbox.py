"""The notification outbox: rows written with the event, delivered after commit, swept while pending.

- ``notifications_queue`` runs inside the transaction of a status change: one row per channel the
  applicant can be reached on (email, SMS, in-app), unique per event and channel.
- ``notification_deliver`` sends one row under a row lock and only while it is pending, so a task run
  twice (a redelivered message) sends once. Failures are retried with exponential backoff for 24 hours,
  then the row is marked failed with the reason, for staff to see and resend.
- ``notifications_sweep`` re-queues pending rows whose time has come: a broker that was down at commit
  time delays a message, it does not lose it.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.validators import normalize_phone, validate_phone
from onestop.sms import SmsError, get_sms_backend, plain_sms

from .constants import NotificationChannel, NotificationStatus
from .links import lookup_url
from .models import DossierEvent, Notification

logger = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(hours=24)
MAX_BACKOFF = timedelta(hours=2)


def notifications_queue(*, event: DossierEvent) -> list[Notification]:
    """Write the outbox rows for ``event`` (call inside its transaction) and send them after commit.
    The texts are rendered now: a template that fails fails the change, never an empty message."""
    dossier = event.dossier
    applicant = dossier.applicant
    data = dossier.applicant_data or {}
    context = {"dossier": dossier, "event": event, "lookup_url": lookup_url(dossier)}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("dossiers/email/event_subject.txt", context).strip()
        body = render_to_string("dossiers/email/event.txt", context)
        sms = plain_sms(render_to_string("dossiers/sms/event.txt", context))
    rows = [
        Notification(event=event, channel=NotificationChannel.IN_APP, recipient=applicant, subject=subject, body=body)
    ]
    email = data.get("email") or applicant.email
    if email:
        rows.append(
            Notification(
                event=event,
                channel=NotificationChannel.EMAIL,
                recipient=applicant,
                address=email,
                subject=subject,
                body=body,
            )
        )
    phone = data.get("phone") or applicant.phone
    if phone:
        rows.append(
            Notification(event=event, channel=NotificationChannel.SMS, recipient=applicant, address=phone, body=sms)
        )
    created = Notification.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(Notification.objects.filter(event=event).values_list("pk", flat=True))
    transaction.on_commit(lambda: _enqueue(ids))
    return created


def _enqueue(ids) -> None:
    from .tasks import notification_deliver_task

    for pk in ids:
        try:
            notification_deliver_task.delay(pk)
        except Exception:  # broker down: the sweep sends it later
            logger.warning("notification %s not queued now; the sweep will send it", pk, exc_info=True)
            return


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2**attempts), MAX_BACKOFF)


def _send(notification: Notification) -> str:
    if notification.channel == NotificationChannel.IN_APP:
        return "in-app"
    if notification.channel == NotificationChannel.EMAIL:
        send_mail(notification.subject, notification.body, None, [notification.address])
        return "mail"
    validate_phone(notification.address)
    return get_sms_backend().send(phone=normalize_phone(notification.address), text=notification.body)


def notification_deliver(*, notification_id: int) -> str:
    """Send one pending row; returns its status afterwards."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .first()
        )
        if notification is None:  # sent already, failed for good, or another worker has it now
            return "skipped"
        now = timezone.now()
        if notification.next_attempt_at and notification.next_attempt_at > now:
            return NotificationStatus.PENDING
        notification.attempts += 1
        try:
            notification.provider_id = _send(notification)[:100]
        except SmsError as error:
            _failed_attempt(notification, str(error), retryable=error.retryable, now=now)
        except Exception as error:  # a mail server error, an invalid address: recorded with the reason
            _failed_attempt(notification, str(error), retryable=not isinstance(error, ValidationError), now=now)
        else:
            notification.status = NotificationStatus.SENT
            notification.sent_at = now
            notification.last_error = ""
        notification.save()
        return notification.status


def _failed_attempt(notification: Notification, reason: str, *, retryable: bool, now) -> None:
    notification.last_error = reason[:500]
    if retryable and now - notification.created_at < GIVE_UP_AFTER:
        notification.next_attempt_at = now + _backoff(notification.attempts)
    else:
        notification.status = NotificationStatus.FAILED


def notifications_sweep(*, now=None) -> int:
    """Queue every pending row whose time has come; returns how many."""
    now = now or timezone.now()
    due = Notification.objects.filter(status=NotificationStatus.PENDING).filter(
        next_attempt_at__isnull=True
    ) | Notification.objects.filter(status=NotificationStatus.PENDING, next_attempt_at__lte=now)
    ids = list(due.values_list("pk", flat=True)[:1000])
    _enqueue(ids)
    return len(ids)


def notification_resend(*, notification: Notification) -> Notification:
    """Staff's one-click resend of a failed row: pending again, now."""
    Notification.objects.filter(pk=notification.pk, status=NotificationStatus.FAILED).update(
        status=NotificationStatus.PENDING, next_attempt_at=None, last_error=""
    )
    transaction.on_commit(lambda: _enqueue([notification.pk]))
    notification.refresh_from_db()
    return notification


def notifications_mark_read(*, user, now=None) -> int:
    """Mark the person's in-portal messages read (when they open the list)."""
    return Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
