"""Writes of the feedback app: a feedback is sent, routed to the unit responsible and given its
answer time in working days, in one transaction with its first history rows."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, User
from accounts.selectors import agency_administrative_unit
from dossiers.constants import Status
from dossiers.models import Dossier
from procedures.calendar import WorkingCalendar
from procedures.models import ProcedureVersion

from .constants import FeedbackEventKind, Subject
from .models import AnswerTime, Feedback, FeedbackEvent


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
    if agency is None or not agency.is_active:
        raise ValidationError({"agency": _("Choose the unit concerned.")})
    return agency_administrative_unit(agency=agency)


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
    now=None,
) -> Feedback:
    """Record ``sender``'s feedback (``procedure``: the version in force the citizen chose), routed to
    the unit responsible, due in the working days its subject has (``AnswerTime``, as it stands today),
    with its code ``PA-<unit code>-<YYMMDD>-<NNNNN>``."""
    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what happened and what you ask for.")})
    unit = feedback_unit_responsible(
        subject=subject, sender=sender, agency=agency, procedure=procedure, dossier=dossier
    )
    answer_time = AnswerTime.objects.filter(subject=subject).first()
    if answer_time is None:  # the unit has not set an answer time for it: not received here
        raise ValidationError({"subject": _("Feedback about this is not received on the portal yet.")})
    feedback = Feedback.objects.create(
        subject=subject,
        text=text,
        sender=sender,
        procedure=procedure.procedure if subject == Subject.PROCEDURE else None,
        dossier=dossier if subject == Subject.DOSSIER else None,
        agency=unit,
        may_publish=may_publish,
        received_at=now,
        due_at=WorkingCalendar.current().add_working_days(now, answer_time.working_days),
        working_days=answer_time.working_days,
        legal_basis=answer_time.legal_basis,
    )
    feedback.code = f"PA-{unit.code}-{timezone.localtime(now):%y%m%d}-{feedback.pk:05d}"
    feedback.save(update_fields=["code"])
    FeedbackEvent.objects.create(
        feedback=feedback, kind=FeedbackEventKind.SENT, actor=sender, agency=unit, created_at=now
    )
    return feedback
