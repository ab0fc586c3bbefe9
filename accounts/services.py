"""Writes for users, agencies and memberships."""

from django.db import transaction

from .constants import AgencyKind, Role
from .models import Agency, StaffMembership, User


@transaction.atomic
def user_create(
    *,
    full_name: str,
    password: str | None,
    email: str | None = None,
    phone: str | None = None,
    citizen_id: str | None = None,
    is_staff: bool = False,
) -> User:
    """Create a user after full validation; raises ``ValidationError`` naming the bad field."""
    user = User(full_name=full_name, email=email, phone=phone, citizen_id=citizen_id, is_staff=is_staff)
    user.full_clean(exclude=["password"])
    user.set_password(password)  # None gives an unusable password: the person sets one by link
    user.save()
    return user


@transaction.atomic
def agency_save(
    *,
    code: str,
    name: str,
    kind: AgencyKind,
    parent: Agency | None = None,
    gso_code: str = "",
    address: str = "",
) -> Agency:
    """Create the agency with ``code``, or update it in place (its subtree follows a move)."""
    agency = Agency.objects.filter(code=code).first() or Agency(code=code)
    agency.name, agency.kind, agency.parent, agency.gso_code = name, kind, parent, gso_code
    agency.address = address or agency.address
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def membership_grant(*, user: User, agency: Agency, role: Role) -> StaffMembership:
    membership, _created = StaffMembership.objects.get_or_create(user=user, agency=agency, role=role)
    if not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    return membership


@transaction.atomic
def membership_revoke(*, user: User, agency: Agency, role: Role) -> None:
    StaffMembership.objects.filter(user=user, agency=agency, role=role).update(is_active=False)
