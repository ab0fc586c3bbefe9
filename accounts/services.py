"""Writes for users, agencies and memberships."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from .constants import AgencyKind, Role
from .links import email_verification_read, send_email_verification, send_password_link
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


@transaction.atomic
def citizen_register(
    *,
    full_name: str,
    password: str,
    citizen_id: str,
    email: str | None = None,
    phone: str | None = None,
    language: str = "vi",
) -> User:
    """A citizen's own account, hearing from the portal in the language they registered in. A
    confirmation link is mailed (after commit) when an email is given."""
    user = user_create(full_name=full_name, password=password, email=email, phone=phone, citizen_id=citizen_id)
    if language != user.language:
        user.language = language
        user.save(update_fields=["language"])
    if user.email:
        transaction.on_commit(lambda: send_email_verification(user))
    return user


def user_verify_email(*, token: str) -> User | None:
    """Mark the address in ``token`` verified, if it is still the user's address; None for a bad link."""
    read = email_verification_read(token)
    if read is None:
        return None
    user = User.objects.filter(pk=read[0], email=read[1]).first()
    if user is not None and user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    full_name: str,
    email: str | None,
    phone: str | None,
    address: str,
    language: str | None = None,
    notify_email: bool | None = None,
    notify_sms: bool | None = None,
) -> User:
    """Change one's own details and how one hears from the portal; a new email address must be
    confirmed again."""
    email_changed = (email or None) != user.email
    user.full_name, user.email, user.phone, user.address = full_name, email or None, phone or None, address
    if language is not None:
        user.language = language
    if notify_email is not None:
        user.notify_email = notify_email
    if notify_sms is not None:
        user.notify_sms = notify_sms
    if email_changed:
        user.email_verified_at = None
    user.full_clean(exclude=["password"])
    user.save()
    if email_changed and user.email:
        transaction.on_commit(lambda: send_email_verification(user))
    return user


@transaction.atomic
def citizen_create_at_desk(
    *,
    full_name: str,
    citizen_id: str,
    phone: str | None = None,
    email: str | None = None,
    address: str = "",
    date_of_birth: date | None = None,
    desk: Agency | None = None,
) -> User:
    """An account a desk clerk of ``desk`` opens for a walk-in citizen: no password yet; the citizen
    gets a link (mail, else SMS) to set one. The account remembers the desk that opened it."""
    user = user_create(full_name=full_name, password=None, email=email, phone=phone, citizen_id=citizen_id)
    user.address = address
    user.date_of_birth = date_of_birth
    user.opened_at_desk = desk
    user.save(update_fields=["address", "date_of_birth", "opened_at_desk"])
    transaction.on_commit(lambda: send_password_link(user))
    return user
