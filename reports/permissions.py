"""Who may set the province's targets: a leader of a province (a unit above the district), or a
superuser. Leaders of districts and communes read them."""

from accounts.constants import AgencyKind, Role
from accounts.models import Agency, User
from accounts.selectors import membership_list_active


def provinces_led_by(*, user: User) -> list[Agency]:
    """The provinces where ``user`` holds an active leader's role."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    memberships = membership_list_active(user=user, role=Role.LEADER).filter(agency__kind=AgencyKind.PROVINCE)
    return [membership.agency for membership in memberships]


def can_set_targets(*, user: User) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or bool(provinces_led_by(user=user))


def can_change_target(*, user: User, target, provinces: list[Agency] | None = None) -> bool:
    """``user`` may change or delete ``target``: a level's target (every commune of the province, say)
    or one of a unit under a province they lead (``provinces``, when the caller has them already)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    provinces = provinces_led_by(user=user) if provinces is None else provinces
    if not provinces:
        return False
    return target.agency_id is None or any(target.agency.path.startswith(p.path) for p in provinces)
