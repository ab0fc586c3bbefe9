"""The feedback app's messages, written through the dossier outbox in the transaction of what they
announce: a new feedback to the staff who handle it, a moved one to its new unit, an answer to the
sender."""

from django.urls import reverse

from accounts.constants import ADMINISTRATIVE_KINDS, Role
from accounts.links import absolute
from accounts.models import Agency, StaffMembership, User
from dossiers.constants import NotificationKind
from dossiers.outbox import notify

from .models import Feedback, FeedbackEvent
from .permissions import HANDLER_ROLES

FOLDER = "feedback/notifications"


def staff_link(feedback: Feedback) -> str:
    return absolute(reverse("feedback:staff_detail", args=[feedback.reference]))


def sender_link(feedback: Feedback) -> str:
    return absolute(reverse("feedback:mine_detail", args=[feedback.reference]))


def handlers_of(agency: Agency) -> list[User]:
    """The staff who handle ``agency``'s feedback: those with the feedback role in it or in one of its
    departments and desks; its leaders when it has none."""
    nested = list(
        Agency.objects.filter(path__startswith=agency.path, kind__in=ADMINISTRATIVE_KINDS)
        .exclude(pk=agency.pk)
        .values_list("path", flat=True)
    )
    memberships = StaffMembership.objects.filter(
        agency__path__startswith=agency.path,
        role__in=HANDLER_ROLES,
        is_active=True,
        agency__is_active=True,
        user__is_active=True,
    ).select_related("agency", "user")
    people: dict[int, tuple[str, User]] = {}
    for membership in memberships.order_by("user_id"):
        if any(membership.agency.path.startswith(path) for path in nested):
            continue  # a commune's staff answer for the commune, not for its district
        role, _user = people.get(membership.user_id, (None, None))
        if role != Role.FEEDBACK:
            people[membership.user_id] = (membership.role, membership.user)
    handlers = [user for role, user in people.values() if role == Role.FEEDBACK]
    return handlers or [user for _role, user in people.values()]


def staff_tell_new(*, feedback: Feedback, event: FeedbackEvent) -> None:
    """A feedback arrived at (or was passed to) its unit: each handler is told once per event."""
    for person in handlers_of(feedback.agency):
        notify(
            recipient=person,
            key=f"feedback:{event.pk}:{person.pk}",
            kind=NotificationKind.FEEDBACK,
            template=f"{FOLDER}/arrived",
            context={"feedback": feedback, "event": event},
            link=staff_link(feedback),
        )


def sender_tell_answered(*, feedback: Feedback, event: FeedbackEvent) -> None:
    notify(
        recipient=feedback.sender,
        key=f"feedback:{event.pk}:{feedback.sender_id}",
        kind=NotificationKind.FEEDBACK,
        template=f"{FOLDER}/answered",
        context={"feedback": feedback},
        link=sender_link(feedback),
    )
