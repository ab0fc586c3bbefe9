"""Lateness is never cleared: a dossier already overdue when a supplement (or, where the clock pauses
for it, a payment) was asked keeps its due time after the applicant answers, and stays late in the
06a report, the indicators, the queues and the leaders' escalations. Built through the services with
the clock set to each moment; the expected numbers are counted by hand from the dates below."""

from contextlib import contextmanager
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

import pytest

from dossiers.constants import SlipKind, Status
from dossiers.models import Slip
from dossiers.reminders import escalations_send
from dossiers.selectors import dossier_queue
from dossiers.services import (
    dossier_complete,
    dossier_hand_over,
    dossier_receive,
    dossier_record_payment,
    dossier_request_completion,
    dossier_request_payment,
    dossier_resubmit,
)
from reports.indicators import indicator_table, rate
from reports.periods import MONTH, period_for, period_range
from reports.selectors import report_06a
from tests.dossiers.conftest import pdf_upload, real_pdf_upload, submit_online

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(*parts):
    return datetime(*parts, tzinfo=TZ)


@contextmanager
def clock(moment):
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


@pytest.fixture
def processing(citizen, network, allowance):
    """A 10-working-day dossier submitted on Thursday 22/05/2025 at 09:00 and received half an hour
    later (due Thursday 05/06/2025 at 09:00), handed to the district department the next morning."""
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"], when=at(2025, 5, 22, 9))
    with clock(at(2025, 5, 22, 9, 30)):
        dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    assert timezone.localtime(dossier.due_at) == at(2025, 6, 5, 9)
    with clock(at(2025, 5, 23, 9)):
        dossier = dossier_hand_over(
            dossier=dossier, by=network["clerk"], to_agency=network["department"], to_user=network["specialist"]
        ).dossier
    return dossier


def _supplement(dossier, by, when):
    with clock(when):
        return dossier_request_completion(
            dossier=dossier, by=by, missing=["Giấy xác nhận khuyết tật"], reason="Thiếu giấy tờ"
        ).dossier


def _resubmit(dossier, citizen, when):
    with clock(when):
        return dossier_resubmit(
            dossier=dossier, by=citizen, uploads=[(dossier.procedure_version.documents.first(), pdf_upload())]
        )


def _cells(dossier, period, now):
    report = report_06a(agency=dossier.agency.parent, period=period, now=now)
    return next(row.counts for row in report.rows if row.key == dossier.agency_id)


def test_a_supplement_asked_once_overdue_keeps_the_due_time_and_the_dossier_is_counted_late(
    processing, citizen, network
):
    specialist = network["specialist"]
    # Asked on Monday 09/06, four days after the due time.
    dossier = _supplement(processing, specialist, at(2025, 6, 9, 10))
    june = period_for(MONTH, 2025, 6)
    waiting = _cells(dossier, june, now=at(2025, 6, 10, 9))
    assert waiting["in_progress"] == 1 and waiting["overdue"] == 1 and waiting["within_time"] == 0
    # Waiting on the applicant does not hide it: overdue in the holders' queue, the leader is told.
    with clock(at(2025, 6, 10, 9)):
        assert dossier in dossier_queue(user=specialist, due="overdue", now=at(2025, 6, 10, 9))
        assert escalations_send(now=at(2025, 6, 10, 9)) == 1

    receipts_before = Slip.objects.filter(dossier=dossier, kind=SlipKind.RECEIPT).count()
    outcome = _resubmit(dossier, citizen, at(2025, 6, 12, 9))
    dossier = outcome.dossier
    assert timezone.localtime(dossier.due_at) == at(2025, 6, 5, 9)  # no fresh time
    assert Slip.objects.filter(dossier=dossier, kind=SlipKind.RECEIPT).count() == receipts_before  # no new appointment
    assert "quá hạn" in outcome.event.note and "05/06/2025 09:00" in outcome.event.note  # in the history
    assert not outcome.warnings  # the applicant answered online: the apology is the desk's to give
    assert _cells(dossier, june, now=at(2025, 6, 13, 9))["overdue"] == 1

    with clock(at(2025, 6, 16, 10)):
        dossier = dossier_complete(dossier=dossier, by=specialist, results=[real_pdf_upload()]).dossier
    done = _cells(dossier, june, now=at(2025, 7, 1, 9))
    assert (done["resolved"], done["late"], done.get("on_time", 0), done.get("early", 0)) == (1, 1, 0, 0)
    table = indicator_table(agency=dossier.agency.parent, period=june, now=at(2025, 7, 1, 9))
    unit = next(row for row in table.report.rows if row.key == dossier.agency_id)
    assert rate(unit.counts, "on_time_rate") == 0


def test_a_supplement_asked_within_time_restarts_the_full_time(processing, citizen, network):
    dossier = _supplement(processing, network["specialist"], at(2025, 5, 28, 10))  # a week before the due time
    paused = _cells(dossier, period_range(at(2025, 6, 1).date(), at(2025, 6, 6).date()), now=at(2025, 6, 9, 9))
    assert paused["within_time"] == 1 and paused["overdue"] == 0  # on 06/06 the clock was paused
    outcome = _resubmit(dossier, citizen, at(2025, 6, 2, 9))
    # Ten working days from Monday 02/06 at 09:00.
    assert timezone.localtime(outcome.dossier.due_at) == at(2025, 6, 16, 9)
    assert not outcome.warnings and outcome.slip is not None and outcome.slip.kind == SlipKind.RECEIPT
    with clock(at(2025, 6, 12, 10)):
        dossier = dossier_complete(dossier=outcome.dossier, by=network["specialist"], results=[real_pdf_upload()])
    done = _cells(dossier.dossier, period_for(MONTH, 2025, 6), now=at(2025, 7, 1, 9))
    assert done["early"] == 1 and done.get("late", 0) == 0


def _ask_payment(dossier, network, when):
    with clock(when):
        return dossier_request_payment(dossier=dossier, by=network["specialist"], amount=50_000).dossier


def test_waiting_for_payment_counts_against_the_time_by_default(processing, network):
    # The default: Decree 61/2018's one time limit from reception to result.
    dossier = _ask_payment(processing, network, at(2025, 5, 26, 9))
    assert dossier.status == Status.AWAITING_PAYMENT
    cells = _cells(dossier, period_for(MONTH, 2025, 6), now=at(2025, 6, 6, 9))
    assert cells["overdue"] == 1
    with clock(at(2025, 6, 6, 9)):
        dossier = dossier_record_payment(dossier=dossier, by=network["specialist"]).dossier
    assert timezone.localtime(dossier.due_at) == at(2025, 6, 5, 9)


def test_where_payment_pauses_the_clock_the_time_left_resumes_after_it(processing, network, settings):
    settings.DOSSIER_PAYMENT_PAUSES_CLOCK = True
    # Asked on Monday 26/05 at 09:00 with 8 working days left; paid on Friday 30/05 at 09:00.
    dossier = _ask_payment(processing, network, at(2025, 5, 26, 9))
    waiting = _cells(dossier, period_range(at(2025, 5, 1).date(), at(2025, 5, 29).date()), now=at(2025, 6, 9, 9))
    assert waiting["within_time"] == 1
    with clock(at(2025, 5, 30, 9)):
        dossier = dossier_record_payment(dossier=dossier, by=network["specialist"]).dossier
    assert timezone.localtime(dossier.due_at) == at(2025, 6, 11, 9)  # 30/05 + 8 working days


def test_where_payment_pauses_the_clock_a_payment_asked_once_overdue_stays_late(processing, network, settings):
    settings.DOSSIER_PAYMENT_PAUSES_CLOCK = True
    dossier = _ask_payment(processing, network, at(2025, 6, 6, 9))  # a day after the due time
    assert _cells(dossier, period_for(MONTH, 2025, 6), now=at(2025, 6, 9, 9))["overdue"] == 1
    with clock(at(2025, 6, 10, 9)):
        assert dossier in dossier_queue(user=network["specialist"], due="overdue", now=at(2025, 6, 10, 9))
        dossier = dossier_record_payment(dossier=dossier, by=network["specialist"]).dossier
    assert timezone.localtime(dossier.due_at) == at(2025, 6, 5, 9)


def test_the_dossier_page_calls_a_dossier_asked_once_overdue_overdue_and_one_asked_in_time_paused(
    processing, network, citizen
):
    from dossiers.constants import Timeliness
    from dossiers.selectors import dossier_timeliness

    late = _supplement(processing, network["specialist"], at(2025, 6, 9, 10))
    assert dossier_timeliness(dossier=late, now=at(2025, 6, 10, 9)) == Timeliness.OVERDUE
    other = submit_online(citizen=citizen, version=processing.procedure_version, agency=network["commune"])
    with clock(timezone.now()):
        other = dossier_receive(dossier=other, by=network["clerk"]).dossier
    other = _supplement(other, network["clerk"], timezone.now())
    assert dossier_timeliness(dossier=other) is None  # paused: nothing to judge until the applicant answers


def test_the_desk_recording_a_late_supplement_is_told_to_apologise(processing, network):
    dossier = _supplement(processing, network["specialist"], at(2025, 6, 9, 10))
    with clock(at(2025, 6, 12, 9)):
        outcome = dossier_resubmit(dossier=dossier, by=network["clerk"], note="Nộp bổ sung tại Bộ phận Một cửa")
    assert timezone.localtime(outcome.dossier.due_at) == at(2025, 6, 5, 9)
    assert outcome.warnings and "phiếu xin lỗi" in outcome.warnings[0]
