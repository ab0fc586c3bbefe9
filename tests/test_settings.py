import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from unittest import mock

from django.conf import settings

import pytest

ROOT = Path(settings.BASE_DIR)


def _example_environment() -> dict[str, str]:
    """``.env.example`` as it is committed: placeholders where the secrets go."""
    env = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def _documented_production_environment() -> dict[str, str]:
    """``.env.example`` with every placeholder changed, as its first lines tell the operator to."""
    env = {key: value.replace("change-me", secrets.token_urlsafe(24)) for key, value in _example_environment().items()}
    env["SECRET_KEY"] = secrets.token_urlsafe(64)
    env["VNPAY_HASH_SECRET"] = "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(32))
    env["SMS_GATEWAY_URL"] = "https://sms.nhuthanh.thanhhoa.gov.vn/api/send"
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


def test_the_committed_example_environment_fails_check_deploy_on_each_placeholder():
    result = _manage("check", "--deploy", env=_example_environment())
    assert result.returncode != 0
    found = set(re.findall(r"\((onestop\.E\d+)\)", result.stderr))
    assert found == {
        "onestop.E001",  # SECRET_KEY=replace-with-64-random-characters
        "onestop.E002",  # VNPAY_HASH_SECRET=change-me
        "onestop.E004",  # the password in DATABASE_URL
        "onestop.E005",  # the password in EMAIL_URL
        "onestop.E006",  # SMS_GATEWAY_URL at example.vn
        "onestop.E007",  # SMS_GATEWAY_PASSWORD=change-me
    }, result.stderr


STRONG_KEY = "k8Vd2Qx7LmN4pR9sT1wY6zA3bC5eF0gHjKuXoPqZrMnBvGtE"  # 48 characters: + "xyz" below
STRONG = "Qm7vT2xK9pL4wR8nZ3cB6yH1sD5fG0jA"


@pytest.fixture
def production(settings):
    """Production settings with a strong value for every secret (each test weakens one)."""
    settings.DEBUG = False
    settings.SECRET_KEY = STRONG_KEY + "xyz"
    settings.SECRET_KEY_FALLBACKS = []
    settings.VNPAY_SIMULATOR = False
    settings.VNPAY_HASH_SECRET = STRONG
    settings.VNPAY_URL = "https://pay.vnpay.vn/vpcpay.html"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST_USER = "no-reply@nhuthanh.gov.vn"
    settings.EMAIL_HOST_PASSWORD = "mQ4#tz9Lw2"
    settings.SMS_BACKEND = "onestop.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = "https://sms.nhuthanh.thanhhoa.gov.vn/api/send"
    settings.SMS_GATEWAY_USER = "motcua"
    settings.SMS_GATEWAY_PASSWORD = "s8Kq2mZt7Xw"
    settings.CELERY_BROKER_URL = f"amqp://motcua:{STRONG}@rabbitmq:5672//"
    return settings


def _error_ids(database_password: str = "") -> list[str]:
    from onestop.checks import secrets_check

    with mock.patch.dict(settings.DATABASES["default"], PASSWORD=database_password):
        return [message.id for message in secrets_check()]


def test_strong_secrets_pass_the_deploy_check(production):
    assert _error_ids(database_password=STRONG) == []


def test_the_embedded_default_is_not_judged_by_the_deploy_check(settings):
    settings.DEBUG = True  # make run: its defaults are placeholders on purpose
    settings.SECRET_KEY = "change-me"
    assert _error_ids(database_password="change-me") == []


WEAK = [
    ("SECRET_KEY", "replace-with-64-random-characters", "onestop.E001"),
    ("SECRET_KEY", "change-me", "onestop.E001"),
    ("SECRET_KEY", "django-insecure-" + STRONG_KEY, "onestop.E001"),
    ("SECRET_KEY", "local-only-insecure-key-never-use-in-production", "onestop.E001"),
    ("SECRET_KEY", "build-time-only", "onestop.E001"),
    ("SECRET_KEY", STRONG_KEY[:40], "onestop.E001"),  # random, 40 characters: too short
    ("SECRET_KEY", "ab" * 40, "onestop.E001"),  # long, two different characters
    ("SECRET_KEY_FALLBACKS", ["change-me"], "onestop.E001"),
    ("VNPAY_HASH_SECRET", "change-me", "onestop.E002"),
    ("VNPAY_HASH_SECRET", "Change_Me", "onestop.E002"),
    ("VNPAY_HASH_SECRET", "changeme", "onestop.E002"),
    ("VNPAY_HASH_SECRET", "secret", "onestop.E002"),
    ("VNPAY_HASH_SECRET", "demo-secret-for-the-simulator-only", "onestop.E002"),
    ("VNPAY_HASH_SECRET", STRONG[:31], "onestop.E002"),
    ("VNPAY_HASH_SECRET", "", "onestop.E002"),  # empty while VNPAY_URL is set
    ("VNPAY_URL", "", "onestop.E003"),  # a secret but nowhere to pay
    ("EMAIL_HOST_PASSWORD", "change-me", "onestop.E005"),
    ("EMAIL_HOST_PASSWORD", "", "onestop.E005"),  # a user and no password
    ("EMAIL_HOST_PASSWORD", "pass123", "onestop.E005"),
    ("SMS_GATEWAY_URL", "https://sms-gateway.example.vn/api/send", "onestop.E006"),
    ("SMS_GATEWAY_URL", "https://example.com/sms", "onestop.E006"),
    ("SMS_GATEWAY_URL", "", "onestop.E006"),
    ("SMS_GATEWAY_PASSWORD", "change-me", "onestop.E007"),
    ("SMS_GATEWAY_PASSWORD", "", "onestop.E007"),
    ("SMS_GATEWAY_PASSWORD", "password", "onestop.E007"),
    ("CELERY_BROKER_URL", "amqp://user:password@rabbitmq:5672//", "onestop.E008"),
    ("CELERY_BROKER_URL", "redis://:change-me@redis:6379/0", "onestop.E008"),
    ("CELERY_BROKER_URL", "redis://:Zx8kP2qW@redis:6379/0", "onestop.E008"),
]


@pytest.mark.parametrize(("name", "value", "error"), WEAK, ids=[f"{n}={v!s:.24}" for n, v, _e in WEAK])
def test_a_placeholder_or_weak_secret_fails_the_deploy_check(production, name, value, error):
    setattr(production, name, value)
    assert _error_ids(database_password=STRONG) == [error]


@pytest.mark.parametrize("password", ["change-me", "postgres", "Zx8kP2qW7m"])
def test_a_placeholder_or_short_database_password_fails_the_deploy_check(production, password):
    assert _error_ids(database_password=password) == ["onestop.E004"]


def test_a_weak_password_in_the_cache_url_fails_the_deploy_check(production):
    production.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "redis://:change-me@r:6379/1",
        }
    }
    assert _error_ids(database_password=STRONG) == ["onestop.E008"]


def test_features_that_are_off_need_no_secret(production):
    production.VNPAY_HASH_SECRET = ""
    production.VNPAY_URL = ""
    production.SMS_BACKEND = "onestop.sms.FileBackend"
    production.SMS_GATEWAY_PASSWORD = "change-me"
    production.EMAIL_HOST_USER = production.EMAIL_HOST_PASSWORD = ""  # a relay without login
    production.CELERY_BROKER_URL = "redis://127.0.0.1:6379/12"
    assert _error_ids(database_password="") == []  # no password: peer or certificate login
