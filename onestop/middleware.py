import base64
import binascii
import json
import logging
import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class LanguageMiddleware:
    """Vietnamese unless the person chose otherwise with the language switcher (its cookie).

    The browser's Accept-Language is ignored on purpose: many phones in Vietnam are set to English,
    and a public service speaks the national language until asked not to.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than a dossier may hold (plus room for the form) before Django
    reads it, so a huge upload is not first written to disk. The proxy in front should set the same
    limit (nginx: client_max_body_size)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DOSSIER_MAX_TOTAL_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return HttpResponse(
                translation.gettext("The files are too large: a dossier may hold at most %(limit)s.")
                % {"limit": filesizeformat(settings.DOSSIER_MAX_TOTAL_BYTES)},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


# The characters no text column can hold: NUL (PostgreSQL refuses it in any text, where SQLite keeps it)
# and UTF-16 surrogates standing alone (no UTF-8 text can hold them; a JSON body can carry "\ud800").
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_JSON_SUSPECT = re.compile(rb"\x00|\\u0000|\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def unstorable(text: str) -> bool:
    """Whether ``text`` holds a character that no text column of the portal can store."""
    return bool(_UNSTORABLE.search(text))


def _unstorable_in(value) -> bool:
    """Whether a decoded JSON value holds an unstorable character in any string or key, at any depth."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if unstorable(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _basic_credentials_hold_nul(authorization: str) -> bool:
    """Whether HTTP Basic credentials carry a NUL once decoded (the API reads them where Basic is on)."""
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        return b"\x00" in base64.b64decode(encoded.strip())
    except (binascii.Error, ValueError):
        return False  # not Basic credentials at all: the authentication refuses them


class InputGuardMiddleware:
    """Refuse, once for every page and API call, a request that carries text the database cannot store
    (see ``unstorable``) in its path, query string, cookies, headers (HTTP Basic credentials decoded),
    form fields, uploaded file names or JSON body: a 400 with the portal's own page, a JSON error under
    ``/api/``, or the answer that ``INPUT_GUARD_ANSWERS`` names for a path (the payment gateway's
    notification expects its own format). Without it such a character reaches a query and PostgreSQL
    answers with an error: a 500.

    It sits before the session middleware, whose cookie is a database key, and after the size limit,
    so a body is read only when it may be."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = self._unstorable_part(request)
        if where:
            logger.info("Refused a request to %r: a character no text can store in its %s.", request.path, where)
            return self._refusal(request)
        return self.get_response(request)

    def _unstorable_part(self, request) -> str:
        """The name of the first part of ``request`` that holds an unstorable character, or ''."""
        if unstorable(request.path_info) or unstorable(request.path):
            return "path"
        if any(unstorable(key) or any(map(unstorable, values)) for key, values in request.GET.lists()):
            return "query string"
        if any(unstorable(key) or unstorable(value) for key, value in request.COOKIES.items()):
            return "cookies"
        if any(key.startswith("HTTP_") and unstorable(str(value)) for key, value in request.META.items()):
            return "headers"
        if _basic_credentials_hold_nul(request.META.get("HTTP_AUTHORIZATION", "")):
            return "credentials"
        return self._unstorable_body_part(request)

    def _unstorable_body_part(self, request) -> str:
        content_type = request.content_type or ""
        if content_type in ("multipart/form-data", "application/x-www-form-urlencoded") and request.method == "POST":
            form = request.POST
            if any(unstorable(key) or any(map(unstorable, values)) for key, values in form.lists()):
                return "form"
            files = request.FILES.lists()
            if any(unstorable(key) or any(unstorable(f.name or "") for f in uploads) for key, uploads in files):
                return "file names"
        elif content_type == "application/json" or content_type.endswith("+json"):
            body = request.body
            if _JSON_SUSPECT.search(body):
                try:
                    data = json.loads(body)
                except (ValueError, RecursionError):
                    return ""  # not JSON at all: the view's parser answers for it
                if _unstorable_in(data):
                    return "JSON body"
        return ""

    def _refusal(self, request):
        for prefix, answer in getattr(settings, "INPUT_GUARD_ANSWERS", {}).items():
            if request.path.startswith(prefix):
                return import_string(answer)(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": translation.gettext("The request holds a character the portal does not accept.")},
                status=400,
            )
        return render(request, "400.html", status=400)
