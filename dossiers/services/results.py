"""Issuing a result document: a verification code and, for a PDF, the issuing agency's PAdES signature
with a QR code to the public verification page (``dossiers/signing.py``)."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ..models import Attachment
from ..signing import sign_pdf, verification_code


def verification_url(code: str) -> str:
    return settings.PORTAL_URL.rstrip("/") + reverse("dossiers:verify", args=[code])


def result_issue(*, attachment: Attachment, agency) -> Attachment:
    """Mark ``attachment`` a result issued by ``agency``; sign it when it is a PDF and the agency has
    its signing files. The signed file replaces the upload (its hash is what verification checks)."""
    code = verification_code()
    now = timezone.now()
    attachment.is_result = True
    attachment.verification_code = code
    attachment.issuing_agency = agency
    attachment.issued_at = now
    if attachment.content_type == "application/pdf":
        with attachment.file.open("rb") as handle:
            original = handle.read()
        signed = sign_pdf(
            original,
            agency=agency,
            url=verification_url(code),
            reason=f"Kết quả giải quyết hồ sơ {attachment.dossier.code}, mã xác thực {code}",
        )
        if signed is not None:
            import hashlib

            storage, old_name = attachment.file.storage, attachment.file.name
            attachment.file.save(attachment.original_name, ContentFile(signed), save=False)
            attachment.size = len(signed)
            attachment.sha256 = hashlib.sha256(signed).hexdigest()
            attachment.signed_at = now
            transaction.on_commit(lambda: storage.delete(old_name))
    attachment.save()
    return attachment
