"""The Celery application. Settings come from Django's settings under the ``CELERY_`` prefix.

Periodic tasks are declared in ``CELERY_BEAT_SCHEDULE`` in settings, each with its schedule and a
one-line reason.
"""

import os

from celery import Celery
from celery.signals import beat_init, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")

app = Celery("onestop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def _one_beat_that_catches_up(sender=None, **kwargs):
    from onestop.beat import catch_up, hold_the_beat_lock

    hold_the_beat_lock()
    catch_up()


@task_prerun.connect
@task_postrun.connect
def _database_connections_checked(task=None, **kwargs):
    """Around each task in a worker, what Django does around each request: a connection that is too old
    (``CONN_MAX_AGE``), left in a transaction or broken by an error is closed, and the next query checks
    the one kept (``CONN_HEALTH_CHECKS``) before using it. Workers keep their connection between tasks
    (``CELERY_DB_REUSE_MAX``), so this is what replaces one the database dropped."""
    if task is not None and getattr(task.request, "is_eager", False):
        return  # run in-process (the embedded default): the request around it does this
    from django.db import close_old_connections

    close_old_connections()
