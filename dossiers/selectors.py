"""Reads of dossiers with their visibility rules. A dossier a user may not see is simply not in their
queryset, so looking it up answers 404, never someone else's data."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.constants import Role
from accounts.models import Agency, User
from accounts.selectors import agency_subtree, membership_list_active, user_find_by_identifier

from .codes import dossier_code_normalize, lookup_digits_normalize
from .constants import (
    OPEN_STATUSES,
    QUEUE_STATUSES,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
    Status,
    Timeliness,
)
from .deadlines import clock_running, clock_runs, pausing_statuses
from .models import Attachment, Dossier, DossierEvent, Notification


def dossier_list_for_applicant(*, user: User) -> QuerySet[Dossier]:
    """The citizen's own dossiers, drafts included, newest first, ready for a list page."""
    return (
        Dossier.objects.filter(applicant=user)
        .select_related("procedure_version__procedure", "agency")
        .order_by("-created_at", "-pk")
    )


def dossier_list_visible_to(*, user: User) -> QuerySet[Dossier]:
    """Dossiers ``user`` may open: their own, and for staff those of their agencies (a leader's reach
    goes down the tree). Drafts belong to their author alone."""
    if not (user and user.is_authenticated and user.is_active):
        return Dossier.objects.none()
    own = Dossier.objects.filter(applicant=user)
    agency_ids = staff_agency_ids(user=user)
    if not agency_ids:
        return own
    # A dossier is visible where it was received and wherever it has been (liên thông steps).
    staff = Dossier.objects.exclude(status=Status.DRAFT).filter(
        models.Q(agency_id__in=agency_ids) | models.Q(steps__agency_id__in=agency_ids) | models.Q(current_assignee=user)
    )
    return Dossier.objects.filter(models.Q(pk__in=own.values("pk")) | models.Q(pk__in=staff.values("pk")))


def dossier_get_detail(*, user: User, reference) -> Dossier:
    """One visible dossier with what its page shows; raises ``Dossier.DoesNotExist`` otherwise."""
    return (
        dossier_list_visible_to(user=user)
        .select_related(
            "procedure_version__procedure",
            "agency",
            "applicant__opened_at_desk",
            "created_by",
            "current_agency",
            "current_assignee",
        )
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.select_related("required_document")),
            Prefetch("events", queryset=DossierEvent.objects.select_related("actor", "agency")),
            "procedure_version__documents",
            "slips",
        )
        .get(reference=reference)
    )


def dossier_get_detail_or_404(*, user: User, reference) -> Dossier:
    """``dossier_get_detail`` for pages and the API: a dossier the user may not see is not found."""
    try:
        return dossier_get_detail(user=user, reference=reference)
    except Dossier.DoesNotExist:
        raise Http404 from None


def attachment_get_visible(*, user: User, pk: int) -> Attachment:
    """An attachment of a dossier ``user`` may see; raises ``Attachment.DoesNotExist`` otherwise. The
    applicant gets a result only once it is ready and the fee, if any, is paid."""
    attachment = Attachment.objects.select_related("dossier").get(pk=pk, dossier__in=dossier_list_visible_to(user=user))
    if attachment.is_result and attachment.dossier.applicant_id == user.pk and not result_available(attachment.dossier):
        raise Attachment.DoesNotExist
    return attachment


def result_available(dossier: Dossier) -> bool:
    """The applicant may take the result: it is ready (or returned) and nothing is left to pay."""
    paid = dossier.fee_amount <= 0 or dossier.fee_paid_at is not None
    return dossier.status in (Status.DONE, Status.RETURNED) and paid


def dossier_lookup(*, code: str, secret: str) -> Dossier | None:
    """A submitted dossier whose ``code`` matches and whose applicant's phone or citizen ID ends with
    the 4 digits ``secret``; None otherwise (one answer for "no such code" and "wrong digits"). The
    code is compared as printed: upper case, without spaces."""
    code = dossier_code_normalize(code)
    secret = lookup_digits_normalize(secret)
    if len(secret) != 4 or not secret.isdigit():
        return None
    dossier = (
        Dossier.objects.exclude(status=Status.DRAFT)
        .select_related("procedure_version", "agency")
        .prefetch_related(Prefetch("events", queryset=DossierEvent.objects.select_related("agency")))
        .filter(code=code)
        .first()
    )
    if dossier is None:
        return None
    applicant = dossier.applicant_data or {}
    candidates = [applicant.get("phone", ""), applicant.get("citizen_id", "")]
    return dossier if any(value and value.endswith(secret) for value in candidates) else None


def dossier_get_draft(*, user: User, reference) -> Dossier:
    """The applicant's own draft; raises ``Dossier.DoesNotExist`` for anything else."""
    return (
        Dossier.objects.select_related("procedure_version__procedure", "agency")
        .prefetch_related("procedure_version__documents", "attachments")
        .get(reference=reference, applicant=user, status=Status.DRAFT)
    )


def clerk_agencies(*, user: User):
    """The agencies where ``user`` is a desk clerk."""
    return Agency.objects.filter(
        memberships__user=user, memberships__role=Role.CLERK, memberships__is_active=True, is_active=True
    ).order_by("path")


def citizen_find(*, query: str) -> User | None:
    """A citizen by citizen ID number, phone number (any spelling) or email (staff are not listed)."""
    query = (query or "").strip()
    if query.isdigit() and len(query) == 12:
        found = User.objects.filter(citizen_id=query).first()
    else:
        found = user_find_by_identifier(identifier=query)
    return citizen_get_for_desk(pk=found.pk) if found else None


def citizen_get_for_desk(*, pk: int) -> User | None:
    """A citizen a clerk may register a dossier for: an active account that is not staff (a clerk has
    no business reading colleagues' or administrators' details through the desk)."""
    return (
        User.objects.filter(pk=pk, is_active=True, is_staff=False, is_superuser=False)
        .exclude(memberships__is_active=True)
        .first()
    )


def lookup_timeline(*, dossier: Dossier) -> list[dict]:
    """What the public lookup shows of the history: when, which status, at which office. No notes,
    no names: a note may carry personal details. A status is named where it changed; an event that
    leaves it as it was (a hand-over, a payment, an apology) is named by what happened, so no status
    reads twice."""
    return [
        {
            "created_at": event.created_at,
            "status": event.get_kind_display() if _keeps_status(event) else event.get_to_status_display(),
            "agency": event.agency,
        }
        for event in dossier.events.all()
    ]


def _keeps_status(event: DossierEvent) -> bool:
    return bool(event.from_status) and event.from_status == event.to_status


def dossier_timeliness(*, dossier: Dossier, now=None) -> str | None:
    """Early / on time / late for a finished dossier (by its finish against its due time: early is a
    date before the due date, on time is the due date not after the due time), within time / overdue
    for one still open; None before it has a due time."""
    if dossier.due_at is None:
        return None
    due = timezone.localtime(dossier.due_at)
    if dossier.finished_at and dossier.status in (Status.DONE, Status.RETURNED):
        finished = timezone.localtime(dossier.finished_at)
        if finished.date() < due.date():
            return Timeliness.EARLY
        return Timeliness.ON_TIME if finished <= due else Timeliness.LATE
    if dossier.status in pausing_statuses() and not clock_runs(dossier=dossier):
        return None  # the clock is paused until the applicant answers
    if dossier.status in OPEN_STATUSES:
        return Timeliness.WITHIN_TIME if (now or timezone.now()) <= due else Timeliness.OVERDUE
    return None


def step_timeliness(*, step, now=None) -> str:
    """The same judgement for one step of the route (slip 06)."""
    due = timezone.localtime(step.due_at)
    if step.finished_at:
        finished = timezone.localtime(step.finished_at)
        if finished.date() < due.date():
            return Timeliness.EARLY
        return Timeliness.ON_TIME if finished <= due else Timeliness.LATE
    return Timeliness.WITHIN_TIME if (now or timezone.now()) <= due else Timeliness.OVERDUE


def staff_agency_ids(*, user: User) -> set[int]:
    """Units whose dossiers ``user`` works on: their own, and for leaders everything below."""
    ids = set()
    for membership in membership_list_active(user=user):
        if membership.role == Role.LEADER:
            ids.update(agency_subtree(agency=membership.agency).values_list("pk", flat=True))
        elif membership.role in (Role.CLERK, Role.SPECIALIST):
            ids.add(membership.agency_id)
    return ids


def dossier_queue(
    *,
    user: User,
    status: str | None = None,
    procedure: str | None = None,
    due: str | None = None,
    query: str = "",
    mine: bool = False,
    now=None,
) -> QuerySet[Dossier]:
    """The work queue: dossiers held now by the user's units (or assigned to them), open ones unless a
    status is asked for, soonest due first. ``due``: "soon" (within one working day) or "overdue"."""
    from procedures.calendar import WorkingCalendar

    now = now or timezone.now()
    agency_ids = staff_agency_ids(user=user)
    dossiers = Dossier.objects.exclude(status=Status.DRAFT).filter(
        models.Q(current_agency_id__in=agency_ids)
        | models.Q(current_agency__isnull=True, agency_id__in=agency_ids)
        | models.Q(current_assignee=user)
    )
    if mine:
        dossiers = dossiers.filter(current_assignee=user)
    # By default: everything still to be done, results waiting to be returned included.
    dossiers = dossiers.filter(status=status) if status else dossiers.filter(status__in=QUEUE_STATUSES)
    if procedure:
        dossiers = dossiers.filter(procedure_version__procedure__code=procedure)
    running = dossiers.filter(clock_running())  # a supplement asked within time pauses the clock
    if due == "overdue":
        dossiers = running.filter(due_at__lt=now)
    elif due == "soon":
        dossiers = running.filter(due_at__gte=now, due_at__lte=WorkingCalendar.current().add_working_days(now, 1))
    query = (query or "").replace("\x00", "").strip()[:100]  # PostgreSQL refuses NUL in a string
    if query:
        dossiers = dossiers.filter(_search_filter(query))
    return dossiers.select_related(
        "procedure_version__procedure", "agency", "current_agency", "current_assignee"
    ).order_by(models.F("due_at").asc(nulls_last=True), "pk")


def _search_filter(query: str) -> models.Q:
    """A dossier code (or part of it), or the applicant's name with or without diacritics, citizen ID or
    phone number (any spelling: 0912 345 678, 0912-345-678, +84912345678, 84912345678)."""
    from accounts.validators import normalize_phone
    from procedures.search import fold

    condition = models.Q(code__icontains=query)
    folded = fold(query)
    if folded and not folded[0].isdigit():
        condition |= models.Q(applicant_search__contains=f" {folded}")  # words matched from their start
    digits = normalize_phone(query)
    if len(digits) >= 4 and digits.isdecimal() and digits.isascii():
        condition |= models.Q(applicant_search__contains=digits)
    return condition


@dataclass(frozen=True)
class Person:
    full_name: str
    citizen_id: str = ""
    date_of_birth: date | None = None
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class ApplicantCard:
    """Who the dossier is for, as the staff page shows it first: the applicant as submitted, and the
    account holder who submitted it when that is someone else (a dossier submitted on another's behalf)."""

    applicant: Person
    submitter: Person | None
    opened_at_desk: Agency | None
    account_opened_at: datetime | None
    registered_by_clerk: User | None


def _birth(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def dossier_applicant_card(*, dossier: Dossier) -> ApplicantCard:
    """The applicant of ``dossier`` (as submitted, completed from the account where the dossier left a
    detail out), the submitting account when it is another person's, whether a desk opened the account,
    and the clerk who registered a walk-in dossier."""
    from procedures.search import fold

    account = dossier.applicant
    data = dossier.applicant_data or {}
    holder = Person(
        full_name=account.full_name,
        citizen_id=account.citizen_id or "",
        date_of_birth=account.date_of_birth,
        phone=account.phone or "",
        email=account.email or "",
        address=account.address or "",
    )
    named = data.get("full_name", "")
    other_name = bool(named) and fold(named) != fold(account.full_name)
    other_id = bool(data.get("citizen_id") and account.citizen_id) and data["citizen_id"] != account.citizen_id
    on_behalf = other_name or other_id
    fallback = Person(full_name="") if on_behalf else holder
    applicant = Person(
        full_name=named or fallback.full_name,
        citizen_id=data.get("citizen_id") or fallback.citizen_id,
        date_of_birth=_birth(data.get("date_of_birth")) or fallback.date_of_birth,
        phone=data.get("phone") or fallback.phone,
        email=data.get("email") or fallback.email,
        address=data.get("address") or fallback.address,
    )
    clerk = dossier.created_by if dossier.created_by_id != dossier.applicant_id else None
    return ApplicantCard(
        applicant=applicant,
        submitter=holder if on_behalf else None,
        opened_at_desk=account.opened_at_desk,
        account_opened_at=account.date_joined if account.opened_at_desk_id else None,
        registered_by_clerk=clerk,
    )


def slip_list_visible_to(*, user: User, dossier: Dossier) -> list:
    """The slips of ``dossier`` ``user`` may read, oldest first: all of them for staff; for the applicant
    those issued to them (the control sheet is the offices' own record). Uses the dossier's prefetch."""
    from accounts.permissions import is_staff_member

    from .constants import SlipKind

    slips = sorted(dossier.slips.all(), key=lambda slip: (slip.created_at, slip.pk))
    if is_staff_member(user=user):
        return slips
    return [slip for slip in slips if slip.kind != SlipKind.CONTROL_SHEET]


def dossier_answers(*, dossier: Dossier) -> list[tuple[str, str]]:
    """The procedure form's answers with their labels, in the form's order, as a person reads them."""
    from procedures.form_schema import answer_for_display

    answers = dossier.form_data or {}
    return [
        (spec["label"], answer_for_display(spec, answers.get(spec["name"], "")))
        for spec in dossier.procedure_version.form_schema
    ]


def dossier_current_since(*, dossier: Dossier):
    """Since when the dossier has been where it is now (the start of its open step)."""
    step = dossier.steps.filter(finished_at__isnull=True).order_by("-order").first()
    return step.started_at if step else None


def notification_list_in_app(*, user: User):
    """The person's in-portal messages, newest first."""
    return Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP).select_related("dossier")


def notification_unread_count(*, user: User) -> int:
    if not (user and user.is_authenticated):
        return 0
    return notification_list_in_app(user=user).filter(read_at__isnull=True).count()


def notification_list_undelivered(*, user: User):
    """Messages that did not go out (failed for good, or waiting for another attempt) or whose send was
    interrupted (sent again under the same key: it may have arrived twice): those to citizens about
    dossiers the staff member may open, and their own; oldest problem first within each status. Other
    staff's reminders and escalations stay theirs."""
    visible = dossier_list_visible_to(user=user).values("pk")
    return (
        Notification.objects.exclude(channel=NotificationChannel.IN_APP)
        .filter(
            models.Q(status=NotificationStatus.FAILED)
            | models.Q(status=NotificationStatus.PENDING, attempts__gt=0)
            | models.Q(uncertain=True)
        )
        .filter(models.Q(kind=NotificationKind.EVENT, dossier_id__in=visible) | models.Q(recipient=user))
        .select_related("dossier", "recipient")
        .order_by("status", "created_at", "pk")
    )
