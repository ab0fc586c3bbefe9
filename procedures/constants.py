from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgencyLevel(models.TextChoices):
    """The administrative level that handles a procedure (cấp thực hiện)."""

    PROVINCE = "province", _("Province level")
    DISTRICT = "district", _("District level")
    COMMUNE = "commune", _("Commune level")


class ServiceLevel(models.IntegerChoices):
    INFORMATION = 2, _("Information only")
    PARTIAL = 3, _("Partly online")
    FULL = 4, _("Fully online")


# Levels at which a citizen can submit a dossier online.
ONLINE_LEVELS = frozenset({ServiceLevel.PARTIAL, ServiceLevel.FULL})


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", pgettext_lazy("catalogue", "Withdrawn")


class CopyType(models.TextChoices):
    ORIGINAL = "original", _("Original")
    CERTIFIED_COPY = "certified_copy", _("Certified copy")
    PHOTOCOPY = "photocopy", _("Photocopy")
    ORIGINAL_OR_CERTIFIED = "original_or_certified_copy", _("Original or certified copy")


class StepRole(models.TextChoices):
    """Who acts at a step of the internal route; the values are those of ``accounts.Role``."""

    CLERK = "clerk", _("Desk clerk")
    SPECIALIST = "specialist", _("Specialist")
    LEADER = "leader", _("Leader")


class FormFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    YES_NO = "yesno", _("Yes / no")
    CITIZEN_ID = "citizen_id", _("Citizen ID number")
    PHONE = "phone", _("Phone number")
    ADDRESS = "address", _("Address")
