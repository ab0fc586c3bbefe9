"""The state machine of a dossier after submission: reception, routing along the procedure's steps,
supplements, payment, stop, withdrawal, result and return, late apologies.

Every change goes through ``_transition``: it locks the dossier row, checks that the dossier is still
in the status the person saw (two clerks at once: one wins, the other is told), that the transition
table allows the move and that the person may make it, then writes the append-only event, the new
dates, the slip and queues the applicant's notification, all in one transaction.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Agency, User
from procedures.calendar import HOURS_PER_DAY, WorkingCalendar
from procedures.money import dong

from .. import permissions
from ..constants import OPEN_STATUSES, RETURNED_BY, TRANSITIONS, Channel, EventKind, ResultDelivery, SlipKind, Status
from ..deadlines import clock_runs
from ..models import Attachment, Dossier, DossierEvent, Slip
from ..outbox import notifications_queue
from .fees import fee_attach_usual
from .results import result_fields, result_prepare
from .routing import fits_route, next_route_step, step_due, step_unit_id
from .routing import open_step as _open_step
from .rows import read_row
from .slips import slip_issue
from .submission import _attach


class TransitionNotAllowed(ValidationError):
    pass


class DossierChanged(ValidationError):
    """Someone else changed the dossier since the page was loaded."""


@dataclass
class Outcome:
    dossier: Dossier
    event: DossierEvent
    slip: Slip | None = None
    warnings: list[str] = field(default_factory=list)  # done, but the person should know this


def _lock(dossier: Dossier, expected_status: str | None, expected_version: int | None = None) -> Dossier:
    """``dossier``'s row locked for this transaction, its version moved on (a page that read the earlier
    version is told someone else acted): written with the action's own write of the row (every action
    writes it). This row only: other dossiers of the same procedure or unit go on meanwhile."""
    locked = read_row(dossier, lock=True)
    stale = (expected_status is not None and locked.status != expected_status) or (
        expected_version is not None and locked.version != expected_version
    )
    if stale:
        last = locked.events.select_related("actor").order_by("-created_at", "-pk").first()
        who = last.actor.full_name if last and last.actor else ""
        raise DossierChanged(
            _("Someone else has just acted on this dossier: it is now “%(status)s”%(who)s. Reload the page.")
            % {"status": locked.get_status_display(), "who": f" ({who})" if who else ""},
            code="changed",
        )
    locked.version += 1
    locked._version_moved = True  # see ``Dossier.save``
    return locked


def _transition(
    *,
    dossier: Dossier,
    to: str,
    by: User,
    allowed,
    note: str = "",
    expected_status: str | None = None,
    expected_version: int | None = None,
    kind: str = EventKind.STATUS,
    agency: Agency | None = None,
    locked: bool = False,
) -> tuple[Dossier, DossierEvent]:
    """``locked``: ``dossier`` is the row this transaction locked already (``_lock``), not read again."""
    locked = dossier if locked else _lock(dossier, expected_status, expected_version)
    if to not in TRANSITIONS[locked.status]:
        raise TransitionNotAllowed(
            _("A dossier that is “%(from)s” cannot become “%(to)s”.")
            % {"from": locked.get_status_display(), "to": Status(to).label},
            code="transition",
        )
    if not allowed(user=by, dossier=locked):
        raise PermissionDenied(_("Your role does not allow this action on this dossier."))
    event = DossierEvent.objects.create(
        dossier=locked,
        kind=kind,
        from_status=locked.status,
        to_status=to,
        actor=by,
        agency=agency or locked.current_agency or locked.agency,
        note=note,
    )
    locked.status = to
    notifications_queue(event=event)  # the outbox rows, in this same transaction
    return locked, event


def _require(text: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: _("Give the reason: the applicant will read it.")})
    return text


def _clock_start(dossier: Dossier, now: datetime) -> datetime:
    """An online dossier's time counts from its submission (after hours: the next working morning); a
    walk-in's from its reception."""
    return dossier.submitted_at if dossier.channel == Channel.ONLINE and dossier.submitted_at else now


# ---- reception -----------------------------------------------------------------------------------


@transaction.atomic
def dossier_receive(
    *, dossier: Dossier, by: User, expected_status: str | None = None, expected_version: int | None = None
) -> Outcome:
    """Accept an online dossier: received (national code 2), with its reception time, due date and
    the reception receipt (slip 01). The reception is the route's first step."""
    dossier, event = _transition(
        expected_version=expected_version,
        dossier=dossier,
        to=Status.RECEIVED,
        by=by,
        allowed=permissions.can_receive,
        expected_status=expected_status,
    )
    now = timezone.now()
    dossier.received_at = now
    dossier.due_at = WorkingCalendar.current().add_working_days(
        _clock_start(dossier, now), dossier.procedure_version.processing_days
    )
    dossier.current_agency = dossier.agency
    dossier.current_assignee = by
    fee_attach_usual(dossier)
    dossier.save(
        update_fields=[
            "status",
            "received_at",
            "due_at",
            "current_agency",
            "current_assignee",
            "fee_label",
            "fee_amount",
            "updated_at",
        ]
    )
    # Received once, from "submitted": no step was opened before (a completion asked before reception
    # opens none), so the route starts here with nothing to read.
    _open_step(dossier=dossier, agency=dossier.agency, assignee=by, by=by, start=dossier.submitted_at or now, steps=[])
    slip = slip_issue(dossier=dossier, kind=SlipKind.RECEIPT, event=event, by=by)
    return Outcome(dossier, event, slip)


@transaction.atomic
def dossier_request_completion(
    *,
    dossier: Dossier,
    by: User,
    missing: list[str],
    reason: str,
    expected_status: str | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """Before acceptance: the dossier is incomplete; the applicant is told what is missing (slip 02).
    During processing the same service asks for a supplement and pauses the clock."""
    reason = _require(reason, "reason")
    missing = [item.strip() for item in missing if item and item.strip()]
    if not missing:
        raise ValidationError({"missing": _("List at least one document or piece of information that is missing.")})
    allowed = permissions.can_receive if dossier.status == Status.SUBMITTED else permissions.can_route
    dossier, event = _transition(
        expected_version=expected_version,
        dossier=dossier,
        to=Status.SUPPLEMENT_REQUESTED,
        by=by,
        allowed=allowed,
        note=reason,
        expected_status=expected_status,
    )
    dossier.save(update_fields=["status", "updated_at"])
    slip = slip_issue(dossier=dossier, kind=SlipKind.SUPPLEMENT, event=event, by=by, missing=missing, reason=reason)
    return Outcome(dossier, event, slip)


@transaction.atomic
def dossier_refuse(
    *,
    dossier: Dossier,
    by: User,
    reason: str,
    expected_status: str | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """Refuse to receive (national code 3), with the reason on slip 03."""
    reason = _require(reason, "reason")
    dossier, event = _transition(
        expected_version=expected_version,
        dossier=dossier,
        to=Status.REFUSED,
        by=by,
        allowed=permissions.can_receive,
        note=reason,
        expected_status=expected_status,
    )
    dossier.finished_at = timezone.now()
    dossier.save(update_fields=["status", "finished_at", "updated_at"])
    slip = slip_issue(dossier=dossier, kind=SlipKind.REFUSAL, event=event, by=by, reason=reason)
    return Outcome(dossier, event, slip)


@transaction.atomic
def dossier_resubmit(
    *,
    dossier: Dossier,
    by: User,
    uploads=(),
    note: str = "",
    expected_status: str | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """The complete dossier after a completion or supplement request; a dossier not yet received goes
    back to the desk as submitted. The full time restarts from now (the clock was paused) only for a
    dossier that was within its time when the request went out: one already overdue then keeps its due
    time and stays late (a late request does not clear the delay; the apology is still owed)."""
    uploads = list(uploads or [])
    if not uploads and not note.strip():
        raise ValidationError({"file": _("Add the missing document, or note how it was handed in at the desk.")})
    target = Status.PROCESSING if dossier.received_at else Status.SUBMITTED
    current = Dossier.objects.only("received_at", "due_at").get(pk=dossier.pk)
    # A request that went out once overdue paused nothing: the clock still runs (``clock_running``).
    kept_late = bool(current.received_at) and clock_runs(dossier=current)
    if kept_late:
        with translation.override(settings.LANGUAGE_CODE):  # the history reads the same for everyone
            kept = _("overdue when the supplement was requested: the due time %(due)s stays") % {
                "due": _local_text(current.due_at)
            }
        note = f"{note.strip()} — {kept}" if note.strip() else kept
    dossier, event = _transition(
        expected_version=expected_version,
        dossier=dossier,
        to=target,
        by=by,
        allowed=permissions.can_resubmit,
        note=note,
        expected_status=expected_status or Status.SUPPLEMENT_REQUESTED,
    )
    for document, upload in uploads:
        _attach(dossier=dossier, required_document=document, upload=upload, by=by, replace=False)
    now = timezone.now()
    warnings = []
    if kept_late:
        if by.pk != dossier.applicant_id:  # the desk recording it: the apology is theirs to give
            warnings.append(
                _(
                    "This dossier was already overdue when the supplement was requested: it keeps its due time "
                    "and stays late. Apologise to the applicant with a new appointment."
                )
            )
    elif dossier.received_at:
        calendar = WorkingCalendar.current()
        dossier.due_at = calendar.add_working_days(now, dossier.procedure_version.processing_days)
        # The open step's clock restarts too: its share counts from the complete dossier.
        step = dossier.steps.filter(finished_at__isnull=True).order_by("-order").first()
        dossier.__dict__.pop("_steps", None)  # changed here: read again when next needed
        if step is not None:
            share = step.route_step.days if step.route_step else None
            step.due_at = step_due(start=now, share=share) if share is not None else dossier.due_at
            step.save(update_fields=["due_at"])
    else:
        dossier.submitted_at = now
    dossier.save(update_fields=["status", "due_at", "submitted_at", "updated_at"])
    slip = None
    if dossier.received_at and not kept_late:  # a new appointment: a receipt of its own, the first stays as issued
        slip = slip_issue(dossier=dossier, kind=SlipKind.RECEIPT, event=event, by=by, resubmission=True)
    return Outcome(dossier, event, slip, warnings)


def _paused_since(dossier: Dossier, status: str) -> datetime | None:
    """When the last request that put ``dossier`` in ``status`` (a supplement, a financial obligation)
    went out."""
    return (
        DossierEvent.objects.filter(dossier=dossier, to_status=status)
        .exclude(from_status=status)
        .order_by("-created_at", "-pk")
        .values_list("created_at", flat=True)
        .first()
    )


def _within_time_when_asked(dossier: Dossier, asked: datetime | None) -> bool:
    """Whether a request that paused the clock went out within the dossier's time (the clock then
    resumes); a request made after the due time does not pause it: the dossier stays late."""
    return asked is None or dossier.due_at is None or asked <= dossier.due_at


def _local_text(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


def _resume_after_payment(dossier: Dossier, now: datetime) -> list[str]:
    """Where waiting for the financial obligation pauses the clock (``DOSSIER_PAYMENT_PAUSES_CLOCK``):
    the working time that was left when the payment was asked counts again from ``now``, for the
    dossier and its open step. A dossier already overdue when it was asked stays late. Returns the
    fields changed."""
    if not settings.DOSSIER_PAYMENT_PAUSES_CLOCK or dossier.due_at is None or dossier.received_at is None:
        return []
    asked = _paused_since(dossier, Status.AWAITING_PAYMENT)
    if asked is None or not _within_time_when_asked(dossier, asked):
        return []
    calendar = WorkingCalendar.current()
    left = calendar.working_hours_between(asked, dossier.due_at) / HOURS_PER_DAY
    dossier.due_at = calendar.add_working_days(now, left)
    step = dossier.steps.filter(finished_at__isnull=True).order_by("-order").first()
    dossier.__dict__.pop("_steps", None)  # changed here: read again when next needed
    if step is not None and step.due_at >= asked:
        step.due_at = calendar.add_working_days(now, calendar.working_hours_between(asked, step.due_at) / HOURS_PER_DAY)
        step.save(update_fields=["due_at"])
    return ["due_at"]


# ---- routing ---------------------------------------------------------------------------------------


@transaction.atomic
def dossier_hand_over(
    *,
    dossier: Dossier,
    by: User,
    to_agency: Agency,
    to_user: User | None = None,
    note: str = "",
    reason: str = "",
    expected_status: str | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """Hand the dossier to the next step: a specialist of a department, a leader for approval, another
    agency (liên thông), or back to the receiving desk. The first hand-off after reception starts
    processing (national code 4); each hand-off records who gave, who received, when, and opens the
    next step with its share of the time. A hand-off that is not the route's next step (another unit,
    or a person without the step's role) needs ``reason``, recorded in the history."""
    locked = _lock(dossier, expected_status, expected_version)
    fits = fits_route(dossier=locked, agency=to_agency, assignee=to_user)
    upcoming = next_route_step(dossier=locked)
    # The route's next step there, with the person holding its role there, means they work there.
    works_there = to_user is None or (fits and upcoming is not None)
    # The planned step this hand-off fulfils: the route's next one when it fits, else a later one there.
    fulfils = upcoming if fits else next_route_step(dossier=locked, agency=to_agency, assignee=to_user)
    if not works_there and not to_user.memberships.filter(agency=to_agency, is_active=True).exists():
        raise ValidationError(
            {
                "to_user": _("%(name)s does not work at %(agency)s.")
                % {"name": to_user.full_name, "agency": to_agency.name}
            }
        )
    if locked.status not in (Status.RECEIVED, Status.PROCESSING):
        raise TransitionNotAllowed(
            _("A dossier that is “%(status)s” cannot be handed on.") % {"status": locked.get_status_display()}
        )
    if not permissions.can_route(user=by, dossier=locked):
        raise PermissionDenied(_("Your role does not allow this action on this dossier."))
    reason = (reason or "").strip()
    if not reason and not fits:
        raise ValidationError({"reason": route_leaving_message(dossier=locked)})
    receiver = to_user.full_name if to_user else to_agency.name
    with translation.override(settings.LANGUAGE_CODE):  # the history reads the same for everyone
        text = _("Handed to %(receiver)s") % {"receiver": receiver} + (f": {note}" if note else "")
        if reason:
            text += " — " + _("outside the route: %(reason)s") % {"reason": reason}
    if locked.status == Status.RECEIVED:
        locked, event = _transition(
            dossier=locked, to=Status.PROCESSING, by=by, allowed=permissions.can_route, note=text, locked=True
        )
    else:
        event = DossierEvent.objects.create(
            dossier=locked,
            kind=EventKind.HANDOVER,
            from_status=locked.status,
            to_status=locked.status,
            actor=by,
            agency=to_agency,
            note=text,
        )
    now = timezone.now()
    _open_step(dossier=locked, agency=to_agency, assignee=to_user, by=by, start=now, route_step=fulfils)
    locked.current_agency = to_agency
    locked.current_assignee = to_user
    locked.save(update_fields=["status", "current_agency", "current_assignee", "updated_at"])
    return Outcome(locked, event)


def route_leaving_message(*, dossier: Dossier) -> str:
    """What a person is told when a hand-off leaves the route: which step the route expects."""
    upcoming = next_route_step(dossier=dossier)
    if upcoming is None:
        return _("The procedure's route is complete: handing the dossier on leaves it. Give the reason.")
    unit = Agency.objects.filter(pk=step_unit_id(upcoming, dossier)).values_list("name", flat=True).first()
    return _(
        "The route expects “%(step)s” at %(unit)s (%(role)s) next. To hand the dossier elsewhere, give the reason."
    ) % {"step": upcoming.name, "unit": unit, "role": upcoming.get_role_display()}


# ---- other branches --------------------------------------------------------------------------------


@transaction.atomic
def dossier_request_payment(
    *,
    dossier: Dossier,
    by: User,
    amount: int,
    note: str = "",
    expected_status: str | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """Financial obligation requested (national code 6)."""
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Give the amount to pay, in đồng.")})
    dossier, event = _transition(
        expected_version=expected_version,
        dossier=dossier,
        to=Status.AWAITING_PAYMENT,
        by=by,
        allowed=permissions.can_route,
        note=note or _amount_note(amount),
        expected_status=expected_status,
    )
    if not dossier.fee_paid_at:  # the amount the agency asks for is what the citizen pays online
        dossier.fee_label = dossier.fee_label or _("Fee and charges")
        dossier.fee_amount = amount
    dossier.save(update_fields=["status", "fee_label", "fee_amount", "updated_at"])
    return Outcome(dossier, event)


@transaction.atomic
def dossier_fee_paid_at_desk(
    *,
    dossier: Dossier,
    by: User,
    note: str = "",
    expected_status: str | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """The applicant paid the fee in cash (or by card) at the desk: recorded, with an event; the status
    does not change (waiting for the financial obligation uses "Record the payment")."""
    locked = _lock(dossier, expected_status, expected_version)
    if not permissions.can_return(user=by, dossier=locked):
        raise PermissionDenied(_("Your role does not allow this action on this dossier."))
    if locked.fee_paid_at or locked.fee_amount <= 0:
        raise ValidationError(_("There is no fee left to pay on this dossier."))
    locked.fee_paid_at = timezone.now()
    locked.save(update_fields=["fee_paid_at", "updated_at"])
    amount = dong(locked.fee_amount)
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Fee paid at the desk: %(amount)s đồng") % {"amount": amount}
    event = DossierEvent.objects.create(
        dossier=locked,
        kind=EventKind.PAYMENT,
        from_status=locked.status,
        to_status=locked.status,
        actor=by,
        agency=locked.current_agency or locked.agency,
        note=f"{text}. {note}".strip(". ") if note else text,
    )
    return Outcome(locked, event)


@transaction.atomic
def dossier_paid_online(*, dossier: Dossier, payment, note: str) -> DossierEvent | None:
    """A verified online payment: the fee is paid; a dossier waiting for it goes back to processing
    (the gateway's verified notification is the authority, recorded as the applicant's act)."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.fee_paid_at:  # settled meanwhile: nothing twice
        return None
    locked.fee_paid_at = payment.paid_at
    locked.fee_paid_online = True
    locked.save(update_fields=["fee_paid_at", "fee_paid_online", "updated_at"])
    if locked.status == Status.AWAITING_PAYMENT:
        locked, event = _transition(
            dossier=locked,
            to=Status.PROCESSING,
            by=locked.applicant,
            allowed=lambda **_kwargs: True,
            note=note,
            kind=EventKind.PAYMENT,
        )
        locked.save(update_fields=["status", "updated_at", *_resume_after_payment(locked, timezone.now())])
        return event
    event = DossierEvent.objects.create(
        dossier=locked,
        kind=EventKind.PAYMENT,
        from_status=locked.status,
        to_status=locked.status,
        actor=locked.applicant,
        agency=locked.current_agency or locked.agency,
        note=note,
    )
    # Announced as a payment, not as the status it keeps ("result ready" was announced already): on a
    # weak link the gateway's return page may never load, and this is the citizen's confirmation.
    notifications_queue(event=event)
    return event


def _amount_note(amount: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Amount to pay: %(amount)s đồng") % {"amount": dong(amount)}


@transaction.atomic
def dossier_record_payment(
    *,
    dossier: Dossier,
    by: User,
    note: str = "",
    expected_status: str | None = None,
    expected_version: int | None = None,
) -> Outcome:
    dossier, event = _transition(
        expected_version=expected_version,
        dossier=dossier,
        to=Status.PROCESSING,
        by=by,
        allowed=permissions.can_route,
        note=note,
        expected_status=expected_status or Status.AWAITING_PAYMENT,
        kind=EventKind.PAYMENT,
    )
    dossier.fee_paid_at = dossier.fee_paid_at or timezone.now()  # paid at the desk
    dossier.save(update_fields=["status", "fee_paid_at", "updated_at", *_resume_after_payment(dossier, timezone.now())])
    return Outcome(dossier, event)


@transaction.atomic
def dossier_stop(
    *, dossier: Dossier, by: User, reason: str, expected_status: str | None = None, expected_version: int | None = None
) -> Outcome:
    """Processing stopped (national code 8), with the stop notice (slip 05)."""
    reason = _require(reason, "reason")
    dossier, event = _transition(
        expected_version=expected_version,
        dossier=dossier,
        to=Status.STOPPED,
        by=by,
        allowed=permissions.can_stop,
        note=reason,
        expected_status=expected_status,
    )
    dossier.finished_at = timezone.now()
    dossier.save(update_fields=["status", "finished_at", "updated_at"])
    slip = slip_issue(dossier=dossier, kind=SlipKind.STOP, event=event, by=by, reason=reason)
    return Outcome(dossier, event, slip)


@transaction.atomic
def dossier_withdraw(
    *, dossier: Dossier, by: User, reason: str, expected_status: str | None = None, expected_version: int | None = None
) -> Outcome:
    """Withdrawn at the applicant's request (national code 7)."""
    reason = _require(reason, "reason")
    dossier, event = _transition(
        expected_version=expected_version,
        dossier=dossier,
        to=Status.WITHDRAWN,
        by=by,
        allowed=permissions.can_withdraw,
        note=reason,
        expected_status=expected_status,
    )
    dossier.finished_at = timezone.now()
    dossier.save(update_fields=["status", "finished_at", "updated_at"])
    return Outcome(dossier, event)


@transaction.atomic
def dossier_complete(
    *,
    dossier: Dossier,
    by: User,
    results,
    note: str = "",
    on_paper: bool = False,
    paper_reason: str = "",
    expected_status: str | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """Processed, result ready (national code 9). The result document is required and, for a result
    delivered online, signed by the unit (``results.result_prepare``); or the clerk records that the
    result is issued on paper, with the reason (a scan of it may be attached). Nothing is written when
    the result cannot be issued as asked."""
    results = list(results or [])
    paper_reason = (paper_reason or "").strip()
    if on_paper and not paper_reason:
        raise ValidationError({"paper_reason": _("Give the reason the result is issued on paper.")})
    if not results and not on_paper:
        raise ValidationError({"results": _("Attach the result document.")})
    # The person and the dossier's status are checked first (again under the lock below), so nobody makes
    # the unit sign a file for nothing; then the result is checked and signed before the row is locked: a
    # refused result changes nothing, and the signature (a fraction of a second) holds no lock.
    seen = read_row(dossier, lock=False)
    if Status.DONE not in TRANSITIONS[seen.status]:
        raise TransitionNotAllowed(
            _("A dossier that is “%(from)s” cannot become “%(to)s”.")
            % {"from": seen.get_status_display(), "to": Status.DONE.label},
            code="transition",
        )
    if not permissions.can_complete(user=by, dossier=seen):
        raise PermissionDenied(_("Your role does not allow this action on this dossier."))
    issuer = seen.current_agency or seen.agency
    prepared = [result_prepare(upload=upload, dossier=dossier, agency=issuer, on_paper=on_paper) for upload in results]
    if on_paper:
        with translation.override(settings.LANGUAGE_CODE):
            paper = _("Result issued on paper: %(reason)s") % {"reason": paper_reason}
        note = f"{paper}. {note}".strip() if note else paper
    dossier, event = _transition(
        expected_version=expected_version,
        dossier=seen,
        to=Status.DONE,
        by=by,
        allowed=permissions.can_complete,
        note=note,
        expected_status=expected_status,
    )
    issuer = dossier.current_agency or dossier.agency
    for result in prepared:
        # Its size was checked as uploaded; the signature adds a few kilobytes of the unit's own.
        _attach(
            dossier=dossier,
            required_document=None,
            upload=result.as_file(),
            by=by,
            replace=False,
            limits=False,
            **result_fields(prepared=result, agency=issuer),
        )
    now = timezone.now()
    dossier.finished_at = now
    dossier.result_electronic = bool(prepared)  # the result is held as a file (the digitisation indicator)
    dossier.steps.filter(finished_at__isnull=True).update(finished_at=now)  # the open step ends here
    dossier.__dict__.pop("_steps", None)
    dossier.current_agency = dossier.agency  # the result goes back to the receiving desk
    dossier.current_assignee = None
    dossier.save(
        update_fields=["status", "finished_at", "result_electronic", "current_agency", "current_assignee", "updated_at"]
    )
    return Outcome(dossier, event, warnings=[result.warning for result in prepared if result.warning])


@transaction.atomic
def dossier_return(
    *,
    dossier: Dossier,
    by: User,
    delivery: str,
    record: str = "",
    expected_status: str | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """Result returned (national code 10) at the desk, by post or online, with the delivery recorded."""
    if delivery not in ResultDelivery.values:
        raise ValidationError({"delivery": _("Choose how the result was delivered.")})
    if delivery == ResultDelivery.POST and not record.strip():
        raise ValidationError({"record": _("Record the postal dispatch (e.g. the parcel number).")})
    with translation.override(settings.LANGUAGE_CODE):
        delivered = str(RETURNED_BY[delivery])
    dossier, event = _transition(
        expected_version=expected_version,
        dossier=dossier,
        to=Status.RETURNED,
        by=by,
        allowed=permissions.can_return,
        note=f"{delivered}{': ' + record if record else ''}",
        expected_status=expected_status,
    )
    dossier.returned_at = timezone.now()
    dossier.result_delivery_note = f"{delivery}: {record}".strip(": ")
    dossier.save(update_fields=["status", "returned_at", "result_delivery_note", "updated_at"])
    return Outcome(dossier, event)


def result_taken(*, attachment: Attachment, by: User) -> None:
    """The applicant took a signed result file (from the page or the API): for a result delivered
    online, that is its return (a scan of a result issued on paper is not)."""
    if attachment.is_result and attachment.signed_at and attachment.dossier.applicant_id == by.pk:
        dossier_result_downloaded(dossier=attachment.dossier, by=by)


@transaction.atomic
def dossier_result_downloaded(*, dossier: Dossier, by: User) -> Outcome | None:
    """The applicant of a dossier whose result is delivered online downloaded it: returned (national
    code 10), delivered online. Nothing when it was returned already (a second download)."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.status != Status.DONE or locked.result_delivery != ResultDelivery.ONLINE:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        note = str(_("Downloaded by the applicant from the portal"))
    locked, event = _transition(
        dossier=locked,
        to=Status.RETURNED,
        by=by,
        allowed=lambda *, user, dossier: user.pk == dossier.applicant_id,
        note=note,
    )
    locked.returned_at = timezone.now()
    locked.result_delivery_note = f"{ResultDelivery.ONLINE}: {note}"
    locked.save(update_fields=["status", "returned_at", "result_delivery_note", "updated_at"])
    return Outcome(locked, event)


@transaction.atomic
def dossier_apologise(
    *,
    dossier: Dossier,
    by: User,
    reason: str,
    new_appointment: datetime,
    expected_status: str | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """The apology for a late dossier with a new appointment (slip 04), before or after the due time
    passes. The dossier stays counted late against its original due time."""
    reason = _require(reason, "reason")
    locked = _lock(dossier, expected_status, expected_version)
    if locked.status not in OPEN_STATUSES or locked.received_at is None or locked.due_at is None:
        raise TransitionNotAllowed(_("Only a dossier still being handled can get an apology."))
    if not permissions.can_apologise(user=by, dossier=locked):
        raise PermissionDenied(_("Your role does not allow this action on this dossier."))
    if new_appointment <= locked.due_at:
        raise ValidationError({"new_appointment": _("The new appointment must be after the original one.")})
    event = DossierEvent.objects.create(
        dossier=locked,
        kind=EventKind.APOLOGY,
        from_status=locked.status,
        to_status=locked.status,
        actor=by,
        agency=locked.agency,
        note=reason,
    )
    locked.new_appointment_at = new_appointment
    locked.save(update_fields=["new_appointment_at", "updated_at"])
    slip = slip_issue(
        dossier=locked,
        kind=SlipKind.APOLOGY,
        event=event,
        by=by,
        reason=reason,
        due_at=timezone.localtime(locked.due_at).isoformat(),
        new_appointment_at=timezone.localtime(new_appointment).isoformat(),
    )
    notifications_queue(event=event)
    return Outcome(locked, event, slip)
