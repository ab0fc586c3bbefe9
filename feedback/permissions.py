"""Who may do what with a feedback. The unit holding a feedback handles it through its staff with the
feedback role, and its leaders; a department's or desk's staff act for their administrative unit."""

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from accounts.constants import ADMINISTRATIVE_KINDS, Role
from accounts.models import Agency, User
from accounts.selectors import agency_administrative_unit, membership_list_active

from .constants import FeedbackEventKind
from .models import Feedback, FeedbackEvent

HANDLER_ROLES = (Role.FEEDBACK, Role.LEADER)


def feedback_units_handled(*, user: User) -> set[int]:
    """Ids of the administrative units whose feedback ``user`` handles (empty for a citizen)."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_feedback_units", None)
    if cached is None:
        memberships = membership_list_active(user=user).filter(role__in=HANDLER_ROLES)
        cached = {agency_administrative_unit(agency=m.agency).pk for m in memberships}
        user._feedback_units = cached
    return cached


def can_handle(*, user: User, feedback: Feedback) -> bool:
    """Answer it or pass it on: staff of the unit holding it."""
    return feedback.agency_id in feedback_units_handled(user=user)


def can_answer(*, user: User, feedback: Feedback) -> bool:
    return can_handle(user=user, feedback=feedback) and feedback.answered_at is None


def feedback_list_passed_down_by(*, units: set[int]) -> QuerySet[Feedback]:
    """Unanswered feedback that one of ``units`` passed down to the unit right below it, still held
    there: the latest move on it went from that unit to the one holding it. The one rule for who,
    besides the unit holding a feedback, may read it and take it back; a feedback sent straight to a
    commune stays the commune's own, out of its district's sight."""
    latest_move = (
        FeedbackEvent.objects.filter(feedback=OuterRef(OuterRef("pk")), kind=FeedbackEventKind.MOVED)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    passed_down = FeedbackEvent.objects.filter(
        pk=Subquery(latest_move),
        from_agency_id__in=units,
        from_agency_id=OuterRef("agency__parent_id"),
        agency_id=OuterRef("agency_id"),
    )
    return Feedback.objects.filter(answered_at__isnull=True).exclude(agency_id__in=units).filter(Exists(passed_down))


def can_take_back(*, user: User, feedback: Feedback) -> bool:
    """Read an unanswered feedback and take it back: staff of the unit that passed it down to the unit
    holding it (see ``feedback_list_passed_down_by``)."""
    handled = feedback_units_handled(user=user)
    if feedback.answered_at is not None or not handled or feedback.agency.parent_id not in handled:
        return False
    return feedback_list_passed_down_by(units=handled).filter(pk=feedback.pk).exists()


def move_targets(*, user: User, feedback: Feedback) -> list[Agency]:
    """Where ``user`` may pass an unanswered feedback: from the unit holding it to one of the
    administrative units right below it (a district to its communes) or back up to the one above
    (a commune to its district); the unit above may also take back what it passed down
    (``can_take_back``), and nothing else its communes hold."""
    if feedback.answered_at is not None:
        return []
    holder = feedback.agency
    handled = feedback_units_handled(user=user)
    targets: list[Agency] = []
    parent = _administrative_parent(holder)
    if holder.pk in handled:
        targets += list(
            Agency.objects.filter(parent=holder, is_active=True, kind__in=ADMINISTRATIVE_KINDS).order_by("name")
        )
        if parent is not None:
            targets.append(parent)
    elif parent is not None and parent.pk in handled and can_take_back(user=user, feedback=feedback):
        targets.append(parent)  # the district takes back what it passed down
    return targets


def _administrative_parent(agency: Agency) -> Agency | None:
    parent = agency.parent
    if parent is None or not parent.is_active:
        return None
    return agency_administrative_unit(agency=parent)


def can_rate(*, user: User, feedback: Feedback) -> bool:
    """The sender says once whether the answer resolved the matter."""
    return feedback.sender_id == user.pk and feedback.answered_at is not None and feedback.resolved is None
