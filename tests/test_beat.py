"""One beat at a time, and the day's and the week's jobs caught up once when beat comes back."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from onestop.beat import BeatAlreadyRunning, catch_up, hold_the_beat_lock, release_the_beat_lock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _caught_up(moment: datetime) -> list[str]:
    sent = []
    catch_up(now=moment, send=sent.append)
    return sent


def test_beat_back_on_wednesday_morning_catches_up_the_days_jobs_and_the_weeks_digest():
    sent = _caught_up(datetime(2026, 11, 25, 8, 0, tzinfo=TZ))  # a Wednesday, after 07:10
    assert sent == [
        "dossiers.tasks.reminders_send_task",
        "dossiers.tasks.escalations_send_task",
        "reports.tasks.reports_mail_due_task",
        "dossiers.tasks.digests_send_task",  # Monday's, missed while beat was down
        "feedback.tasks.feedback_reminders_send_task",
        "feedback.tasks.feedback_escalations_send_task",
        "feedback.tasks.feedback_digests_send_task",
        "feedback.tasks.pending_files_sweep_task",
    ]


def test_beat_started_before_a_jobs_time_leaves_it_to_its_time():
    assert _caught_up(datetime(2026, 11, 23, 6, 0, tzinfo=TZ)) == []  # Monday 06:00: nothing due yet
    assert _caught_up(datetime(2026, 11, 23, 7, 6, tzinfo=TZ)) == [  # Monday 07:06: not the 07:10 digest
        "dossiers.tasks.reminders_send_task",
        "dossiers.tasks.escalations_send_task",
        "reports.tasks.reports_mail_due_task",
    ]


def test_beat_takes_the_lock_and_catches_up_as_it_starts():
    from celery.signals import beat_init

    from onestop import celery

    receivers = [ref() if callable(ref) else ref for _key, ref in beat_init.receivers]
    assert celery._one_beat_that_catches_up in receivers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_beat_is_refused_while_the_first_runs():
    assert hold_the_beat_lock() is True
    try:
        with pytest.raises(BeatAlreadyRunning, match="run exactly one"):
            hold_the_beat_lock()
    finally:
        release_the_beat_lock()
    assert hold_the_beat_lock() is True  # the first one gone: a new beat may start
    release_the_beat_lock()
