"""The page a person sees when a form fails the CSRF check (an expired page, cookies refused): in their
language, with a way back, instead of Django's English default."""

import logging

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

logger = logging.getLogger(__name__)


def csrf_failure(request, reason=""):
    logger.info("CSRF check failed for %s: %s", request.path, reason)
    referer = request.headers.get("Referer", "")
    back = referer if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}) else ""
    return render(request, "403_csrf.html", {"back": back}, status=403)
