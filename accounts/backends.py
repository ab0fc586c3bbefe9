from django.contrib.auth.backends import ModelBackend

from .models import User
from .selectors import user_find_by_identifier
from .validators import normalize_phone


def login_identifier(request, credentials=None) -> str:
    """The identifier a login attempt names, normalised as accounts store it (for brute-force counts)."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = getattr(request, "POST", {}).get("username")
    raw = (raw or "").strip()
    return raw.lower() if "@" in raw else normalize_phone(raw)


class EmailOrPhoneBackend(ModelBackend):
    """Log in with an email address or a phone number in any common spelling."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        identifier = username if username is not None else kwargs.get(User.USERNAME_FIELD)
        if identifier is None or password is None:
            return None
        user = user_find_by_identifier(identifier=identifier)
        if user is None:
            # Spend the same time as a real check so response times do not reveal who has an account.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
