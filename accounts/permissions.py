"""Plain predicates on who may do what, shared by pages and the API.

Roles come from active ``StaffMembership`` rows. A leader's authority reaches down the agency tree;
a clerk's and a specialist's stays at their own unit.
"""

from .constants import Role
from .models import Agency, User
from .selectors import membership_list_active


def _is_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_staff_member(*, user: User) -> bool:
    return _is_user(user) and membership_list_active(user=user).exists()


def has_role(*, user: User, role: Role, agency: Agency | None = None) -> bool:
    """``user`` holds ``role`` at ``agency`` (or anywhere, when ``agency`` is None)."""
    if not _is_user(user):
        return False
    memberships = membership_list_active(user=user, role=role)
    if agency is not None:
        memberships = memberships.filter(agency=agency)
    return memberships.exists()


def is_leader_over(*, user: User, agency: Agency) -> bool:
    """``user`` leads ``agency`` or a unit above it."""
    if not _is_user(user):
        return False
    led_ids = {*agency.ancestor_ids(), agency.pk}
    return membership_list_active(user=user, role=Role.LEADER).filter(agency_id__in=led_ids).exists()


def can_manage_catalogue(*, user: User) -> bool:
    if not _is_user(user):
        return False
    return user.is_superuser or has_role(user=user, role=Role.CATALOGUE_ADMIN)


def can_use_admin_site(*, user: User) -> bool:
    return _is_user(user) and user.is_staff
