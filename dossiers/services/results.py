"""Issuing a result document: a verification code and, for a PDF, the issuing agency's PAdES signature
with a QR code to the public verification page (``dossiers/signing.py``).

A result is prepared (checked and signed) before anything is written, so a result that cannot be
issued as asked leaves the dossier, its history and the file store as they were:

- delivered online: it must be a signed PDF. An image, a damaged PDF or an agency without signing
  credentials is refused with the reason and what to do, unless the clerk records explicitly that the
  result is issued on paper, with a reason;
- handed over at the desk or by post: a file that cannot be signed is kept unsigned as the unit's
  copy, and the clerk is told so.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..constants import ResultDelivery, Status
from ..models import Attachment, Dossier
from ..signing import NoCredentials, SigningError, sign_pdf, verification_code
from ..uploads import check_upload


def verification_url(code: str) -> str:
    return settings.PORTAL_URL.rstrip("/") + reverse("dossiers:verify", args=[code])


@dataclass
class PreparedResult:
    """A result file ready to be stored: its content (signed when it could be), its verification code,
    and why it is unsigned when it is."""

    name: str
    content: bytes
    code: str
    signed: bool
    on_paper: bool
    warning: str = ""

    def as_file(self) -> ContentFile:
        return ContentFile(self.content, name=self.name)


def _why_unsigned(*, error: SigningError | None, name: str, agency) -> str:
    if isinstance(error, NoCredentials):
        return _("%(agency)s has no signing certificate on the portal, so “%(name)s” cannot be signed.") % {
            "agency": agency.name,
            "name": name,
        }
    if error is not None:
        return _("“%(name)s” cannot be signed: the PDF is damaged, protected or incomplete.") % {"name": name}
    return _("“%(name)s” is an image: only a PDF can be signed.") % {"name": name}


def result_prepare(*, upload, dossier: Dossier, agency, on_paper: bool = False) -> PreparedResult:
    """Check ``upload`` and sign it for ``agency``. Raises ``ValidationError`` (under ``result``) when
    the dossier's result is delivered online and the file cannot be signed, unless ``on_paper``."""
    checked = check_upload(upload)
    upload.seek(0)
    content = upload.read()
    code = verification_code()
    name = upload.name[:255]
    if on_paper:
        return PreparedResult(name=name, content=content, code=code, signed=False, on_paper=True)
    error = None
    if checked.content_type == "application/pdf":
        try:
            signed = sign_pdf(
                content,
                agency=agency,
                url=verification_url(code),
                reason=f"Kết quả giải quyết hồ sơ {dossier.code}, mã xác thực {code}",
            )
        except SigningError as failure:
            error = failure
        else:
            return PreparedResult(name=name, content=signed, code=code, signed=True, on_paper=False)
    why = _why_unsigned(error=error, name=name, agency=agency)
    if dossier.result_delivery == ResultDelivery.ONLINE:
        raise ValidationError(
            {
                "result": _(
                    "%(why)s The applicant asked for the result online, so it must be a signed PDF: upload the "
                    "result as a valid PDF, or tick “The result is issued on paper” and give the reason."
                )
                % {"why": why}
            },
            code="unsigned",
        )
    warning = _("%(why)s It is kept unsigned as the unit's copy: hand the result over on paper.") % {"why": why}
    return PreparedResult(name=name, content=content, code=code, signed=False, on_paper=False, warning=warning)


def result_fields(*, prepared: PreparedResult, agency) -> dict:
    """What marks a stored file the result ``prepared`` for it, issued by ``agency`` now."""
    now = timezone.now()
    return {
        "is_result": True,
        "verification_code": prepared.code,
        "issuing_agency": agency,
        "issued_at": now,
        "signed_at": now if prepared.signed else None,
        "issued_on_paper": prepared.on_paper,
        "sha256": hashlib.sha256(prepared.content).hexdigest(),
    }


# ---- the applicant receives a result delivered online ---------------------------------------------


def _awaits_receipt(*, dossier: Dossier, attachment: Attachment, user) -> bool:
    return bool(
        attachment.is_result
        and attachment.signed_at is not None
        and dossier.applicant_id == user.pk
        and dossier.status == Status.DONE
        and dossier.result_delivery == ResultDelivery.ONLINE
    )


def result_awaits_receipt(*, attachment: Attachment, user) -> bool:
    """``attachment`` is a signed result delivered online that ``user``, the applicant, has not yet
    received. Such a file is served only after its receipt is recorded by the applicant's explicit
    request (a POST, ``result_taken``), never by a download, so a dossier counted returned (national
    code 10) is one whose applicant took the result, not one a link scanner opened."""
    return _awaits_receipt(dossier=attachment.dossier, attachment=attachment, user=user)


def results_awaiting_receipt(*, dossier: Dossier, user) -> set[int]:
    """The ids of ``dossier``'s results that ``user`` must receive before downloading them."""
    return {
        attachment.pk
        for attachment in dossier.attachments.all()
        if _awaits_receipt(dossier=dossier, attachment=attachment, user=user)
    }
