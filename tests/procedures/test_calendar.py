from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procedures.calendar import WorkingCalendar
from procedures.models import CalendarDay

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.fixture
def calendar(db):
    return WorkingCalendar.current()


def test_the_shipped_2026_new_year_swap_is_in_force(calendar):
    assert not calendar.is_working_day(date(2026, 1, 2))  # Friday off
    assert calendar.is_working_day(date(2026, 1, 10))  # Saturday worked


@pytest.mark.parametrize(
    ("day", "worked"),
    [
        (date(2026, 2, 13), True),  # the last working day before Tết Bính Ngọ
        (date(2026, 2, 16), False),
        (date(2026, 2, 20), False),
        (date(2026, 2, 23), True),
        (date(2025, 4, 26), True),  # make-up Saturday for 2/5/2025
        (date(2025, 5, 2), False),
        (date(2025, 4, 7), False),  # Hùng Kings' day
        (date(2025, 9, 1), False),  # the day next to 2/9
        (date(2026, 3, 7), False),  # an ordinary Saturday
    ],
)
def test_days_off_and_make_up_days(calendar, day, worked):
    assert calendar.is_working_day(day) is worked


def test_a_dossier_received_on_the_last_afternoon_before_tet_is_due_after_tet(calendar):
    assert calendar.add_working_days(at(2026, 2, 13, 16, 0), 3) == at(2026, 2, 25, 16, 0)


def test_a_make_up_saturday_counts_as_a_working_day(calendar):
    # Friday 9/1/2026 09:00 + 1 day: Saturday 10/1 is worked, so the deadline is that Saturday 09:00.
    assert calendar.add_working_days(at(2026, 1, 9), 1) == at(2026, 1, 10)


def test_an_online_submission_after_hours_counts_from_the_next_working_morning(calendar):
    assert calendar.next_working_start(at(2026, 3, 6, 21, 15)) == at(2026, 3, 9, 7, 30)  # Friday night → Monday
    assert calendar.add_working_days(at(2026, 3, 6, 21, 15), Decimal("0.5")) == at(2026, 3, 9, 11, 30)


def test_half_a_day_spans_lunch(calendar):
    assert calendar.add_working_days(at(2026, 3, 9, 10, 0), Decimal("0.5")) == at(2026, 3, 9, 16, 0)


def test_an_override_entered_by_staff_wins(calendar, db):
    CalendarDay.objects.create(date=date(2026, 3, 9), is_working_day=False, note="Nghỉ đột xuất")
    assert not WorkingCalendar.current().is_working_day(date(2026, 3, 9))


def test_working_hours_between_counts_only_office_time(calendar):
    assert calendar.working_hours_between(at(2026, 2, 13, 16, 0), at(2026, 2, 23, 9, 30)) == Decimal("3.5")


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2021, 1, 1), max_value=datetime(2026, 12, 20)),
    halves=st.integers(min_value=1, max_value=60),
)
def test_a_due_time_never_falls_on_a_day_off_or_outside_office_hours(start, halves):
    calendar = WorkingCalendar(overrides={date(2026, 1, 2): False, date(2026, 1, 10): True})
    start = start.replace(tzinfo=TZ)
    due = calendar.add_working_days(start, Decimal(halves) / 2)
    assert calendar.is_working_day(due.date())
    assert any(begin < due <= end for begin, end in calendar.sessions(due.date()))
    assert calendar.working_hours_between(start, due) == Decimal(halves * 4)
    assert due > start
    assert due - start < timedelta(days=halves * 2 + 20)
