"""The Decision 766 indicators our data supports, and the online-service table the province asks for.

Computed from the same covered dossiers and filters as the 06a report (``reports.selectors``), in one
aggregate query; the rates are ratios of those counts:

- online share: dossiers received online in the period / all received in the period;
- on-time rate: (resolved early or on time + in progress within time) / (resolved + in progress);
- digitisation rate: dossiers resolved in the period whose result is held as an electronic file
  (``Dossier.result_electronic``, set when the result is recorded) / all resolved in the period;
- online payment rate: dossiers whose fee was paid online (VNPAY) / dossiers whose fee was paid, among
  those received in the period;
- satisfaction rate: "very satisfied" or "satisfied" / all ratings, of the dossiers resolved in the period.

The online-service table: received online at level 3 and level 4, resolved among online dossiers at
level 3 and level 4, per unit (the district desk, each commune); and the dossiers submitted online and
not yet received at the end of the period, with the longest wait (``reports.reception``: they are not
in the 06a report, which counts received dossiers).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency
from dossiers.constants import Channel
from dossiers.models import Rating
from procedures.constants import ServiceLevel

from .periods import Period
from .reception import RECEPTION_KEYS, Queue, reception_queue
from .selectors import APPLICANT_KEYS, Report, Split, aggregate, cell_filters, cell_groups, receiving_units

COUNTS = [
    ("online_l3", _("Received online, level 3")),
    ("online_l4", _("Received online, level 4")),
    ("resolved_online_l3", _("Resolved online dossiers, level 3")),
    ("resolved_online_l4", _("Resolved online dossiers, level 4")),
    ("resolved_electronic", _("Resolved with an electronic result")),
    ("paid_online", _("Fees paid online")),
    ("rated", _("Satisfaction ratings received")),
]
# key: (label, numerator keys, denominator keys, how it is computed)
RATES = {
    "online_share": (
        _("Share of dossiers received online"),
        ("online",),
        ("online", "direct"),
        _("dossiers received online in the period / all dossiers received in the period"),
    ),
    "on_time_rate": (
        _("On-time rate"),
        ("early", "on_time", "within_time"),
        ("resolved", "in_progress"),
        _("(resolved early or on time + in progress within time) / (resolved + in progress)"),
    ),
    "digitisation_rate": (
        _("Digitisation rate of results"),
        ("resolved_electronic",),
        ("resolved",),
        _("dossiers resolved with an electronic result file / all dossiers resolved in the period"),
    ),
    "online_payment_rate": (
        _("Online payment rate"),
        ("paid_online",),
        ("fee_paid",),
        _("dossiers whose fee was paid online / dossiers whose fee was paid, among those received in the period"),
    ),
    "satisfaction_rate": (
        _("Satisfaction rate"),
        ("satisfied",),
        ("rated",),
        _("ratings “very satisfied” or “satisfied” / all ratings, of the dossiers resolved in the period"),
    ),
}
NOT_AVAILABLE: dict = {}
SATISFIED = [Rating.Level.VERY_SATISFIED, Rating.Level.SATISFIED]


def _online_groups(filters: dict[str, Q]) -> list[list[Split]]:
    """The online-service table's groups of columns that never share a dossier, from the 06a filters."""
    new = filters["online"] | filters["direct"]  # received in the period
    level3, level4 = Q(service_level=ServiceLevel.PARTIAL), Q(service_level=ServiceLevel.FULL)
    online = Q(channel=Channel.ONLINE)
    return [
        [Split(None, filters["online"], (("online_l3", level3), ("online_l4", level4)))],
        [Split(None, filters["resolved"] & online, (("resolved_online_l3", level3), ("resolved_online_l4", level4)))],
        [
            Split(  # the fee first: most dossiers have none, and the rest of the condition is not read
                "fee_paid",
                Q(fee_amount__gt=0, fee_paid_at__isnull=False) & new,
                (("paid_online", Q(fee_paid_online=True)),),
            )
        ],
        # Read from the ratings once (a hashed subplan), not joined to every dossier counted.
        [
            Split(
                "rated",
                filters["resolved"] & Q(pk__in=Rating.objects.values("dossier_id")),
                (("satisfied", Q(pk__in=Rating.objects.filter(level__in=SATISFIED).values("dossier_id"))),),
            )
        ],
    ]


def indicator_groups(*, period: Period, now=None) -> tuple[dict[str, Q], list[list[Split]]]:
    """The filters of every column (``indicator_filters``) and the groups of those that never share a
    dossier (the 06a's ``cell_groups`` and the online-service table's), whose filters they are."""
    filters = cell_filters(period=period, now=now)
    own = _online_groups(filters)
    for split in (split for group in own for split in group):
        filters.update(split.filters())
    filters["resolved_electronic"] = Q(result_electronic=True) & filters["resolved"]  # the cheap test first
    return filters, [*cell_groups(period=period, now=now), *own]


def indicator_filters(*, period: Period, now=None) -> dict[str, Q]:
    """The 06a filters plus those of the online-service table."""
    return indicator_groups(period=period, now=now)[0]


def percent(above: int, below: int) -> Decimal | None:
    """``above`` / ``below`` in percent, one decimal (half up); None when there is nothing to divide by."""
    if not below:
        return None
    return (Decimal(100 * above) / below).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rate(counts: dict, key: str) -> Decimal | None:
    """The rate ``key`` in percent (one decimal) from a row's counts; None when nothing to divide by."""
    _label, numerator, denominator, _how = RATES[key]
    return percent(sum(counts.get(k, 0) for k in numerator), sum(counts.get(k, 0) for k in denominator))


@dataclass
class IndicatorTable:
    report: Report
    queues: dict[int | None, Queue] = field(default_factory=dict)

    def rates(self, row) -> dict[str, Decimal | None]:
        return {key: rate(row.counts, key) for key in RATES}

    def queue(self, row) -> Queue | None:
        """The reception queue of a row (the total's for the total row)."""
        return self.queues.get(row.key)


# What the rates need (and the dashboard shows), for a pass that counts nothing more.
RATE_KEYS = ("received", "online", "direct", "resolved", "early", "on_time", "in_progress", "within_time", "overdue")
RATE_KEYS += ("resolved_electronic", "fee_paid", "paid_online", "rated", "satisfied", *APPLICANT_KEYS)


def indicator_table(
    *,
    agency: Agency,
    period: Period,
    now=None,
    extra: dict[str, Q] | None = None,
    only=None,
    groups: list[list[Split]] = (),
    present: bool = False,
    units: list[Agency] | None = None,
) -> IndicatorTable:
    """Counts and rates per receiving unit under ``agency`` and in total, in one query (with ``extra``
    columns counted in the same pass, those of ``groups`` by class; ``only`` the columns named), and
    the reception queue of each (its counts added to the row's). ``present``: ``now`` is the present
    moment (``reports.selectors.open_query``); ``units``: ``receiving_units(agency=agency)``, when the
    caller has them already."""
    units = receiving_units(agency=agency) if units is None else units
    filters, own_groups = indicator_groups(period=period, now=now)
    if only:
        filters = {key: q for key, q in filters.items() if key in only}
    filters.update(extra or {})
    groups = [*own_groups, *groups]
    report = aggregate(
        agency=agency, period=period, filters=filters, now=now, groups=groups, present=present, units=units
    )
    queues = reception_queue(units=units, period=period, now=now)
    for row in [*report.rows, report.total]:
        row.counts.update({key: queues[row.key].counts[key] for key in RECEPTION_KEYS})
    return IndicatorTable(report, queues)
