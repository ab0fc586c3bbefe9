"""What the leaders' dashboard shows: the indicators against the province's targets, the units ranked,
the trend by month and the overdue dossiers by the unit holding them. Every figure comes from one
aggregate query (no loop over dossiers). Other apps add indicators of their own through
``settings.DASHBOARD_EXTRA_INDICATORS`` (``ExtraIndicator``): reports names them, never imports them."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import Agency
from accounts.selectors import agency_subtree
from dossiers.constants import Channel
from dossiers.deadlines import clock_running
from dossiers.models import Dossier
from dossiers.reminders import overdue_in_subtree

from .indicators import RATE_KEYS, RATES, indicator_table, rate
from .models import DEMO_SOURCE, Indicator, Target
from .periods import RANGE, Period
from .selectors import APPLICANT_KEYS, Split, aggregate, receiving_units


@dataclass
class Measure:
    indicator: str
    label: str
    actual: Decimal | int | None
    target: Decimal | None = None
    projected: Decimal | int | None = None
    source: str = ""  # the document the target comes from
    link: str = ""  # the list behind the value, for an indicator from another app (the page's query added)

    @property
    def target_is_demo(self) -> bool:
        return self.source.startswith(DEMO_SOURCE)

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


def targets_for(*, units: list[Agency], period: Period) -> dict[int, dict[str, Target]]:
    """The target of each indicator for each unit: its own, else its level's."""
    if period.kind == RANGE:
        return {}
    found = Target.objects.filter(period_kind=period.kind, year=period.year, number=period.number).filter(
        Q(agency__in=units) | Q(agency__isnull=True, agency_kind__in={unit.kind for unit in units})
    )
    by_level: dict[str, dict[str, Target]] = {}
    own: dict[int, dict[str, Target]] = {}
    for target in found:
        if target.agency_id:
            own.setdefault(target.agency_id, {})[target.indicator] = target
        else:
            by_level.setdefault(target.agency_kind, {})[target.indicator] = target
    return {unit.pk: {**by_level.get(unit.kind, {}), **own.get(unit.pk, {})} for unit in units}


def _elapsed_share(period: Period, today: date) -> Decimal | None:
    """How much of ``period`` has passed (for a projection), or None when it is not running."""
    if not period.first_day <= today <= period.last_day:
        return None
    total = (period.last_day - period.first_day).days + 1
    return Decimal((today - period.first_day).days + 1) / total


def measures(counts: dict, targets: dict[str, Target], *, period: Period, today: date) -> list[Measure]:
    share = _elapsed_share(period, today)
    online = counts.get("online", 0)

    def target(key):
        found = targets.get(key)
        return {"target": found.value, "source": found.note} if found else {}

    found = [
        Measure(
            Indicator.ONLINE_COUNT,
            Indicator.ONLINE_COUNT.label,
            online,
            projected=round(online / share) if share else None,
            **target(Indicator.ONLINE_COUNT),
        )
    ]
    for key in RATES:
        value = rate(counts, key)
        # A rate's projection at the present pace is the rate itself.
        found.append(Measure(key, Indicator(key).label, value, projected=value if share else None, **target(key)))
    return found


@dataclass
class ExtraIndicator:
    """One more indicator on the dashboard, counted by an app that ``reports`` does not import: the
    providers named in ``settings.DASHBOARD_EXTRA_INDICATORS`` are called as
    ``provider(agency=..., period=..., units=..., now=...)`` and give one of these. Its targets are
    ``Target`` rows of ``indicator`` (an ``Indicator`` value), judged like the rates'."""

    indicator: str
    how: str  # how it is computed, in words, for "How each indicator is computed"
    total: Decimal | None  # the value for the whole unit chosen
    by_unit: dict[int, Decimal | None]  # the value for each receiving unit (missing: none)
    # The list behind a value: a path with its own parameters, to which the page adds its choice of
    # unit and period ("&agency=...&kind=..."); per unit, and for the whole unit.
    total_link: str = ""
    unit_links: dict[int, str] = field(default_factory=dict)
    report: tuple[str, str] | None = None  # (label, path) of the app's own report, linked on the page


def extra_indicators(*, agency: Agency, period: Period, units: list[Agency], now=None) -> list[ExtraIndicator]:
    """The indicators of ``settings.DASHBOARD_EXTRA_INDICATORS``, in their order."""
    return [
        import_string(path)(agency=agency, period=period, units=units, now=now)
        for path in getattr(settings, "DASHBOARD_EXTRA_INDICATORS", ())
    ]


def extra_measure(extra: ExtraIndicator, *, unit: int | None, targets: dict[str, Target], share) -> Measure:
    """``extra``'s value for ``unit`` (None: the whole unit) against its target."""
    value = extra.total if unit is None else extra.by_unit.get(unit)
    link = extra.total_link if unit is None else extra.unit_links.get(unit, "")
    found = targets.get(extra.indicator)
    target = {"target": found.value, "source": found.note} if found else {}
    label = Indicator(extra.indicator).label
    return Measure(extra.indicator, label, value, projected=value if share else None, link=link, **target)


@dataclass
class UnitLine:
    unit: Agency
    counts: dict
    measures: list[Measure]

    @property
    def behind(self) -> int:
        return sum(1 for m in self.measures if m.met is False)


def dashboard(*, agency: Agency, period: Period, now=None) -> dict:
    """Everything the page shows, judged at ``now`` (no ``now``: the present)."""
    present, now = now is None, now or timezone.now()
    today = timezone.localdate(now)
    splits = month_splits(period=period)
    months = split_filters(splits)
    # One pass: the rates' columns and the months of the trend.
    units = receiving_units(agency=agency)
    table = indicator_table(
        agency=agency,
        period=period,
        now=now,
        extra=months,
        only=RATE_KEYS,
        groups=[splits],
        present=present,
        units=units,
    )
    targets = targets_for(units=[agency, *units], period=period)
    share = _elapsed_share(period, today)
    extras = extra_indicators(agency=agency, period=period, units=units, now=now)
    lines = [
        UnitLine(
            unit,
            row.counts,
            [
                *measures(row.counts, targets.get(unit.pk, {}), period=period, today=today),
                *(extra_measure(e, unit=unit.pk, targets=targets.get(unit.pk, {}), share=share) for e in extras),
            ],
        )
        for unit, row in zip(units, table.report.rows, strict=True)
    ]
    # Ranked by on-time rate, then by online share (a unit with nothing to judge comes last).
    lines.sort(key=lambda line: (-_or_minus(line.measures[2].actual), -_or_minus(line.measures[1].actual)))
    totals = measures(table.report.total.counts, targets.get(agency.pk, {}), period=period, today=today)
    totals += [extra_measure(e, unit=None, targets=targets.get(agency.pk, {}), share=share) for e in extras]
    return {
        "report": table.report,
        "totals": totals,
        "lines": lines,
        "target_sources": sorted({m.source for m in [*totals, *(m for line in lines for m in line.measures)]} - {""}),
        "trend": (trend := trend_from(table.report.total.counts, period=period)),
        "trend_width": CHART_LEFT + CHART_PITCH * len(trend) + 8,
        "trend_axis": trend_axis(trend),
        "waiting": waiting_lines(table),
        "overdue": overdue_by_holder(agency=agency, now=now),
        "running": share is not None,
        "extra_how": [(Indicator(e.indicator).label, e.how) for e in extras],
        "extra_reports": [e.report for e in extras if e.report],
    }


def _or_minus(value) -> Decimal:
    return Decimal(-1) if value is None else Decimal(value)


def month_splits(*, period: Period) -> list[Split]:
    """The dossiers received in each month of ``period`` (local time), split into online and not:
    columns that never share a dossier (``Split``), counted as classes."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start, end = period.bounds()
    online = Q(channel=Channel.ONLINE)
    splits = []
    for year, month in period.months():
        first = datetime(year, month, 1, tzinfo=zone)
        following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
        within = Q(received_at__gte=max(first, start), received_at__lt=min(following, end))
        splits.append(Split(None, within, ((f"m{year}_{month}_online", online), (f"m{year}_{month}_direct", ~online))))
    return splits


def split_filters(splits: list[Split]) -> dict[str, Q]:
    """The filter of each column of ``splits``."""
    return {key: q for split in splits for key, q in split.filters().items()}


def trend_from(counts: dict, *, period: Period) -> list[dict]:
    """Dossiers received in ``period``, online and at the desk or by post, by month, with the bar
    chart's geometry (drawn as SVG without JavaScript)."""
    months = [
        {
            "year": year,
            "month": month,
            "online": counts.get(f"m{year}_{month}_online", 0),
            "direct": counts.get(f"m{year}_{month}_direct", 0),
        }
        for year, month in period.months()
    ]
    top = axis_top(max([m["online"] + m["direct"] for m in months], default=0))
    for index, month in enumerate(months):
        month["x"] = CHART_LEFT + index * CHART_PITCH
        month["label_x"] = month["x"] + CHART_BAR // 2
        month["online_height"] = round(CHART_HEIGHT * month["online"] / top)
        month["direct_height"] = round(CHART_HEIGHT * month["direct"] / top)
        month["online_y"] = CHART_BASE - month["online_height"]
        month["direct_y"] = month["online_y"] - month["direct_height"]
        # The year under the first month and under each January.
        month["show_year"] = index == 0 or month["month"] == 1
    return months


# The bar chart's geometry, in SVG units (drawn 1:1 in CSS pixels, scrolling sideways on a phone).
CHART_LEFT, CHART_PITCH, CHART_BAR, CHART_BASE, CHART_HEIGHT = 48, 46, 34, 172, 150


def nice_step(tallest: int, ticks: int = 5) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` steps up to ``tallest``."""
    raw = max(tallest, 1) / ticks
    magnitude = 1
    while magnitude * 10 <= raw:
        magnitude *= 10
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return factor * magnitude
    return 10 * magnitude


def axis_top(tallest: int) -> int:
    """The value at the top of the y axis: ``tallest`` rounded up to a whole step."""
    step = nice_step(tallest)
    return max(-(-tallest // step) * step, step)


def trend_axis(months: list[dict]) -> list[dict]:
    """The y axis of the chart: each tick's value and height, from 0 to the top in round steps."""
    tallest = max([m["online"] + m["direct"] for m in months], default=0)
    step, top = nice_step(tallest), axis_top(tallest)
    return [{"value": value, "y": CHART_BASE - round(CHART_HEIGHT * value / top)} for value in range(0, top + 1, step)]


def waiting_lines(table) -> list[dict]:
    """Per receiving unit and in total: the dossiers waiting for reception (with the longest wait) and
    those waiting on the applicant (sent back before reception; in progress, waiting for a supplement
    or the financial obligation)."""
    keys = ["waiting_reception", "oldest", "waiting_reception_late", "waiting_completion", *APPLICANT_KEYS]
    lines = []
    for row in [*table.report.rows, table.report.total]:
        queue = table.queue(row)
        values = {**row.counts, "oldest": queue.oldest_days if queue else None}
        lines.append({"key": row.key, "label": row.label, "cells": [(key, values.get(key, 0)) for key in keys]})
    return lines


def trend_by_month(*, agency: Agency, period: Period) -> list[dict]:
    """The trend alone (the dashboard counts it in its one pass)."""
    splits = month_splits(period=period)
    report = aggregate(agency=agency, period=period, filters=split_filters(splits), groups=[splits])
    return trend_from(report.total.counts, period=period)


def overdue_by_holder(*, agency: Agency, now=None) -> list[dict]:
    """Dossiers overdue now anywhere under ``agency``, counted by the unit holding them: two counts
    that each follow an index (held by a unit; not yet held, at the receiving unit)."""
    now = now or timezone.now()
    units = {unit.pk: unit for unit in agency_subtree(agency=agency)}
    running = Dossier.objects.filter(clock_running(), due_at__lt=now)
    held = running.filter(current_agency_id__in=list(units)).values_list("current_agency_id").annotate(n=Count("pk"))
    waiting = (
        running.filter(current_agency__isnull=True, agency_id__in=list(units))
        .values_list("agency_id")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, int] = {}
    for unit_id, count in [*held, *waiting]:
        counts[unit_id] = counts.get(unit_id, 0) + count
    ranked = sorted(counts.items(), key=lambda item: (-item[1], units[item[0]].code))
    return [{"unit": units[unit_id], "count": count} for unit_id, count in ranked]


def overdue_held_by(*, agency: Agency, unit: Agency, now=None):
    """The overdue dossiers under ``agency`` held by ``unit`` (the list behind a number above)."""
    return (
        overdue_in_subtree(agency=agency, now=now)
        .filter(Q(current_agency=unit) | Q(current_agency__isnull=True, agency=unit))
        .filter(clock_running())
    )
