"""The scheduled reports: after each data cut-off (the 14th), the month just closed (and the quarter,
when the month closes one) by the official cut-off, as XLSX files (the 06a report and the online-service
table), mailed to the leaders of each administrative unit. Declared in ``CELERY_BEAT_SCHEDULE``: it runs
every morning and sends what is due and not sent yet, so a missed day is caught up and a second run
sends nothing."""

import logging
from datetime import date

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.constants import ADMINISTRATIVE_KINDS, Role
from accounts.models import StaffMembership

from .exports import sheet_06a, sheet_online, sheet_xlsx
from .indicators import indicator_table
from .models import ReportMailing
from .periods import CUTOFF_DAY, MONTH, QUARTER, Period, period_for
from .selectors import report_06a

logger = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def periods_closed(*, today: date) -> list[Period]:
    """The cut-off month that closed most recently (on the 14th) and its quarter if it closed one."""
    year, month = today.year, today.month
    if today.day < CUTOFF_DAY:
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    closed = [period_for(MONTH, year, month, cutoff=True)]
    if month % 3 == 0:
        closed.append(period_for(QUARTER, year, month // 3, cutoff=True))
    return closed


def reports_mail_due(*, today: date | None = None) -> int:
    """Mail every closed period's reports not mailed yet; returns how many mails went."""
    today = today or timezone.localdate()
    leaders = (
        StaffMembership.objects.filter(
            role=Role.LEADER,
            is_active=True,
            user__is_active=True,
            agency__is_active=True,
            agency__kind__in=ADMINISTRATIVE_KINDS,
        )
        .exclude(user__email__isnull=True)
        .select_related("agency", "user")
    )
    sent = 0
    for period in periods_closed(today=today):
        for membership in leaders:
            try:
                sent += _mail_one(membership=membership, period=period)
            except Exception:  # a mail server error: nothing recorded, tomorrow's run sends it
                logger.exception("report %s for %s not mailed", period.label, membership.agency.code)
    return sent


def _mail_one(*, membership, period: Period) -> int:
    with transaction.atomic():
        mailing, _created = ReportMailing.objects.get_or_create(
            agency=membership.agency,
            recipient=membership.user,
            period_kind=period.kind,
            year=period.year,
            number=period.number,
        )
        mailing = ReportMailing.objects.select_for_update().get(pk=mailing.pk)
        if mailing.sent_at:
            return 0
        user = membership.user
        with translation.override(user.language or "vi"):
            report = report_06a(agency=membership.agency, period=period)
            table = indicator_table(agency=membership.agency, period=period)
            sheets = [sheet_06a(report), sheet_online(table)]
            context = {"recipient": user, "report": report, "table": table, "rates": table.rates(table.report.total)}
            subject = " ".join(render_to_string("reports/email/report_subject.txt", context).split())
            body = render_to_string("reports/email/report.txt", context)
            files = [(f"{sheet.file_stem}.xlsx", sheet_xlsx(sheet)) for sheet in sheets]  # headers in their language
        message = EmailMessage(subject, body, None, [user.email])
        for name, content in files:
            message.attach(name, content, XLSX)
        message.send()
        mailing.sent_at = timezone.now()
        mailing.save(update_fields=["sent_at"])
    logger.info("report %s mailed to %s for %s", period.label, user.email, membership.agency.code)
    return 1
