from datetime import UTC, datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    """Statuses of a dossier; ``NATIONAL_CODES`` maps each to the national status code."""

    DRAFT = "draft", pgettext_lazy("dossier status", "Draft")
    SUBMITTED = "submitted", _("Newly registered")
    RECEIVED = "received", _("Received")
    REFUSED = "refused", _("Not received")
    PROCESSING = "processing", _("Processing")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    AWAITING_PAYMENT = "awaiting_payment", _("Financial obligation requested")
    WITHDRAWN = "withdrawn", pgettext_lazy("dossier status", "Withdrawn")
    STOPPED = "stopped", _("Processing stopped")
    DONE = "done", _("Result ready")
    RETURNED = "returned", _("Result returned")


# National status codes; a draft has none (it is not yet a dossier for the agency).
NATIONAL_CODES = {
    Status.SUBMITTED: 1,
    Status.RECEIVED: 2,
    Status.REFUSED: 3,
    Status.PROCESSING: 4,
    Status.SUPPLEMENT_REQUESTED: 5,
    Status.AWAITING_PAYMENT: 6,
    Status.WITHDRAWN: 7,
    Status.STOPPED: 8,
    Status.DONE: 9,
    Status.RETURNED: 10,
}


class Channel(models.IntegerChoices):
    DIRECT = 1, _("At the desk")
    ONLINE = 2, _("Online")
    POSTAL = 3, _("By post")


class ResultDelivery(models.TextChoices):
    DESK = "desk", _("Collect at the one-stop desk")
    POST = "post", _("By post to my address")
    ONLINE = "online", _("Online, as an electronic document")


# The same choices as a clerk reads them at the desk (the applicant's choice, in the third person).
DELIVERY_FOR_STAFF = {
    ResultDelivery.DESK: _("The applicant collects it at the one-stop desk"),
    ResultDelivery.POST: _("By post to the applicant's address"),
    ResultDelivery.ONLINE: _("Online, as an electronic document"),
}

# How the desk gave the result back, in the staff's words (the choices above are the applicant's).
RETURNED_BY = {
    ResultDelivery.DESK: _("Handed over at the one-stop desk"),
    ResultDelivery.POST: _("Sent by post to the applicant's address"),
    ResultDelivery.ONLINE: _("Delivered online as an electronic document"),
}


class EventKind(models.TextChoices):
    STATUS = "status", _("Status change")
    ATTACHMENT = "attachment", _("Documents added")
    NOTE = "note", _("Note")
    HANDOVER = "handover", _("Handed over")
    APOLOGY = "apology", _("Apology and new appointment")
    PAYMENT = "payment", _("Payment recorded")


class SlipKind(models.TextChoices):
    RECEIPT = "receipt", _("Reception receipt and appointment")
    SUPPLEMENT = "supplement", _("Request to complete the dossier")
    REFUSAL = "refusal", _("Refusal to receive the dossier")
    APOLOGY = "apology", _("Apology and new appointment")
    STOP = "stop", _("Notice of stopped processing")
    CONTROL_SHEET = "control_sheet", _("Processing control sheet")


class Timeliness(models.TextChoices):
    EARLY = "early", _("Early")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")
    WITHIN_TIME = "within_time", _("Within time")
    OVERDUE = "overdue", _("Overdue")


# The state machine: what each status may become. One table; dossiers.services.workflow enforces it.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED}),
    Status.SUBMITTED: frozenset({Status.RECEIVED, Status.REFUSED, Status.SUPPLEMENT_REQUESTED, Status.WITHDRAWN}),
    Status.RECEIVED: frozenset({Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.WITHDRAWN, Status.STOPPED}),
    Status.PROCESSING: frozenset(
        {Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT, Status.STOPPED, Status.DONE, Status.WITHDRAWN}
    ),
    # A supplement asked before reception goes back to "submitted"; one asked during processing, to it.
    Status.SUPPLEMENT_REQUESTED: frozenset({Status.SUBMITTED, Status.PROCESSING, Status.WITHDRAWN, Status.STOPPED}),
    Status.AWAITING_PAYMENT: frozenset({Status.PROCESSING, Status.WITHDRAWN, Status.STOPPED}),
    Status.DONE: frozenset({Status.RETURNED}),
    Status.REFUSED: frozenset(),
    Status.WITHDRAWN: frozenset(),
    Status.STOPPED: frozenset(),
    Status.RETURNED: frozenset(),
}
OPEN_STATUSES = frozenset(
    {
        Status.SUBMITTED,
        Status.RECEIVED,
        Status.PROCESSING,
        Status.SUPPLEMENT_REQUESTED,
        Status.AWAITING_PAYMENT,
    }
)

# Statuses whose clock runs (a supplement request pauses it), and what a work queue shows by default.
QUEUE_STATUSES = OPEN_STATUSES | {Status.DONE}


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    IN_APP = "in_app", _("In the portal")


class NotificationKind(models.TextChoices):
    EVENT = "event", _("News of a dossier")
    REMINDER = "reminder", _("Reminder: due within one working day")
    ESCALATION = "escalation", _("Overdue dossier")
    DIGEST = "digest", _("Weekly list of overdue dossiers")
    PHONE_CODE = "phone_code", _("Phone number confirmation code")
    # Written by the feedback app (its notices go through the same outbox).
    FEEDBACK = "feedback", _("News of a feedback")
    FEEDBACK_DUE = "fb_due", _("Reminder: feedback due within one working day")
    FEEDBACK_LATE = "fb_late", _("Overdue feedback")
    FEEDBACK_DIGEST = "fb_digest", _("Daily feedback digest")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


# "Never closed": the finish of an open dossier in the reports' range "not closed before X"
# (``reports.selectors.open_until``) and in the index ``dossier_alive`` that serves it: one value, or
# PostgreSQL no longer matches the index.
NEVER_CLOSED = datetime(9999, 12, 31, tzinfo=UTC)
