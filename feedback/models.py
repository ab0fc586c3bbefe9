"""Feedback and petitions: one row per feedback, its append-only history, and the answer time of each
subject as data (with its legal basis), so a change in the law is a change of rows, not of code."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency

from .constants import FeedbackEventKind, FeedbackStatus, Subject


class AnswerTime(models.Model):
    """How many working days the unit responsible has to answer a feedback about ``subject``, and
    the text that says so."""

    subject = models.CharField(_("about"), max_length=20, choices=Subject.choices, unique=True)
    working_days = models.DecimalField(_("working days to answer"), max_digits=4, decimal_places=1)
    legal_basis = models.CharField(_("legal basis"), max_length=500)

    class Meta:
        verbose_name = _("answer time")
        verbose_name_plural = _("answer times")
        ordering = ["subject"]

    def __str__(self):
        return f"{self.get_subject_display()}: {self.working_days}"


class Feedback(models.Model):
    """A citizen's feedback or petition, held by the unit responsible for answering it."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The sending form's key: the same form sent twice (a double click, a retried request) is one feedback.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=40, unique=True, null=True, blank=True)
    subject = models.CharField(_("about"), max_length=20, choices=Subject.choices)
    text = models.TextField(_("what happened, and what you ask for"), max_length=5000)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback")
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.PROTECT, null=True, blank=True, related_name="feedback"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, null=True, blank=True, related_name="feedback"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("unit responsible"), on_delete=models.PROTECT, related_name="feedback"
    )
    may_publish = models.BooleanField(_("the answer may be published"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=FeedbackStatus.choices, default=FeedbackStatus.RECEIVED
    )
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("answer due by"))
    # The answer time used, as it stood when the feedback came (a later change of the law does not move it).
    working_days = models.DecimalField(max_digits=4, decimal_places=1)
    legal_basis = models.CharField(max_length=500)
    # The unit's answer, a letter to the sender. When the sender allowed publication, the unit also writes
    # the question and the answer as published (``public_summary``, ``public_answer``), without names,
    # numbers or addresses: the letter and the sender's own words are never published.
    answer = models.TextField(_("answer"), max_length=10000, blank=True)
    public_summary = models.TextField(_("the question, as published"), max_length=2000, blank=True)
    public_answer = models.TextField(_("the answer, as published"), max_length=10000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The sender's word on the answer: did it resolve the matter? (None: not said.)
    resolved = models.BooleanField(_("resolved, says the sender"), null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "status", "due_at"], name="feedback_inbox"),
            models.Index(fields=["received_at"], name="feedback_received"),
        ]

    def __str__(self):
        return self.code or str(self.reference)

    @property
    def answered_on_time(self) -> bool | None:
        """Answered by the due time (None while unanswered)."""
        return None if self.answered_at is None else self.answered_at <= self.due_at

    @property
    def published(self) -> bool:
        """On the public page: answered, with the sender's consent and the texts written for it."""
        return self.may_publish and self.answered_at is not None and bool(self.public_answer)


class FeedbackAttachment(models.Model):
    """A file the sender joined to their feedback, checked like a dossier's uploads."""

    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="feedback/%Y/%m/", max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("feedback attachment")
        verbose_name_plural = _("feedback attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name


class FeedbackEvent(models.Model):
    """One step of a feedback's history. Rows are only ever added."""

    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=FeedbackEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    # The unit holding the feedback after this step, and before it (a move only).
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.feedback_id} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A feedback's history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A feedback's history is append-only.")
