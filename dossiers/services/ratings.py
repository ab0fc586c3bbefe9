"""The applicant's satisfaction rating of a returned dossier, once per dossier."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User

from .. import permissions
from ..constants import Status
from ..models import Dossier, Rating

logger = logging.getLogger(__name__)


def dossier_rate(*, dossier: Dossier, by: User, level: str, comment: str = "", channel: str) -> Rating:
    """Record the rating: online by the applicant, or on the desk's tablet handed to them by a clerk of
    the receiving unit. A second rating is refused and changes nothing."""
    if level not in Rating.Level.values:
        raise ValidationError({"level": _("Choose how satisfied you are.")})
    if dossier.status != Status.RETURNED:
        raise ValidationError(_("A dossier is rated once its result has been returned."))
    allowed = (
        dossier.applicant_id == by.pk
        if channel == Rating.Where.ONLINE
        else permissions.can_return(user=by, dossier=dossier)
    )
    if not allowed:
        raise PermissionDenied(_("Only the applicant rates this dossier."))
    try:
        with transaction.atomic():
            return Rating.objects.create(
                dossier=dossier, level=level, comment=(comment or "").strip()[:1000], channel=channel, recorded_by=by
            )
    except IntegrityError as error:
        logger.info("a second rating of %s refused", dossier.code)
        raise ValidationError(_("This dossier has already been rated: thank you.")) from error
