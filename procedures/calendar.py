"""The working calendar: which days are worked, office hours, and deadline arithmetic in working time.

A working day is 8 office hours. Days off are weekends, the public holidays of Vietnam from the
``holidays`` package (New Year, the lunar Tết days, Hùng Kings' day, 30/4, 1/5, 2/9 and the day next to
it, and the swaps the package knows), and the days staff enter as ``CalendarDay`` overrides. A Saturday
given as a make-up working day (in the package's swaps or in the overrides) is worked. Overrides win
over everything else, so an announcement the package has missed is one row in the admin.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

from django.utils import timezone

import holidays

HOURS_PER_DAY = 8
_SUBSTITUTED_FROM = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


@dataclass(frozen=True)
class Hours:
    """Office hours of one weekday: a morning and an afternoon session."""

    morning: tuple[time, time]
    afternoon: tuple[time, time]

    def sessions(self, day: date, tz) -> list[tuple[datetime, datetime]]:
        return [
            (datetime.combine(day, start, tzinfo=tz), datetime.combine(day, end, tzinfo=tz))
            for start, end in (self.morning, self.afternoon)
        ]


DEFAULT_HOURS = Hours(morning=(time(7, 30), time(11, 30)), afternoon=(time(13, 30), time(17, 30)))


@lru_cache(maxsize=64)
def _national(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, make-up working days) of ``year`` according to the ``holidays`` package."""
    calendar = holidays.country_holidays("VN", years=[year, year + 1])
    off = {day for day in calendar if day.year == year}
    worked = set()
    for _day, name in calendar.items():
        match = _SUBSTITUTED_FROM.search(name)
        if match:
            month, dom, yr = (int(part) for part in match.groups())
            if yr == year:
                worked.add(date(yr, month, dom))
    return frozenset(off), frozenset(worked)


def office_hours_set() -> dict[int, Hours]:
    """The office hours staff set, by weekday (empty: the default hours apply)."""
    from .models import OfficeHours

    return {
        row.weekday: Hours((row.morning_start, row.morning_end), (row.afternoon_start, row.afternoon_end))
        for row in OfficeHours.objects.all()
    }


class WorkingCalendar:
    """Working-time arithmetic for one set of overrides and office hours (load with ``current()``)."""

    def __init__(self, *, overrides: dict[date, bool] | None = None, hours: dict[int, Hours] | None = None):
        self.overrides = overrides or {}  # date -> True (worked) / False (day off)
        self.hours = hours or dict.fromkeys(range(5), DEFAULT_HOURS)
        self.tz = timezone.get_default_timezone()

    @classmethod
    def current(cls) -> "WorkingCalendar":
        from .models import CalendarDay

        overrides = dict(CalendarDay.objects.values_list("date", "is_working_day"))
        return cls(overrides=overrides, hours=office_hours_set() or None)

    @classmethod
    def with_office_hours(cls) -> "WorkingCalendar":
        """The office hours staff set (else the default), without the days off: for showing the hours."""
        return cls(hours=office_hours_set() or None)

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        off, worked = _national(day.year)
        if day in worked:
            return True
        if day in off:
            return False
        return day.weekday() < 5

    def hours_for_weekday(self, weekday: int) -> Hours:
        """The sessions of a weekday (a make-up Saturday keeps the hours of a weekday)."""
        return self.hours.get(weekday) or self.hours.get(0) or DEFAULT_HOURS

    def _hours_for(self, day: date) -> Hours:
        return self.hours_for_weekday(day.weekday())

    def sessions(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return []
        return self._hours_for(day).sessions(day, self.tz)

    def next_working_start(self, moment: datetime) -> datetime:
        """``moment`` if it falls in office hours, else the start of the next session (after hours:
        the next working morning)."""
        moment = timezone.localtime(moment, self.tz)
        day = moment.date()
        for _ in range(400):
            for start, end in self.sessions(day):
                if moment < end:
                    return max(moment, start)
            day += timedelta(days=1)
            moment = datetime.combine(day, time.min, tzinfo=self.tz)
        raise ValueError("no working day within 400 days")

    def end_of_working_day(self, moment: datetime) -> datetime:
        """The end of office hours on the working day of ``moment`` (after hours: of the next one)."""
        start = self.next_working_start(moment)
        return self.sessions(start.date())[-1][1]

    def add_working_days(self, start: datetime, days: Decimal | float | int) -> datetime:
        """The moment ``days`` working days (8 office hours each; halves allowed) after ``start``."""
        remaining = timedelta(hours=float(Decimal(str(days)) * HOURS_PER_DAY))
        moment = self.next_working_start(start)
        if remaining <= timedelta(0):
            return moment
        day = moment.date()
        for _ in range(4000):
            for session_start, session_end in self.sessions(day):
                if session_end <= moment:
                    continue
                begin = max(moment, session_start)
                available = session_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += timedelta(days=1)
            moment = datetime.combine(day, time.min, tzinfo=self.tz)
        raise ValueError("deadline beyond the calendar")

    def working_hours_between(self, start: datetime, end: datetime) -> Decimal:
        """Office hours from ``start`` to ``end`` (negative when ``end`` is earlier)."""
        if end < start:
            return -self.working_hours_between(end, start)
        start, end = timezone.localtime(start, self.tz), timezone.localtime(end, self.tz)
        total = timedelta(0)
        day = start.date()
        while day <= end.date():
            for session_start, session_end in self.sessions(day):
                overlap = min(session_end, end) - max(session_start, start)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return Decimal(total.total_seconds()) / Decimal(3600)
