"""The public verification page of issued results (``/xac-thuc/<code>/``): who issued the document,
when, for which dossier (nothing personal beyond what is printed on it); and a check of a file brought
to it against the record and the agency's signature."""

import logging

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View

from django_ratelimit.decorators import ratelimit

from ..models import Attachment
from ..signing import check_pdf

logger = logging.getLogger(__name__)


def _issued(code: str):
    return (
        Attachment.objects.filter(verification_code=code.strip().upper(), is_result=True)
        .select_related("dossier__procedure_version", "issuing_agency")
        .first()
    )


class VerifyStartView(View):
    def get(self, request):
        code = request.GET.get("code", "").strip().upper()
        if code:
            return redirect("dossiers:verify", code=code)
        return render(request, "dossiers/verify.html", {"start": True})


@method_decorator(ratelimit(key="ip", rate="30/h", method="POST", block=True), name="post")
class VerifyView(View):
    def get(self, request, code):
        document = _issued(code)
        if document is None:
            logger.info("verification asked for an unknown code %r", code[:20])
        status = 200 if document else 404
        return render(request, "dossiers/verify.html", {"document": document, "code": code}, status=status)

    def post(self, request, code):
        document = _issued(code)
        if document is None:
            return render(request, "dossiers/verify.html", {"document": None, "code": code}, status=404)
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
