from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.management import call_command

import pytest

from accounts.models import Agency
from dossiers.constants import Status
from dossiers.models import Dossier, DossierEvent, Notification
from reports.periods import period_range
from reports.selectors import report_06a

pytestmark = pytest.mark.django_db


def test_the_demo_history_is_made_through_the_services_and_reads_back_in_the_report():
    call_command("seed_demo", stdout=StringIO())
    from dossiers.demo_history import generate_history

    outcomes = generate_history(since=date(2026, 9, 1), until=date(2026, 10, 31), per_week=2, seed=5)
    dossiers = Dossier.objects.exclude(status=Status.DRAFT)
    assert dossiers.count() == sum(outcomes.values()) > 50
    # Real codes, events for every change, appointments from the working calendar, slips: the services' work.
    assert all(d.code and d.due_at for d in dossiers)
    assert (
        DossierEvent.objects.filter(to_status=Status.RETURNED).count()
        == dossiers.filter(status=Status.RETURNED).count()
    )
    assert DossierEvent.objects.filter(kind="apology").exists()
    assert dossiers.filter(status=Status.WITHDRAWN).exists() and dossiers.filter(status=Status.STOPPED).exists()
    assert dossiers.filter(agency__code="000.01.22.H56").exists()  # the district desk
    assert dossiers.values("agency").distinct().count() > 10  # and the communes
    # Nothing was sent to the sample citizens: they chose no email or SMS.
    assert not Notification.objects.filter(channel__in=["email", "sms"], recipient__phone__startswith="0987").exists()
    assert len(mail.outbox) == 0
    # A history, not a forecast: nothing after the last day asked for.
    end = datetime(2026, 11, 1, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert not DossierEvent.objects.filter(created_at__gte=end).exists()
    assert not dossiers.filter(finished_at__gte=end).exists() and not dossiers.filter(returned_at__gte=end).exists()
    report = report_06a(
        agency=Agency.objects.get(code="000.00.22.H56"), period=period_range(date(2026, 9, 1), date(2026, 10, 31))
    )
    total = report.total.counts
    assert total["received"] == dossiers.exclude(received_at__isnull=True).count()
    assert total["received"] == total["resolved"] + total["withdrawn"] + total["stopped"] + total["in_progress"]
    assert total["late"] > 0 and total["early"] > 0 and total["online"] > 0 and total["direct"] > 0
