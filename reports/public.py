"""What the front page and every page's header and footer show the public: which unit the portal
serves, where its one-stop desks are and when they are open, the procedures people use most, and the
unit's published results for the year ("công khai kết quả giải quyết TTHC").

Each read is a fixed number of queries, whatever the number of units, procedures or dossiers; nothing
is cached between requests.

The results use the 06a report's own definitions (``reports.selectors.cell_filters``) over the calendar
year: received = dossiers received this year (online, at the desk or by post); resolved = dossiers
finished this year with a result; on time = resolved early or on time (finished on or before the due
time); the on-time rate = on time / resolved. Withdrawn and stopped dossiers are not resolved.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cached_property

from django.db import DatabaseError
from django.db.models import Case, Count, IntegerField, Value, When
from django.utils import timezone
from django.utils.dates import WEEKDAYS

from accounts.constants import ADMINISTRATIVE_KINDS, AgencyKind
from accounts.models import Agency
from dossiers.models import Dossier
from procedures.calendar import DEFAULT_HOURS, Hours, WorkingCalendar
from procedures.models import ProcedureVersion
from procedures.selectors import version_list_current

from .indicators import percent
from .periods import YEAR, Period, period_for
from .selectors import RECEIVING_KINDS, cell_filters, counting_queries

MOST_USED_DAYS = 90
MOST_USED_COUNT = 8


def portal_unit() -> Agency | None:
    """The administrative unit the portal serves: the one whose communes it receives for (a district,
    or a province where there are no districts); when communes sit under several units, the lowest
    unit above all of them. None when the tree has no active commune."""
    parents = list(
        Agency.objects.filter(
            kind__in=ADMINISTRATIVE_KINDS, is_active=True, children__kind=AgencyKind.COMMUNE, children__is_active=True
        )
        .distinct()
        .select_related("parent")
        .order_by("path")
    )
    if len(parents) <= 1:
        return parents[0] if parents else None
    common = _common_path(unit.path for unit in parents)
    ids = [int(part) for part in common.strip("/").split("/") if part]
    if not ids:
        return None
    return Agency.objects.select_related("parent").filter(pk=ids[-1]).first()


def _common_path(paths) -> str:
    paths = list(paths)
    common = paths[0]
    for path in paths[1:]:
        while not path.startswith(common):
            common = common[: common.rstrip("/").rfind("/") + 1]
    return common


def public_units(*, unit: Agency) -> list[Agency]:
    """The units that receive dossiers for ``unit``, as the 06a report lists them: its one-stop desks
    first, then the communes, each with its address, phone and email."""
    from accounts.selectors import agency_subtree

    units = agency_subtree(agency=unit).filter(kind__in=RECEIVING_KINDS, is_active=True)
    return sorted(units, key=lambda agency: (agency.kind != AgencyKind.DESK, agency.code))


@dataclass(frozen=True)
class OpeningHours:
    """Office hours of consecutive weekdays with the same sessions: Monday (0) to Friday (4)."""

    first_weekday: int
    last_weekday: int
    hours: Hours

    @property
    def days(self) -> str:
        """The weekdays of the span, e.g. "Thứ 2 - Thứ 6" (the page shows an en dash), or one day's name."""
        if self.first_weekday == self.last_weekday:
            return str(WEEKDAYS[self.first_weekday])
        return f"{WEEKDAYS[self.first_weekday]} – {WEEKDAYS[self.last_weekday]}"


def office_hours() -> list[OpeningHours]:
    """The desks' office hours on working weekdays, as the working calendar counts them (the hours
    staff set, else the default 7:30 to 11:30 and 13:30 to 17:30), weekdays with the same hours together."""
    calendar = WorkingCalendar.with_office_hours()
    spans: list[OpeningHours] = []
    for weekday in range(5):
        hours = calendar.hours_for_weekday(weekday)
        if spans and spans[-1].hours == hours and spans[-1].last_weekday == weekday - 1:
            spans[-1] = OpeningHours(spans[-1].first_weekday, weekday, hours)
        else:
            spans.append(OpeningHours(weekday, weekday, hours))
    return spans


def procedures_most_used(
    *, limit: int = MOST_USED_COUNT, days: int = MOST_USED_DAYS, now: datetime | None = None
) -> list[ProcedureVersion]:
    """The procedures in force with the most dossiers submitted in the last ``days`` days (online, at
    the desk or by post), most first, each as its current version; topped up with the catalogue's
    first procedures when fewer have any. Two queries."""
    since = (now or timezone.now()) - timedelta(days=days)
    used = dict(
        Dossier.objects.filter(submitted_at__gte=since)
        .values("procedure_version__procedure_id")
        .annotate(count=Count("pk"))
        .order_by("-count", "procedure_version__procedure_id")
        .values_list("procedure_version__procedure_id", "count")[: limit * 3]  # some may be out of force
    )
    rank = Case(
        *(When(procedure_id=procedure_id, then=Value(count)) for procedure_id, count in used.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    versions = version_list_current().annotate(used=rank).order_by("-used", "field__order", "name")
    return list(versions[:limit])


@dataclass
class UnitResult:
    unit: Agency | None  # None: the total
    received: int
    resolved: int
    on_time: int

    @property
    def on_time_rate(self) -> Decimal | None:
        """Percent with one decimal; None when nothing was resolved."""
        return percent(self.on_time, self.resolved)


@dataclass
class PublicResults:
    period: Period
    rows: list[UnitResult]
    total: UnitResult


def public_results(*, units: list[Agency], today=None) -> PublicResults:
    """Received, resolved and resolved on time this calendar year, per unit of ``units`` and in total,
    in one query (the 06a report's filters)."""
    today = today or timezone.localdate()
    period = period_for(YEAR, today.year)
    cells = cell_filters(period=period)
    filters = {
        "received": cells["online"] | cells["direct"],
        "resolved": cells["resolved"],
        "on_time": cells["early"] | cells["on_time"],
    }
    counted, _paused = counting_queries(units=units, period=period, filters=filters) if units else ([], None)
    by_unit = {row["agency_id"]: row for row in counted}
    rows = [UnitResult(unit, *(by_unit.get(unit.pk, {}).get(key, 0) for key in filters)) for unit in units]
    total = UnitResult(None, *(sum(getattr(row, key) for row in rows) for key in filters))
    return PublicResults(period=period, rows=rows, total=total)


class PortalIdentity:
    """Who the portal is, read lazily and once: the unit, its receiving units (desks and communes)
    and the office hours. A database that cannot be read gives an empty identity, so an error page
    that shows the header still renders."""

    @cached_property
    def unit(self) -> Agency | None:
        try:
            return portal_unit()
        except DatabaseError:
            return None

    @cached_property
    def units(self) -> list[Agency]:
        if self.unit is None:
            return []
        try:
            return public_units(unit=self.unit)
        except DatabaseError:
            return []

    @property
    def desks(self) -> list[Agency]:
        """The one-stop desks of the unit itself (e.g. the district's), for every page's footer."""
        own = [agency for agency in self.units if agency.kind == AgencyKind.DESK and agency.parent_id == self.unit.pk]
        return own or self.units[:1]

    @cached_property
    def hours(self) -> list[OpeningHours]:
        try:
            return office_hours()
        except DatabaseError:
            return [OpeningHours(0, 4, DEFAULT_HOURS)]
