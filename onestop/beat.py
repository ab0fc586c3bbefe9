"""Celery beat, run safely: one beat at a time, and nothing missed after it was down.

- **One beat.** A second beat would send every periodic job twice as often (harmless, the jobs are
  idempotent, but a sign of a wrong install). On PostgreSQL the beat holds a session advisory lock for
  its lifetime; a second one finds it taken and stops with a clear message.
- **Catching up.** When beat starts, each daily job whose time today has passed, and each weekly job
  whose time this week has passed, is sent once. Every job is idempotent (reminders keyed by day,
  the digest by ISO week, escalations by deadline, report mailings by period), so a job that already
  ran does nothing again, and one that a beat outage or a lost schedule file missed is caught up.
"""

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.utils import timezone

from celery.schedules import crontab

logger = logging.getLogger(__name__)

LOCK_KEY = 7_243_510_021  # this portal's beat, in PostgreSQL's advisory lock space
_holder = None  # the connection holding the lock, kept for the beat's lifetime


class BeatAlreadyRunning(SystemExit):
    pass


def hold_the_beat_lock() -> bool:
    """Take the one-beat lock (PostgreSQL); raises ``BeatAlreadyRunning`` when another beat holds it.
    Elsewhere (SQLite, the embedded default) there is nothing to share: True."""
    global _holder
    if connection.vendor != "postgresql":
        return True
    holder = connections.create_connection(DEFAULT_DB_ALIAS)  # its own session, closed by nobody else
    with holder.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        taken = cursor.fetchone()[0]
    if not taken:
        holder.close()
        raise BeatAlreadyRunning("another celery beat is running for this portal: run exactly one")
    _holder = holder
    return True


def release_the_beat_lock() -> None:
    """Give the lock back now: unlocked in its session before the session is closed (a closed
    connection's server process may still hold it for a moment, refusing a beat started right after)."""
    global _holder
    if _holder is not None:
        try:
            with _holder.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        except DatabaseError:
            pass  # the session is gone, and its lock with it
        finally:
            _holder.close()
            _holder = None


def _last_occurrence(schedule: crontab, now: datetime) -> datetime | None:
    """The latest time ``schedule`` (one hour and minute, some days of the week) fell on at or before
    ``now`` within the same day (a daily job) or the same ISO week (a weekly one); None if none yet."""
    if len(schedule.hour) != 1 or len(schedule.minute) != 1:
        return None  # not a once-a-day job: nothing to catch up (the sweep runs every minute anyway)
    at = time(next(iter(schedule.hour)), next(iter(schedule.minute)))
    daily = len(schedule.day_of_week) == 7
    first = now.date() if daily else now.date() - timedelta(days=now.weekday())  # today, or this Monday
    day = now.date()
    while day >= first:
        if (day.weekday() + 1) % 7 in schedule.day_of_week:  # crontab counts from Sunday = 0
            moment = datetime.combine(day, at, tzinfo=now.tzinfo)
            if moment <= now:
                return moment
        day -= timedelta(days=1)
    return None


def catch_up(*, now: datetime | None = None, send=None) -> list[str]:
    """Send once each periodic job whose latest time (today, or this week for a weekly job) has passed;
    returns their names."""
    from onestop.celery import app

    now = timezone.localtime(now or timezone.now())
    send = send or app.send_task
    sent = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        schedule = entry["schedule"]
        if isinstance(schedule, crontab) and _last_occurrence(schedule, now) is not None:
            send(entry["task"])
            sent.append(name)
    if sent:
        logger.info("beat started: caught up %s (each does nothing twice)", ", ".join(sent))
    return sent
