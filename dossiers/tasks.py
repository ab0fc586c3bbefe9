from celery import shared_task

from .notifications import dossier_notify_applicant, dossier_notify_event


@shared_task(acks_late=True)
def dossier_notify_applicant_task(dossier_id: int) -> None:
    dossier_notify_applicant(dossier_id=dossier_id)


@shared_task(acks_late=True)
def dossier_notify_event_task(event_id: int) -> None:
    dossier_notify_event(event_id=event_id)
