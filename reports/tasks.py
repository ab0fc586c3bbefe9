from celery import shared_task

from .mailing import reports_mail_due


@shared_task(acks_late=True)
def reports_mail_due_task() -> int:
    return reports_mail_due()
