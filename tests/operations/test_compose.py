"""The compose file's promises, read from the file itself (no Docker engine runs where the tests do):
nginx is the only way in, web scales, every worker is watched, one queue per worker, the portal connects
as its row-only role and the owner migrates, keys and beat's schedule live on volumes."""

import re
from pathlib import Path

import pytest
import yaml

COMPOSE = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def environment(name):
    return SERVICES[name].get("environment") or {}


def test_nginx_publishes_the_only_ports_and_web_can_be_scaled():
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"nginx"}
    assert "container_name" not in SERVICES["web"]  # --scale web=3 needs no fixed name or host port
    command = SERVICES["nginx"]["command"][-1]
    assert "deploy/nginx/onestop.conf" in " ".join(SERVICES["nginx"]["volumes"]) and "@@UPSTREAM@@|web:8000" in command
    for placeholder in ("UPSTREAM", "HTTP_PORT", "HTTPS_PORT", "HTTPS_SUFFIX", "SERVER_NAME", "CERT", "KEY"):
        assert f"@@{placeholder}@@" in command
    site = (Path(__file__).resolve().parents[2] / "deploy/nginx/onestop.conf").read_text()
    for placeholder in set(re.findall(r"@@([A-Z_]+)@@", site)):
        assert f"@@{placeholder}@@" in command, f"{placeholder} is left unfilled in the compose nginx"


@pytest.mark.parametrize("name", ["web", "worker", "worker-mail", "worker-sms", "beat"])
def test_the_portal_connects_as_its_row_only_role_behind_the_proxy(name):
    env = environment(name)
    assert env["DATABASE_URL"].startswith("postgres://onestop_app:")
    assert env["TRUSTED_PROXY_COUNT"] == "1" and env["MEDIA_ACCEL_PREFIX"] == "/_protected/"


@pytest.mark.parametrize("name", ["web", "worker", "worker-mail", "worker-sms", "beat", "nginx"])
def test_the_owners_password_never_reaches_a_running_service(name):
    assert "OWNER_PASSWORD" not in yaml.safe_dump(SERVICES[name])


def test_the_owner_migrates_after_the_roles_are_made():
    assert environment("migrate")["DATABASE_URL"].startswith("postgres://onestop_owner:")
    assert "db_roles" in SERVICES["roles"]["command"]
    assert SERVICES["migrate"]["depends_on"]["roles"]["condition"] == "service_completed_successfully"


def test_one_watched_worker_per_queue_and_one_beat_with_its_schedule_on_a_volume():
    queues = {}
    for name in ("worker", "worker-mail", "worker-sms"):
        command = SERVICES[name]["command"]
        queues[command[command.index("--queues") + 1]] = name
        assert "ping" in " ".join(SERVICES[name]["healthcheck"]["test"])
    assert set(queues) == {"celery", "mail", "sms"}
    beat = SERVICES["beat"]
    assert beat["healthcheck"]["test"][-1] == "check_sweep"
    assert any(volume.startswith("beat:") for volume in beat["volumes"])
    assert beat["command"][beat["command"].index("--schedule") + 1].startswith("/var/lib/onestop-beat/")


def test_signing_keys_reach_every_process_that_signs():
    for name in ("web", "worker"):
        volumes = SERVICES[name].get("volumes") or []
        assert any(volume.startswith("signing:") for volume in volumes), name


@pytest.mark.django_db
def test_the_beat_health_check_fails_without_a_recent_sweep_and_passes_after_one():
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.utils import timezone

    from dossiers.models import Heartbeat

    with pytest.raises(CommandError, match="never"):
        call_command("check_sweep", stdout=StringIO())
    Heartbeat.objects.create(name="notifications-sweep", at=timezone.now() - timedelta(minutes=6))
    with pytest.raises(CommandError, match=r"36\d s ago"):
        call_command("check_sweep", stdout=StringIO())
    Heartbeat.objects.filter(name="notifications-sweep").update(at=timezone.now())
    out = StringIO()
    call_command("check_sweep", stdout=out)
    assert "completed" in out.getvalue()
