"""Writes for the procedure catalogue: create, version, publish, unpublish."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency
from accounts.selectors import agency_administrative_unit
from onestop.page_cache import public_pages_changed

from .constants import AgencyLevel, VersionStatus
from .form_schema import validate_form_schema
from .models import Fee, Field, Procedure, ProcedureVersion, RequiredDocument, RouteStep
from .search import exact, padded


@dataclass
class FeeData:
    label: str
    amount: int
    note: str = ""


@dataclass
class DocumentData:
    name: str
    copy_type: str
    copies: int = 1
    mandatory: bool = True
    note: str = ""
    filled_online: bool = False  # the declaration the online form replaces: no upload online
    shown_in_person: bool = False  # shown at the desk (xuất trình): brought, not uploaded


@dataclass
class StepData:
    name: str
    role: str
    days: Decimal
    agency: Agency | None = None  # None: the unit that received the dossier


@dataclass
class ProcedureContent:
    """Everything one version of a procedure says."""

    name: str
    field: Field
    agency_level: str
    service_level: int
    processing_days: Decimal
    result_type: str
    legal_basis: str
    processing_note: str = ""
    conditions: str = ""
    submission_place: str = ""
    steps_description: str = ""
    form_schema: list = field(default_factory=list)
    agencies: list[Agency] = field(default_factory=list)
    fees: list[FeeData] = field(default_factory=list)
    documents: list[DocumentData] = field(default_factory=list)
    steps: list[StepData] = field(default_factory=list)


LEVEL_RANK = {AgencyLevel.COMMUNE: 1, AgencyLevel.DISTRICT: 2, AgencyLevel.PROVINCE: 3}

SCALAR_FIELDS = (
    "name",
    "field",
    "agency_level",
    "service_level",
    "processing_days",
    "processing_note",
    "result_type",
    "legal_basis",
    "conditions",
    "submission_place",
    "steps_description",
    "form_schema",
)


def field_save(*, code: str, name: str, order: int = 0) -> Field:
    obj, _created = Field.objects.update_or_create(code=code, defaults={"name": name, "order": order})
    return obj


def procedure_version_refresh_search(*, version: ProcedureVersion) -> None:
    """Recompute the folded copies that search matches against."""
    version.search_name = padded(version.name)
    version.search_text = padded(
        " ".join([version.name, version.procedure.code, version.field.name, version.result_type])
    )
    version.search_exact = exact(version.name)
    ProcedureVersion.objects.filter(pk=version.pk).update(
        search_name=version.search_name, search_text=version.search_text, search_exact=version.search_exact
    )
    public_pages_changed()  # what searches find


@transaction.atomic
def procedure_version_write(*, code: str, content: ProcedureContent) -> ProcedureVersion:
    """Add a new draft version of the procedure ``code`` (created if new) holding ``content``.
    Nothing already published changes. Raises ``ValidationError`` naming the bad field."""
    procedure, created = Procedure.objects.get_or_create(code=code)
    if created:
        procedure.full_clean()
    # Two admins (or imports) adding a version at once: the second waits and takes the next number.
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    last = procedure.versions.aggregate(last=Max("number"))["last"] or 0
    version = ProcedureVersion(procedure=procedure, number=last + 1, status=VersionStatus.DRAFT)
    for name in SCALAR_FIELDS:
        setattr(version, name, getattr(content, name))
    version.full_clean(exclude=["search_name", "search_text"])
    version.save()
    version.agencies.set(content.agencies)
    children = [
        *(Fee(version=version, order=i, **vars(fee)) for i, fee in enumerate(content.fees)),
        *(RequiredDocument(version=version, order=i, **vars(doc)) for i, doc in enumerate(content.documents)),
        *(RouteStep(version=version, order=i, **vars(step)) for i, step in enumerate(content.steps)),
    ]
    for child in children:
        child.full_clean(exclude=["version"])
    Fee.objects.bulk_create([c for c in children if isinstance(c, Fee)])
    RequiredDocument.objects.bulk_create([c for c in children if isinstance(c, RequiredDocument)])
    RouteStep.objects.bulk_create([c for c in children if isinstance(c, RouteStep)])
    procedure_version_refresh_search(version=version)
    return version


@transaction.atomic
def procedure_version_new_draft(*, procedure: Procedure) -> ProcedureVersion:
    """A new draft that starts as a copy of the procedure's latest version, to be edited and published."""
    source = procedure.versions.order_by("-number").first()
    if source is None:
        raise ValidationError(_("This procedure has no version to copy."))
    if source.status == VersionStatus.DRAFT:
        return source
    documents = list(source.documents.all())
    content = ProcedureContent(
        **{name: getattr(source, name) for name in SCALAR_FIELDS},
        agencies=list(source.agencies.all()),
        fees=[FeeData(label=f.label, amount=f.amount, note=f.note) for f in source.fees.all()],
        documents=[
            DocumentData(
                name=d.name,
                copy_type=d.copy_type,
                copies=d.copies,
                mandatory=d.mandatory,
                note=d.note,
                filled_online=d.filled_online,
                shown_in_person=d.shown_in_person,
            )
            for d in documents
        ],
        steps=[StepData(name=s.name, role=s.role, days=s.days, agency=s.agency) for s in source.steps.all()],
    )
    draft = procedure_version_write(code=procedure.code, content=content)
    # Blank templates carry over: the files are shared until someone uploads a new one.
    for old, new in zip(documents, draft.documents.order_by("order", "pk"), strict=True):
        if old.template:
            new.template.name = old.template.name
            new.save(update_fields=["template"])
    return draft


def procedure_version_check(*, version: ProcedureVersion) -> None:
    """Everything that must hold before a version is shown to the public. Raises ``ValidationError``."""
    problems = []
    try:
        validate_form_schema(version.form_schema)
    except ValidationError as error:
        problems.extend(error.messages)
    agencies = list(version.agencies.all())
    if not agencies:
        problems.append(_("Choose at least one agency that offers this procedure."))
    for agency in agencies:
        # A unit at the procedure's level offers it, and so does one below it that receives the dossier
        # and passes it up (liên thông: a commune desk for a district decision).
        unit = agency_administrative_unit(agency=agency)
        if LEVEL_RANK.get(unit.kind, 0) > LEVEL_RANK[version.agency_level]:
            problems.append(
                _("%(agency)s is above the level that handles this procedure (%(level)s).")
                % {"agency": agency.name, "level": version.get_agency_level_display()}
            )
    steps = list(version.steps.all())
    if steps:
        total = sum((step.days for step in steps), Decimal(0))
        if total != version.processing_days:
            problems.append(
                _("The route's steps add up to %(total)s working days, but the processing time is %(days)s.")
                % {"total": total, "days": version.processing_days}
            )
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def procedure_version_publish(*, version: ProcedureVersion, effective_from: date | None = None) -> ProcedureVersion:
    """Publish ``version``: from ``effective_from`` (today by default) it is what the public sees."""
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if version.status == VersionStatus.PUBLISHED:
        raise ValidationError(_("This version is already published."))
    procedure_version_check(version=version)
    version.status = VersionStatus.PUBLISHED
    version.effective_from = effective_from or timezone.localdate()
    version.published_at = timezone.now()
    version.save(update_fields=["status", "effective_from", "published_at", "updated_at"])
    public_pages_changed()
    return version


@transaction.atomic
def procedure_unpublish(*, procedure: Procedure) -> int:
    """Hide ``procedure`` from the public and the API. Its versions are kept; returns how many were withdrawn."""
    withdrawn = procedure.versions.filter(status=VersionStatus.PUBLISHED).update(
        status=VersionStatus.WITHDRAWN, updated_at=timezone.now()
    )
    public_pages_changed()  # an update() sends no save signal
    return withdrawn
