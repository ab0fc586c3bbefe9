"""The public verification page of issued results (``/xac-thuc/<code>/``): who issued the document,
when, for which dossier (nothing personal beyond what is printed on it); and a check of a file brought
to it against the record and the agency's signature."""

import logging

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View

from ..codes import verification_code_is_valid, verification_code_normalize
from ..limits import public_limits
from ..models import Attachment
from ..signing import check_pdf

logger = logging.getLogger(__name__)


def _issued(code: str):
    """The result issued with ``code`` (normalised), or None: a code that cannot be one is not looked up."""
    if not verification_code_is_valid(code):
        return None
    return (
        Attachment.objects.filter(verification_code=code, is_result=True)
        .select_related("dossier__procedure_version", "issuing_agency")
        .first()
    )


def _typed(request) -> str:
    return verification_code_normalize(request.GET.get("code"))


def _asked(request) -> str:
    return verification_code_normalize(request.resolver_match.kwargs.get("code"))


def _unknown(request, code: str):
    logger.info("verification asked for an unknown code %r", code[:20])
    return render(request, "dossiers/verify.html", {"document": None, "code": code[:40]}, status=404)


@method_decorator(public_limits(page="VERIFY", group="VERIFY_START", code=_typed), name="dispatch")
class VerifyStartView(View):
    """The code typed from the paper: read as printed, then the verification page of that code; a
    code no result can have (a slash, a letter outside its alphabet) is not found here and now."""

    def get(self, request):
        code = _typed(request)
        if not code:
            return render(request, "dossiers/verify.html", {"start": True})
        if not verification_code_is_valid(code):
            return _unknown(request, code)
        return redirect("dossiers:verify", code=code)


@method_decorator(public_limits(page="VERIFY", code=_asked), name="dispatch")
class VerifyView(View):
    """Who issued the result with the code, when, for which dossier; and a check of a file brought to
    it. Limited per address, per code (however it is spelled) and for all addresses together, GET
    and POST on the same counters (``dossiers.limits``)."""

    def get(self, request, code):
        code = verification_code_normalize(code)
        document = _issued(code)
        if document is None:
            return _unknown(request, code)
        return render(request, "dossiers/verify.html", {"document": document, "code": code})

    def post(self, request, code):
        code = verification_code_normalize(code)
        document = _issued(code)
        if document is None:
            return _unknown(request, code)
        upload = request.FILES.get("file")
        error, check = "", None
        limit = settings.DOSSIER_MAX_FILE_BYTES
        if upload is None:
            error = _("Choose the PDF file to check.")
        elif upload.size > limit:
            error = _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        else:
            check = check_pdf(upload.read(), expected_sha256=document.sha256)
        logger.info(
            "verification of %s: %s",
            document.verification_code,
            error or ("genuine" if check.genuine else f"not genuine {check}"),
        )
        context = {"document": document, "code": code, "check": check, "error": error}
        return render(request, "dossiers/verify.html", context, status=400 if error else 200)
