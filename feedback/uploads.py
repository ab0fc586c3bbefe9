"""The files a sender joins to their feedback: checked exactly like a dossier's uploads
(``dossiers.uploads.check_upload``: the size limit per file, the type read from the content, the
allowed types), at most ``MAX_FILES`` of them, stored under a random name in the transaction of the
feedback, and served only to the sender and to the staff who handle the feedback."""

import unicodedata
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, User
from dossiers.models import Dossier
from dossiers.uploads import CheckedFile, check_upload
from procedures.models import ProcedureVersion

from .models import Feedback, FeedbackAttachment
from .permissions import can_handle
from .services import _replay, feedback_send

MAX_FILES = 5


def file_name_clean(name: str) -> str:
    """The name shown for a file: without folders, control or invisible characters, at most 255
    characters with its extension kept; never empty. (It is only shown: the stored file has a random
    name, so nothing of the sender's name reaches the disk.)"""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip().strip(".").strip()
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: 254 - len(extension)]}.{extension}" if dot and len(extension) <= 10 else name[:255]
    return name or _("unnamed file")


def feedback_files_check_each(uploads: Iterable) -> tuple[list[CheckedFile], ValidationError | None]:
    """Check every file, once: the files that passed, and one ``ValidationError`` naming each refused
    file and why (all of them, not only the first), or saying that there are too many; None if all of
    them may be sent."""
    uploads = [upload for upload in uploads if upload]
    passed, errors = [], []
    for upload in uploads:
        try:
            passed.append(check_upload(upload))
        except ValidationError as error:
            errors.extend(error.error_list)
    if len(uploads) > MAX_FILES:
        errors = [
            ValidationError(
                _("You can join at most %(count)s files; you chose %(chosen)s.")
                % {"count": MAX_FILES, "chosen": len(uploads)},
                code="too_many_files",
            )
        ]
    return passed, ValidationError(errors) if errors else None


def feedback_files_check(uploads: Iterable) -> list[CheckedFile]:
    """Check every file (``feedback_files_check_each``); raise its ``ValidationError`` if one is refused."""
    passed, error = feedback_files_check_each(uploads)
    if error is not None:
        raise error
    return passed


def feedback_attachments_add(*, feedback: Feedback, uploads: Iterable, now=None) -> list[FeedbackAttachment]:
    """Check ``uploads`` (``feedback_files_check``) and store them as ``feedback``'s attachments, each
    under a random name; raises ``ValidationError({"files": ...})`` and stores nothing if one is refused.
    Call it inside the transaction that records the feedback."""
    return _store(feedback=feedback, checked=_checked(uploads), now=now or timezone.now())


def _checked(uploads: Iterable) -> list[CheckedFile]:
    try:
        return feedback_files_check(uploads)
    except ValidationError as error:
        raise ValidationError({"files": error.messages}) from None


def _store(*, feedback: Feedback, checked: list[CheckedFile], now) -> list[FeedbackAttachment]:
    attachments = []
    try:
        for item in checked:
            attachment = FeedbackAttachment(
                feedback=feedback,
                name=file_name_clean(item.upload.name),
                content_type=item.content_type,
                size=item.size,
                uploaded_at=now,
            )
            attachment.file.save(uuid.uuid4().hex, item.upload, save=False)
            attachments.append(attachment)
            attachment.save()
    except BaseException:
        _files_delete(attachments)  # the rows roll back: their files must not stay behind
        raise
    return attachments


def _files_delete(attachments: list[FeedbackAttachment]) -> None:
    for attachment in attachments:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)


@transaction.atomic
def feedback_send_with_files(
    *,
    sender: User,
    subject: str,
    text: str,
    files: Iterable = (),
    checked: list[CheckedFile] | None = None,
    agency: Agency | None = None,
    procedure: ProcedureVersion | None = None,
    dossier: Dossier | None = None,
    may_publish: bool = False,
    submission_key: uuid.UUID | str | None = None,
    now=None,
) -> Feedback:
    """``feedback_send`` and the sender's ``files``, in one transaction: the feedback is recorded with
    all its files or not at all (a refused file is refused before anything is written; files written
    before a failure are removed). A ``submission_key`` already used returns the feedback it made (or
    is refused if it was another sender's) and no file is written again, even when the two requests
    come at the same moment. ``checked``, instead of ``files``: files ``feedback_files_check`` has
    already passed (a form's), stored without being checked again."""
    now = now or timezone.now()
    send = {
        "sender": sender,
        "subject": subject,
        "text": text,
        "agency": agency,
        "procedure": procedure,
        "dossier": dossier,
        "may_publish": may_publish,
        "submission_key": submission_key,
        "now": now,
    }
    replayed = _replay(submission_key=submission_key, sender=sender)
    if replayed is not None:  # the feedback made the first time (another sender's key is refused)
        return replayed
    if checked is None:
        checked = _checked(files)
    feedback = feedback_send(**send)
    if getattr(feedback, "replayed", False):  # the same form a moment earlier, in another request
        return feedback
    _store(feedback=feedback, checked=checked, now=now)
    return feedback


def feedback_attachment_get_visible(*, user: User, pk: int) -> FeedbackAttachment:
    """A feedback's file for its sender or the staff who handle the feedback; raises
    ``FeedbackAttachment.DoesNotExist`` for anyone else."""
    attachment = FeedbackAttachment.objects.select_related("feedback").get(pk=pk)
    feedback = attachment.feedback
    if feedback.sender_id == user.pk or can_handle(user=user, feedback=feedback):
        return attachment
    raise FeedbackAttachment.DoesNotExist
