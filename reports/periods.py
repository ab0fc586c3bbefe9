"""Reporting periods: a month, a quarter, the first 6 or 9 months, a year, or any range of days;
either calendar periods or with the official data cut-off of Decree 09/2019 (from the 15th of the
month before the period to the 14th of its last month).

A period is a range of whole days in Asia/Ho_Chi_Minh; ``bounds()`` gives the aware datetimes
[start, end) the database compares with.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MONTH, QUARTER, HALF, NINE_MONTHS, YEAR, RANGE = "month", "quarter", "half", "nine_months", "year", "range"
KINDS = {
    MONTH: gettext_lazy("Month"),
    QUARTER: gettext_lazy("Quarter"),
    HALF: gettext_lazy("First 6 months"),
    NINE_MONTHS: gettext_lazy("First 9 months"),
    YEAR: gettext_lazy("Year"),
    RANGE: gettext_lazy("Range of days"),
}
CUTOFF_DAY = 15  # the data of a period starts on the 15th of the month before it (Decree 09/2019)


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date  # inclusive
    kind: str = RANGE
    cutoff: bool = False
    year: int | None = None
    number: int | None = None  # the month or quarter

    def bounds(self) -> tuple[datetime, datetime]:
        zone = ZoneInfo(settings.TIME_ZONE)
        start = datetime.combine(self.first_day, time.min, tzinfo=zone)
        end = datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=zone)
        return start, end

    @property
    def label(self) -> str:
        span = f"{self.first_day:%d/%m/%Y} – {self.last_day:%d/%m/%Y}"
        names = {
            MONTH: _("Month %(number)s/%(year)s"),
            QUARTER: _("Quarter %(number)s/%(year)s"),
            HALF: _("First 6 months of %(year)s"),
            NINE_MONTHS: _("First 9 months of %(year)s"),
            YEAR: _("Year %(year)s"),
        }
        if self.kind not in names:
            return span
        return f"{names[self.kind] % {'number': self.number, 'year': self.year}} ({span})"

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of each calendar month the period touches, for a trend by month."""
        found, day = [], self.first_day.replace(day=1)
        while day <= self.last_day:
            found.append((day.year, day.month))
            day = (day + timedelta(days=32)).replace(day=1)
        return found


def _month_shift(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _last_day(year: int, month: int) -> date:
    next_year, next_month = _month_shift(year, month, 1)
    return date(next_year, next_month, 1) - timedelta(days=1)


def period_of_months(*, kind: str, year: int, first_month: int, last_month: int, cutoff: bool, number=None) -> Period:
    if cutoff:
        start_year, start_month = _month_shift(year, first_month, -1)
        first = date(start_year, start_month, CUTOFF_DAY)
        last = date(year, last_month, CUTOFF_DAY - 1)
    else:
        first, last = date(year, first_month, 1), _last_day(year, last_month)
    return Period(first, last, kind=kind, cutoff=cutoff, year=year, number=number)


def period_for(kind: str, year: int, number: int | None = None, *, cutoff: bool = False) -> Period:
    """The period of ``kind`` in ``year``: ``number`` is the month (1 to 12) or the quarter (1 to 4)."""
    if kind == MONTH:
        if not number or not 1 <= number <= 12:
            raise ValueError("a month is 1 to 12")
        return period_of_months(
            kind=kind, year=year, first_month=number, last_month=number, cutoff=cutoff, number=number
        )
    if kind == QUARTER:
        if not number or not 1 <= number <= 4:
            raise ValueError("a quarter is 1 to 4")
        return period_of_months(
            kind=kind, year=year, first_month=3 * number - 2, last_month=3 * number, cutoff=cutoff, number=number
        )
    last_month = {HALF: 6, NINE_MONTHS: 9, YEAR: 12}.get(kind)
    if last_month is None:
        raise ValueError(f"unknown period kind {kind!r}")
    return period_of_months(kind=kind, year=year, first_month=1, last_month=last_month, cutoff=cutoff)


def period_range(first_day: date, last_day: date) -> Period:
    if last_day < first_day:
        raise ValueError("the period ends before it starts")
    return Period(first_day, last_day)


def period_current(kind: str, *, today: date, cutoff: bool = False) -> Period:
    """The period of ``kind`` that contains ``today`` (for the first 6 or 9 months: those of the
    reporting year ``today`` is in, even once they are over)."""
    if kind in (HALF, NINE_MONTHS):
        year = today.year + 1 if cutoff and today >= date(today.year, 12, CUTOFF_DAY) else today.year
        return period_for(kind, year, cutoff=cutoff)
    for year in (today.year, today.year + 1):
        numbers = {MONTH: range(1, 13), QUARTER: range(1, 5)}.get(kind, [None])
        for number in numbers:
            period = period_for(kind, year, number, cutoff=cutoff)
            if period.first_day <= today <= period.last_day:
                return period
    raise ValueError(f"no {kind} period contains {today}")
