from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency

from .constants import AgencyLevel, CopyType, ServiceLevel, StepRole, VersionStatus
from .form_schema import validate_form_schema

HALF_DAY = Decimal("0.5")


def validate_half_days(value: Decimal) -> None:
    if value is not None and (value * 2) % 1:
        raise ValidationError(_("Use whole or half working days, e.g. 3 or 0.5."), code="half_days")


def validate_quarter_days(value: Decimal) -> None:
    """A step's share may be a quarter day: two working hours."""
    if value is not None and (value * 4) % 1:
        raise ValidationError(_("Use quarters of a working day, e.g. 2, 0.5 or 0.25."), code="quarter_days")


class Field(models.Model):
    """A field of administration (lĩnh vực), e.g. Hộ tịch, Chứng thực."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Procedure(models.Model):
    """The lasting identity of an administrative procedure: its national code. What the procedure says
    lives in its versions; a dossier keeps the version it was submitted under."""

    code = models.CharField(
        _("national code"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^\d\.\d{6}$", _("A national procedure code looks like 1.001193."))],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["code"]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("procedures:detail", kwargs={"code": self.code})


class ProcedureVersion(models.Model):
    """One published (or draft) text of a procedure. Published versions are never edited: a change is a
    new version with its own effective date."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    name = models.CharField(_("name"), max_length=500)
    field = models.ForeignKey(Field, verbose_name=_("field"), on_delete=models.PROTECT, related_name="versions")
    agency_level = models.CharField(_("handled at"), max_length=20, choices=AgencyLevel.choices)
    agencies = models.ManyToManyField(
        Agency, verbose_name=_("agencies offering it"), related_name="offered_procedures", blank=True
    )
    service_level = models.PositiveSmallIntegerField(_("online service level"), choices=ServiceLevel.choices)
    processing_days = models.DecimalField(
        _("processing time (working days)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(HALF_DAY), validate_half_days],
    )
    processing_note = models.TextField(_("note on processing time"), blank=True)
    result_type = models.CharField(_("result"), max_length=500)
    legal_basis = models.TextField(_("legal basis"))
    conditions = models.TextField(_("conditions"), blank=True)
    submission_place = models.TextField(_("where to submit"), blank=True)
    steps_description = models.TextField(_("how it is carried out"), blank=True)
    form_schema = models.JSONField(_("online form"), default=list, blank=True, validators=[validate_form_schema])

    # Diacritic-free, lower-case copies for search (procedures.search.fold), kept by the services.
    search_name = models.CharField(max_length=520, editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    search_exact = models.CharField(max_length=520, editable=False, default="")  # search.exact(name)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["procedure__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_unique_number"),
        ]
        indexes = [
            models.Index(fields=["procedure", "status", "effective_from"], name="procedure_version_current"),
        ]

    def __str__(self):
        return f"{self.procedure.code} v{self.number} · {self.name}"

    def get_absolute_url(self):
        return reverse("procedures:detail", kwargs={"code": self.procedure.code})

    @property
    def is_online(self) -> bool:
        return self.service_level in (ServiceLevel.PARTIAL, ServiceLevel.FULL)

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class Fee(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveIntegerField(_("order"), default=0)
    label = models.CharField(_("fee"), max_length=255)
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.label}: {self.amount}"


def template_upload_to(instance, filename):
    return f"procedure-templates/{instance.version.procedure.code}/{filename}"


class RequiredDocument(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="documents")
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("document"), max_length=500)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1, validators=[MinValueValidator(1)])
    copy_type = models.CharField(_("kind of copy"), max_length=40, choices=CopyType.choices)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    note = models.TextField(_("note"), blank=True)
    template = models.FileField(_("blank template"), upload_to=template_upload_to, blank=True)
    filled_online = models.BooleanField(
        _("filled in as the online form"),
        default=False,
        help_text=_(
            "Ticked for the declaration (tờ khai) that the online form replaces: an online applicant who "
            "fills the form uploads no file for it."
        ),
    )
    shown_in_person = models.BooleanField(
        _("shown in person"),
        default=False,
        help_text=_(
            "Ticked for a document only shown at the desk (xuất trình), e.g. an identity card: online "
            "applicants bring it when they collect the result instead of uploading it."
        ),
    )

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class RouteStep(models.Model):
    """A step of the internal route. ``agency`` empty means the unit that received the dossier."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("step"), max_length=255)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("handling unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="route_steps",
        help_text=_("Leave empty for the unit that received the dossier."),
    )
    role = models.CharField(_("acting role"), max_length=20, choices=StepRole.choices)
    days = models.DecimalField(
        _("share of time (working days)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), validate_quarter_days],
    )

    class Meta:
        verbose_name = _("route step")
        verbose_name_plural = _("route steps")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class CalendarDay(models.Model):
    """An announced exception to the national calendar: an extra day off, or a make-up working day
    (usually a Saturday). Staff enter each year's announcements here; they win over everything else."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"), help_text=_("Ticked: worked; unticked: a day off."))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y}"


class OfficeHours(models.Model):
    """Office hours of a weekday (0 = Monday): a morning and an afternoon session, 8 hours in all."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), unique=True, choices=list(WEEKDAYS.items()))
    morning_start = models.TimeField(_("morning from"))
    morning_end = models.TimeField(_("morning to"))
    afternoon_start = models.TimeField(_("afternoon from"))
    afternoon_end = models.TimeField(_("afternoon to"))

    class Meta:
        verbose_name = _("office hours")
        verbose_name_plural = _("office hours")
        ordering = ["weekday"]

    def __str__(self):
        return self.get_weekday_display()
