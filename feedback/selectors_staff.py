"""Reads for the staff who handle feedback: their inbox, its counters, what their unit passed down and
may take back, and one feedback as they may see it."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import models
from django.db.models import Case, Count, F, OuterRef, Q, When
from django.utils import timezone

from accounts.models import User
from dossiers.codes import dossier_code_normalize
from dossiers.selectors import dossier_list_visible_to
from procedures.calendar import WorkingCalendar

from .constants import FeedbackStatus
from .models import Feedback, FeedbackEvent
from .permissions import can_handle, can_take_back, feedback_list_passed_down_by, feedback_units_handled
from .selectors import overdue_condition, overdue_expression, procedure_name

DUE_OVERDUE = "overdue"
DUE_TODAY = "today"
DUE_SOON = "soon"


def _end_of_today(now: datetime) -> datetime:
    """The last moment of ``now``'s local day (Asia/Ho_Chi_Minh), as an aware datetime."""
    local = timezone.localtime(now)
    return timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), time.min)) - timedelta(microseconds=1)


def due_condition(due: str, *, now: datetime) -> Q:
    """Unanswered feedback past its due time ("overdue"), due later today ("today"), or due within one
    working day from now ("soon")."""
    waiting = Q(answered_at__isnull=True)
    if due == DUE_OVERDUE:
        return overdue_condition(now=now)
    if due == DUE_TODAY:
        return waiting & Q(due_at__gte=now, due_at__lte=_end_of_today(now))
    if due == DUE_SOON:
        return waiting & Q(due_at__gte=now, due_at__lte=WorkingCalendar.current().add_working_days(now, 1))
    return Q()


def feedback_inbox(
    *,
    user: User,
    status: str | None = None,
    due: str | None = None,
    subject: str | None = None,
    query: str = "",
    now: datetime | None = None,
) -> models.QuerySet[Feedback]:
    """The feedback held by the units ``user`` handles: unanswered first, soonest due first, then the
    answered ones, latest answer first. ``due``: "overdue", "today" or "soon" (within one working day);
    ``query``: a code or part of one, in any case and spacing. Each comes with ``overdue`` at ``now``."""
    now = now or timezone.now()
    feedback = Feedback.objects.filter(agency_id__in=feedback_units_handled(user=user))
    if status in FeedbackStatus.values:
        feedback = feedback.filter(status=status)
    if due:
        feedback = feedback.filter(due_condition(due, now=now))
    if subject:
        feedback = feedback.filter(subject=subject)
    code = dossier_code_normalize(query)[:60]
    if code:
        feedback = feedback.filter(code__icontains=code)
    return (
        feedback.select_related("agency", "sender")
        .annotate(
            waiting_due=Case(When(answered_at__isnull=True, then=F("due_at"))), overdue=overdue_expression(now=now)
        )
        .order_by(F("waiting_due").asc(nulls_last=True), F("answered_at").desc(nulls_last=True), "-pk")
    )


@dataclass(frozen=True)
class InboxCounts:
    waiting: int
    due_today: int
    overdue: int


def feedback_inbox_counts(*, user: User, now: datetime | None = None) -> InboxCounts:
    """How many of the feedback ``user``'s units hold wait for an answer, are due later today, are
    overdue (one query, whatever the filters on the list)."""
    now = now or timezone.now()
    counts = Feedback.objects.filter(agency_id__in=feedback_units_handled(user=user)).aggregate(
        waiting=Count("pk", filter=Q(answered_at__isnull=True)),
        due_today=Count("pk", filter=due_condition(DUE_TODAY, now=now)),
        overdue=Count("pk", filter=due_condition(DUE_OVERDUE, now=now)),
    )
    return InboxCounts(**counts)


def feedback_list_passed_down(*, user: User, now: datetime | None = None) -> models.QuerySet[Feedback]:
    """Unanswered feedback ``user``'s units passed down to a unit right below, still held there: they
    may read it and take it back until it is answered (``feedback_list_passed_down_by``, the rule the
    feedback's page applies too). Each comes with ``overdue`` at ``now``."""
    now = now or timezone.now()
    return (
        feedback_list_passed_down_by(units=feedback_units_handled(user=user))
        .select_related("agency", "sender")
        .annotate(overdue=overdue_expression(now=now))
        .order_by("due_at", "pk")
    )


def feedback_get_for_staff(*, user: User, reference, now: datetime | None = None) -> Feedback | None:
    """The feedback with ``reference`` if ``user`` handles it, or may take it back (their unit passed it
    down to the unit holding it); None otherwise, so the page answers 404. The dossier it is about comes
    with it, with what the page shows of it, and ``procedure_name`` (of the version in force) and
    ``overdue`` at ``now``."""
    if not feedback_units_handled(user=user):
        return None
    now = now or timezone.now()
    feedback = (
        Feedback.objects.select_related(
            "agency__parent",
            "sender",
            "procedure",
            "answered_by",
            "dossier__procedure_version",
            "dossier__agency",
            "dossier__current_agency",
        )
        .annotate(procedure_name=procedure_name(OuterRef("procedure")), overdue=overdue_expression(now=now))
        .filter(reference=reference)
        .first()
    )
    if feedback is None:
        return None
    if can_handle(user=user, feedback=feedback) or can_take_back(user=user, feedback=feedback):
        return feedback
    return None


def feedback_dossier_openable(*, user: User, feedback: Feedback) -> bool:
    """Whether ``user`` may open the page of the dossier ``feedback`` is about: the dossiers app's own
    rule (``dossier_list_visible_to``, what its page looks the dossier up through). A feedback handler
    without a dossier role reads the dossier's key facts on the feedback's page instead."""
    if feedback.dossier_id is None:
        return False
    return dossier_list_visible_to(user=user).filter(pk=feedback.dossier_id).exists()


def feedback_events(*, feedback: Feedback) -> models.QuerySet[FeedbackEvent]:
    """The feedback's history, oldest first, with who acted and the units."""
    return feedback.events.select_related("actor", "agency", "from_agency").order_by("created_at", "pk")
