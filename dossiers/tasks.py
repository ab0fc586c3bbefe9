"""Celery tasks: thin wrappers over the outbox and the scheduled jobs (their schedule is
``CELERY_BEAT_SCHEDULE`` in the settings). Every task may run twice without doing anything twice."""

from celery import shared_task

from .outbox import heartbeat, notification_deliver, notifications_deliver, notifications_sweep
from .reminders import digests_send, escalations_send, reminders_send


@shared_task(acks_late=True)
def notification_deliver_task(notification_id: int, *more_ids: int) -> str | list[str]:
    """Deliver one outbox row. Its name and one-id form are what every release sends for a row alone, so
    messages already in a broker and producers of an earlier release keep working during a rolling
    deploy. Several ids (the one release that queued batches under this name) are delivered as a batch."""
    if more_ids:
        return notifications_deliver(notification_ids=(notification_id, *more_ids))
    return notification_deliver(notification_id=notification_id)


@shared_task(acks_late=True)
def notifications_deliver_task(notification_ids: list[int]) -> list[str]:
    """Deliver the outbox rows of one channel queued together (``outbox._enqueue``), up to 50."""
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
