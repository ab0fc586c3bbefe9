"""What-if settings for ``bench/submissions_http.py --settings http_settings_sessions``: the HTTP
benchmarks' settings (production, ``http_settings``) with the session kept in the cache beside the
database (``cached_db``) and renewed at most once a minute instead of being written at every request
(``SESSION_SAVE_EVERY_REQUEST``). A proposal measured, not the portal's settings: see
docs/dossiers.md, "Submission throughput"."""

import time

from http_settings import *  # noqa: F403
from http_settings import MIDDLEWARE

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
MIDDLEWARE = [
    *MIDDLEWARE[: MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1],
    "http_settings_sessions.SessionRenewalMiddleware",
    *MIDDLEWARE[MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1 :],
]


class SessionRenewalMiddleware:
    """An open session's idle timeout starts again when it was last renewed more than
    ``SESSION_RENEW_SECONDS`` ago: the session is written (and its cookie sent) then, not at every request.
    The idle timeout is thereby at most that much shorter than ``SESSION_COOKIE_AGE``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = request.session
        if session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get("_renewed", 0) >= SESSION_RENEW_SECONDS:
                session["_renewed"] = now
        return response
