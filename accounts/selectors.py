"""Reads with rules for users and agencies."""

from django.db.models import QuerySet

from .constants import ADMINISTRATIVE_KINDS, Role
from .models import Agency, PhoneConfirmation, StaffMembership, User
from .validators import normalize_phone


def user_find_by_identifier(*, identifier: str) -> User | None:
    """The user whose email (any case) or confirmed phone number (any common spelling) is
    ``identifier``: what logs in and what a forgotten-password link is sent for. A number typed but not
    confirmed by its SMS code names nobody."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    if "@" in identifier:
        return User.objects.filter(email__iexact=identifier).first()
    return User.objects.filter(phone=normalize_phone(identifier), phone_confirmed=True).first()


def phone_confirmation_pending(*, user: User) -> PhoneConfirmation | None:
    """The number ``user`` was sent a code for and has not confirmed yet (None when there is none, or
    the number is the account's confirmed one already)."""
    if not user.phone:  # a number is waiting only while the account names one
        return None
    pending = PhoneConfirmation.objects.filter(user=user).first()
    if pending is None or (user.phone_confirmed and pending.phone == user.phone):
        return None
    return pending


def agency_subtree(*, agency: Agency, include_self: bool = True) -> QuerySet[Agency]:
    """``agency`` and every unit below it, at any depth."""
    queryset = Agency.objects.filter(path__startswith=agency.path)
    return queryset if include_self else queryset.exclude(pk=agency.pk)


def agency_ancestors(*, agency: Agency) -> QuerySet[Agency]:
    """The units above ``agency``, root first."""
    return Agency.objects.filter(pk__in=agency.ancestor_ids()).order_by("path")


def agency_administrative_unit(*, agency: Agency) -> Agency:
    """The province, district or commune that ``agency`` is, or belongs to (a desk's district)."""
    if agency.kind in ADMINISTRATIVE_KINDS:
        return agency
    for ancestor in reversed(list(agency_ancestors(agency=agency))):
        if ancestor.kind in ADMINISTRATIVE_KINDS:
            return ancestor
    return agency


def membership_list_active(*, user: User, role: Role | None = None) -> QuerySet[StaffMembership]:
    queryset = StaffMembership.objects.filter(user=user, is_active=True, agency__is_active=True)
    if role is not None:
        queryset = queryset.filter(role=role)
    return queryset.select_related("agency")


def roles_active(*, user: User | None) -> set[str]:
    """The roles ``user`` holds through active memberships of active units (none for a citizen, an
    anonymous visitor or a disabled account), in one query."""
    if not (user and user.is_authenticated and user.is_active):
        return set()
    return set(membership_list_active(user=user).values_list("role", flat=True))


def landing_page(*, user: User) -> str | None:
    """The URL name where ``user`` lands after logging in, from their active roles and
    ``settings.STAFF_LANDING_PAGES`` (the pages belong to other apps: named there, not imported here);
    None for a citizen."""
    from django.conf import settings

    roles = roles_active(user=user)
    return next((page for role, page in settings.STAFF_LANDING_PAGES if role in roles), None)


def agency_get_active(*, code: str) -> Agency | None:
    return Agency.objects.filter(code=code, is_active=True).first()
