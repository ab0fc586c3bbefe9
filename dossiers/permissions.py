"""Who may do what with dossiers: plain predicates used by the pages and the API alike.

The receiving unit's desk clerks receive, refuse, ask for completion and return results; whoever holds
the dossier now (its unit's staff, its assignee) hands it on, asks for a supplement or a payment, and
records the result; a leader of the holding or receiving unit (or above) stops it; the applicant or
the receiving desk withdraws it at the applicant's request.
"""

from accounts.constants import Role
from accounts.models import Agency, User
from accounts.permissions import has_role, is_leader_over
from accounts.selectors import membership_list_active

from .models import Dossier


def can_register_at_desk(*, user: User, agency: Agency) -> bool:
    """A desk clerk of ``agency`` registers walk-in dossiers there."""
    return has_role(user=user, role=Role.CLERK, agency=agency)


def can_edit_draft(*, user: User, dossier: Dossier) -> bool:
    return dossier.is_draft and dossier.applicant_id == user.pk


def can_download_receipt(*, user: User, dossier: Dossier) -> bool:
    """The receipt exists once the agency has the dossier (it has a code)."""
    return bool(dossier.code)


def _desk_clerk(user: User, dossier: Dossier) -> bool:
    return has_role(user=user, role=Role.CLERK, agency=dossier.agency)


def _holds(user: User, dossier: Dossier) -> bool:
    """The user works at the unit holding the dossier now, or is its assignee."""
    if dossier.current_assignee_id and dossier.current_assignee_id == user.pk:
        return True
    agency_id = dossier.current_agency_id or dossier.agency_id
    return membership_list_active(user=user).filter(agency_id=agency_id).exists()


def can_receive(*, user: User, dossier: Dossier) -> bool:
    """Accept, refuse or ask to complete an online dossier: the receiving unit's desk clerks."""
    return _desk_clerk(user, dossier)


def can_route(*, user: User, dossier: Dossier) -> bool:
    """Hand on, ask for a supplement or a payment, record a payment."""
    return _holds(user, dossier) or _desk_clerk(user, dossier)


def can_complete(*, user: User, dossier: Dossier) -> bool:
    return _holds(user, dossier)


def can_stop(*, user: User, dossier: Dossier) -> bool:
    current = dossier.current_agency or dossier.agency
    return is_leader_over(user=user, agency=current) or is_leader_over(user=user, agency=dossier.agency)


def can_return(*, user: User, dossier: Dossier) -> bool:
    return _desk_clerk(user, dossier)


def can_withdraw(*, user: User, dossier: Dossier) -> bool:
    return dossier.applicant_id == user.pk or _desk_clerk(user, dossier)


def can_apologise(*, user: User, dossier: Dossier) -> bool:
    """The agency responsible for the delay apologises: the receiving desk or its leaders, or the unit
    holding the dossier now (a district department that is late)."""
    return _desk_clerk(user, dossier) or is_leader_over(user=user, agency=dossier.agency) or _holds(user, dossier)


def can_resubmit(*, user: User, dossier: Dossier) -> bool:
    """The complete dossier after a supplement: from the applicant online or through the desk."""
    return dossier.applicant_id == user.pk or _desk_clerk(user, dossier)
