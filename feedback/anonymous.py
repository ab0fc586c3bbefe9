"""Feedback from a visitor who is not logged in: they give their full name and phone number, the
portal sends a code to that number by SMS (the accounts app's phone confirmation: the same code, the
same limits), and the feedback is sent only once the right code is typed.

Who the sender is:

- the active account whose CONFIRMED phone is that number, whoever it is (its name is not changed);
  a number confirmed by a deactivated account is refused (such an account never sends anything);
- otherwise a citizen account opened for the number, with the name typed and no usable password.
  It exists from the moment the code is sent (the code belongs to an account), with the number
  unconfirmed, so it cannot log in or receive SMS; the right code confirms the number. The person
  may later set a password through "Forgotten password" (a link by SMS to the confirmed number).
  Asking again for the same number reuses that account rather than opening another. The name typed
  waits in the session with the rest and is written to that account only with the right code, so
  whoever types someone else's number cannot rename their account.

What was typed and the files chosen wait in the visitor's session until the code is typed (the files
themselves in the default storage under ``PENDING_DIR``, named in the session), and are discarded
when the feedback is sent or the visitor cancels. Files of abandoned sessions are removed by
``pending_files_sweep`` (a day later)."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import Confirmation, phone_code_send, phone_confirm, user_create
from accounts.validators import normalize_phone

from .models import Feedback
from .uploads import file_name_clean

PENDING_DIR = "feedback/pending"
PENDING_LIFETIME = timedelta(days=1)

NUMBER_REFUSED = _(
    "This phone number cannot be used to send feedback on the portal. Use another number, or bring your "
    "feedback to the one-stop desk."
)

# An account opened by this page and never confirmed or used: nothing but the number and a name (no
# email, citizen ID, password or login).
OPENED_FOR_FEEDBACK = Q(
    phone_confirmed=False,
    email__isnull=True,
    citizen_id__isnull=True,
    last_login__isnull=True,
    opened_at_desk__isnull=True,
    is_active=True,
    password__startswith=UNUSABLE_PASSWORD_PREFIX,
)


@dataclass(frozen=True)
class CodeSent:
    """To whom the code went (the account that will send the feedback) and whether it went: False
    when the limits of phone codes held it back (a minute between codes, 5 a day per account, 10 a
    day per number)."""

    account: User
    sent: bool


def _holder(phone: str) -> User | None:
    """The active account whose confirmed phone is ``phone`` (one at most: a database constraint)."""
    return User.objects.filter(phone=phone, phone_confirmed=True, is_active=True).first()


def _number_check(phone: str) -> None:
    """Refuse a number confirmed by a deactivated account: it must not become a sender, and opening a
    new account beside it could hand its owner's number to whoever types it."""
    if User.objects.filter(phone=phone, phone_confirmed=True, is_active=False).exists():
        raise ValidationError({"phone": NUMBER_REFUSED})


def _opened_for_feedback(phone: str) -> User | None:
    """An account opened earlier by this page for ``phone`` and never confirmed or used."""
    return User.objects.filter(OPENED_FOR_FEEDBACK, phone=phone).order_by("pk").first()


@transaction.atomic
def anonymous_code_send(*, full_name: str, phone: str) -> CodeSent:
    """Send a code by SMS to ``phone`` for the account that will send the feedback (see the module's
    docstring), through the outbox like every phone code. An account already there keeps its name
    (``anonymous_confirm`` writes the name typed, with the right code). Raises ``ValidationError`` on
    "phone" for a number that cannot be used."""
    phone = normalize_phone(phone)
    _number_check(phone)
    account = _holder(phone) or _opened_for_feedback(phone)
    if account is None:
        account = user_create(full_name=full_name.strip(), password=None, phone=phone, phone_confirmed=False)
    return CodeSent(account=account, sent=phone_code_send(user=account, phone=phone))


def anonymous_code_resend(*, account: User, phone: str) -> bool:
    """A new code to the same number for the same account (the same limits)."""
    return phone_code_send(user=account, phone=normalize_phone(phone))


@transaction.atomic
def anonymous_confirm(*, account: User, phone: str, code: str, full_name: str = "") -> tuple[Confirmation, User | None]:
    """Check the code typed; with the right one, the sender: ``account`` (its number now confirmed), or,
    if another account confirmed the number in the meantime, that account (the right code proves the
    visitor holds the number all the same). ``full_name`` (the name typed) becomes ``account``'s name
    only if this page opened it and it was never confirmed or used; an account in use keeps its own.
    A deactivated account is never the sender (``Confirmation.UNAVAILABLE``, None: ``NUMBER_REFUSED``)."""
    if not User.objects.filter(pk=account.pk, is_active=True).exists():
        return Confirmation.UNAVAILABLE, None
    opened_here = User.objects.filter(OPENED_FOR_FEEDBACK, pk=account.pk).exists()
    result = phone_confirm(user=account, code=code)
    if result == Confirmation.CONFIRMED:
        account.refresh_from_db()
        name = " ".join((full_name or "").split())
        if opened_here and name and account.full_name != name:
            account.full_name = name
            account.save(update_fields=["full_name"])
        return result, account
    if result == Confirmation.UNAVAILABLE:
        holder = _holder(normalize_phone(phone))
        return (Confirmation.CONFIRMED, holder) if holder else (result, None)
    return result, None


def anonymous_feedback_sent(*, submission_key: str | None, phone: str) -> Feedback | None:
    """The feedback already sent from the waiting form with ``submission_key`` by the holder of the
    confirmed number ``phone`` (a second click on "confirm" while the first was sending it); None if
    there is none."""
    if not submission_key:
        return None
    try:
        key = uuid.UUID(str(submission_key))
    except ValueError:
        return None
    return (
        Feedback.objects.filter(submission_key=key, sender__phone=normalize_phone(phone), sender__phone_confirmed=True)
        .select_related("agency")
        .first()
    )


def pending_files_store(uploads: list) -> list[dict]:
    """Keep the (checked) files until the code is typed: stored under ``PENDING_DIR`` with random
    names; returns what the session holds of each (its stored path, and its name and size to show)."""
    kept = []
    for upload in uploads:
        upload.seek(0)
        path = default_storage.save(f"{PENDING_DIR}/{uuid.uuid4().hex}", upload)
        kept.append({"path": path, "name": file_name_clean(upload.name), "size": upload.size})
    return kept


def pending_files_open(kept: list[dict]) -> list[File]:
    """The kept files, open for ``feedback_send_with_files`` (which checks them again); a file gone
    from the storage is left out."""
    files = []
    for entry in kept:
        path = str(entry.get("path", ""))
        if path.startswith(f"{PENDING_DIR}/") and default_storage.exists(path):
            files.append(File(default_storage.open(path, "rb"), name=entry.get("name") or path))
    return files


def pending_files_discard(kept: list[dict]) -> None:
    """Remove kept files (after commit, when called inside a transaction)."""
    paths = [str(entry.get("path", "")) for entry in kept]
    paths = [path for path in paths if path.startswith(f"{PENDING_DIR}/")]

    def delete():
        for path in paths:
            default_storage.delete(path)

    transaction.on_commit(delete)


def pending_files_sweep(*, now=None) -> int:
    """Remove kept files older than ``PENDING_LIFETIME`` (sessions abandoned before the code was typed:
    a session lasts far less). Returns how many were removed. Meant for a daily periodic task."""
    now = now or timezone.now()
    try:
        _folders, names = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return 0
    removed = 0
    for name in names:
        path = f"{PENDING_DIR}/{name}"
        if now - default_storage.get_modified_time(path) > PENDING_LIFETIME:
            default_storage.delete(path)
            removed += 1
    return removed
