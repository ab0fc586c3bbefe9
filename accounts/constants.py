from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    DEPARTMENT = "department", _("Department")
    DESK = "desk", _("One-stop desk")


# Kinds that are administrative units (cấp tỉnh, cấp huyện, cấp xã); departments and desks live inside one.
ADMINISTRATIVE_KINDS = frozenset({AgencyKind.PROVINCE, AgencyKind.DISTRICT, AgencyKind.COMMUNE})


class Role(models.TextChoices):
    CLERK = "clerk", _("Desk clerk")
    SPECIALIST = "specialist", _("Specialist")
    LEADER = "leader", _("Leader")
    CATALOGUE_ADMIN = "catalogue_admin", _("Catalogue administrator")
    FEEDBACK = "feedback", _("Feedback handler")
