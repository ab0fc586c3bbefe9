"""Feedback from a visitor who is not logged in: they give their full name and phone number, the
portal sends a code to that number by SMS (the accounts app's phone confirmation: the same code, the
same limits), and the feedback is sent only once the right code is typed.

Who the sender is:

- the account whose CONFIRMED phone is that number, whoever it is (its name is not changed);
- otherwise a citizen account opened for the number, with the name typed and no usable password.
  It exists from the moment the code is sent (the code belongs to an account), with the number
  unconfirmed, so it cannot log in or receive SMS; the right code confirms the number. The person
  may later set a password through "Forgotten password" (a link by SMS to the confirmed number).
  Asking again for the same number reuses that account rather than opening another.

What was typed and the files chosen wait in the visitor's session until the code is typed (the files
themselves in the default storage under ``PENDING_DIR``, named in the session), and are discarded
when the feedback is sent or the visitor cancels. Files of abandoned sessions are removed by
``pending_files_sweep`` (a day later)."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import Confirmation, phone_code_send, phone_confirm, user_create
from accounts.validators import normalize_phone

from .uploads import file_name_clean

PENDING_DIR = "feedback/pending"
PENDING_LIFETIME = timedelta(days=1)


@dataclass(frozen=True)
class CodeSent:
    """To whom the code went (the account that will send the feedback) and whether it went: False
    when the limits of phone codes held it back (a minute between codes, 5 a day per account, 10 a
    day per number)."""

    account: User
    sent: bool


def _holder(phone: str) -> User | None:
    """The account whose confirmed phone is ``phone`` (one at most: a database constraint)."""
    return User.objects.filter(phone=phone, phone_confirmed=True).first()


def _opened_for_feedback(phone: str) -> User | None:
    """An account opened earlier by this page for ``phone`` and never confirmed or used: nothing but
    the number and a name (no email, citizen ID, password or login)."""
    return (
        User.objects.filter(
            phone=phone,
            phone_confirmed=False,
            email__isnull=True,
            citizen_id__isnull=True,
            last_login__isnull=True,
            opened_at_desk__isnull=True,
            is_active=True,
            password__startswith=UNUSABLE_PASSWORD_PREFIX,
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def anonymous_code_send(*, full_name: str, phone: str) -> CodeSent:
    """Send a code by SMS to ``phone`` for the account that will send the feedback (see the module's
    docstring), through the outbox like every phone code."""
    phone = normalize_phone(phone)
    account = _holder(phone)
    if account is None:
        account = _opened_for_feedback(phone)
        if account is None:
            account = user_create(full_name=full_name.strip(), password=None, phone=phone, phone_confirmed=False)
        elif account.full_name != full_name.strip():
            account.full_name = full_name.strip()
            account.save(update_fields=["full_name"])
    return CodeSent(account=account, sent=phone_code_send(user=account, phone=phone))


def anonymous_code_resend(*, account: User, phone: str) -> bool:
    """A new code to the same number for the same account (the same limits)."""
    return phone_code_send(user=account, phone=normalize_phone(phone))


def anonymous_confirm(*, account: User, phone: str, code: str) -> tuple[Confirmation, User | None]:
    """Check the code typed; with the right one, the sender: ``account`` (its number now confirmed), or,
    if another account confirmed the number in the meantime, that account (the right code proves the
    visitor holds the number all the same)."""
    result = phone_confirm(user=account, code=code)
    if result == Confirmation.CONFIRMED:
        account.refresh_from_db()
        return result, account
    if result == Confirmation.UNAVAILABLE:
        holder = _holder(normalize_phone(phone))
        return (Confirmation.CONFIRMED, holder) if holder else (result, None)
    return result, None


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
