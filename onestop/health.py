"""``/healthz``: is the database reachable, is the broker reachable, has the outbox sweep run in the last
five minutes and does a worker answer, in about a second at most; and what an operator should see to
(``warnings``), which does not make the portal unhealthy. Status "ok", "degraded" (the pages work,
messages and scheduled jobs wait: broker down, beat stopped, no worker) or "unavailable" (503)."""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

import redis
from kombu import Connection

OK = "ok"
DOWN = "unreachable"


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means the same thing to an operator: not reachable
        return DOWN
    return OK


def broker_status() -> str:
    """``ok``, ``unreachable``, or ``in-process`` when tasks run eagerly (embedded default)."""
    url = settings.CELERY_BROKER_URL
    if settings.CELERY_TASK_ALWAYS_EAGER or url.startswith("memory://"):
        return "in-process"
    timeout = settings.HEALTH_CHECK_TIMEOUT
    try:
        if urlsplit(url).scheme in ("redis", "rediss"):
            client = redis.Redis.from_url(
                url, socket_connect_timeout=timeout, socket_timeout=timeout, retry_on_timeout=False
            )
            try:
                client.ping()
            finally:
                client.close()
        else:
            with Connection(url, connect_timeout=timeout) as conn:
                conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception:  # refused, timed out, bad credentials: all mean the broker cannot take tasks
        return DOWN
    return OK


SWEEP = "notifications-sweep"
SWEEP_STALE_AFTER = 300  # seconds: the sweep runs every minute


def sweep_age() -> float | None:
    """Seconds since the outbox sweep last completed (beat sent it, a worker ran it), or None: never."""
    from dossiers.outbox import last_heartbeat

    try:
        last = last_heartbeat(SWEEP)
    except Exception:  # not migrated yet, the database gone meanwhile: nothing to vouch for
        return None
    return None if last is None else max(0.0, (timezone.now() - last).total_seconds())


def workers_answering() -> int:
    """How many Celery workers answer a ping within the health check's timeout."""
    from onestop.celery import app

    try:
        return len(app.control.ping(timeout=settings.HEALTH_CHECK_TIMEOUT) or [])
    except Exception:  # the broker went away meanwhile
        return 0


def signing_warnings() -> list[str]:
    """One line per agency that offers level-4 procedures but cannot sign their results (one query
    and a look at its files); nothing when the database cannot be read."""
    from dossiers.signing import agencies_without_signing

    # Not migrated, gone since database_status(), an unreadable SIGNING_DIR: the health answer must
    # come all the same, and without a warning it cannot vouch for.
    try:
        missing = agencies_without_signing()
    except Exception:
        return []
    return [
        _("%(agency)s (%(code)s) offers level-4 procedures but has no signing credentials")
        % {"agency": agency.name, "code": agency.code}
        for agency in missing
    ]


@never_cache
def healthz(request):
    started = time.monotonic()
    database = database_status()
    broker = broker_status()
    healthy = database == OK
    degraded = broker == DOWN
    body = {"database": database, "broker": broker}
    if healthy and broker == OK:
        # Messages go out only while beat sends the sweep each minute and a worker runs the tasks.
        age, workers = sweep_age(), workers_answering()
        body["sweep_age_s"] = None if age is None else round(age)
        body["workers"] = workers
        degraded = degraded or age is None or age > SWEEP_STALE_AFTER or workers == 0
    body = {"status": ("degraded" if degraded else "ok") if healthy else "unavailable", **body}
    warnings = signing_warnings() if healthy else []
    if warnings:  # only when there is something to see to, so a clean answer stays as it was
        body["warnings"] = warnings
    body["elapsed_ms"] = round((time.monotonic() - started) * 1000, 1)
    return JsonResponse(body, status=200 if healthy else 503)
