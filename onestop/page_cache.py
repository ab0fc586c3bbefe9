"""The public pages (front page, catalogue, procedure page, status lookup) as rendered for an anonymous
visitor, kept in Redis and served without a template.

What a page holds for one visitor only is left out of the copy: the CSRF token of its forms is rendered
as a random placeholder, new for every copy and stored with it, and on the way out the visitor's own
token replaces it inside the hidden fields ``name="csrfmiddlewaretoken" value="…"`` only (never in a
link or a search box that happens to hold the same text). A visitor who is logged in or has messages
waiting (in a cookie or in the session) always gets a page rendered for them.

A copy is kept per page, language, day and query parameters (only those the page reads, each once, in a
query string of at most ``MAX_QUERY_STRING`` characters, as decoded and sorted by name, so ``q=a``,
``q=%61`` and a reordering share one copy; anything else, ``page=01`` or a value with spaces around
for one, renders the page afresh), under:

``public-page:<release>:<language>:<yyyy-mm-dd>:<digest of the path and the parameters>``

holding ``(token, content type, body, placeholder)``. ``<release>`` changes with any deploy (code,
templates, translations, static files, the settings' values, the versions of the packages that render
the pages). The token is the one row of ``PublicPagesVersion``, in the database: every write to what
these pages show (procedures, their versions, fees, documents, steps, fields, agencies, office hours,
calendar exceptions) sets a new random one by an UPDATE in the writer's own transaction, through the
catalogue services and the models' save and delete signals, and so do ``migrate`` and ``restore``. A
copy is served only when its token is the current one, read with one primary-key query per visit: a
write is seen by every worker exactly when it commits, a rolled-back one changes nothing, and a token
that comes back (a restore, a rollback) is one no copy made after it carries. Until the first catalogue
write there is no token and the pages are rendered every time. A copy also expires after its page's
``max_age`` (an hour for the catalogue, a backstop only; five minutes for the front page, whose figures
say the time they were counted).

Copies for query parameters (searches, filters, page numbers) are capped: at most ``MAX_VARIANTS`` are
stored per ``VARIANT_WINDOW`` seconds, each kept no longer than the window, so junk query strings hold at
most twice that many entries; past the cap those pages are rendered, not stored.

The copies live only in the ``pages`` cache (``settings.CACHES["pages"]``, from ``PAGE_CACHE_URL``): a
Redis shared by every web worker, never the alias of the rate limits' counters (writers, ``manage.py``
commands and Celery tasks included, need only the database). Without it (the embedded mode,
``PAGE_CACHE_URL=off``) every page is rendered for its visitor. A Redis that does not answer is a miss
(``onestop.cache.FailOpenPagesCache``): the page is rendered.
"""

import hashlib
import logging
import os
import re
import secrets
import time
from functools import cache, wraps
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from redis.exceptions import RedisError

from .models import PublicPagesVersion

logger = logging.getLogger(__name__)

ALIAS = "pages"
MAX_VARIANTS = 2000
VARIANT_WINDOW = 3600  # seconds
CATALOGUE_MAX_AGE = 3600  # seconds; a backstop, the token does the invalidation
MAX_QUERY_STRING = 200  # characters; a longer query string renders the page without the cache
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")
# What {% csrf_token %} renders around the token (django.template.defaulttags.CsrfTokenNode).
CSRF_FIELD = 'name="csrfmiddlewaretoken" value="{}"'
# The packages whose templates or tags render the pages: a new version of one is a new release.
RENDERING_PACKAGES = ("django", "django-crispy-forms", "crispy-bootstrap5")

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
    """Whether copies are kept: only in a ``pages`` cache of their own, never with the rate limits."""
    return ALIAS in settings.CACHES and getattr(settings, "RATELIMIT_USE_CACHE", "default") != ALIAS


# --- the token ----------------------------------------------------------------------------------


def public_pages_changed() -> None:
    """Drop every cached public page: call after a write that changes what they show, inside its
    transaction. Sets a new random token by an UPDATE of the one row (made by the first write ever), so
    the copies made before are not served once the write commits, nor ever again."""
    token = secrets.token_hex(16)
    if PublicPagesVersion.objects.filter(pk=1).update(token=token):
        return
    try:
        with transaction.atomic():
            PublicPagesVersion.objects.create(pk=1, token=token)
    except IntegrityError:  # another writer made the row meanwhile
        PublicPagesVersion.objects.filter(pk=1).update(token=token)


def public_pages_renew(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """A new token, when there is a token at all (after ``migrate`` or ``restore``: the rows may have
    changed under the copies). Does nothing where the table is not there yet or has no row."""
    database = connections[using]
    with database.cursor() as cursor:
        if PublicPagesVersion._meta.db_table not in database.introspection.table_names(cursor):
            return
    PublicPagesVersion.objects.using(using).filter(pk=1).update(token=secrets.token_hex(16))


# In SQL: on a cached page the ORM's building of this query would cost more than the query itself.
TOKEN_QUERY = f'SELECT "token" FROM "{PublicPagesVersion._meta.db_table}" WHERE "id" = 1'  # noqa: S608 (no input)


def current_token() -> str | None:
    """The token the copies served now must carry; None before the first catalogue write."""
    with connection.cursor() as cursor:
        cursor.execute(TOKEN_QUERY)
        row = cursor.fetchone()
    return row[0] if row else None


def _shown_rows_changed(sender, **kwargs) -> None:
    public_pages_changed()


for _model in SHOWN_MODELS:
    post_save.connect(_shown_rows_changed, sender=_model, dispatch_uid=f"public-pages-save-{_model}")
    post_delete.connect(_shown_rows_changed, sender=_model, dispatch_uid=f"public-pages-delete-{_model}")
m2m_changed.connect(  # the agencies that offer a version
    _shown_rows_changed, sender="procedures.ProcedureVersion_agencies", dispatch_uid="public-pages-agencies"
)


def migrated(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """``post_migrate`` receiver (connected in ``OnestopConfig.ready``): a migration may change rows."""
    public_pages_renew(using=using)


# --- keys ---------------------------------------------------------------------------------------


def release() -> str:
    """Changes with any deploy: the project's files, the versions of the packages that render the
    pages, and the settings' values (hashed)."""
    return f"{_files_and_packages()}{_settings_digest()}"


@cache
def _files_and_packages() -> str:
    """A digest of the names, sizes and times of the project's apps' files (code, templates), its
    templates and translations folders, the static files' manifest and ``RENDERING_PACKAGES``' versions.
    Read once per process (a few milliseconds)."""
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
    for package in RENDERING_PACKAGES:
        digest.update(f"{package}=={metadata.version(package)};".encode())
    return digest.hexdigest()


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _stable(value) -> str:
    """``repr(value)``, the same in every process: sets sorted, no memory address."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{_stable(k)}:{_stable(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_stable(item) for item in value) + "]"
    if isinstance(value, set | frozenset):
        return "{" + ",".join(sorted(_stable(item) for item in value)) + "}"
    return _ADDRESS.sub("", repr(value))


@cache
def _settings_digest() -> str:
    """A digest of every setting's value (never stored in clear): a setting a page shows (the upload
    limit in every page's head, say) changes the release. Computed again when a setting changes."""
    digest = hashlib.blake2b(digest_size=8)
    with translation.override(None):  # a lazy text as written, whatever the language of the request
        for name in sorted(name for name in dir(settings) if name.isupper()):
            digest.update(f"{name}={_stable(getattr(settings, name))};".encode())
    return digest.hexdigest()


def _forget_settings(**kwargs) -> None:
    _settings_digest.cache_clear()


setting_changed.connect(_forget_settings, dispatch_uid="public-pages-settings")


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


def _accepted(name: str, value: str) -> bool:
    """Whether ``value`` is one the page reads as such. A value with spaces around is rendered afresh, not
    stripped: a filter's choice with a space is not that choice (the form drops it)."""
    if value != value.strip():
        return False
    return name != "page" or PAGE_NUMBER.fullmatch(value) is not None


def page_key(request, *, params: frozenset[str]) -> str | None:
    """The key of ``request``'s page in the cache, or None when the page must be rendered for it: not a
    GET, no ``pages`` cache, a visitor logged in or with messages, a query string too long, a parameter
    the page does not read, a repeated one or a value it would not take as it is (``page=01``)."""
    if request.method != "GET" or not enabled():
        return None
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        return None
    parameters = []
    for name, values in request.GET.lists():
        if name not in params or len(values) != 1 or not _accepted(name, values[0]):
            return None
        parameters.append((name, values[0]))
    if not _anonymous_without_messages(request):
        return None
    page = hashlib.blake2b(f"{request.path}?{urlencode(sorted(parameters))}".encode(), digest_size=16).hexdigest()
    return f"public-page:{release()}:{translation.get_language()}:{timezone.localdate().isoformat()}:{page}"


def _may_store_variant(pages) -> bool:
    """Whether one more copy for query parameters fits under the cap of this window."""
    counter = f"public-page:variants:{int(time.time() // VARIANT_WINDOW)}"
    pages.add(counter, 0, timeout=2 * VARIANT_WINDOW)
    try:
        count = pages.incr(counter)
    except ValueError:
        return False
    return count is not None and count <= MAX_VARIANTS


# --- serving ------------------------------------------------------------------------------------


def csrf_placeholder(request) -> dict:
    """Context processor: the CSRF token as this copy's placeholder while a page is rendered for the cache
    (the built-in processor's lazy token comes first, this one wins)."""
    placeholder = getattr(request, "public_page_placeholder", None)
    return {"csrf_token": placeholder} if placeholder else {}


def _with_visitor_token(request, response: HttpResponse, placeholder: str) -> HttpResponse:
    """``response`` with the visitor's own token in the hidden fields that hold ``placeholder``."""
    field = CSRF_FIELD.format(placeholder).encode()
    if not response.streaming and field in response.content:
        response.content = response.content.replace(field, CSRF_FIELD.format(get_token(request)).encode())
    return response


def _storable(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and response.get("Content-Type", "").startswith("text/html")
    )


def _store(pages, request, key: str, copy: tuple, max_age: int) -> None:
    variant = bool(request.GET)
    try:
        if not variant or _may_store_variant(pages):
            pages.set(key, copy, min(max_age, VARIANT_WINDOW) if variant else max_age)
    except RedisError as error:  # out of memory under noeviction, say: the page was served all the same
        logger.warning("public page not kept (%s: %s)", type(error).__name__, error)


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
            pages = caches[ALIAS]
            token = current_token()  # before rendering: a copy carries the token its rows were read under
            copy = pages.get(key)
            if token is not None and isinstance(copy, tuple) and len(copy) == 4 and copy[0] == token:
                _token, content_type, body, placeholder = copy
                return _with_visitor_token(request, HttpResponse(body, content_type=content_type), placeholder)
            placeholder = secrets.token_hex(16)
            request.public_page_placeholder = placeholder
            try:
                response = get(view, request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
            finally:
                request.public_page_placeholder = None
            if token is not None and _storable(response):
                _store(pages, request, key, (token, response["Content-Type"], response.content, placeholder), max_age)
            return _with_visitor_token(request, response, placeholder)

        return wrapper

    return decorator
