"""The report of feedback and petitions per unit, for the periods of the 06a report (``reports.periods``:
months, quarters, ..., calendar or with the official cut-off), computed in the database.

Which feedback a period covers: received before its end and not answered before its start. Each is
counted under the unit that **held it at the end of the period** (now, for a period not over): the unit
of its last history step before then (``FeedbackEvent.agency``; the unit holding it now when it has no
history), so a feedback passed to a commune after the period stays in the district's row of that
period, and a closed period keeps its numbers. The columns:

- received: received in the period;
- answered on time / answered late: answered in the period, at or before its due time
  (``answered_at <= due_at``) / after it;
- pending within time / pending overdue: received before the end, not answered by then, and its due
  time at or after the end / before it (for a period not over: against now);
- handled on time (%) = answered on time / (answered in the period + pending overdue), one decimal,
  none when there is nothing to divide by. A feedback still within its time is not judged yet.

Every number is a filter (``cell_filters``); the list behind a number uses the same filter, so it has
exactly that many rows. The whole report is one aggregate query (``COUNT(*) FILTER (WHERE ...)`` per
column, grouped by the unit holding the feedback) and the query for the units' names.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BigIntegerField, Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.constants import ADMINISTRATIVE_KINDS
from accounts.models import Agency
from accounts.selectors import agency_subtree
from reports.indicators import percent
from reports.periods import Period

from .models import Feedback, FeedbackEvent

# (key, label), in the order of the table's columns.
COLUMNS = [
    ("received", _("Received in the period")),
    ("answered_on_time", _("Answered on time")),
    ("answered_late", _("Answered late")),
    ("pending_within_time", _("Pending within time at the end of the period")),
    ("pending_overdue", _("Pending overdue at the end of the period")),
]
COLUMN_KEYS = [key for key, _label in COLUMNS]
# The feedback the rate judges (its denominator), a list of its own behind the rate.
JUDGED = "judged"
JUDGED_LABEL = _("Feedback judged for the rate: answered in the period, or pending overdue at its end")
CELL_LABELS = {**dict(COLUMNS), JUDGED: JUDGED_LABEL}
RATE_LABEL = _("Handled on time (%)")
RATE_HOW = _(
    "answered on time / (answered in the period + pending overdue at the end of the period); "
    "a feedback answered on time is answered at or before its due time"
)


def _moment(period: Period, now=None):
    """When the pending feedback is judged: the end of the period, or now for a period not over."""
    _start, end = period.bounds()
    return min(end, now or timezone.now())


def holder_at(moment):
    """The id of the unit holding a feedback at ``moment``: that of its last history step before then
    (the unit holding it now, for a feedback without history)."""
    last_step = (
        FeedbackEvent.objects.filter(feedback=OuterRef("pk"), created_at__lt=moment)
        .order_by("-created_at", "-pk")
        .values("agency_id")[:1]
    )
    return Coalesce(Subquery(last_step), F("agency_id"), output_field=BigIntegerField())


def scope(*, agency: Agency, period: Period, now=None) -> QuerySet[Feedback]:
    """The feedback ``period`` covers that a unit under ``agency`` (itself included) held at its end,
    with that unit's id as ``holder``."""
    start, end = period.bounds()
    alive = Q(answered_at__isnull=True) | Q(answered_at__gte=start)
    return (
        Feedback.objects.filter(alive, received_at__lt=end)
        .annotate(holder=holder_at(_moment(period, now)))
        .filter(holder__in=agency_subtree(agency=agency).values("pk"))
    )


def cell_filters(*, period: Period, now=None) -> dict[str, Q]:
    """The filter of each column (and of the rate's denominator), over ``scope``."""
    start, end = period.bounds()
    moment = _moment(period, now)
    answered = Q(answered_at__gte=start, answered_at__lt=end)
    pending = Q(answered_at__isnull=True) | Q(answered_at__gte=end)
    overdue = pending & Q(due_at__lt=moment)
    return {
        "received": Q(received_at__gte=start),
        "answered_on_time": answered & Q(answered_at__lte=F("due_at")),
        "answered_late": answered & Q(answered_at__gt=F("due_at")),
        "pending_within_time": pending & Q(due_at__gte=moment),
        "pending_overdue": overdue,
        JUDGED: answered | overdue,
    }


@dataclass
class FeedbackRow:
    key: int | None
    label: str
    depth: int = 0  # how far below the report's unit (for the indent)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def cells(self) -> list[tuple[str, int]]:
        return [(key, self.counts.get(key, 0)) for key in COLUMN_KEYS]

    @property
    def values(self) -> list[int]:
        return [self.counts.get(key, 0) for key in COLUMN_KEYS]

    @property
    def rate(self) -> Decimal | None:
        """Handled on time, in percent (``reports.indicators.percent``): answered on time / judged."""
        return percent(self.counts.get("answered_on_time", 0), self.counts.get(JUDGED, 0))


@dataclass
class FeedbackReport:
    agency: Agency
    period: Period
    rows: list[FeedbackRow]
    total: FeedbackRow
    columns: list = field(default_factory=lambda: COLUMNS)


def report_units(*, agency: Agency, extra_ids=()) -> list[Agency]:
    """The rows' units: ``agency`` and every active administrative unit below it, in the tree's order,
    and any other unit under it among ``extra_ids`` (one closed since, that held feedback then)."""
    units = {u.pk: u for u in agency_subtree(agency=agency).filter(kind__in=ADMINISTRATIVE_KINDS, is_active=True)}
    missing = set(extra_ids) - set(units)
    if missing:
        units.update({u.pk: u for u in agency_subtree(agency=agency).filter(pk__in=missing)})
    return sorted(units.values(), key=lambda unit: unit.path)


def feedback_report(*, agency: Agency, period: Period, now=None) -> FeedbackReport:
    """The report of ``agency`` for ``period``: a row per unit (itself and the units below it) and the
    total, in one aggregate query."""
    filters = cell_filters(period=period, now=now)
    counted = (
        scope(agency=agency, period=period, now=now)
        .values("holder")
        .annotate(**{key: Count("pk", filter=q) for key, q in filters.items()})
        .order_by("holder")
    )
    by_unit = {row["holder"]: {key: row[key] for key in filters} for row in counted}
    depth = agency.path.count("/")
    rows = [
        FeedbackRow(unit.pk, unit.name, unit.path.count("/") - depth, by_unit.get(unit.pk, {}))
        for unit in report_units(agency=agency, extra_ids=by_unit)
    ]
    total = FeedbackRow(None, str(_("Total")), 0, {key: sum(row.counts.get(key, 0) for row in rows) for key in filters})
    return FeedbackReport(agency=agency, period=period, rows=rows, total=total)


def cell_feedback(
    *, agency: Agency, period: Period, column: str, unit: Agency | None = None, now=None
) -> QuerySet[Feedback]:
    """The feedback behind one number of ``feedback_report``: a unit's row (or the total) and a column
    (or ``JUDGED``, the rate's denominator), oldest first."""
    found = scope(agency=agency, period=period, now=now).filter(cell_filters(period=period, now=now)[column])
    if unit is not None:
        found = found.filter(holder=unit.pk)
    return found.order_by("received_at", "pk")


def item_state(feedback: Feedback, *, period: Period, now=None) -> str:
    """What a feedback was at the end of ``period``, in words: answered on time or late (in the period
    or before), pending within time or overdue."""
    _start, end = period.bounds()
    if feedback.answered_at is not None and feedback.answered_at < end:
        return str(_("answered on time") if feedback.answered_at <= feedback.due_at else _("answered late"))
    if feedback.due_at < _moment(period, now):
        return str(_("pending, overdue"))
    return str(_("pending, within time"))
