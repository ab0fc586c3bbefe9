"""Who may do what with dossiers; used by the pages and the API alike."""

from accounts.constants import Role
from accounts.models import Agency, User
from accounts.permissions import has_role

from .models import Dossier


def can_register_at_desk(*, user: User, agency: Agency) -> bool:
    """A desk clerk of ``agency`` registers walk-in dossiers there."""
    return has_role(user=user, role=Role.CLERK, agency=agency)


def can_edit_draft(*, user: User, dossier: Dossier) -> bool:
    return dossier.is_draft and dossier.applicant_id == user.pk


def can_download_receipt(*, user: User, dossier: Dossier) -> bool:
    """The receipt exists once the agency has the dossier (it has a code); whoever may see the dossier
    may print it."""
    return bool(dossier.code)
