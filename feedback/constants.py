from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Subject(models.TextChoices):
    """What the feedback is about; each has its answer time (``AnswerTime``)."""

    REGULATION = "regulation", _("An administrative regulation")
    PROCEDURE = "procedure", _("A procedure of the catalogue")
    DOSSIER = "dossier", _("One of my dossiers")
    CONDUCT = "conduct", _("The conduct of a unit or its staff")


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("feedback", "Received")
    ANSWERED = "answered", pgettext_lazy("feedback", "Answered")


class FeedbackEventKind(models.TextChoices):
    SENT = "sent", pgettext_lazy("feedback event", "Sent")
    MOVED = "moved", pgettext_lazy("feedback event", "Passed to another unit")
    ANSWERED = "answered", pgettext_lazy("feedback event", "Answered")
    RATED = "rated", pgettext_lazy("feedback event", "Rated by the sender")
