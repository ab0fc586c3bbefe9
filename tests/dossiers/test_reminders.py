"""Scheduled messages to staff: reminders, escalations and the weekly digest, each once for its day."""

from datetime import timedelta
from unittest import mock

from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.constants import Role
from dossiers.constants import NotificationChannel, NotificationKind, NotificationStatus
from dossiers.models import Dossier, Notification
from dossiers.reminders import digests_send, escalations_send, reminders_send
from dossiers.services import dossier_receive, dossier_request_completion
from procedures.calendar import WorkingCalendar
from tests.dossiers.conftest import submit_online
from tests.factories import StaffMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.make_aware(timezone.datetime(2026, 11, 26, 7, 0))  # a Thursday


@pytest.fixture
def held(citizen, network, allowance):
    """A received dossier held by the commune clerk."""
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    return dossier_receive(dossier=dossier, by=network["clerk"]).dossier


def _due(dossier, when):
    Dossier.objects.filter(pk=dossier.pk).update(due_at=when)
    dossier.refresh_from_db()


def _staff_rows(kind):
    return Notification.objects.filter(kind=kind)


def test_the_holder_is_reminded_once_a_day_of_a_dossier_due_within_one_working_day(held, network, now):
    _due(held, now + timedelta(hours=9))  # 16:00 today
    assert reminders_send(now=now) == 1
    rows = _staff_rows(NotificationKind.REMINDER)
    assert {row.recipient for row in rows} == {network["clerk"]}
    assert {row.channel for row in rows} >= {NotificationChannel.IN_APP, NotificationChannel.EMAIL}
    assert held.code in rows.get(channel=NotificationChannel.EMAIL).subject
    first = rows.count()
    assert first == 3  # in the portal, by email and by SMS
    reminders_send(now=now + timedelta(minutes=30))  # the beat ran again the same morning
    assert reminders_send(now=now + timedelta(hours=2)) == 1
    assert _staff_rows(NotificationKind.REMINDER).count() == first
    _due(held, now + timedelta(days=1, hours=5))  # given more time (12:00 tomorrow), due tomorrow again
    reminders_send(now=now + timedelta(days=1))  # the next morning: reminded again
    assert _staff_rows(NotificationKind.REMINDER).count() == 2 * first


def test_no_reminder_for_a_dossier_due_later_or_paused_for_a_supplement(held, network, now):
    calendar = WorkingCalendar.current()
    _due(held, calendar.add_working_days(now, 2))
    assert reminders_send(now=now) == 0
    _due(held, now + timedelta(hours=3))
    with mock.patch.object(timezone, "now", return_value=now):  # asked within its time: the clock pauses
        dossier_request_completion(
            dossier=held, by=network["clerk"], missing=["Giấy xác nhận khuyết tật"], reason="Thiếu giấy xác nhận"
        )
    assert reminders_send(now=now) == 0


def test_a_supplement_asked_once_overdue_keeps_the_dossier_in_the_leaders_escalations(held, network, now):
    _due(held, now - timedelta(hours=3))
    with mock.patch.object(timezone, "now", return_value=now):  # asked after the due time: nothing pauses
        dossier_request_completion(
            dossier=held, by=network["clerk"], missing=["Giấy xác nhận khuyết tật"], reason="Thiếu giấy xác nhận"
        )
    assert escalations_send(now=now + timedelta(hours=1)) == 1
    assert _staff_rows(NotificationKind.ESCALATION).filter(recipient=network["leader"]).exists()


def test_a_dossier_nobody_holds_reminds_the_staff_of_its_unit(citizen, network, allowance, now):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    second = StaffMembershipFactory(agency=network["commune"], role=Role.CLERK).user
    _due(dossier, now + timedelta(hours=2))
    assert reminders_send(now=now) == 2
    assert set(_staff_rows(NotificationKind.REMINDER).values_list("recipient", flat=True)) == {
        network["clerk"].pk,
        second.pk,
    }


def test_an_overdue_dossier_is_escalated_to_the_leaders_once_per_deadline(held, network, now):
    _due(held, now - timedelta(hours=15))  # 16:00 yesterday
    escalations_send(now=now)
    rows = _staff_rows(NotificationKind.ESCALATION)
    assert {row.recipient for row in rows} == {network["leader"]}  # the district's leader above the commune
    first = rows.count()
    escalations_send(now=now + timedelta(days=1))
    assert _staff_rows(NotificationKind.ESCALATION).count() == first
    _due(held, now + timedelta(days=3))  # a new deadline, missed again later
    escalations_send(now=now + timedelta(days=4))
    assert _staff_rows(NotificationKind.ESCALATION).count() == 2 * first


def test_the_weekly_digest_lists_the_overdue_dossiers_once_a_week(held, citizen, network, allowance, now):
    late = [
        held,
        dossier_receive(
            dossier=submit_online(citizen=citizen, version=allowance, agency=network["commune"]), by=network["clerk"]
        ).dossier,
    ]
    for dossier in late:
        _due(dossier, now - timedelta(days=2))
    on_time = dossier_receive(
        dossier=submit_online(citizen=citizen, version=allowance, agency=network["commune"]), by=network["clerk"]
    ).dossier
    _due(on_time, now + timedelta(days=5))
    assert digests_send(now=now) == 1
    mail_row = _staff_rows(NotificationKind.DIGEST).get(channel=NotificationChannel.EMAIL)
    assert mail_row.recipient == network["leader"]
    assert all(d.code in mail_row.body for d in late) and on_time.code not in mail_row.body
    assert "2 hồ sơ quá hạn" in mail_row.subject
    assert reverse("dossiers:queue") + "?due=overdue" in mail_row.body
    assert digests_send(now=now + timedelta(days=1)) == 1
    assert _staff_rows(NotificationKind.DIGEST).filter(channel=NotificationChannel.EMAIL).count() == 1
    digests_send(now=now + timedelta(days=7))
    assert _staff_rows(NotificationKind.DIGEST).filter(channel=NotificationChannel.EMAIL).count() == 2


def test_no_digest_when_nothing_is_overdue(held, now):
    _due(held, now + timedelta(days=5))
    assert digests_send(now=now) == 0
    assert not Notification.objects.filter(kind=NotificationKind.DIGEST).exists()


def test_scheduled_messages_are_delivered_like_the_others(held, network, now, django_capture_on_commit_callbacks):
    _due(held, now + timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(now=now)
    assert set(_staff_rows(NotificationKind.REMINDER).values_list("status", flat=True)) == {NotificationStatus.SENT}


def test_the_jobs_are_declared_in_the_beat_schedule(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    tasks = {entry["task"] for entry in schedule.values()}
    assert tasks == {
        "dossiers.tasks.notifications_sweep_task",
        "dossiers.tasks.reminders_send_task",
        "dossiers.tasks.escalations_send_task",
        "dossiers.tasks.digests_send_task",
        "reports.tasks.reports_mail_due_task",
        "feedback.tasks.feedback_reminders_send_task",
        "feedback.tasks.feedback_escalations_send_task",
        "feedback.tasks.feedback_digests_send_task",
        "feedback.tasks.pending_files_sweep_task",
    }
    reminders = schedule["reminders"]["schedule"]
    assert reminders.hour == {7} and reminders.minute == {0}
    assert schedule["weekly-digest"]["schedule"].day_of_week == {1}
