"""Scheduled messages to staff (declared in ``CELERY_BEAT_SCHEDULE``), each idempotent for its day:

- ``reminders_send`` (daily, 07:00): each dossier due within one working day, to whoever holds it
  (the assignee, else the staff of the unit holding it). Once per dossier, person and day.
- ``escalations_send`` (daily, 07:05): each dossier past its due time, to the leaders of the unit
  holding it (the nearest unit up the tree that has leaders). Once per dossier and due time: a new
  deadline after a supplement may be escalated again, the same one never.
- ``digests_send`` (weekly, Monday 07:10): to the leaders of each unit, its overdue dossiers and those
  of the units below it. Once per unit, leader and ISO week; nothing when nothing is overdue.

Running a job twice on the same day (a beat restarted, a task redelivered) writes nothing more.
"""

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.constants import Role
from accounts.models import Agency, StaffMembership, User
from accounts.selectors import agency_subtree
from procedures.calendar import WorkingCalendar

from .constants import NotificationKind
from .deadlines import clock_running
from .models import Dossier
from .outbox import notify

HOLDER_ROLES = (Role.CLERK, Role.SPECIALIST)
DIGEST_LINES = 200  # a longer list is cut with a line saying how many more the queue holds


def _portal(path: str) -> str:
    return settings.PORTAL_URL.rstrip("/") + path


def _running():
    return Dossier.objects.filter(clock_running(), due_at__isnull=False).select_related(
        "procedure_version", "agency", "current_agency", "current_assignee"
    )


def _members(agency_ids, roles) -> dict[int, list[User]]:
    """Active staff of ``agency_ids`` in ``roles``, by unit."""
    found: dict[int, list[User]] = {}
    memberships = StaffMembership.objects.filter(
        agency_id__in=agency_ids, role__in=roles, is_active=True, user__is_active=True
    ).select_related("user")
    for membership in memberships.order_by("user_id"):
        people = found.setdefault(membership.agency_id, [])
        if membership.user not in people:
            people.append(membership.user)
    return found


def _tell(person: User, dossier: Dossier, kind: str, *, key: str) -> None:
    """One message about ``dossier`` to a staff member (template named after the kind), linking to its page."""
    with transaction.atomic():
        notify(
            recipient=person,
            key=key,
            kind=kind,
            template=kind,
            context={"dossier": dossier},
            link=_portal(reverse("dossiers:detail", args=[dossier.reference])),
            dossier=dossier,
        )


def reminders_send(*, now=None) -> int:
    """Remind the holders of every dossier due within one working day; returns how many reminders."""
    now = now or timezone.now()
    horizon = WorkingCalendar.current().add_working_days(now, 1)
    dossiers = list(_running().filter(due_at__gt=now, due_at__lte=horizon).order_by("due_at", "pk"))
    staff = _members({d.current_agency_id or d.agency_id for d in dossiers}, HOLDER_ROLES)
    day = timezone.localdate(now).isoformat()
    sent = 0
    for dossier in dossiers:
        people = (
            [dossier.current_assignee]
            if dossier.current_assignee
            else staff.get(dossier.current_agency_id or dossier.agency_id, [])
        )
        for person in people:
            _tell(person, dossier, NotificationKind.REMINDER, key=f"reminder:{dossier.pk}:{day}:{person.pk}")
            sent += 1
    return sent


def leaders_of(agency: Agency) -> list[User]:
    """The leaders answerable for what ``agency`` holds: those of the nearest unit up the tree (itself
    first) that has any."""
    chain = [agency.pk, *reversed(agency.ancestor_ids())]
    by_unit = _members(chain, (Role.LEADER,))
    for pk in chain:
        if by_unit.get(pk):
            return by_unit[pk]
    return []


def escalations_send(*, now=None) -> int:
    """Tell the leaders of every dossier past its due time; returns how many messages were written
    (already written ones count too: the keys keep them single)."""
    now = now or timezone.now()
    sent = 0
    leaders: dict[int, list[User]] = {}
    for dossier in _running().filter(due_at__lt=now).order_by("due_at", "pk").iterator(chunk_size=500):
        holder = dossier.current_agency or dossier.agency
        if holder.pk not in leaders:
            leaders[holder.pk] = leaders_of(holder)
        for person in leaders[holder.pk]:
            key = f"escalation:{dossier.pk}:{int(dossier.due_at.timestamp())}:{person.pk}"
            _tell(person, dossier, NotificationKind.ESCALATION, key=key)
            sent += 1
    return sent


def overdue_in_subtree(*, agency: Agency, now=None):
    """Overdue dossiers held anywhere in ``agency``'s subtree, the most overdue first."""
    now = now or timezone.now()
    units = agency_subtree(agency=agency).values("pk")
    held_there = models.Q(current_agency_id__in=units) | models.Q(current_agency__isnull=True, agency_id__in=units)
    return _running().filter(held_there, due_at__lt=now).order_by("due_at", "pk")


def digests_send(*, now=None) -> int:
    """The weekly list of overdue dossiers to the leaders of each unit; returns how many digests."""
    now = now or timezone.now()
    year, week, _weekday = timezone.localdate(now).isocalendar()
    memberships = (
        StaffMembership.objects.filter(role=Role.LEADER, is_active=True, user__is_active=True, agency__is_active=True)
        .select_related("agency", "user")
        .order_by("agency__path", "user_id")
    )
    link = _portal(reverse("dossiers:queue") + "?due=overdue")
    sent = 0
    for membership in memberships:
        overdue = overdue_in_subtree(agency=membership.agency, now=now)
        total = overdue.count()
        if not total:
            continue
        with transaction.atomic():
            notify(
                recipient=membership.user,
                key=f"digest:{membership.agency_id}:{year}-W{week:02d}:{membership.user_id}",
                kind=NotificationKind.DIGEST,
                template="digest",
                context={"dossiers": overdue[:DIGEST_LINES], "total": total, "agency": membership.agency, "now": now},
                link=link,
            )
        sent += 1
    return sent
