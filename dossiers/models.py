import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency
from procedures.models import ProcedureVersion, RequiredDocument

from .constants import (
    NATIONAL_CODES,
    NEVER_CLOSED,
    Channel,
    EventKind,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
    ResultDelivery,
    SlipKind,
    Status,
)


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
    # The applicant's name folded (no diacritics), citizen ID and phone: what the work queue's search
    # matches. Kept by the services that write ``applicant_data``.
    applicant_search = models.CharField(max_length=400, blank=True, default="", editable=False)
    form_data = models.JSONField(_("form data"), default=dict, blank=True)
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    # The fee or charge to pay (attached at reception from the procedure's usual fee, or set when the
    # agency asks for the financial obligation), and when it was paid.
    fee_label = models.CharField(_("fee"), max_length=255, blank=True)
    fee_amount = models.PositiveBigIntegerField(_("amount to pay (VND)"), default=0)
    fee_paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    fee_paid_online = models.BooleanField(_("paid online"), default=False)
    # Digitisation: the dossier as received is held electronically (submitted online, or scanned at the desk).
    received_electronic = models.BooleanField(_("received electronically"), default=False)
    result_electronic = models.BooleanField(
        _("result held electronically"), default=False, help_text=_("The result was recorded as a file.")
    )
    # Where the dossier is now: the unit that holds it and the person handling it (empty: the unit's
    # desk or queue). Kept by the routing services; the history is in the steps and events.
    current_agency = models.ForeignKey(
        Agency, verbose_name=_("held by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    current_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_dossiers",
    )
    result_delivery_note = models.CharField(_("result delivery record"), max_length=500, blank=True)
    # Bumped by every workflow action: a page or API call that saw an older version is told someone
    # else acted in between (a repeated hand-over, two apologies at once).
    version = models.PositiveIntegerField(default=0, editable=False)
    # A late dossier's apology gives a new appointment; the dossier stays counted late against due_at.
    new_appointment_at = models.DateTimeField(_("new appointment"), null=True, blank=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="dossier_applicant_recent"),
            models.Index(fields=["agency", "status"], name="dossier_agency_status"),
            # The id included: the dashboard's count of overdue dossiers by holder reads the index alone.
            models.Index(fields=["current_agency", "status", "due_at"], name="dossier_queue", include=["id"]),
            models.Index(fields=["current_assignee", "status", "due_at"], name="dossier_assignee_queue"),
            # Reports: the dossiers of a period are those still open or closed after its start.
            models.Index(fields=["finished_at"], name="dossier_finished"),
            # Reports (reports.selectors.open_until): a unit's dossiers not closed before a moment, one
            # range read from the index alone, every column the report's counts read included.
            models.Index(
                F("agency"),
                Coalesce("finished_at", Value(NEVER_CLOSED)),
                name="dossier_alive",
                include=[
                    "id",
                    "received_at",
                    "channel",
                    "status",
                    "due_at",
                    "finished_at",
                    "result_electronic",
                    "fee_amount",
                    "fee_paid_at",
                    "fee_paid_online",
                ],
            ),
        ]

    def __str__(self):
        return self.code or str(self.reference)

    def save(self, *args, update_fields=None, **kwargs):
        # A workflow action locked this row and moved its version on (``services.workflow._lock``): the
        # action's own write of the row carries the new version, whatever fields it names.
        if self.__dict__.pop("_version_moved", False) and update_fields is not None:
            update_fields = [*update_fields, "version"]
        super().save(*args, update_fields=update_fields, **kwargs)

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
    is_result = models.BooleanField(_("result document"), default=False)
    # An issued result: the code printed (as a QR code) on it for the public verification page, the
    # agency that issued it and, when signed, when (sha256 is then the signed file's).
    verification_code = models.CharField(_("verification code"), max_length=14, unique=True, null=True, blank=True)
    issuing_agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="issued_results"
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    # The result was issued on paper (recorded so by the clerk, with the reason in the event): this file,
    # if any, is a scan of it, not an electronic original.
    issued_on_paper = models.BooleanField(_("issued on paper"), default=False)
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
        # A dossier's history in order; reports read the status at a moment from it.
        indexes = [
            models.Index(fields=["dossier", "created_at"], name="event_dossier_time"),
            # Reports (reports.selectors.status_then): a dossier's last status change before a moment,
            # one probe read from the index alone.
            models.Index(
                F("dossier"),
                F("created_at").desc(),
                F("id").desc(),
                name="event_dossier_status",
                include=["to_status"],
                condition=~Q(to_status=""),
            ),
        ]

    def __str__(self):
        return f"{self.dossier} {self.from_status} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("The dossier history cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The dossier history cannot be deleted."))


class DossierStep(models.Model):
    """One stretch of the dossier's route: who held it, from when, until when, against which share of
    the time. The processing control sheet is printed from these rows."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField()
    route_step = models.ForeignKey(
        "procedures.RouteStep", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("step"), max_length=255)
    agency = models.ForeignKey(Agency, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("step due at"))
    finished_at = models.DateTimeField(_("handed on at"), null=True, blank=True)

    class Meta:
        verbose_name = _("route step of a dossier")
        verbose_name_plural = _("route steps of dossiers")
        ordering = ["dossier", "order"]
        constraints = [models.UniqueConstraint(fields=["dossier", "order"], name="dossier_step_unique_order")]

    def __str__(self):
        return f"{self.dossier} #{self.order} {self.name}"


class Payment(models.Model):
    """One attempt to pay a dossier's fee online. Marked paid only on a verified notification from the
    gateway for this reference and this amount; never changed twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Not paid")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=20, default="vnpay")
    reference = models.CharField(_("payment reference"), max_length=40, unique=True)
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    provider_transaction = models.CharField(_("gateway transaction"), max_length=40, blank=True)
    bank_code = models.CharField(max_length=20, blank=True)
    response_code = models.CharField(max_length=4, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=30, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)  # e.g. a payment to refund
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.reference} {self.amount} {self.status}"


class PaymentNotification(models.Model):
    """What the gateway sent, with what the portal answered: the audit of payments. A notification whose
    signature verifies is kept in full, as it came; one refused before that (malformed, not signed,
    or while the secret cannot be trusted) is counted in ``PaymentNotificationCount`` and only the first
    few of each day and reason are kept here, shortened (``truncated``)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="notifications", null=True)
    channel = models.CharField(max_length=10)  # "ipn" (server to server) or "return" (the citizen's browser)
    params = models.JSONField()
    signature_valid = models.BooleanField()
    truncated = models.BooleanField(default=False)  # a sample of refused notifications, its fields shortened
    answer = models.CharField(max_length=4)
    message = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.channel} {self.answer} {self.message}"


class PaymentNotificationCount(models.Model):
    """How many notifications were refused on one day for one reason, without keeping each one: a flood
    of forged or junk requests adds to a number here, not rows to ``PaymentNotification``."""

    class Reason(models.TextChoices):
        MALFORMED = "malformed"  # not a notification VNPAY could send (answered 99)
        UNTRUSTED_SECRET = "untrusted_secret"  # noqa: S105 (a reason: the secret is a placeholder or weak, 99)
        SIGNATURE = "signature"  # the signature does not verify (97)

    day = models.DateField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    count = models.PositiveBigIntegerField(default=0)
    last_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "reason"], name="payment_notification_count_unique_day_reason")
        ]

    def __str__(self):
        return f"{self.day} {self.reason} {self.count}"


class Rating(models.Model):
    """The applicant's satisfaction with a returned dossier: once per dossier, online or on the desk's
    tablet (the satisfaction indicator of the reports)."""

    class Level(models.TextChoices):
        VERY_SATISFIED = "very_satisfied", _("Very satisfied")
        SATISFIED = "satisfied", _("Satisfied")
        NOT_SATISFIED = "not_satisfied", _("Not satisfied")

    class Where(models.TextChoices):
        ONLINE = "online", _("Online")
        DESK = "desk", _("On the desk's tablet")

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="rating")
    level = models.CharField(_("satisfaction"), max_length=20, choices=Level.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    channel = models.CharField(max_length=10, choices=Where.choices)
    # Who was logged in when it was given: the applicant online, the clerk who opened the desk's tablet.
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")

    def __str__(self):
        return f"{self.dossier} {self.level}"


class Slip(models.Model):
    """A slip issued to the applicant (receipt, supplement request, refusal, apology, stop notice...),
    with what it said, so a reprint says the same."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="slips")
    kind = models.CharField(_("slip"), max_length=30, choices=SlipKind.choices)
    event = models.ForeignKey(DossierEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="slips")
    data = models.JSONField(default=dict, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("slip")
        verbose_name_plural = _("slips")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.dossier}"


class Notification(models.Model):
    """One message about one event on one channel: the outbox. Written in the same transaction as the
    event, delivered after commit, re-queued by the sweep while pending, sent at most once."""

    # The idempotency key: what the message is about, for whom, on which channel (and for scheduled
    # messages, which day or week). Writing the same message twice writes one row.
    key = models.CharField(max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=NotificationKind.choices, default=NotificationKind.EVENT)
    event = models.ForeignKey(
        DossierEvent, on_delete=models.PROTECT, related_name="notifications", null=True, blank=True
    )
    dossier = models.ForeignKey(
        "Dossier", on_delete=models.PROTECT, related_name="notifications", null=True, blank=True
    )
    channel = models.CharField(_("channel"), max_length=10, choices=NotificationChannel.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    address = models.CharField(_("address"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("message"))
    status = models.CharField(
        _("status"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # When it was last handed to the broker (the sweep leaves a row queued recently alone) and when a
    # worker began sending it (a send that never settled is found by the sweep).
    queued_at = models.DateTimeField(null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    # A send was interrupted after it began (a worker killed mid-call): whether the message left is not
    # known, so it was sent again under the same key (SMS ``ref``, e-mail Message-ID). Stays visible.
    uncertain = models.BooleanField(_("outcome of an interrupted send unknown"), default=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "channel"], name="notification_once_per_event_and_channel")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.address or self.recipient}"


class Heartbeat(models.Model):
    """When a periodic job last completed (the outbox sweep, each minute): ``/healthz`` reads it, so a
    stopped beat or a stuck worker shows as "degraded" instead of messages quietly waiting."""

    name = models.CharField(max_length=50, unique=True)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
