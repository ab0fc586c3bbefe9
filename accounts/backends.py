from django.contrib.auth.backends import ModelBackend

from .models import User
from .selectors import user_find_by_identifier
from .validators import normalize_phone


def account_login_key(user: User) -> str:
    """The name an account's failed logins are counted and cooled off under."""
    return f"account:{user.pk}"


def login_identifier(request, credentials=None) -> str:
    """What a login attempt's failures are counted under (``AXES_USERNAME_CALLABLE``): the account the
    typed identifier names, so its email and its phone number in any spelling share one count and one
    cool-off; a value that names no account is counted as typed (normalised), so an unknown identifier
    is answered exactly as a known one. The login form passes ``username``; Django REST framework's
    Basic authentication passes the identifier under ``User.USERNAME_FIELD``."""
    credentials = credentials or {}
    raw = credentials.get("username")
    if raw is None:
        raw = credentials.get(User.USERNAME_FIELD)
    if raw is None and request is not None:
        raw = getattr(request, "POST", {}).get("username")
    raw = str(raw or "").strip()[:254]
    user = user_find_by_identifier(identifier=raw)
    if user is not None:
        return account_login_key(user)
    return "typed:" + (raw.lower() if "@" in raw else normalize_phone(raw))


class EmailOrPhoneBackend(ModelBackend):
    """Log in with an email address or a confirmed phone number in any common spelling."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        identifier = username if username is not None else kwargs.get(User.USERNAME_FIELD)
        if identifier is None or password is None:
            return None
        user = user_find_by_identifier(identifier=identifier)
        if user is None:
            return self._awaiting_confirmation(identifier, password)
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def _awaiting_confirmation(self, identifier: str, password: str) -> User | None:
        """A citizen who registered with a phone number only and left before typing its SMS code logs
        in with that number and their password, and is then asked for the code (the login page sends
        them there): without it the account would have no way in at all. Several accounts may wait on
        one number; the password says which. Nothing else is open to such an account until the number
        is confirmed: no SMS, no password link."""
        candidates = []
        if "@" not in identifier:
            candidates = list(
                User.objects.filter(
                    phone=normalize_phone(identifier), phone_confirmed=False, email="", is_staff=False
                ).order_by("-pk")[:3]
            )
        if not candidates:
            # Spend the same time as a real check so response times do not reveal who has an account.
            User().set_password(password)
            return None
        for user in candidates:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None
