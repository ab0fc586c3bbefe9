import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency
from procedures.models import ProcedureVersion, RequiredDocument

from .constants import NATIONAL_CODES, Channel, EventKind, ResultDelivery, Status


class Dossier(models.Model):
    """A request for one procedure by one applicant, from draft to returned result.

    ``code`` (``<agency code>-<YYMMDD>-<NNNN>``) is given when the agency first has the dossier:
    at online submission or at desk reception. ``reference`` identifies it in the citizen's own URLs,
    drafts included.
    """

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("dossier code"), max_length=40, unique=True, null=True, blank=True)
    procedure_version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="dossiers"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("receiving agency"), on_delete=models.PROTECT, related_name="dossiers"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="dossiers"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="dossiers_registered",
    )
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.DRAFT)
    channel = models.PositiveSmallIntegerField(_("channel"), choices=Channel.choices)
    service_level = models.PositiveSmallIntegerField(_("service level"))
    result_delivery = models.CharField(_("result delivery"), max_length=10, choices=ResultDelivery.choices, blank=True)
    delivery_address = models.CharField(_("delivery address"), max_length=500, blank=True)
    applicant_data = models.JSONField(_("applicant as submitted"), default=dict, blank=True)
    form_data = models.JSONField(_("form data"), default=dict, blank=True)
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="dossier_applicant_recent"),
            models.Index(fields=["agency", "status"], name="dossier_agency_status"),
        ]

    def __str__(self):
        return self.code or str(self.reference)

    def get_absolute_url(self):
        return reverse("dossiers:detail", kwargs={"reference": self.reference})

    @property
    def national_status_code(self) -> int | None:
        return NATIONAL_CODES.get(self.status)

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT


class DossierCodeCounter(models.Model):
    """The last sequence number given by an agency on a day: codes never repeat, even under load."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossier_code_counter_unique")]

    def __str__(self):
        return f"{self.agency_id} {self.day}: {self.last}"


def attachment_upload_to(instance, filename):
    # A random name: nothing of the citizen's file name reaches the disk.
    return f"dossiers/{instance.dossier.reference}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    required_document = models.ForeignKey(
        RequiredDocument, verbose_name=_("document"), null=True, blank=True, on_delete=models.PROTECT
    )
    file = models.FileField(upload_to=attachment_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("The dossier history cannot be changed."))

    def delete(self):
        raise ValidationError(_("The dossier history cannot be deleted."))


class DossierEvent(models.Model):
    """One line of a dossier's history: append-only, the audit trail and the citizen's timeline."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices, default=EventKind.STATUS)
    from_status = models.CharField(max_length=30, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.dossier} {self.from_status} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("The dossier history cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The dossier history cannot be deleted."))
