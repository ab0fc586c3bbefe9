"""Writes of the feedback app: a feedback is sent, routed to the unit responsible and given its
answer time in working days, in one transaction with its first history rows."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, User
from accounts.selectors import agency_administrative_unit
from dossiers.constants import Status
from dossiers.models import Dossier
from procedures.calendar import WorkingCalendar
from procedures.models import ProcedureVersion

from .constants import FeedbackEventKind, FeedbackStatus, Subject
from .models import AnswerTime, Feedback, FeedbackEvent
from .notices import sender_tell_answered, staff_tell_new
from .permissions import can_handle, move_targets


def feedback_unit_responsible(
    *,
    subject: str,
    sender: User,
    agency: Agency | None,
    procedure: ProcedureVersion | None,
    dossier: Dossier | None,
) -> Agency:
    """The administrative unit that answers: for a dossier, the unit holding it (the sender's own
    dossier only); for a procedure, the unit named among those offering it, or the only one; for a
    regulation or a unit's conduct, the unit named. A department or desk answers through its unit."""
    if subject == Subject.DOSSIER:
        if dossier is None or dossier.applicant_id != sender.pk or dossier.status == Status.DRAFT:
            raise ValidationError({"dossier": _("Choose one of your submitted dossiers.")})
        return agency_administrative_unit(agency=dossier.current_agency or dossier.agency)
    if subject == Subject.PROCEDURE:
        if procedure is None:
            raise ValidationError({"procedure": _("Choose the procedure.")})
        offering = list(procedure.agencies.filter(is_active=True))
        if agency is None and len(offering) == 1:
            agency = offering[0]
        if agency is None:
            raise ValidationError({"agency": _("Choose the unit where you met this procedure.")})
        offering_units = {agency_administrative_unit(agency=unit).pk for unit in offering}
        if agency_administrative_unit(agency=agency).pk not in offering_units:
            raise ValidationError({"agency": _("This unit does not carry out this procedure: choose one that does.")})
    if agency is None or not agency.is_active:
        raise ValidationError({"agency": _("Choose the unit concerned.")})
    return agency_administrative_unit(agency=agency)


def _replay(*, submission_key, sender: User) -> Feedback | None:
    """The feedback already made by the form with ``submission_key``, marked ``replayed`` (made by an
    earlier request: the caller adds nothing to it); None if there is none or no key. Raises
    ``ValidationError`` if another sender's form used the key."""
    if submission_key is None:
        return None
    existing = Feedback.objects.filter(submission_key=submission_key).first()
    if existing is None:
        return None
    if existing.sender_id != sender.pk:
        raise ValidationError(_("This form was already sent. Open the page again to send new feedback."))
    existing.replayed = True
    return existing


@transaction.atomic
def feedback_send(
    *,
    sender: User,
    subject: str,
    text: str,
    agency: Agency | None = None,
    procedure: ProcedureVersion | None = None,
    dossier: Dossier | None = None,
    may_publish: bool = False,
    submission_key=None,
    now=None,
) -> Feedback:
    """Record ``sender``'s feedback (``procedure``: the version in force the citizen chose), routed to
    the unit responsible, due in the working days its subject has (``AnswerTime``, as it stands today),
    with its code ``PA-<unit code>-<YYMMDD>-<NNNNN>``. The same ``submission_key`` sent again (a double
    click, a retried request, two at the same moment) returns the feedback it made, marked ``replayed``,
    and nothing more is written."""
    now = now or timezone.now()
    replayed = _replay(submission_key=submission_key, sender=sender)
    if replayed is not None:
        return replayed
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what happened and what you ask for.")})
    unit = feedback_unit_responsible(
        subject=subject, sender=sender, agency=agency, procedure=procedure, dossier=dossier
    )
    answer_time = AnswerTime.objects.filter(subject=subject).first()
    if answer_time is None:  # the unit has not set an answer time for it: not received here
        raise ValidationError({"subject": _("Feedback about this is not received on the portal yet.")})
    try:
        with transaction.atomic():  # a savepoint: the same key sent at the same moment loses the race cleanly
            feedback = Feedback.objects.create(
                subject=subject,
                text=text,
                sender=sender,
                procedure=procedure.procedure if subject == Subject.PROCEDURE else None,
                dossier=dossier if subject == Subject.DOSSIER else None,
                agency=unit,
                may_publish=may_publish,
                submission_key=submission_key,
                received_at=now,
                due_at=WorkingCalendar.current().add_working_days(now, answer_time.working_days),
                working_days=answer_time.working_days,
                legal_basis=answer_time.legal_basis,
            )
    except IntegrityError:
        replayed = _replay(submission_key=submission_key, sender=sender)
        if replayed is None:
            raise
        return replayed
    feedback.code = f"PA-{unit.code}-{timezone.localtime(now):%y%m%d}-{feedback.pk:05d}"
    feedback.save(update_fields=["code"])
    event = FeedbackEvent.objects.create(
        feedback=feedback, kind=FeedbackEventKind.SENT, actor=sender, agency=unit, created_at=now
    )
    staff_tell_new(feedback=feedback, event=event)
    return feedback


def _locked(feedback: Feedback) -> Feedback:
    """The feedback's row, locked for the change (its own row only: the unit and sender stay free)."""
    return Feedback.objects.select_for_update(of=("self",)).select_related("agency", "sender").get(pk=feedback.pk)


@transaction.atomic
def feedback_move(*, feedback: Feedback, by: User, to_agency: Agency, note: str = "", now=None) -> Feedback:
    """Pass an unanswered feedback from the unit holding it to a unit right below (a district to a
    commune) or back up; its due time does not move. The new unit's handlers are told."""
    now = now or timezone.now()
    feedback = _locked(feedback)
    if feedback.answered_at is not None:
        raise ValidationError(_("This feedback has been answered; it stays with the unit that answered it."))
    if to_agency.pk not in {unit.pk for unit in move_targets(user=by, feedback=feedback)}:
        raise ValidationError({"to_agency": _("You cannot pass this feedback to that unit.")})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why it goes to that unit.")})
    from_agency = feedback.agency
    feedback.agency = to_agency
    feedback.save(update_fields=["agency"])
    event = FeedbackEvent.objects.create(
        feedback=feedback,
        kind=FeedbackEventKind.MOVED,
        actor=by,
        agency=to_agency,
        from_agency=from_agency,
        note=note[:500],
        created_at=now,
    )
    staff_tell_new(feedback=feedback, event=event)
    return feedback


@transaction.atomic
def feedback_answer(
    *, feedback: Feedback, by: User, answer: str, public_summary: str = "", public_answer: str = "", now=None
) -> Feedback:
    """The unit holding the feedback answers it, once. When the sender allowed publication, the unit
    also writes the question and the answer as they are published (``public_summary``,
    ``public_answer``), without names, numbers or addresses; the answer itself goes to the sender only.
    The sender is told on their channels."""
    now = now or timezone.now()
    feedback = _locked(feedback)
    if not can_handle(user=by, feedback=feedback):
        raise PermissionDenied
    if feedback.answered_at is not None:
        raise ValidationError(_("This feedback has already been answered."))
    errors = {}
    answer = (answer or "").strip()
    public_summary = (public_summary or "").strip()
    public_answer = (public_answer or "").strip()
    if not answer:
        errors["answer"] = _("Write the answer.")
    if feedback.may_publish and not public_summary:
        errors["public_summary"] = _(
            "The sender allowed publication: restate the question without names, numbers or addresses."
        )
    if feedback.may_publish and not public_answer:
        errors["public_answer"] = _(
            "The sender allowed publication: write the answer as it is published, without names, numbers or addresses."
        )
    if errors:
        raise ValidationError(errors)
    feedback.answer = answer
    feedback.public_summary = public_summary if feedback.may_publish else ""
    feedback.public_answer = public_answer if feedback.may_publish else ""
    feedback.answered_at = now
    feedback.answered_by = by
    feedback.status = FeedbackStatus.ANSWERED
    feedback.save(update_fields=["answer", "public_summary", "public_answer", "answered_at", "answered_by", "status"])
    event = FeedbackEvent.objects.create(
        feedback=feedback, kind=FeedbackEventKind.ANSWERED, actor=by, agency=feedback.agency, created_at=now
    )
    sender_tell_answered(feedback=feedback, event=event)
    return feedback


@transaction.atomic
def feedback_rate(*, feedback: Feedback, by: User, resolved: bool, now=None) -> Feedback:
    """The sender says, once, whether the answer resolved the matter."""
    now = now or timezone.now()
    feedback = _locked(feedback)
    if feedback.sender_id != by.pk:
        raise PermissionDenied
    if feedback.answered_at is None:
        raise ValidationError(_("This feedback has not been answered yet."))
    if feedback.resolved is not None:
        raise ValidationError(_("You have already said whether the answer resolved it."))
    feedback.resolved = bool(resolved)
    feedback.rated_at = now
    feedback.save(update_fields=["resolved", "rated_at"])
    FeedbackEvent.objects.create(
        feedback=feedback,
        kind=FeedbackEventKind.RATED,
        actor=by,
        agency=feedback.agency,
        created_at=now,
    )
    return feedback
