"""Celery tasks: thin wrappers over the scheduled feedback jobs (their schedule is
``CELERY_BEAT_SCHEDULE`` in the settings). Every task may run twice without doing anything twice."""

from celery import shared_task

from .anonymous import pending_files_sweep
from .reminders import feedback_digests_send, feedback_escalations_send, feedback_reminders_send


@shared_task(acks_late=True)
def feedback_reminders_send_task() -> int:
    return feedback_reminders_send()


@shared_task(acks_late=True)
def feedback_escalations_send_task() -> int:
    return feedback_escalations_send()


@shared_task(acks_late=True)
def feedback_digests_send_task() -> int:
    return feedback_digests_send()


@shared_task(acks_late=True)
def pending_files_sweep_task() -> int:
    return pending_files_sweep()
