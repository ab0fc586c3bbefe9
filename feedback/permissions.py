"""Who may do what with a feedback. The unit holding a feedback handles it through its staff with the
feedback role, and its leaders; a department's or desk's staff act for their administrative unit."""

from accounts.constants import ADMINISTRATIVE_KINDS, Role
from accounts.models import Agency, User
from accounts.selectors import agency_administrative_unit, membership_list_active

from .models import Feedback

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


def move_targets(*, user: User, feedback: Feedback) -> list[Agency]:
    """Where ``user`` may pass an unanswered feedback: from the unit holding it to one of the
    administrative units right below it (a district to its communes) or back up to the one above
    (a commune to its district); the unit above may also take it back."""
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
    elif parent is not None and parent.pk in handled:
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
