import os
import socket
import time

from django.urls import reverse

import pytest

pytestmark = pytest.mark.django_db


def test_health_reports_the_database_and_an_in_process_broker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_BROKER_URL = "memory://"
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] == "in-process"


@pytest.fixture
def broker_on(settings):
    def configure(url):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_BROKER_URL = url

    return configure


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_refused_broker_is_reported_at_once(client, broker_on):
    broker_on(f"redis://127.0.0.1:{_free_port()}/0")
    started = time.monotonic()
    response = client.get(reverse("healthz"))
    assert time.monotonic() - started < 1
    assert response.status_code == 200
    assert response.json() | {"elapsed_ms": 0} == {
        "status": "degraded",
        "database": "ok",
        "broker": "unreachable",
        "elapsed_ms": 0,
    }


def test_a_hung_broker_does_not_hold_the_answer_past_a_second(client, broker_on, silent_server):
    broker_on(f"redis://127.0.0.1:{silent_server}/0")
    started = time.monotonic()
    response = client.get(reverse("healthz"))
    assert time.monotonic() - started < 1
    assert response.json()["broker"] == "unreachable"


@pytest.mark.redis
def test_with_the_broker_up_a_stopped_beat_or_no_worker_is_degraded(client, broker_on, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from dossiers.models import Heartbeat
    from onestop import health

    broker_on(os.environ["REDIS_URL"])
    started = time.monotonic()
    body = client.get(reverse("healthz")).json()
    assert time.monotonic() - started < 2  # the worker ping waits its timeout at most
    assert body | {"elapsed_ms": 0} == {
        "status": "degraded",  # no sweep ever ran, no worker answers: messages would wait
        "database": "ok",
        "broker": "ok",
        "sweep_age_s": None,
        "workers": 0,
        "elapsed_ms": 0,
    }
    monkeypatch.setattr(health, "workers_answering", lambda: 2)
    Heartbeat.objects.create(name="notifications-sweep", at=timezone.now() - timedelta(seconds=40))
    body = client.get(reverse("healthz")).json()
    assert (body["status"], body["sweep_age_s"], body["workers"]) == ("ok", 40, 2)
    Heartbeat.objects.update(at=timezone.now() - timedelta(minutes=6))  # beat stopped five minutes ago
    assert client.get(reverse("healthz")).json()["status"] == "degraded"
    monkeypatch.setattr(health, "workers_answering", lambda: 0)
    Heartbeat.objects.update(at=timezone.now())
    assert client.get(reverse("healthz")).json()["status"] == "degraded"


def test_the_sweep_run_by_beat_leaves_its_heartbeat():
    from dossiers.outbox import last_heartbeat
    from dossiers.tasks import notifications_sweep_task

    assert last_heartbeat("notifications-sweep") is None
    notifications_sweep_task()
    assert last_heartbeat("notifications-sweep") is not None


def test_an_unreachable_database_makes_the_health_check_fail(client, monkeypatch):
    from onestop import health

    monkeypatch.setattr(health, "database_status", lambda: health.DOWN)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
