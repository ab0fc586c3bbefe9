"""What the leaders' dashboard shows: the indicators against the province's targets, the units ranked,
the trend by month and the overdue dossiers by the unit holding them. Every figure comes from one
aggregate query (no loop over dossiers)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from accounts.models import Agency
from dossiers.constants import RUNNING_STATUSES, Channel
from dossiers.reminders import overdue_in_subtree

from .indicators import RATES, indicator_table, rate
from .models import Indicator, Target
from .periods import RANGE, Period
from .selectors import receiving_units, scope


@dataclass
class Measure:
    indicator: str
    label: str
    actual: Decimal | int | None
    target: Decimal | None = None
    projected: Decimal | int | None = None

    @property
    def is_rate(self) -> bool:
        return self.indicator != Indicator.ONLINE_COUNT

    @property
    def judged(self):
        """The value the target is judged on: the projection while the period runs, else the actual."""
        return self.projected if self.projected is not None else self.actual

    @property
    def met(self) -> bool | None:
        if self.target is None or self.judged is None:
            return None
        return self.judged >= self.target


def targets_for(*, units: list[Agency], period: Period) -> dict[int, dict[str, Decimal]]:
    """The target of each indicator for each unit: its own, else its level's."""
    if period.kind == RANGE:
        return {}
    found = Target.objects.filter(period_kind=period.kind, year=period.year, number=period.number).filter(
        Q(agency__in=units) | Q(agency__isnull=True, agency_kind__in={unit.kind for unit in units})
    )
    by_level: dict[str, dict[str, Decimal]] = {}
    own: dict[int, dict[str, Decimal]] = {}
    for target in found:
        if target.agency_id:
            own.setdefault(target.agency_id, {})[target.indicator] = target.value
        else:
            by_level.setdefault(target.agency_kind, {})[target.indicator] = target.value
    return {unit.pk: {**by_level.get(unit.kind, {}), **own.get(unit.pk, {})} for unit in units}


def _elapsed_share(period: Period, today: date) -> Decimal | None:
    """How much of ``period`` has passed (for a projection), or None when it is not running."""
    if not period.first_day <= today <= period.last_day:
        return None
    total = (period.last_day - period.first_day).days + 1
    return Decimal((today - period.first_day).days + 1) / total


def measures(counts: dict, targets: dict[str, Decimal], *, period: Period, today: date) -> list[Measure]:
    share = _elapsed_share(period, today)
    online = counts.get("online", 0)
    found = [
        Measure(
            Indicator.ONLINE_COUNT,
            Indicator.ONLINE_COUNT.label,
            online,
            targets.get(Indicator.ONLINE_COUNT),
            projected=round(online / share) if share else None,
        )
    ]
    for key in RATES:
        value = rate(counts, key)
        # A rate's projection at the present pace is the rate itself.
        found.append(Measure(key, Indicator(key).label, value, targets.get(key), projected=value if share else None))
    return found


@dataclass
class UnitLine:
    unit: Agency
    counts: dict
    measures: list[Measure]

    @property
    def behind(self) -> int:
        return sum(1 for m in self.measures if m.met is False)


def dashboard(*, agency: Agency, period: Period, now=None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    table = indicator_table(agency=agency, period=period, now=now)
    units = receiving_units(agency=agency)
    targets = targets_for(units=[agency, *units], period=period)
    lines = [
        UnitLine(unit, row.counts, measures(row.counts, targets.get(unit.pk, {}), period=period, today=today))
        for unit, row in zip(units, table.report.rows, strict=True)
    ]
    # Ranked by on-time rate, then by online share (a unit with nothing to judge comes last).
    lines.sort(key=lambda line: (-_or_minus(line.measures[2].actual), -_or_minus(line.measures[1].actual)))
    return {
        "report": table.report,
        "totals": measures(table.report.total.counts, targets.get(agency.pk, {}), period=period, today=today),
        "lines": lines,
        "trend": (trend := trend_by_month(agency=agency, period=period)),
        "trend_width": 50 + 46 * len(trend),
        "overdue": overdue_by_holder(agency=agency, now=now),
        "running": _elapsed_share(period, today) is not None,
    }


def _or_minus(value) -> Decimal:
    return Decimal(-1) if value is None else Decimal(value)


def trend_by_month(*, agency: Agency, period: Period) -> list[dict]:
    """Dossiers received in ``period`` under ``agency``, online and at the desk or by post, by month."""
    start, _end = period.bounds()
    zone = ZoneInfo(settings.TIME_ZONE)
    counted = (
        scope(period=period)
        .filter(agency__in=receiving_units(agency=agency), received_at__gte=start)
        .annotate(month=TruncMonth("received_at", tzinfo=zone))
        .values("month")
        .annotate(
            online=Count("pk", filter=Q(channel=Channel.ONLINE)), direct=Count("pk", filter=~Q(channel=Channel.ONLINE))
        )
    )
    by_month = {(row["month"].year, row["month"].month): row for row in counted}
    months = []
    for year, month in period.months():
        row = by_month.get((year, month), {})
        months.append({"year": year, "month": month, "online": row.get("online", 0), "direct": row.get("direct", 0)})
    tallest = max([m["online"] + m["direct"] for m in months] + [1])
    for index, month in enumerate(months):  # the bar chart's geometry, drawn as SVG without JavaScript
        month["x"] = 40 + index * 46
        month["online_height"] = round(140 * month["online"] / tallest)
        month["direct_height"] = round(140 * month["direct"] / tallest)
        month["online_y"] = 160 - month["online_height"]
        month["direct_y"] = month["online_y"] - month["direct_height"]
    return months


def overdue_by_holder(*, agency: Agency, now=None) -> list[dict]:
    """Dossiers overdue now anywhere under ``agency``, counted by the unit holding them."""
    counted = (
        overdue_in_subtree(agency=agency, now=now)
        .annotate(holder=Coalesce(F("current_agency"), F("agency")))
        .values("holder")
        .annotate(count=Count("pk"))
        .order_by("-count")
    )
    holders = {unit.pk: unit for unit in Agency.objects.filter(pk__in=[row["holder"] for row in counted])}
    return [{"unit": holders[row["holder"]], "count": row["count"]} for row in counted]


def overdue_held_by(*, agency: Agency, unit: Agency, now=None):
    """The overdue dossiers under ``agency`` held by ``unit`` (the list behind a number above)."""
    return (
        overdue_in_subtree(agency=agency, now=now)
        .filter(Q(current_agency=unit) | Q(current_agency__isnull=True, agency=unit))
        .filter(status__in=RUNNING_STATUSES)
    )
