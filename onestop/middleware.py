from django.conf import settings
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
