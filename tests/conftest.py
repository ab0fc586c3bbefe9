import os
import shutil

from django.conf import settings

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The browser fixtures (one Chromium per run), for the browser tests of every app.
pytest_plugins = ["tests.browser"]


def pytest_collection_modifyitems(config, items):
    """Skip only what needs a missing service. In CI (CI=true) nothing is skipped: a missing service
    there is a failure of the set-up, and the tests that need it fail loudly."""
    if os.environ.get("CI", "").lower() == "true":
        return
    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    missing = {
        "postgres": None if on_postgres else "needs PostgreSQL: set DATABASE_URL",
        "redis": None if os.environ.get("REDIS_URL") else "needs Redis: set REDIS_URL",
        "e2e": None if shutil.which(CHROMIUM) else f"needs Chromium at {CHROMIUM} (apt-get install chromium)",
    }
    for item in items:
        for marker, reason in missing.items():
            if reason and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


def _flush_past_the_history_guard():
    """Between transactional tests Django empties every table with one TRUNCATE, which the dossier
    history's trigger refuses on PostgreSQL (as it must in production). The tests connect as a superuser,
    which alone may turn ordinary triggers off for that one transaction."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    flush = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET LOCAL session_replication_role = replica", *statements] if statements else statements

    DatabaseOperations.sql_flush = sql_flush


_flush_past_the_history_guard()


# What a spreadsheet program may read as the start of a formula: every text beginning with one of these
# must be written as text in the portal's CSV and XLSX files (the three exports' tests share them).
FORMULA_LEADS = {
    "equals": "=",
    "plus": "+",
    "minus": "-",
    "at": "@",
    "tab": "\t",
    "carriage return": "\r",
    "line feed": "\n",
    "full-width equals": "\uff1d",
    "full-width plus": "\uff0b",
    "full-width minus": "\uff0d",
    "full-width at": "\uff20",
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with no rate-limit or login counters left by the tests before it in its process
    (the cache is the process's own memory unless CACHE_URL names a server)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SIGNING_DIR = tmp_path / "signing"


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in the test's own process, so their effects (a mail) are visible to the test, even
    when CI points the broker at a real Redis. Tests that need a real worker mark themselves so."""
    from onestop.celery import app

    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def query_count(client, url, params=None) -> int:
    """How many SQL queries one GET of ``url`` costs (it must answer 200)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def artifacts_dir():
    """Where tests leave what a person should look at (screenshots, rendered pages): ``ARTIFACTS_DIR``,
    else ``var/test-artifacts``."""
    from pathlib import Path

    folder = Path(os.environ.get("ARTIFACTS_DIR") or Path(settings.BASE_DIR) / "var" / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def silent_server():
    """The port of a TCP server that accepts connections and never answers: a hung broker or cache."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()
