"""The 06a report ("Tình hình, kết quả giải quyết TTHC"), computed in the database.

Which dossiers a period covers: those received (reception time set) before its end and not closed
before its start. Each is counted once in each group of columns:

- received = carried over (received before the start) + online this period + direct/postal this period;
- then exactly one of: resolved this period (early / on time / late, by its finish against its due
  time in Asia/Ho_Chi_Minh), withdrawn or stopped this period (shown apart), or still in progress at
  the end of the period (within time / overdue against the end, or against now for a period not over;
  a dossier that was waiting for a supplement then, asked within its time, had its clock paused and
  counts within time; one asked once overdue stays overdue).

Of the dossiers in progress, those waiting on the applicant then (their last status change before the
end of the period, in their history, was a supplement request or a request for the financial
obligation) are also shown apart, as subsets of in progress. A dossier submitted online and not yet
received is not in this report (``reports.reception`` counts it, for the online-service table).

So received = resolved + withdrawn + stopped + in progress, for every row. Every cell is a filter
(``cell_filter``): the drill-down list behind a number uses the same filter, so it has exactly that
many rows.
"""

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.constants import AgencyKind
from accounts.models import Agency
from accounts.selectors import agency_subtree
from dossiers.constants import Channel, Status
from dossiers.deadlines import pausing_statuses
from dossiers.models import Dossier, DossierEvent

from .periods import Period

# (key, label), in the order of the official form's columns.
COLUMNS = [
    ("received", _("Received: total")),
    ("online", _("Received online this period")),
    ("direct", _("Received at the desk or by post this period")),
    ("carried_over", _("Carried over from the previous period")),
    ("resolved", _("Resolved: total")),
    ("early", _("Resolved early")),
    ("on_time", _("Resolved on time")),
    ("late", _("Resolved late")),
    ("in_progress", _("In progress: total")),
    ("within_time", _("In progress within time")),
    ("overdue", _("In progress overdue")),
    # Subsets of in progress: waiting on the applicant at the end of the period (shown apart, as the
    # province's reports do); not a further split, so in progress = within time + overdue still holds.
    ("waiting_supplement", pgettext_lazy("06a column", "In progress: of which waiting for a supplement")),
    ("waiting_payment", pgettext_lazy("06a column", "In progress: of which waiting for the financial obligation")),
    ("withdrawn", pgettext_lazy("06a column", "Withdrawn")),
    ("stopped", _("Processing stopped")),
]
COLUMN_KEYS = [key for key, _label in COLUMNS]
GROUPINGS = {
    "unit": ("agency_id", _("Receiving unit")),
    "field": ("procedure_version__field_id", _("Field")),
    "procedure": ("procedure_version__procedure_id", _("Procedure")),
}
RECEIVING_KINDS = (AgencyKind.DESK, AgencyKind.COMMUNE)


def _zone():
    return ZoneInfo(settings.TIME_ZONE)


def scope(*, period: Period) -> QuerySet[Dossier]:
    """The dossiers ``period`` covers (all units), with the local finish and due days annotated."""
    start, end = period.bounds()
    # "Not closed before the start", written as an OR of two index ranges on finished_at.
    alive = Q(finished_at__isnull=True) | Q(finished_at__gte=start)
    return Dossier.objects.filter(alive, received_at__isnull=False, received_at__lt=end).annotate(
        finished_day=TruncDate("finished_at", tzinfo=_zone()), due_day=TruncDate("due_at", tzinfo=_zone())
    )


def cell_filters(*, period: Period, now=None) -> dict[str, Q]:
    """The filter of each column, over ``scope(period=period)``."""
    start, end = period.bounds()
    now = now or timezone.now()
    moment = min(end, now)  # in progress is judged at the end of the period, or now if it is not over
    finished = Q(status__in=[Status.DONE, Status.RETURNED], finished_at__gte=start, finished_at__lt=end)
    in_progress = Q(finished_at__isnull=True) | Q(finished_at__gte=end)
    paused = Q(paused_at(moment))
    new = Q(received_at__gte=start)
    return {
        "received": Q(pk__isnull=False),
        "online": new & Q(channel=Channel.ONLINE),
        "direct": new & ~Q(channel=Channel.ONLINE),
        "carried_over": Q(received_at__lt=start),
        "resolved": finished,
        "early": finished & Q(finished_day__lt=F("due_day")),
        "on_time": finished & Q(finished_day__gte=F("due_day"), finished_at__lte=F("due_at")),
        "late": finished & Q(finished_at__gt=F("due_at")),
        "in_progress": in_progress,
        # Cheap conditions first: the history is read only for dossiers past their due time.
        "within_time": in_progress & (Q(due_at__gte=moment) | paused),
        "overdue": in_progress & Q(due_at__lt=moment) & ~paused,
        # Counted apart from the main pass (``APPLICANT_KEYS``): they read the history.
        "waiting_supplement": in_progress & Q(status_at(moment, [Status.SUPPLEMENT_REQUESTED])),
        "waiting_payment": in_progress & Q(status_at(moment, [Status.AWAITING_PAYMENT])),
        "withdrawn": Q(status=Status.WITHDRAWN, finished_at__lt=end),
        "stopped": Q(status=Status.STOPPED, finished_at__lt=end),
    }


def pause_parts(*, period: Period, now=None) -> dict[str, Q]:
    """``within_time`` and ``overdue`` split for counting: by the due time alone (cheap, in the main
    pass) and the dossiers past their due time whose clock was paused (a small second count that moves
    them from overdue to within time). The sums equal the columns of ``cell_filters``."""
    _start, end = period.bounds()
    now = now or timezone.now()
    moment = min(end, now)
    in_progress = Q(finished_at__isnull=True) | Q(finished_at__gte=end)
    return {
        "within_time": in_progress & Q(due_at__gte=moment),
        "overdue": in_progress & Q(due_at__lt=moment),
        "paused_overdue": in_progress & Q(due_at__lt=moment) & Q(paused_at(moment)),
    }


def paused_at(moment) -> Exists:
    """Whether a dossier's clock was paused at ``moment``: its last status change before then was a
    request that pauses it (a supplement; a financial obligation where the setting says so), and the
    request went out within its time. A request made once the dossier was overdue pauses nothing: the
    dossier stays overdue (its due time is kept then, so the comparison holds for closed periods too).
    Read from the event history, so a closed period keeps its numbers."""
    statuses = pausing_statuses()
    later = DossierEvent.objects.filter(
        dossier=OuterRef("dossier"), created_at__gt=OuterRef("created_at"), created_at__lt=moment
    ).exclude(to_status__in=["", *statuses])
    return Exists(
        DossierEvent.objects.filter(
            dossier=OuterRef("pk"), to_status__in=statuses, created_at__lt=moment, created_at__lte=OuterRef("due_at")
        ).filter(~Exists(later))
    )


def status_at(moment, statuses) -> Exists:
    """Whether a dossier's last status change before ``moment`` (in its event history) made it one of
    ``statuses``: what it was waiting for then, so a closed period keeps its numbers."""
    later = (
        DossierEvent.objects.filter(dossier=OuterRef("dossier"), created_at__lt=moment)
        .exclude(to_status="")
        .filter(Q(created_at__gt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk")))
    )
    return Exists(
        DossierEvent.objects.filter(dossier=OuterRef("pk"), to_status__in=statuses, created_at__lt=moment).filter(
            ~Exists(later)
        )
    )


# The columns that read the history of every dossier in progress: counted in a small query of their
# own (``waiting_query``), not in the main pass.
APPLICANT_KEYS = ("waiting_supplement", "waiting_payment")


def waiting_query(*, units: list[Agency], period: Period, filters: dict[str, Q], grouping: str = "unit"):
    """The count of ``APPLICANT_KEYS`` among the dossiers in progress at the end of ``period`` (None
    when ``filters`` has none of them)."""
    keys = [key for key in APPLICANT_KEYS if key in filters]
    if not keys:
        return None
    column, _label = GROUPINGS[grouping]
    _start, end = period.bounds()
    return (
        Dossier.objects.filter(agency__in=units, received_at__isnull=False, received_at__lt=end)
        .filter(Q(finished_at__isnull=True) | Q(finished_at__gte=end))
        .values(column)
        .annotate(**{key: Count("pk", filter=filters[key]) for key in keys})
        .order_by(column)
    )


@dataclass
class ReportRow:
    key: int | None
    label: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def values(self) -> list[int]:
        return [self.counts.get(key, 0) for key in COLUMN_KEYS]

    @property
    def cells(self) -> list[tuple[str, int]]:
        return [(key, self.counts.get(key, 0)) for key in COLUMN_KEYS]


@dataclass
class Report:
    agency: Agency
    period: Period
    grouping: str
    rows: list[ReportRow]
    total: ReportRow
    columns: list = field(default_factory=lambda: COLUMNS)


def receiving_units(*, agency: Agency) -> list[Agency]:
    """The units whose rows the report of ``agency`` shows: the one-stop desks and communes under it
    (itself if it receives)."""
    units = agency_subtree(agency=agency).filter(kind__in=RECEIVING_KINDS)
    return sorted(units, key=lambda unit: (unit.kind != AgencyKind.DESK, unit.code))


def report_06a(*, agency: Agency, period: Period, grouping: str = "unit", now=None) -> Report:
    """The 06a report of ``agency`` for ``period``: a row per receiving unit (or per field, or per
    procedure) and the total, in one aggregate query."""
    filters = cell_filters(period=period, now=now)
    return aggregate(agency=agency, period=period, filters=filters, grouping=grouping, now=now)


def aggregate(*, agency: Agency, period: Period, filters: dict[str, Q], grouping: str = "unit", now=None) -> Report:
    """Count the dossiers of ``period`` under ``agency`` by each filter, grouped by unit (or field, or
    procedure): one pass, ``COUNT(*) FILTER (WHERE ...)`` per column; the paused clocks of dossiers
    past their due time are read from their history in a second, small count (``pause_parts``), which
    keeps the main pass free of correlated subqueries and so parallel."""
    units = receiving_units(agency=agency)
    column, _label = GROUPINGS[grouping]
    counted, paused = counting_queries(units=units, period=period, filters=filters, grouping=grouping, now=now)
    by_key = {row[column]: {key: row.get(key, 0) for key in filters} for row in counted}
    for row in waiting_query(units=units, period=period, filters=filters, grouping=grouping) or ():
        by_key.setdefault(row[column], dict.fromkeys(filters, 0)).update(
            {key: row[key] for key in APPLICANT_KEYS if key in row}
        )
    for row in paused if paused is not None else ():
        if row["paused"]:
            by_key[row[column]]["within_time"] += row["paused"]
            by_key[row[column]]["overdue"] -= row["paused"]
    if grouping == "unit":
        rows = [ReportRow(unit.pk, unit.name, by_key.get(unit.pk, {})) for unit in units]
    else:
        rows = [ReportRow(key, label, by_key[key]) for key, label in _group_labels(grouping, list(by_key))]
    total = ReportRow(None, str(_("Total")), {key: sum(row.counts.get(key, 0) for row in rows) for key in filters})
    return Report(agency=agency, period=period, grouping=grouping, rows=rows, total=total)


def counting_queries(*, units: list[Agency], period: Period, filters: dict[str, Q], grouping: str = "unit", now=None):
    """The queries behind a report (also what the benchmark EXPLAINs): the main pass, and the count of
    paused clocks among the dossiers open at the end and past their due time (None when the report
    has no within time / overdue columns)."""
    column, _label = GROUPINGS[grouping]
    adjust = "within_time" in filters and "overdue" in filters
    parts = pause_parts(period=period, now=now) if adjust else {}
    counting = {**filters, **{key: parts[key] for key in ("within_time", "overdue") if adjust}}
    counting = {key: q for key, q in counting.items() if key not in APPLICANT_KEYS}
    main = (
        scope(period=period)
        .filter(agency__in=units)
        .values(column)
        .annotate(**{key: Count("pk", filter=q) for key, q in counting.items()})
        .order_by(column)
    )
    if not adjust:
        return main, None
    _start, end = period.bounds()
    # A few candidates, found by index; their history is read per candidate (a FILTER, not a join
    # over every event ever recorded).
    paused = (
        Dossier.objects.filter(agency__in=units, received_at__isnull=False, received_at__lt=end)
        .filter(parts["overdue"])
        .values(column)
        .annotate(paused=Count("pk", filter=parts["paused_overdue"]))
        .order_by(column)
    )
    return main, paused


def _group_labels(grouping: str, keys: list) -> list[tuple[int, str]]:
    from procedures.models import Field, ProcedureVersion

    if grouping == "field":
        names = dict(Field.objects.filter(pk__in=keys).values_list("pk", "name"))
    else:  # the newest version's name
        versions = ProcedureVersion.objects.filter(procedure_id__in=keys).order_by("procedure_id", "pk")
        names = {v.procedure_id: f"{v.procedure.code} {v.name}" for v in versions.select_related("procedure")}
    return sorted(((key, names.get(key, "—")) for key in keys), key=lambda item: item[1])


def cell_dossiers(
    *,
    agency: Agency,
    period: Period,
    column: str,
    unit: Agency | None = None,
    grouping: str = "unit",
    key=None,
    now=None,
) -> QuerySet[Dossier]:
    """The dossiers behind one number of ``report_06a``: a row (``unit``, or a field/procedure ``key``)
    or the total, and a column."""
    units = receiving_units(agency=agency)
    dossiers = scope(period=period).filter(agency__in=units).filter(cell_filters(period=period, now=now)[column])
    if unit is not None:
        dossiers = dossiers.filter(agency=unit)
    elif key is not None and grouping in ("field", "procedure"):
        dossiers = dossiers.filter(**{GROUPINGS[grouping][0]: key})
    return dossiers.select_related("procedure_version", "agency").order_by("received_at", "pk")
