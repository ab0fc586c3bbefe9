"""The pages a person sees when something goes wrong, and the same errors as JSON for the API.

The CSRF failure page is in their language, with a way back, instead of Django's English default. Under
``/api/`` a wrong address, a refused request or a server error answers ``{"detail": "..."}`` as JSON, as
the API's own errors do, never an HTML page a program cannot read."""

import logging

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults

from rest_framework.exceptions import NotFound

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def csrf_failure(request, reason=""):
    logger.info("CSRF check failed for %s: %s", request.path, reason)
    referer = request.headers.get("Referer", "")
    back = referer if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}) else ""
    return render(request, "403_csrf.html", {"back": back}, status=403)


def _for_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request, exception):
    if _for_api(request):
        return JsonResponse({"detail": _("The portal could not understand this request")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _for_api(request):
        return JsonResponse({"detail": _("You may not open this page")}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _for_api(request):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _for_api(request):
        return JsonResponse({"detail": _("The portal has a problem and could not answer")}, status=500)
    return defaults.server_error(request)


def payment_notification_refused(request):
    """The payment gateway's notification carried a character no text can store: answered in the
    gateway's own format ("99", another error), as every other notification is, never a page."""
    from dossiers.payments import vnpay

    return JsonResponse(vnpay.answer("99"))
