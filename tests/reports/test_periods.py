from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from reports.periods import HALF, MONTH, NINE_MONTHS, QUARTER, YEAR, period_current, period_for, period_range

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("kind", "number", "calendar", "cutoff"),
    [
        (MONTH, 1, (date(2026, 1, 1), date(2026, 1, 31)), (date(2025, 12, 15), date(2026, 1, 14))),
        (MONTH, 2, (date(2028, 2, 1), date(2028, 2, 29)), (date(2028, 1, 15), date(2028, 2, 14))),
        (MONTH, 12, (date(2026, 12, 1), date(2026, 12, 31)), (date(2026, 11, 15), date(2026, 12, 14))),
        (QUARTER, 1, (date(2026, 1, 1), date(2026, 3, 31)), (date(2025, 12, 15), date(2026, 3, 14))),
        (QUARTER, 4, (date(2026, 10, 1), date(2026, 12, 31)), (date(2026, 9, 15), date(2026, 12, 14))),
        (HALF, None, (date(2026, 1, 1), date(2026, 6, 30)), (date(2025, 12, 15), date(2026, 6, 14))),
        (NINE_MONTHS, None, (date(2026, 1, 1), date(2026, 9, 30)), (date(2025, 12, 15), date(2026, 9, 14))),
        (YEAR, None, (date(2026, 1, 1), date(2026, 12, 31)), (date(2025, 12, 15), date(2026, 12, 14))),
    ],
)
def test_calendar_and_cutoff_periods_across_year_boundaries(kind, number, calendar, cutoff):
    year = calendar[0].year
    plain = period_for(kind, year, number)
    official = period_for(kind, year, number, cutoff=True)
    assert (plain.first_day, plain.last_day) == calendar
    assert (official.first_day, official.last_day) == cutoff


def test_bounds_are_whole_local_days_end_exclusive():
    start, end = period_for(MONTH, 2026, 1, cutoff=True).bounds()
    assert start == datetime(2025, 12, 15, tzinfo=TZ)
    assert end == datetime(2026, 1, 15, tzinfo=TZ)


def test_cutoff_months_follow_each_other_without_gap_or_overlap():
    previous = period_for(MONTH, 2025, 12, cutoff=True)
    for month in range(1, 13):
        period = period_for(MONTH, 2026, month, cutoff=True)
        assert period.bounds()[0] == previous.bounds()[1]
        previous = period


def test_a_range_and_the_current_period():
    assert period_range(date(2026, 3, 1), date(2026, 3, 10)).months() == [(2026, 3)]
    with pytest.raises(ValueError):
        period_range(date(2026, 3, 10), date(2026, 3, 1))
    assert period_current(QUARTER, today=date(2026, 12, 20), cutoff=True).first_day == date(2026, 12, 15)
    assert period_current(QUARTER, today=date(2026, 12, 20)).first_day == date(2026, 10, 1)
    assert period_current(YEAR, today=date(2026, 12, 20), cutoff=True).year == 2027
    assert period_for(QUARTER, 2026, 1, cutoff=True).months() == [(2025, 12), (2026, 1), (2026, 2), (2026, 3)]
    with pytest.raises(ValueError):
        period_for(QUARTER, 2026, 5)
