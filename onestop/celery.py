"""The Celery application. Settings come from Django's settings under the ``CELERY_`` prefix.

Periodic tasks are declared in ``CELERY_BEAT_SCHEDULE`` in settings, each with its schedule and a
one-line reason.
"""

import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")

app = Celery("onestop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def _one_beat_that_catches_up(sender=None, **kwargs):
    from onestop.beat import catch_up, hold_the_beat_lock

    hold_the_beat_lock()
    catch_up()
