"""Writes for dossiers: drafts, attachments, online submission, desk reception."""

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, User
from procedures.calendar import WorkingCalendar
from procedures.form_schema import answers_to_storage, form_class_for
from procedures.models import ProcedureVersion, RequiredDocument
from procedures.search import fold

from ..constants import Channel, ResultDelivery, SlipKind, Status
from ..deadlines import add_working_days
from ..models import Attachment, Dossier, DossierCodeCounter, DossierEvent
from ..outbox import notifications_queue
from ..uploads import check_upload, check_upload_type, upload_store
from .fees import fee_attach_usual
from .routing import open_step
from .rows import read_row
from .slips import slip_issue

APPLICANT_FIELDS = ("full_name", "citizen_id", "date_of_birth", "phone", "email", "address")


def applicant_data_from_user(user: User) -> dict:
    return {
        "full_name": user.full_name,
        "citizen_id": user.citizen_id or "",
        "date_of_birth": user.date_of_birth.isoformat() if user.date_of_birth else "",
        "phone": user.phone or "",
        "email": user.email or "",
        "address": user.address or "",
    }


def applicant_search_text(applicant_data: dict) -> str:
    """What the work queue's search matches: the applicant's name folded (no diacritics, lower case),
    citizen ID and phone digits, between spaces."""
    data = applicant_data or {}
    parts = [fold(data.get("full_name", "")), data.get("citizen_id", ""), data.get("phone", "")]
    return " " + " ".join(part for part in parts if part) + " "


def _set_applicant(dossier: Dossier, data: dict) -> None:
    dossier.applicant_data = data
    dossier.applicant_search = applicant_search_text(data)


def dossier_code_next(*, agency: Agency, day: date) -> str:
    """The next code of ``agency`` for ``day``: ``<agency code>-<YYMMDD>-<NNNN>``. Must run inside the
    caller's transaction; the counter row is locked until it commits, so codes never repeat."""
    # One statement: the day's row is made or moved on and its number read back, the row locked by the
    # write until the transaction ends (PostgreSQL, and SQLite from 3.35, know this upsert).
    quote, meta = connection.ops.quote_name, DossierCodeCounter._meta
    table = quote(meta.db_table)
    agency_id, day_column, last_column = (quote(meta.get_field(name).column) for name in ("agency", "day", "last"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({agency_id}, {day_column}, {last_column}) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT ({agency_id}, {day_column}) "
            f"DO UPDATE SET {last_column} = {table}.{last_column} + 1 RETURNING {last_column}",
            [agency.pk, day],
        )
        (last,) = cursor.fetchone()
    return f"{agency.code}-{day:%y%m%d}-{last:04d}"


def _event(*, dossier: Dossier, actor: User | None, to_status: str, from_status: str = "", note: str = "", **extra):
    return DossierEvent.objects.create(
        dossier=dossier,
        actor=actor,
        agency=dossier.agency,
        from_status=from_status,
        to_status=to_status,
        note=note,
        **extra,
    )


@transaction.atomic
def dossier_start(
    *,
    applicant: User,
    version: ProcedureVersion,
    agency: Agency,
    applicant_data: dict | None = None,
    form_data: dict | None = None,
    result_delivery: str = "",
    delivery_address: str = "",
) -> Dossier:
    """A new online draft for ``version`` at ``agency``, with the applicant's details from the profile.
    What the wizard's steps would save may come with it, checked as they check it and written in the
    same row: ``applicant_data`` (as ``dossier_save_applicant`` takes it), ``form_data`` (the procedure
    form's cleaned values) and the result delivery. Raises ``ValidationError`` before anything is written."""
    if not version.is_online:
        raise ValidationError(_("This procedure cannot be submitted online."))
    if not version.agencies.filter(pk=agency.pk).exists():
        raise ValidationError(_("This agency does not receive this procedure."))
    dossier = Dossier(
        procedure_version=version,
        agency=agency,
        applicant=applicant,
        created_by=applicant,
        status=Status.DRAFT,
        channel=Channel.ONLINE,
        service_level=version.service_level,
    )
    profile = applicant_data_from_user(applicant)
    _set_applicant(dossier, profile if applicant_data is None else _applicant_merged(profile, applicant_data))
    if form_data is not None:
        dossier.form_data = answers_to_storage(version.form_schema, form_data)
    if result_delivery:
        _set_delivery(dossier, result_delivery, delivery_address)
    dossier.save(force_insert=True)
    if applicant_data is not None and not applicant.address:
        _address_to_account(dossier)
    return dossier


def _require_draft(dossier: Dossier) -> None:
    if dossier.status != Status.DRAFT:
        raise ValidationError(_("This dossier has been submitted and can no longer be edited."))


@transaction.atomic
def dossier_save_applicant(*, dossier: Dossier, data: dict) -> Dossier:
    """The applicant's details as given in the wizard; a detail the form does not ask keeps its value.
    An address typed here for an account that has none becomes the account's address, so it is typed
    once: the next dossier and the choice of the receiving unit start from it."""
    _require_draft(dossier)
    _set_applicant(dossier, _applicant_merged(dossier.applicant_data or {}, data))
    dossier.save(update_fields=["applicant_data", "applicant_search", "updated_at"])
    _address_to_account(dossier)
    return dossier


def _applicant_merged(current: dict, data: dict) -> dict:
    return {key: str(data.get(key) or "") if key in data else current.get(key, "") for key in APPLICANT_FIELDS}


def _address_to_account(dossier: Dossier) -> None:
    """The address typed on an online dossier becomes its account's when the account has none."""
    address = dossier.applicant_data.get("address", "").strip()
    if address and dossier.applicant_id and dossier.created_by_id == dossier.applicant_id:
        User.objects.filter(pk=dossier.applicant_id, address="").update(address=address[:500])


def dossier_save_form(*, dossier: Dossier, data: dict) -> Dossier:
    """Store the procedure form's cleaned values as answers that read back into the same form."""
    _require_draft(dossier)
    dossier.form_data = answers_to_storage(dossier.procedure_version.form_schema, data)
    dossier.save(update_fields=["form_data", "updated_at"])
    return dossier


def dossier_save_delivery(*, dossier: Dossier, delivery: str, address: str = "") -> Dossier:
    _require_draft(dossier)
    _set_delivery(dossier, delivery, address)
    dossier.save(update_fields=["result_delivery", "delivery_address", "updated_at"])
    return dossier


def _set_delivery(dossier: Dossier, delivery: str, address: str) -> None:
    if delivery == ResultDelivery.ONLINE and dossier.service_level < 4:
        raise ValidationError({"result_delivery": _("Only fully online procedures deliver the result online.")})
    if delivery == ResultDelivery.POST and not address.strip():
        raise ValidationError({"delivery_address": _("Give the address the post should bring the result to.")})
    dossier.result_delivery = delivery
    dossier.delivery_address = address.strip() if delivery == ResultDelivery.POST else ""


@transaction.atomic
def attachment_add(
    *, dossier: Dossier, required_document: RequiredDocument | None, upload, by: User, replace: bool = True
) -> Attachment:
    """Check ``upload`` and attach it to the draft ``dossier`` for ``required_document``; a new file for
    the same document replaces the previous one. Raises ``ValidationError`` naming the file. (A
    submitted dossier's files never change here: later documents come through a supplement.)"""
    dossier = read_row(dossier, lock=True)
    _require_draft(dossier)
    return _attach(dossier=dossier, required_document=required_document, upload=upload, by=by, replace=replace)


def _attach(
    *,
    dossier: Dossier,
    required_document: RequiredDocument | None,
    upload,
    by: User,
    replace: bool,
    limits=True,
    **fields,
):
    """Store ``upload`` on ``dossier``, checked (its type always; its size and the dossier's count and
    total unless ``limits`` is False: a result the unit signed, whose upload was checked already).
    ``fields``: more of the attachment's fields, written with it (a result's issue)."""
    if required_document is not None and required_document.version_id != dossier.procedure_version_id:
        raise ValidationError(_("This document is not part of this procedure."))
    # The files held, when something depends on them (a few at most: read once, counted here).
    held = list(dossier.attachments.all()) if limits or replace else []
    previous = [a for a in held if a.required_document_id == getattr(required_document, "pk", None)] if replace else []
    stored = sum(a.size for a in held if a not in previous)
    count = len(held) - len(previous)
    if limits and count >= settings.DOSSIER_MAX_FILES:
        raise ValidationError(
            _("A dossier may hold at most %(count)s files.") % {"count": settings.DOSSIER_MAX_FILES},
            code="too_many_files",
        )
    content_type = check_upload_type(upload, already_stored=stored, limits=limits)
    attachment = Attachment(
        **{
            "dossier": dossier,
            "required_document": required_document,
            "original_name": upload.name[:255],
            "content_type": content_type,
            "size": upload.size,
            "uploaded_by": by,
            **fields,
        }
    )
    attachment.sha256 = upload_store(attachment.file, upload)
    attachment.save()
    for old in previous:
        storage, name = old.file.storage, old.file.name
        old.delete()
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
    return attachment


WIZARD_STEPS = ("applicant", "form", "documents", "delivery", "review")


@dataclass(frozen=True)
class Problem:
    """Something missing before a draft can be submitted, with the wizard step (and the field on it)
    where it is put right. Reads as its message."""

    message: str
    step: str
    field: str = ""

    def __str__(self):
        return self.message


@dataclass(frozen=True)
class OnlineDocuments:
    """The required documents of a version as an online applicant meets them."""

    uploads: list  # a file each
    filled_online: list  # the declaration the online form replaces: nothing to upload
    shown_in_person: list  # shown at the desk (xuất trình): brought along, not uploaded


def online_documents(version: ProcedureVersion) -> OnlineDocuments:
    """Which documents an online applicant uploads, which the online form stands for (only when the
    version has a form to fill) and which are brought and shown in person."""
    has_form = bool(version.form_schema)
    uploads, filled, shown = [], [], []
    for document in version.documents.all():
        if document.shown_in_person:
            shown.append(document)
        elif document.filled_online and has_form:
            filled.append(document)
        else:
            uploads.append(document)
    return OnlineDocuments(uploads=uploads, filled_online=filled, shown_in_person=shown)


def dossier_problems(*, dossier: Dossier) -> list[Problem]:
    """What is still missing before ``dossier`` can be submitted, in the wizard's order; empty when it
    is complete. A declaration the online form replaces and a document shown in person are not
    asked for as files."""
    problems = []
    applicant = dossier.applicant_data or {}
    if not applicant.get("full_name"):
        problems.append(Problem(_("The applicant's full name is missing."), "applicant", "full_name"))
    if not (applicant.get("phone") or applicant.get("email")):
        problems.append(
            Problem(_("Give a phone number or an email address so the agency can reach you."), "applicant", "phone")
        )
    form = form_class_for(dossier.procedure_version.form_schema)(data=dossier.form_data or {})
    if not form.is_valid():
        first = next(iter(form.errors), "")
        if first and isinstance(form.fields[first].widget, forms.RadioSelect):
            first = f"{first}_0"  # a yes/no question: its first answer is what a link can reach
        problems.append(Problem(_("Some information of the form is missing or wrong."), "form", first))
    uploaded = {a.required_document_id for a in dossier.attachments.all()}
    for document in online_documents(dossier.procedure_version).uploads:
        if document.mandatory and document.pk not in uploaded:
            problems.append(
                Problem(_("Missing document: %(name)s") % {"name": document.name}, "documents", f"doc_{document.pk}")
            )
    if not dossier.result_delivery:
        problems.append(Problem(_("Choose how you will receive the result."), "delivery", "result_delivery_0"))
    return problems


def dossier_resume_step(*, dossier: Dossier) -> str:
    """The wizard step a citizen continuing ``dossier`` lands on: the first with something missing,
    else the review."""
    steps = {problem.step for problem in dossier_problems(dossier=dossier)}
    return next((step for step in WIZARD_STEPS if step in steps), "review")


def dossier_expected_due(*, dossier: Dossier, now: datetime | None = None) -> datetime:
    """The appointment the dossier would get if it were submitted at ``now``: the procedure's
    processing time in working days of the working calendar (holidays, announced days, office hours;
    after hours counts from the next working morning). Only an estimate: the desk's reception sets
    the appointment on the receipt."""
    return WorkingCalendar.current().add_working_days(now or timezone.now(), dossier.procedure_version.processing_days)


_UNIT_WORDS = re.compile(r"^(ubnd|uy ban nhan dan)\s+")
_UNIT_KINDS = ("thi tran", "thi xa", "thanh pho", "phuong", "xa", "tt")


def _unit_name(agency_name: str) -> tuple[str, str]:
    """("xa", "xuan du") from "UBND xã Xuân Du": the kind of unit and its own name, folded."""
    name = _UNIT_WORDS.sub("", fold(agency_name))
    for kind in _UNIT_KINDS:
        if name.startswith(kind + " "):
            return kind, name[len(kind) + 1 :]
    return "", name


def offering_unit_named_in(*, version: ProcedureVersion, address: str) -> Agency | None:
    """The unit offering ``version`` that ``address`` names ("Thôn 3, xã Xuân Du, huyện Như Thanh"
    names UBND xã Xuân Du), with or without diacritics; None when it names none or more than one.
    A unit named with its kind ("xã Xuân Du") wins over a bare name ("thôn Xuân Du 2, xã Cán Khê")."""
    folded = f" {fold(address)} "
    if not folded.strip():
        return None
    with_kind, bare = [], []
    for agency in version.agencies.all():
        kind, name = _unit_name(agency.name)
        if not name:
            continue
        kinds = {kind, "tt"} if kind == "thi tran" else {kind}
        if any(f" {k} {name} " in folded for k in kinds if k):
            with_kind.append(agency)
        elif f" {name} " in folded:
            bare.append(agency)
    if len(with_kind) == 1:
        return with_kind[0]
    if not with_kind and len(bare) == 1:
        return bare[0]
    return None


def dossier_suggested_agency(*, applicant: User, version: ProcedureVersion) -> Agency | None:
    """The receiving unit to offer first to ``applicant`` for ``version``: the only one, or the one
    their own address names (the account's address, else the address of their latest dossier);
    None otherwise, so the citizen chooses."""
    agencies = list(version.agencies.all())
    if len(agencies) == 1:
        return agencies[0]
    address = applicant.address
    if not address:
        latest = Dossier.objects.filter(applicant=applicant).order_by("-updated_at").only("applicant_data").first()
        address = (latest.applicant_data or {}).get("address", "") if latest else ""
    return offering_unit_named_in(version=version, address=address or "")


@transaction.atomic
def dossier_submit(*, dossier: Dossier, by: User, submission_key: uuid.UUID) -> Dossier:
    """Send a complete draft to its agency: it gets its code, status "submitted" (national code 1) and
    the first event of its history. Submitting the same draft again with the same key (a double
    click, a retried request) returns the dossier already submitted; it never makes a second one."""
    # This row locked; its procedure, unit and applicant with it (the checks, the code, the message).
    dossier = read_row(dossier, lock=True)
    if dossier.status != Status.DRAFT:
        if dossier.submission_key == submission_key:
            return dossier
        raise ValidationError(_("This dossier has already been submitted."))
    # Read once for the check and kept on the dossier for the caller (the answer lists them).
    prefetch_related_objects([dossier], "attachments")
    problems = dossier_problems(dossier=dossier)
    if problems:
        raise ValidationError([str(problem) for problem in problems])
    now = timezone.now()
    # Provisional appointment until the desk receives it (the reception sets the legal due time).
    dossier.due_at = add_working_days(now, dossier.procedure_version.processing_days)
    # The code last: its counter row stays locked until the commit, so the other submissions to this
    # unit wait only for what follows it.
    dossier.code = dossier_code_next(agency=dossier.agency, day=timezone.localdate(now))
    dossier.status = Status.SUBMITTED
    dossier.submitted_at = now
    dossier.submission_key = submission_key
    dossier.received_electronic = True  # every document came as a file
    try:
        dossier.save(
            update_fields=[
                "code",
                "status",
                "submitted_at",
                "submission_key",
                "due_at",
                "received_electronic",
                "updated_at",
            ]
        )
    except IntegrityError as error:  # the same key used for another draft: a replayed form
        raise ValidationError(_("This form was already used to submit a dossier.")) from error
    event = _event(dossier=dossier, actor=by, from_status=Status.DRAFT, to_status=Status.SUBMITTED)
    notifications_queue(event=event)  # the confirmation, through the outbox like every later change
    return dossier


@transaction.atomic
def dossier_register_at_desk(
    *,
    clerk: User,
    agency: Agency,
    version: ProcedureVersion,
    applicant: User,
    applicant_data: dict,
    form_data: dict,
    result_delivery: str,
    delivery_address: str = "",
    uploads: list[tuple[RequiredDocument | None, object]] = (),
    submission_key: uuid.UUID,
) -> Dossier:
    """A walk-in dossier registered by a desk clerk: received at once (national code 2), with its
    reception time, appointment and code. Replaying the same form (same key) returns the same dossier."""
    existing = Dossier.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    if not version.agencies.filter(pk=agency.pk).exists():
        raise ValidationError(_("This agency does not receive this procedure."))
    # Every file is checked before anything is written, so a bad scan leaves no half-made dossier.
    total = 0
    for _document, upload in uploads:
        total += check_upload(upload, already_stored=total).size
    now = timezone.now()
    try:
        with transaction.atomic():
            dossier = _create_walk_in(
                clerk=clerk,
                agency=agency,
                version=version,
                applicant=applicant,
                applicant_data=applicant_data,
                form_data=form_data,
                result_delivery=result_delivery,
                delivery_address=delivery_address,
                submission_key=submission_key,
                now=now,
                received_electronic=bool(uploads),  # the desk scanned the documents in
            )
    except IntegrityError:  # the same form posted twice at once: the first one made the dossier
        return Dossier.objects.get(submission_key=submission_key)
    for document, upload in uploads:
        _attach(dossier=dossier, required_document=document, upload=upload, by=clerk, replace=False)
    # The desk reception is the route's first step; the clerk holds the dossier until handing it on.
    open_step(dossier=dossier, agency=agency, assignee=clerk, by=clerk, start=now, steps=[])  # new: no steps yet
    event = _event(dossier=dossier, actor=clerk, to_status=Status.RECEIVED)
    slip_issue(dossier=dossier, kind=SlipKind.RECEIPT, event=event, by=clerk)  # slip 01, as handed over
    notifications_queue(event=event)
    return dossier


def _create_walk_in(
    *,
    clerk,
    agency,
    version,
    applicant,
    applicant_data,
    form_data,
    result_delivery,
    delivery_address,
    submission_key,
    now,
    received_electronic,
) -> Dossier:
    applicant_data = {key: str(applicant_data.get(key) or "") for key in APPLICANT_FIELDS}
    dossier = Dossier(
        procedure_version=version,
        agency=agency,
        applicant=applicant,
        created_by=clerk,
        status=Status.RECEIVED,
        channel=Channel.DIRECT,
        service_level=version.service_level,
        applicant_data=applicant_data,
        applicant_search=applicant_search_text(applicant_data),
        form_data=form_data,
        result_delivery=result_delivery,
        delivery_address=delivery_address if result_delivery == ResultDelivery.POST else "",
        submission_key=submission_key,
        submitted_at=now,
        received_at=now,
        due_at=add_working_days(now, version.processing_days),
        code=dossier_code_next(agency=agency, day=timezone.localdate(now)),
        current_agency=agency,
        current_assignee=clerk,
        received_electronic=received_electronic,
    )
    fee_attach_usual(dossier)  # the fee to pay, written with the dossier
    dossier.save(force_insert=True)
    return dossier
