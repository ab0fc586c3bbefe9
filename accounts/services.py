"""Writes for users, agencies and memberships."""

import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .constants import AgencyKind, Role
from .links import email_verification_read, send_email_verification, send_password_link
from .models import Agency, PhoneConfirmation, StaffMembership, User
from .validators import normalize_phone

# A phone confirmation code: 6 digits, valid 10 minutes, 5 wrong tries, a new one at most each minute
# and 5 a day per account.
PHONE_CODE_LIFETIME = timedelta(minutes=10)
PHONE_CODE_WRONG_TRIES = 5
PHONE_CODE_RESEND_AFTER = timedelta(minutes=1)
PHONE_CODES_PER_DAY = 5
# One number receives at most this many codes a day, over all the accounts that name it: registering
# many accounts with someone's number (or a paid one) does not make the portal send SMS without end.
PHONE_CODES_PER_NUMBER_PER_DAY = 10


class Confirmation(StrEnum):
    """How typing a code, or opening an email link, ended."""

    CONFIRMED = "confirmed"
    WRONG = "wrong"  # not the code sent; tries are left
    EXPIRED = "expired"  # the code's time is over, or no code waits
    TOO_MANY = "too_many"  # this code took its wrong tries: ask for a new one
    UNAVAILABLE = "unavailable"  # right code, but the number or address is another account's


@transaction.atomic
def user_create(
    *,
    full_name: str,
    password: str | None,
    email: str | None = None,
    phone: str | None = None,
    citizen_id: str | None = None,
    is_staff: bool = False,
    phone_confirmed: bool = True,
) -> User:
    """Create a user after full validation; raises ``ValidationError`` naming the bad field. The phone
    counts as the person's unless ``phone_confirmed`` is False (then it waits for its SMS code)."""
    user = User(
        full_name=full_name,
        email=email,
        phone=phone,
        phone_confirmed=phone_confirmed,
        citizen_id=citizen_id,
        is_staff=is_staff,
    )
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
    address: str = "",
    language: str = "vi",
) -> User:
    """A citizen's own account, hearing from the portal in the language they registered in. A
    confirmation link is mailed (after commit) when an email is given. A phone number is saved
    unconfirmed and sent a code by SMS: it logs in and receives SMS once the code is typed, and it is
    never refused here, so registering does not tell whether another account uses the number."""
    user = user_create(
        full_name=full_name,
        password=password,
        email=email,
        phone=phone,
        citizen_id=citizen_id,
        phone_confirmed=False,
    )
    user.language, user.address = language, address
    user.save(update_fields=["language", "address"])
    if user.email:
        transaction.on_commit(lambda: send_email_verification(user))
    if user.phone:
        phone_code_send(user=user, phone=user.phone)
    return user


def user_verify_email(*, token: str) -> tuple[Confirmation, User | None]:
    """Open an email link: the account's own address becomes verified; a new address typed in the
    profile becomes the account's, verified, unless another account has it by now (then nothing
    changes, and the answer does not name that account). EXPIRED for a bad or old link."""
    read = email_verification_read(token)
    user = User.objects.filter(pk=read[0]).first() if read else None
    if user is None:
        return Confirmation.EXPIRED, None
    email = read[1]
    if user.email != email and User.objects.filter(email=email).exclude(pk=user.pk).exists():
        return Confirmation.UNAVAILABLE, user
    if user.email != email or user.email_verified_at is None:
        user.email, user.email_verified_at = email, timezone.now()
        try:
            with transaction.atomic():
                user.save(update_fields=["email", "email_verified_at"])
        except IntegrityError:  # another account took the address a moment ago
            return Confirmation.UNAVAILABLE, user
    return Confirmation.CONFIRMED, user


@dataclass(frozen=True)
class ProfileChange:
    """What saving the profile started: a new email address waiting for its link, a new number waiting
    for its SMS code (``code_sent`` False when the limits held the code back)."""

    user: User
    email_pending: str | None = None
    phone_pending: str | None = None
    code_sent: bool = False


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
) -> ProfileChange:
    """Change one's own details and how one hears from the portal. An emptied email or phone is
    removed at once; a new email address becomes the account's when the link mailed to it is opened,
    and a new phone number when the code sent to it by SMS is typed (until then a confirmed number
    stays the account's). Nothing here depends on whether another account uses the new value, so the
    answer cannot tell."""
    email, phone = email or None, normalize_phone(phone) if phone else None
    email_pending = email if email and email != user.email else None
    phone_pending = phone if phone and phone != user.phone else None  # an unconfirmed one resends from its page
    user.full_name, user.address = full_name, address
    if email is None:
        user.email, user.email_verified_at = None, None
    if phone is None:
        user.phone, user.phone_confirmed = None, True
        # The code stops working; the row stays, so removing and adding a number buys no extra codes.
        PhoneConfirmation.objects.filter(user=user).update(code_hash="", expires_at=timezone.now())
    elif phone_pending and not (user.phone and user.phone_confirmed):
        user.phone, user.phone_confirmed = phone, False  # nothing confirmed to keep: the new one waits
    if language is not None:
        user.language = language
    if notify_email is not None:
        user.notify_email = notify_email
    if notify_sms is not None:
        user.notify_sms = notify_sms
    user.full_clean(exclude=["password"])
    user.save()
    if email_pending:
        transaction.on_commit(lambda: send_email_verification(user, email_pending))
    code_sent = phone_code_send(user=user, phone=phone_pending) if phone_pending else False
    return ProfileChange(user=user, email_pending=email_pending, phone_pending=phone_pending, code_sent=code_sent)


def _phone_code_hash(*, user: User, phone: str, code: str) -> str:
    return salted_hmac("accounts.phone-code", f"{user.pk}:{phone}:{code}", algorithm="sha256").hexdigest()


@transaction.atomic
def phone_code_send(*, user: User, phone: str) -> bool:
    """Send a new code by SMS to ``phone`` for ``user``, through the notification outbox (delivered
    after commit, swept while pending); a code sent before stops working. False when the last code went
    out less than a minute ago or the account had its codes for the day: then no code is sent, but the
    number still waits for one."""
    phone, now = normalize_phone(phone), timezone.now()
    row = PhoneConfirmation.objects.select_for_update().filter(user=user).first()
    if row is None:
        row = PhoneConfirmation(user=user, sends=0, sends_since=now, sent_at=now, expires_at=now)
    if now - row.sends_since >= timedelta(days=1):
        row.sends, row.sends_since = 0, now
    if row.phone != phone:
        row.phone, row.code_hash, row.expires_at, row.wrong_tries = phone, "", now, 0
    if row.sends >= PHONE_CODES_PER_DAY or (row.sends and now - row.sent_at < PHONE_CODE_RESEND_AFTER):
        row.save()
        return False
    to_number = PhoneConfirmation.objects.filter(phone=phone, sends_since__gt=now - timedelta(days=1))
    if (to_number.exclude(pk=row.pk).aggregate(total=Sum("sends"))["total"] or 0) + (
        row.sends if row.pk else 0
    ) >= PHONE_CODES_PER_NUMBER_PER_DAY:
        row.save()
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    row.code_hash = _phone_code_hash(user=user, phone=phone, code=code)
    row.sent_at, row.expires_at, row.wrong_tries, row.sends = now, now + PHONE_CODE_LIFETIME, 0, row.sends + 1
    row.save()
    with translation.override(user.language or settings.LANGUAGE_CODE):
        text = _(
            "One-stop portal: your code to confirm this phone number is %(code)s. It is valid for %(minutes)s "
            "minutes. Do not give it to anyone."
        ) % {"code": code, "minutes": int(PHONE_CODE_LIFETIME.total_seconds() // 60)}
    send = import_string(settings.PHONE_CODE_SENDER)
    send(recipient=user, phone=phone, text=text, key=f"phone-code:{row.pk}:{now:%Y%m%d%H%M%S%f}")
    return True


def phone_confirm(*, user: User, code: str) -> Confirmation:
    """Check ``code`` against the last one sent to ``user``'s pending number; the right one makes the
    number the account's confirmed phone (a login identifier, the channel for SMS), unless another
    account confirmed it first."""
    typed = re.sub(r"\D", "", code or "")
    with transaction.atomic():
        row = PhoneConfirmation.objects.select_for_update().filter(user=user).first()
        now = timezone.now()
        if row is None or not row.code_hash or now >= row.expires_at:
            return Confirmation.EXPIRED
        if row.wrong_tries >= PHONE_CODE_WRONG_TRIES:
            return Confirmation.TOO_MANY
        if not constant_time_compare(row.code_hash, _phone_code_hash(user=user, phone=row.phone, code=typed)):
            row.wrong_tries += 1
            row.save(update_fields=["wrong_tries"])
            return Confirmation.TOO_MANY if row.wrong_tries >= PHONE_CODE_WRONG_TRIES else Confirmation.WRONG
        row.code_hash = ""  # used
        row.save(update_fields=["code_hash"])
        if User.objects.filter(phone=row.phone, phone_confirmed=True).exclude(pk=user.pk).exists():
            return Confirmation.UNAVAILABLE
        user.phone, user.phone_confirmed = row.phone, True
        try:
            with transaction.atomic():
                user.save(update_fields=["phone", "phone_confirmed"])
        except IntegrityError:  # confirmed by another account a moment ago
            user.refresh_from_db(fields=["phone", "phone_confirmed"])
            return Confirmation.UNAVAILABLE
        row.delete()
    return Confirmation.CONFIRMED


def login_cooloff_end(*, user: User) -> None:
    """Forget the failed logins counted against ``user``'s account (its owner just set a new password
    through a link only they receive)."""
    from axes.utils import reset

    from .backends import account_login_key

    reset(username=account_login_key(user))


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
