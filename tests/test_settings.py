import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

import pytest

ROOT = Path(settings.BASE_DIR)


def _documented_production_environment() -> dict[str, str]:
    env = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    env["SECRET_KEY"] = secrets.token_urlsafe(64)  # the example holds a placeholder, as it should
    return env


def _manage(*args, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Only what the documented environment says: nothing from the test run (its database, the
    # browser tests' async switch) may leak into the production check.
    leaks = ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in env and k not in leaks}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_documented_production_environment_passes_check_deploy_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_documented_production_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = _documented_production_environment()
    del env["SECRET_KEY"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_embedded_default_needs_no_environment_at_all():
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _name in settings.LANGUAGES] == ["vi", "en"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_runs_without_jit_for_the_portals_short_queries():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_the_payment_simulator_cannot_run_in_production():
    env = {**_documented_production_environment(), "VNPAY_SIMULATOR": "true"}
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'onestop.settings'); django.setup()",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0 and "VNPAY_SIMULATOR is for the demo only" in run.stderr


def test_the_documented_production_environment_fails_open_on_redis_and_bounds_every_send():
    env = _documented_production_environment()
    assert env["CACHE_URL"].startswith("redis://")
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'onestop.settings'); django.setup(); "
        "from django.conf import settings; from django.core.cache import caches; "
        "print(settings.CACHES['default']['BACKEND'], type(caches['default']).__name__, settings.RATELIMIT_FAIL_OPEN, "
        "settings.EMAIL_TIMEOUT, settings.SMS_GATEWAY_TIMEOUT, "
        "settings.CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS)"
    )
    leaks = ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in env and k not in leaks}
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, check=False
    )
    assert run.stdout.split() == [
        "onestop.cache.FailOpenRedisCache",
        "FailOpenRedisCache",
        "True",
        "10",  # a hung mail server holds one send 10 s at most
        "5.0",
        "False",  # a broker blip does not cancel a send in flight
    ], run.stderr
