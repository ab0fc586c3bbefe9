"""Celery tasks: thin wrappers over the outbox and the scheduled jobs (their schedule is
``CELERY_BEAT_SCHEDULE`` in the settings). Every task may run twice without doing anything twice."""

from celery import shared_task

from .outbox import heartbeat, notifications_deliver, notifications_sweep
from .reminders import digests_send, escalations_send, reminders_send


@shared_task(acks_late=True)
def notification_deliver_task(*notification_ids: int) -> list[str]:
    """Deliver outbox rows: one, or several of one channel queued together (``outbox._enqueue``)."""
    return notifications_deliver(notification_ids=notification_ids)


@shared_task
def notifications_sweep_task() -> int:
    queued = notifications_sweep()
    heartbeat("notifications-sweep")  # what /healthz reads: beat and a worker are both alive
    return queued


@shared_task(acks_late=True)
def reminders_send_task() -> int:
    return reminders_send()


@shared_task(acks_late=True)
def escalations_send_task() -> int:
    return escalations_send()


@shared_task(acks_late=True)
def digests_send_task() -> int:
    return digests_send()
