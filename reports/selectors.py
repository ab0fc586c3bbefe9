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

How it is counted (``aggregate``, ``counting``): the columns that never share a dossier (``cell_groups``:
carried over / online / direct; within time / overdue; early / on time / late; withdrawn; stopped) are
counted as one class per dossier, a CASE of the very conditions their filters are made of (``Split``)
in the GROUP BY, instead of one ``COUNT(*) FILTER`` per column: each condition is read once per
dossier, not once per column. The covered dossiers are found through the index ``dossier_alive`` (unit,
when the dossier closed or "never") and read from it alone (the columns counted are included in it).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.constants import AgencyKind
from accounts.models import Agency
from accounts.selectors import agency_subtree
from dossiers.constants import NEVER_CLOSED, Channel, Status
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


def open_until():
    """When a dossier closed, or ``NEVER_CLOSED`` while open: "not closed before X" is one range
    (``open_until >= X``) on the index ``dossier_alive``, which holds every column the counts read."""
    return Coalesce("finished_at", Value(NEVER_CLOSED))


def scope(*, period: Period) -> QuerySet[Dossier]:
    """The dossiers ``period`` covers (all units), with the local finish and due days annotated."""
    start, end = period.bounds()
    return (
        Dossier.objects.alias(open_until=open_until())
        .filter(open_until__gte=start, received_at__isnull=False, received_at__lt=end)
        .alias(finished_day=TruncDate("finished_at", tzinfo=_zone()), due_day=TruncDate("due_at", tzinfo=_zone()))
    )


def open_at(*, units: list[Agency], moment) -> QuerySet[Dossier]:
    """The dossiers of ``units`` received before ``moment`` and not closed by then."""
    return (
        Dossier.objects.alias(open_until=open_until())
        .filter(agency__in=units, open_until__gte=moment)
        .filter(received_at__isnull=False, received_at__lt=moment)
    )


# A zone's offset from UTC changes by less than a day, so a moment 48 hours or more before another is
# on an earlier local day, and one on an earlier local day is less than 48 hours after it: comparisons
# of the times themselves settle early / on time for nearly every dossier before its local days (a
# time zone conversion each, the dearest part of the count) are computed.
class _Hours(Value):
    """A duration that PostgreSQL adds as hours (its literal for a ``timedelta`` counts days, which
    it adds on the calendar: slower, for no difference in UTC)."""

    def as_postgresql(self, compiler, connection):
        return "%s::interval", [f"{self.value.total_seconds():.0f} seconds"]


DAYS_APART = _Hours(timedelta(hours=48))
# Within the resolved: each class's own condition (the column is ``finished`` and this).
EARLY = Q(finished_at__lt=F("due_at") + DAYS_APART) & (
    Q(finished_at__lte=F("due_at") - DAYS_APART) | Q(finished_day__lt=F("due_day"))
)  # finished_day < due_day
ON_TIME = Q(finished_at__lte=F("due_at"), finished_at__gt=F("due_at") - DAYS_APART) & Q(
    finished_day__gte=F("due_day")
)  # finished_day >= due_day, not after the due time
LATE = Q(finished_at__gt=F("due_at"))


@dataclass(frozen=True)
class Split:
    """The dossiers a column counts (``key``; None for no column of its own) and the columns they
    split into (``parts``: each column's condition within ``q``), which never share a dossier."""

    key: str | None
    q: Q
    parts: tuple[tuple[str, Q], ...] = ()

    def filters(self) -> dict[str, Q]:
        """The filter of each column (over ``scope``)."""
        own = {self.key: self.q} if self.key else {}
        return {**own, **{key: self.q & q for key, q in self.parts}}


def cell_groups(*, period: Period, now=None) -> list[list[Split]]:
    """The columns of the report that never share a dossier, in groups: ``cell_filters`` defines
    them from these, and ``counting`` counts each group as one class per dossier. Within time and
    overdue are here by the due time alone (``pause_parts``: the paused clocks are moved after)."""
    start, end = period.bounds()
    moment = min(end, now or timezone.now())  # in progress is judged at the end, or now if not over
    new = Q(received_at__gte=start)
    online = Q(channel=Channel.ONLINE)
    finished = Q(status__in=[Status.DONE, Status.RETURNED], finished_at__gte=start, finished_at__lt=end)
    in_progress = Q(finished_at__isnull=True) | Q(finished_at__gte=end)
    return [
        [
            Split(
                "received",
                Q(pk__isnull=False),
                (("carried_over", Q(received_at__lt=start)), ("online", new & online), ("direct", new & ~online)),
            )
        ],
        [
            Split(
                "in_progress", in_progress, (("within_time", Q(due_at__gte=moment)), ("overdue", Q(due_at__lt=moment)))
            ),
            Split("resolved", finished, (("late", LATE), ("early", EARLY), ("on_time", ON_TIME))),
            Split("withdrawn", Q(status=Status.WITHDRAWN, finished_at__lt=end)),
            Split("stopped", Q(status=Status.STOPPED, finished_at__lt=end)),
        ],
    ]


def cell_filters(*, period: Period, now=None) -> dict[str, Q]:
    """The filter of each column, over ``scope(period=period)``."""
    _start, end = period.bounds()
    moment = min(end, now or timezone.now())
    splits = [split for group in cell_groups(period=period, now=now) for split in group]
    filters = {key: q for split in splits for key, q in split.filters().items()}
    in_progress = filters["in_progress"]
    paused = Q(paused_at(moment))
    filters |= {
        # Cheap conditions first: the history is read only for dossiers past their due time.
        "within_time": in_progress & (Q(due_at__gte=moment) | paused),
        "overdue": in_progress & Q(due_at__lt=moment) & ~paused,
        # Counted apart from the main pass (``APPLICANT_KEYS``): they read the history.
        "waiting_supplement": in_progress & Q(status_at(moment, [Status.SUPPLEMENT_REQUESTED])),
        "waiting_payment": in_progress & Q(status_at(moment, [Status.AWAITING_PAYMENT])),
    }
    return {key: filters[key] for key in COLUMN_KEYS}


def pause_parts(*, period: Period, now=None) -> dict[str, Q]:
    """``within_time`` and ``overdue`` for counting: by the due time alone (cheap, in the main pass);
    the dossiers past their due time whose clock was paused are moved from overdue to within time by
    a small second count (``open_query``). The sums equal the columns of ``cell_filters``."""
    _start, end = period.bounds()
    now = now or timezone.now()
    moment = min(end, now)
    in_progress = Q(finished_at__isnull=True) | Q(finished_at__gte=end)
    return {
        "within_time": in_progress & Q(due_at__gte=moment),
        "overdue": in_progress & Q(due_at__lt=moment),
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
# own (``open_query``), not in the main pass.
APPLICANT_KEYS = ("waiting_supplement", "waiting_payment")


APPLICANT_STATUSES = {"waiting_supplement": Status.SUPPLEMENT_REQUESTED, "waiting_payment": Status.AWAITING_PAYMENT}


def status_then(moment) -> Subquery:
    """A dossier's status after its last status change before ``moment`` (in its history): the one
    row that ``status_at`` looks for, read with one index probe."""
    return Subquery(
        DossierEvent.objects.filter(dossier=OuterRef("pk"), created_at__lt=moment)
        .exclude(to_status="")
        .order_by("-created_at", "-pk")
        .values("to_status")[:1]
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
    groups = cell_groups(period=period, now=now)
    return aggregate(agency=agency, period=period, filters=filters, grouping=grouping, now=now, groups=groups)


@dataclass
class Counting:
    """The queries behind a report (also what the benchmark EXPLAINs) and how their rows add up:

    - ``main``: the covered dossiers grouped by the grouping's column and their class (``cls``: in
      each group of ``Split`` columns, which one the dossier is in, a digit of its own), with ``n``
      and a ``COUNT(*) FILTER`` for each column in no group;
    - ``open``: the dossiers open at the end, by their status then (``status_then``, for
      ``APPLICANT_KEYS``), with ``n`` and ``paused``: those past their due time whose clock was
      paused then (moved from overdue to within time); None when neither is asked for.
    """

    column: str
    keys: list[str]
    main: QuerySet
    open: QuerySet | None
    digits: list[tuple[int, int, dict[int, list[str]]]]  # per group: its base, size, columns of each class
    loose: list[str]  # the columns counted by a FILTER of their own

    def by_key(self) -> dict:
        """The counts of every column, by the grouping column's value."""
        found: dict = {}

        def counts(key):
            return found.setdefault(key, dict.fromkeys(self.keys, 0))

        for row in self.main:
            line = counts(row[self.column])
            for base, size, classes in self.digits:
                for key in classes.get(row["cls"] // base % (size + 1), ()):
                    line[key] += row["n"]
            for key in self.loose:
                line[key] += row[key]
        for row in self.open if self.open is not None else ():
            line = counts(row[self.column])
            for key, status in APPLICANT_STATUSES.items():
                if key in line and row.get("status_then") == status:
                    line[key] += row["n"]
            if row.get("paused"):
                line["within_time"] += row["paused"]
                line["overdue"] -= row["paused"]
        return found


def _classes(groups: list[list[Split]], keys) -> tuple[list[Case], list, set]:
    """One CASE per group of splits having any of ``keys``: the class of a dossier in it (0: none),
    numbered in a digit of its own (``base``); and what each class adds to."""
    cases, digits, covered, base = [], [], set(), 1
    for group in groups:
        present = [split for split in group if split.key in keys or any(key in keys for key, _q in split.parts)]
        if not present:
            continue
        whens, classes = [], {}
        for split in present:
            own = [split.key] if split.key else []
            inner = []
            for key, q in split.parts:
                classes[len(classes) + 1] = [name for name in (key, *own) if name in keys]
                inner.append(When(q, then=Value(len(classes) * base)))
            classes[len(classes) + 1] = [name for name in own if name in keys]  # in none of its parts
            residual = Value(len(classes) * base)
            then = Case(*inner, default=residual, output_field=IntegerField()) if inner else residual
            whens.append(When(split.q, then=then))
            covered.update([*own, *(key for key, _q in split.parts)])
        cases.append(Case(*whens, default=Value(0), output_field=IntegerField()))
        digits.append((base, len(classes), classes))
        base *= len(classes) + 1
    return cases, digits, covered & set(keys)


def counting(
    *,
    units: list[Agency],
    period: Period,
    filters: dict[str, Q],
    grouping: str = "unit",
    now=None,
    groups: list[list[Split]] = (),
    present: bool = False,
) -> Counting:
    """How to count ``filters`` over the dossiers of ``period`` of ``units``: the columns of
    ``groups`` (whose filters are the splits': ``Split.filters``) as classes, the other columns by
    filter, the applicant's and the paused clocks' columns apart."""
    column, _label = GROUPINGS[grouping]
    adjust = "within_time" in filters and "overdue" in filters
    keys = [key for key in filters if key not in APPLICANT_KEYS]
    cases, digits, covered = _classes(groups, keys)
    loose = [key for key in keys if key not in covered]
    if adjust and {"within_time", "overdue"} - covered:
        raise ValueError("within time and overdue are counted by the due time alone: give cell_groups")
    cls = sum(cases[1:], cases[0]) if cases else Value(0, output_field=IntegerField())
    main = (
        scope(period=period)
        .filter(agency__in=units)
        .annotate(cls=cls)
        .values(column, "cls")
        .annotate(n=Count("pk"), **{key: Count("pk", filter=filters[key]) for key in loose})
        .order_by()  # hashed: the rows come in any order
    )
    opened = open_query(units=units, period=period, filters=filters, grouping=grouping, now=now, present=present)
    return Counting(column, list(filters), main, opened, digits, loose)


def judged_now(*, period: Period, now, present: bool) -> bool:
    """Whether the dossiers open at the end of ``period`` are judged at the present moment: the period
    is not over and ``now`` is the present. Then a dossier's status then is its status, since every
    change of status writes an event whose new status is the dossier's (``dossiers.services``; the
    dossiers app relies on it too, ``dossiers.deadlines.clock_running``)."""
    _start, end = period.bounds()
    return present and now < end


def open_query(
    *,
    units: list[Agency],
    period: Period,
    filters: dict[str, Q],
    grouping: str = "unit",
    now=None,
    present: bool = False,
) -> QuerySet | None:
    """The dossiers of ``units`` open at the end of ``period``, by their status then when ``filters``
    has ``APPLICANT_KEYS``, with how many past their due time had their clock paused then when it has
    within time and overdue, in one pass.

    For a period over, their history is read per dossier (one index probe each). For a period not over
    judged at the present (``present``, or no ``now`` given: ``judged_now``), a dossier's status then
    is its status, so no history is read for it; only the few past their due time and in a status
    that pauses the clock have theirs read, for when the request went out."""
    column, _label = GROUPINGS[grouping]
    _start, end = period.bounds()
    present, now = present or now is None, now or timezone.now()
    moment = min(end, now)
    current = judged_now(period=period, now=now, present=present)  # the status then is the status now
    waiting = any(key in filters for key in APPLICANT_KEYS)
    adjust = "within_time" in filters and "overdue" in filters
    if not (waiting or adjust):
        return None
    found, columns, counts = open_at(units=units, moment=end), [column], {"n": Count("pk")}
    if waiting:
        then = F("status") if current else status_then(moment)
        found, columns = found.annotate(status_then=then), [column, "status_then"]
    if adjust:  # the cheap conditions first: the history is read only past the due time
        pausing = Q(status__in=pausing_statuses()) if current else Q()  # a paused clock's last status
        counts["paused"] = Count("pk", filter=Q(due_at__lt=moment) & pausing & Q(paused_at(moment)))
    return found.values(*columns).annotate(**counts).order_by()


def aggregate(
    *,
    agency: Agency,
    period: Period,
    filters: dict[str, Q],
    grouping: str = "unit",
    now=None,
    groups: list[list[Split]] = (),
    present: bool = False,
    units: list[Agency] | None = None,
) -> Report:
    """Count the dossiers of ``period`` under ``agency`` by each filter, grouped by unit (or field, or
    procedure), in one pass (``counting``); the paused clocks of dossiers past their due time and the
    status of those in progress are read from their history in two small counts, which keeps the main
    pass free of correlated subqueries. ``units``: ``receiving_units(agency=agency)``, when the caller
    has them already."""
    units = receiving_units(agency=agency) if units is None else units
    by_key = counting(
        units=units, period=period, filters=filters, grouping=grouping, now=now, groups=groups, present=present
    ).by_key()
    if grouping == "unit":
        rows = [ReportRow(unit.pk, unit.name, by_key.get(unit.pk, {})) for unit in units]
    else:
        rows = [ReportRow(key, label, by_key[key]) for key, label in _group_labels(grouping, list(by_key))]
    total = ReportRow(None, str(_("Total")), {key: sum(row.counts.get(key, 0) for row in rows) for key in filters})
    return Report(agency=agency, period=period, grouping=grouping, rows=rows, total=total)


def counting_queries(*, units: list[Agency], period: Period, filters: dict[str, Q], grouping: str = "unit", now=None):
    """One row per unit (or field, or procedure) with a ``COUNT(*) FILTER`` per filter over the dossiers
    of ``period`` (for a few columns of any meaning: ``reports.public``), and the count of paused
    clocks among the dossiers open at the end and past their due time (None when there are no within
    time / overdue columns). A report counts through ``counting``."""
    column, _label = GROUPINGS[grouping]
    adjust = "within_time" in filters and "overdue" in filters
    parts = pause_parts(period=period, now=now) if adjust else {}
    counted = {**filters, **{key: parts[key] for key in ("within_time", "overdue") if adjust}}
    counted = {key: q for key, q in counted.items() if key not in APPLICANT_KEYS}
    main = (
        scope(period=period)
        .filter(agency__in=units)
        .values(column)
        .annotate(**{key: Count("pk", filter=q) for key, q in counted.items()})
        .order_by(column)
    )
    if not adjust:
        return main, None
    counted = {key: q for key, q in filters.items() if key not in APPLICANT_KEYS}
    return main, open_query(units=units, period=period, filters=counted, grouping=grouping, now=now)


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
