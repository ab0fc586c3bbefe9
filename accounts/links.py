"""One-time links sent to a person: email verification and (re)setting a password.

Links go by email when the person has an address, otherwise by SMS, since many citizens have only a
phone. The set-password link uses Django's token generator, so it stops working once used (the
password hash changes) or after PASSWORD_RESET_TIMEOUT.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from onestop.sms import send_sms

from .models import User

VERIFY_SALT = "accounts.verify-email"


def absolute(path: str) -> str:
    return settings.PORTAL_URL.rstrip("/") + path


def email_verification_token(user: User, email: str | None = None) -> str:
    """A link's token for ``email`` (the account's own address unless another is given: a new address
    typed in the profile, which becomes the account's when the link is opened)."""
    return signing.dumps({"u": user.pk, "e": email or user.email}, salt=VERIFY_SALT, compress=True)


def email_verification_read(token: str) -> tuple[int, str] | None:
    """(user id, email) from a valid, unexpired token; None otherwise."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=settings.EMAIL_VERIFICATION_DAYS * 24 * 3600)
    except signing.BadSignature:
        return None
    return data["u"], data["e"]


def send_email_verification(user: User, email: str | None = None) -> None:
    """Mail a confirmation link to ``email`` (default: the account's address)."""
    email = email or user.email
    url = absolute(reverse("accounts:verify_email", args=[email_verification_token(user, email)]))
    body = render_to_string("accounts/email/verify_email.txt", {"user": user, "url": url})
    send_mail(_("Confirm your email address"), body, None, [email])


def password_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute(reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}))


def send_password_link(user: User) -> str:
    """Send a link to set a new password, by email or else by SMS to a confirmed number; return the
    channel used ("" when the account has neither)."""
    url = password_link(user)
    if user.email:
        body = render_to_string("accounts/email/set_password.txt", {"user": user, "url": url})
        send_mail(_("Set your password for the one-stop portal"), body, None, [user.email])
        return "email"
    if not user.confirmed_phone:
        return ""
    send_sms(phone=user.confirmed_phone, text=_("One-stop portal: set your password at %(url)s") % {"url": url})
    return "sms"
