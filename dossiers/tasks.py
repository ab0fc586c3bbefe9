from celery import shared_task

from .notifications import dossier_notify_applicant
from .outbox import notification_deliver, notifications_sweep


@shared_task(acks_late=True)
def dossier_notify_applicant_task(dossier_id: int) -> None:
    dossier_notify_applicant(dossier_id=dossier_id)


@shared_task(acks_late=True)
def notification_deliver_task(notification_id: int) -> str:
    return notification_deliver(notification_id=notification_id)


@shared_task
def notifications_sweep_task() -> int:
    return notifications_sweep()
