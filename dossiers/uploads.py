"""Checking and storing the files a citizen or a clerk uploads to a dossier.

The type is read from the file's content (magic bytes, ``filetype``: its first bytes only), never from
its name; sizes are limited per file and per dossier; the file is stored under a random name outside the
static tree with its SHA-256, computed while it is written (``upload_store``): each byte is read once.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
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
    already holds ``already_stored`` bytes (sizes are not checked when ``limits`` is False); with its
    checksum, for a file that is not stored through ``upload_store``."""
    content_type = check_upload_type(upload, already_stored=already_stored, limits=limits)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(upload=upload, content_type=content_type, size=upload.size, sha256=digest.hexdigest())


def check_upload_type(upload: UploadedFile, *, already_stored: int = 0, limits: bool = True) -> str:
    """``check_upload`` without the checksum: the limits, and the type read from the first bytes (the
    rest of the file is not read). Returns the type."""
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
    upload.seek(0)
    return content_type


class _HashedOnTheWay(File):
    """``upload`` as a storage reads it to write it, chunk by chunk, each chunk hashed as it passes."""

    def __init__(self, upload: UploadedFile):
        super().__init__(upload.file, name=upload.name)
        self.upload = upload
        self.digest = hashlib.sha256()
        self.hashed = 0

    def chunks(self, chunk_size=None):
        for chunk in self.upload.chunks(chunk_size):
            self.digest.update(chunk)
            self.hashed += len(chunk)
            yield chunk


def upload_store(field_file: FieldFile, upload: UploadedFile) -> str:
    """Write ``upload`` to the storage of ``field_file`` (under the name its field gives; the model is
    not saved) and return its SHA-256. An upload held in memory is hashed while it is written: one pass
    over its bytes, no copy. One the upload handler left in a temporary file (larger than
    ``FILE_UPLOAD_MAX_MEMORY_SIZE``) is read once for the checksum and then moved into place, not
    copied. A storage that reads the file otherwise than by ``chunks()`` gets the checksum of a second
    reading."""
    if hasattr(upload, "temporary_file_path"):
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        field_file.save(upload.name, upload, save=False)
        return digest.hexdigest()
    upload.seek(0)
    passing = _HashedOnTheWay(upload)
    field_file.save(upload.name, passing, save=False)
    if passing.hashed == upload.size:
        return passing.digest.hexdigest()
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()
