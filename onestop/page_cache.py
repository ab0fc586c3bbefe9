"""The public pages (front page, catalogue, procedure page, status lookup) as rendered for an anonymous
visitor, kept in the cache and served without a template or a query.

What a page holds for one visitor only is left out of the copy: the CSRF token of its forms is rendered
as ``CSRF_PLACEHOLDER`` and replaced by the visitor's own token on the way out, and a visitor who is
logged in or has messages waiting (in a cookie or in the session) always gets a page rendered for them.

A copy is kept per page, language, day and exact query string (only the parameters the page reads;
any other parameter renders the page afresh), under:

``public-page:<release>:<language>:<yyyy-mm-dd>:<digest of the path and query string>``

holding ``(generation, content type, body)``. ``<release>`` changes with any deploy (templates,
translations, code, static files). The generation is one counter in the cache: every write to what
these pages show (procedures, their versions, fees, documents, steps, fields, agencies, office hours,
calendar exceptions) bumps it, through the catalogue services and the models' save and delete signals,
so a copy made before the write is never served after it. A copy also expires after its page's
``max_age`` (an hour for the catalogue, a backstop only; five minutes for the front page, whose
figures say the time they were counted).

Copies for query strings (searches, filters, page numbers) are capped: at most ``MAX_VARIANTS`` are
stored per ``VARIANT_WINDOW`` seconds, each kept no longer than the window, so junk query strings hold at
most twice that many entries; past the cap those pages are rendered, not stored.

The copies live in the default cache: Redis in production, shared by every worker, so a change seen by
one worker is seen by all. With the in-process default (``locmemcache``) each process has its own.
"""

import hashlib
import os
import time
from functools import cache, wraps
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache as default_cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

GENERATION_KEY = "public-page:generation"
# Letters only, so no escaping changes it; replaced by the visitor's own token in every answer.
CSRF_PLACEHOLDER = "PublicPageCsrfTokenPlaceholder"
MAX_VARIANTS = 2000
VARIANT_WINDOW = 3600  # seconds
CATALOGUE_MAX_AGE = 3600  # seconds; a backstop, the generation does the invalidation

# The models whose rows the public pages show: a save or a delete of any of them changes the pages.
SHOWN_MODELS = (
    "procedures.Field",
    "procedures.Procedure",
    "procedures.ProcedureVersion",
    "procedures.Fee",
    "procedures.RequiredDocument",
    "procedures.RouteStep",
    "procedures.OfficeHours",
    "procedures.CalendarDay",
    "accounts.Agency",
)


def enabled() -> bool:
    return getattr(settings, "PUBLIC_PAGE_CACHE", True)


# --- invalidation -------------------------------------------------------------------------------


def _bump() -> None:
    try:
        default_cache.incr(GENERATION_KEY)
    except ValueError:  # no counter yet (or evicted): start one no copy can carry
        default_cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def public_pages_changed() -> None:
    """Drop every cached public page: call after a write that changes what they show.

    The counter moves at once (a page rendered later in the same transaction, as a test does, shows
    the change) and, inside a transaction, once more on commit (a page another worker rendered
    meanwhile from the rows before the commit is dropped): one commit callback per transaction,
    however many rows it writes."""
    _bump()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(
        callback is _bump for _savepoints, callback, _robust in connection.run_on_commit
    ):
        transaction.on_commit(_bump)


def _shown_rows_changed(sender, **kwargs) -> None:
    public_pages_changed()


for _model in SHOWN_MODELS:
    post_save.connect(_shown_rows_changed, sender=_model, dispatch_uid=f"public-pages-save-{_model}")
    post_delete.connect(_shown_rows_changed, sender=_model, dispatch_uid=f"public-pages-delete-{_model}")
m2m_changed.connect(  # the agencies that offer a version
    _shown_rows_changed, sender="procedures.ProcedureVersion_agencies", dispatch_uid="public-pages-agencies"
)


def _generation():
    """The current generation; a new one when the cache has none. None when the cache is unreachable."""
    value = default_cache.get(GENERATION_KEY)
    if value is None:
        default_cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = default_cache.get(GENERATION_KEY)
    return value


# --- keys ---------------------------------------------------------------------------------------


@cache
def release() -> str:
    """Changes with any deploy: a digest of the names, sizes and times of the project's apps' files
    (code, templates), its templates and translations folders and the static files' manifest. Read
    once per process (a few milliseconds); a new version of an installed package is not seen."""
    base = Path(settings.BASE_DIR).resolve()
    folders = [Path(config.path) for config in apps.get_app_configs() if _own(Path(config.path), base)]
    folders += [Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])]
    folders += [Path(folder) for folder in settings.LOCALE_PATHS]
    digest = hashlib.blake2b(digest_size=8)
    for top in folders:
        for folder, dirs, files in os.walk(top):
            dirs.sort()
            for name in sorted(files):
                if name.endswith((".py", ".html", ".txt", ".mo")):
                    stat = os.stat(os.path.join(folder, name))
                    digest.update(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    manifest = Path(settings.STATIC_ROOT or "") / "staticfiles.json"
    if settings.STATIC_ROOT and manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()


def _own(path: Path, base: Path) -> bool:
    """Whether ``path`` is the project's own code (under ``base``, not in a virtualenv)."""
    path = path.resolve()
    return path.is_relative_to(base) and not any(
        part.startswith(".") or part == "site-packages" for part in path.relative_to(base).parts
    )


def _anonymous_without_messages(request) -> bool:
    if CookieStorage.cookie_name in request.COOKIES:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        user = getattr(request, "user", None)
        if user is None or user.is_authenticated:
            return False
        if SessionStorage.session_key in request.session:
            return False
    return True


def page_key(request, *, params: frozenset[str]) -> str | None:
    """The key of ``request``'s page in the cache, or None when the page must be rendered for it: not
    a GET, a visitor logged in or with messages, a parameter the page does not read, or a repeated one."""
    if request.method != "GET" or not enabled():
        return None
    query = request.META.get("QUERY_STRING", "")
    if query and (set(request.GET) - params or any(len(values) > 1 for _name, values in request.GET.lists())):
        return None
    if not _anonymous_without_messages(request):
        return None
    page = hashlib.blake2b(f"{request.path}?{query}".encode(), digest_size=16).hexdigest()
    return f"public-page:{release()}:{translation.get_language()}:{timezone.localdate().isoformat()}:{page}"


def _may_store_variant() -> bool:
    """Whether one more copy for a query string fits under the cap of this window."""
    counter = f"public-page:variants:{int(time.time() // VARIANT_WINDOW)}"
    default_cache.add(counter, 0, timeout=2 * VARIANT_WINDOW)
    try:
        count = default_cache.incr(counter)
    except ValueError:
        return False
    return count is not None and count <= MAX_VARIANTS


# --- serving ------------------------------------------------------------------------------------


def csrf_placeholder(request) -> dict:
    """Context processor: the CSRF token as a placeholder while a page is rendered for the cache (the
    built-in processor's lazy token comes first, this one wins)."""
    if getattr(request, "public_page_rendering", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


def _with_visitor_token(request, response: HttpResponse) -> HttpResponse:
    placeholder = CSRF_PLACEHOLDER.encode()
    if not response.streaming and placeholder in response.content:
        response.content = response.content.replace(placeholder, get_token(request).encode())
    return response


def _storable(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and response.get("Content-Type", "").startswith("text/html")
    )


def public_page(*, params=(), max_age: int = CATALOGUE_MAX_AGE):
    """Decorate a view's ``get(self, request, ...)``: anonymous visitors get the cached copy of the page
    when there is a current one, else the page is rendered, kept and served. ``params``: the query
    parameters the page reads (any other one renders the page without the cache)."""
    params = frozenset(params)

    def decorator(get):
        @wraps(get)
        def wrapper(view, request, *args, **kwargs):
            key = page_key(request, params=params)
            if key is None:
                return get(view, request, *args, **kwargs)
            found = default_cache.get_many([GENERATION_KEY, key])
            generation = found.get(GENERATION_KEY)
            if generation is None:
                generation = _generation()
            copy = found.get(key)
            if copy is not None and generation is not None and copy[0] == generation:
                return _with_visitor_token(request, HttpResponse(copy[2], content_type=copy[1]))
            request.public_page_rendering = True
            try:
                response = get(view, request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
            finally:
                request.public_page_rendering = False
            if generation is not None and _storable(response):
                variant = bool(request.META.get("QUERY_STRING"))
                if not variant or _may_store_variant():
                    timeout = min(max_age, VARIANT_WINDOW) if variant else max_age
                    default_cache.set(key, (generation, response["Content-Type"], response.content), timeout)
            return _with_visitor_token(request, response)

        return wrapper

    return decorator
