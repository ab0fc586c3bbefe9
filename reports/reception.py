"""Dossiers submitted online and not yet received ("chờ tiếp nhận"): outside the 06a report, which counts
received dossiers, so counted here for the online-service table and the dashboard.

At a moment (the end of the period, or now for a period not over) a dossier is waiting for reception
when it was submitted online before then and was neither received nor closed (refused, withdrawn) by
then. Its time in the queue counts from its last submission before then (a dossier sent back for
completion and submitted again queues from the new submission). One sent back to the applicant for
completion before reception, and not yet submitted again then, waits on the applicant, not on the desk:
it is counted apart ("waiting_completion"). All of it is read from the submission, reception and finish
times and the event history, so a closed period keeps its numbers.

Ages are in working days (8 office hours) of ``procedures.calendar.WorkingCalendar``.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Agency
from dossiers.constants import Channel, Status
from dossiers.models import Dossier, DossierEvent
from procedures.calendar import HOURS_PER_DAY, WorkingCalendar

from .periods import Period
from .selectors import open_until, status_at

# (key, label): the numbers that open to a list of dossiers.
RECEPTION_COLUMNS = [
    ("waiting_reception", pgettext_lazy("online table", "Submitted online, waiting for reception")),
    ("waiting_reception_late", _("Waiting for reception for more than 1 working day")),
    ("waiting_completion", _("Sent back to the applicant for completion before reception")),
]
RECEPTION_KEYS = [key for key, _label in RECEPTION_COLUMNS]
OLDEST_LABEL = _("Longest wait for reception (working days)")
LATE_AFTER_HOURS = HOURS_PER_DAY  # one working day


def reception_moment(*, period: Period, now=None) -> datetime:
    """When the queue is read: the end of ``period``, or now if it is not over."""
    _start, end = period.bounds()
    return min(end, now or timezone.now())


def working_moment_before(calendar: WorkingCalendar, moment: datetime, hours) -> datetime:
    """The latest moment from which more than ``hours`` office hours have passed by ``moment``: a
    dossier queued before it has waited more than ``hours`` (``working_hours_between > hours``)."""
    remaining = timedelta(hours=float(hours))
    local = timezone.localtime(moment, calendar.tz)
    day = local.date()
    for _day in range(4000):
        for start, end in reversed(calendar.sessions(day)):
            if start >= local:
                continue
            stop = min(end, local)
            if remaining <= timedelta(0):
                return stop  # exactly ``hours`` counted up to the session after this one
            if remaining < stop - start:
                return stop - remaining
            remaining -= stop - start
        day -= timedelta(days=1)
    raise ValueError("no working day within the calendar")


def working_days(calendar: WorkingCalendar, since: datetime, moment: datetime) -> Decimal:
    """The working days (one decimal) from ``since`` to ``moment``."""
    days = calendar.working_hours_between(since, moment) / HOURS_PER_DAY
    return Decimal(days).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def reception_scope(*, units: list[Agency], moment: datetime) -> QuerySet[Dossier]:
    """The online dossiers of ``units`` submitted before ``moment`` and neither received nor closed by
    then, with ``queued_since``: their last submission before ``moment``."""
    last_submission = (
        DossierEvent.objects.filter(dossier=OuterRef("pk"), to_status=Status.SUBMITTED, created_at__lt=moment)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    # Online, neither received nor closed by the moment: read from the index ``dossier_alive`` alone
    # (unit, when closed; channel and reception included), so that only those rows are fetched.
    candidates = (
        Dossier.objects.alias(open_until=open_until())
        .filter(agency__in=units, open_until__gte=moment, channel=Channel.ONLINE)
        .filter(Q(received_at__isnull=True) | Q(received_at__gte=moment))
    )
    return (
        Dossier.objects.filter(pk__in=candidates.values("pk"))
        # Cheap bounds first: a draft started after the moment was not submitted before it.
        .filter(Q(submitted_at__lt=moment) | Q(created_at__lt=moment))
        .annotate(queued_since=Coalesce(Subquery(last_submission), "submitted_at"))
        .filter(queued_since__lt=moment)
    )


def reception_filters(*, moment: datetime, calendar: WorkingCalendar) -> dict[str, Q]:
    """The filter of each number, over ``reception_scope``."""
    sent_back = Q(status_at(moment, [Status.SUPPLEMENT_REQUESTED]))
    late_before = working_moment_before(calendar, moment, LATE_AFTER_HOURS)
    return {
        "waiting_reception": ~sent_back,
        "waiting_reception_late": ~sent_back & Q(queued_since__lt=late_before),
        "waiting_completion": sent_back,
    }


@dataclass
class Queue:
    """The reception queue of a unit (or of all, for the total) at ``moment``."""

    counts: dict
    oldest_since: datetime | None = None
    oldest_days: Decimal | None = None


def reception_queue(*, units: list[Agency], period: Period, now=None) -> dict[int | None, Queue]:
    """The queue of each unit of ``units`` (by pk) and the total (key None), in one aggregate query."""
    moment = reception_moment(period=period, now=now)
    calendar = WorkingCalendar.current()
    filters = reception_filters(moment=moment, calendar=calendar)
    counted = (
        reception_scope(units=units, moment=moment)
        .values("agency_id")
        .annotate(
            **{key: Count("pk", filter=q) for key, q in filters.items()},
            oldest=Min("queued_since", filter=filters["waiting_reception"]),
        )
        .order_by("agency_id")
    )
    queues: dict[int | None, Queue] = {unit.pk: Queue(dict.fromkeys(RECEPTION_KEYS, 0)) for unit in units}
    for row in counted:
        queues[row["agency_id"]] = Queue({key: row[key] for key in RECEPTION_KEYS}, row["oldest"])
    oldest = [queue.oldest_since for queue in queues.values() if queue.oldest_since]
    total = Queue(
        {key: sum(q.counts[key] for q in queues.values()) for key in RECEPTION_KEYS}, min(oldest, default=None)
    )
    queues[None] = total
    for queue in queues.values():
        if queue.oldest_since:
            queue.oldest_days = working_days(calendar, queue.oldest_since, moment)
    return queues


def reception_dossiers(*, units: list[Agency], period: Period, column: str, now=None) -> QuerySet[Dossier]:
    """The dossiers behind one number of the queue, oldest first, each with ``queued_since``."""
    moment = reception_moment(period=period, now=now)
    filters = reception_filters(moment=moment, calendar=WorkingCalendar.current())
    dossiers = reception_scope(units=units, moment=moment).filter(filters[column])
    return dossiers.select_related("procedure_version", "agency").order_by("queued_since", "pk")


def with_wait(dossiers: list[Dossier], *, period: Period, now=None) -> list[Dossier]:
    """``dossiers`` (from ``reception_dossiers``, a page of them) each with ``waited_days``: its wait in
    working days at the moment the queue is read."""
    moment = reception_moment(period=period, now=now)
    calendar = WorkingCalendar.current()
    for dossier in dossiers:
        dossier.waited_days = working_days(calendar, dossier.queued_since, moment)
    return dossiers
