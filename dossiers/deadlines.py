"""Appointment times for the reception receipt.

Provisional arithmetic: weekends are skipped, public holidays and announced swaps are not yet
(the working calendar of the processing issue replaces this). A working day is 8 office hours; a half
day is 4 of them.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

OFFICE_START = time(7, 30)
OFFICE_END = time(17, 0)


def _next_working_morning(moment: datetime) -> datetime:
    day = moment.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, OFFICE_START, tzinfo=moment.tzinfo)


def add_working_days(start: datetime, days: Decimal) -> datetime:
    """``start`` plus ``days`` working days (halves as 4 office hours), weekends skipped."""
    moment = timezone.localtime(start)
    if moment.weekday() >= 5 or moment.time() >= OFFICE_END:
        moment = _next_working_morning(moment)
    elif moment.time() < OFFICE_START:
        moment = datetime.combine(moment.date(), OFFICE_START, tzinfo=moment.tzinfo)
    whole = int(days)
    for _ in range(whole):
        moment = moment + timedelta(days=1)
        while moment.weekday() >= 5:
            moment += timedelta(days=1)
    if days - whole:
        end = moment + timedelta(hours=4)
        if end.time() > OFFICE_END or end.date() != moment.date():
            overflow = end - datetime.combine(moment.date(), OFFICE_END, tzinfo=moment.tzinfo)
            end = _next_working_morning(moment) + overflow
        moment = end
    return moment
