"""Checking and storing the files a citizen or a clerk uploads to a dossier.

The type is read from the file's content (magic bytes, ``filetype``), never from its name; sizes are
limited per file and per dossier; the file is stored under a random name outside the static tree
with its SHA-256.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

import filetype

TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    content_type: str
    size: int
    sha256: str


def allowed_types_label() -> str:
    return ", ".join(TYPE_NAMES.get(t, t) for t in settings.DOSSIER_UPLOAD_TYPES)


def check_upload(upload: UploadedFile, *, already_stored: int = 0, limits: bool = True) -> CheckedFile:
    """Raise ``ValidationError`` (naming the file and why) unless ``upload`` may join a dossier that
    already holds ``already_stored`` bytes (sizes are not checked when ``limits`` is False)."""
    name = upload.name
    if limits and upload.size > settings.DOSSIER_MAX_FILE_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s; a file may be at most %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.DOSSIER_MAX_FILE_BYTES),
            },
            code="file_too_large",
        )
    if limits and already_stored + upload.size > settings.DOSSIER_MAX_TOTAL_BYTES:
        raise ValidationError(
            _("With “%(name)s” the dossier would hold more than %(limit)s of files.")
            % {"name": name, "limit": filesizeformat(settings.DOSSIER_MAX_TOTAL_BYTES)},
            code="dossier_too_large",
        )
    upload.seek(0)
    head = upload.read(8192)
    kind = filetype.guess(head)
    content_type = kind.mime if kind else ""
    if content_type not in settings.DOSSIER_UPLOAD_TYPES:
        raise ValidationError(
            _("“%(name)s” is not a %(types)s file, whatever its name says.")
            % {"name": name, "types": allowed_types_label()},
            code="file_type",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(upload=upload, content_type=content_type, size=upload.size, sha256=digest.hexdigest())
