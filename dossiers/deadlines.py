"""Due times of dossiers, in working time (see ``procedures.calendar``)."""

from datetime import datetime
from decimal import Decimal

from procedures.calendar import WorkingCalendar


def add_working_days(start: datetime, days: Decimal) -> datetime:
    """``start`` plus ``days`` working days of the current calendar (holidays, announced swaps and
    office hours included; after hours counts from the next working morning)."""
    return WorkingCalendar.current().add_working_days(start, days)
