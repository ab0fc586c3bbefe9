from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """Statuses of a dossier; ``NATIONAL_CODES`` maps each to the national status code."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Newly registered")
    RECEIVED = "received", _("Received")
    REFUSED = "refused", _("Not received")
    PROCESSING = "processing", _("Processing")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    AWAITING_PAYMENT = "awaiting_payment", _("Financial obligation requested")
    WITHDRAWN = "withdrawn", _("Withdrawn")
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


class EventKind(models.TextChoices):
    STATUS = "status", _("Status change")
    ATTACHMENT = "attachment", _("Documents added")
    NOTE = "note", _("Note")
