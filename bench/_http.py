"""Shared by the HTTP benchmarks: the portal as production runs it (gunicorn, ``DEBUG=False``, the
manifest static storage, PostgreSQL, Redis for the cache and the broker) on a throw-away database with
the demo data, plus a bare view to set every figure beside, and a wrk runner.

    with production_portal(port=18700, workers=2) as portal:
        figures = wrk(portal.url("/thu-tuc/"), seconds=10, connections=16)
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# Requests come as nginx passes them on: HTTPS said by the proxy (SECURE_PROXY_SSL_HEADER).
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


@dataclass
class Portal:
    base: str
    env: dict
    database_url: str

    def url(self, path: str) -> str:
        return self.base + path


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-q", ADMIN_URL, "-c", sql], check=True, capture_output=True)


def _manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


@contextmanager
def production_portal(*, port: int = 18700, workers: int = 2, database: str = "bench_http", redis_db: int = 9):
    """gunicorn with production settings on a fresh database ``database`` (dropped afterwards) holding the
    demo data; Redis databases ``redis_db`` (broker) and ``redis_db + 1`` (cache) are emptied first. No
    Celery worker runs: what the pages queue waits in Redis, as it would for a busy worker."""
    import redis

    host = "127.0.0.1:5432"
    database_url = f"postgres://postgres@{host}/{database}"
    folder = Path(tempfile.mkdtemp(prefix="bench-http-"))
    env = {
        **os.environ,
        "ONESTOP_ENV_FILE": str(folder / "none.env"),  # no .env of a developer's
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DEMO_DATA_ALLOWED": "true",
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
        "CACHE_URL": f"redis://127.0.0.1:6379/{redis_db + 1}",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "EMAIL_FILE_PATH": str(folder / "mail"),
        "LOG_LEVEL": "WARNING",
        "PORTAL_URL": f"http://127.0.0.1:{port}",
        "PYTHONPATH": str(ROOT / "bench"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for number in (redis_db, redis_db + 1):
        redis.Redis.from_url(f"redis://127.0.0.1:6379/{number}").flushdb()
    _psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{database}"')
    server = None
    try:
        _manage(env, "migrate", "--noinput")
        _manage(env, "seed_demo")
        _manage(env, "collectstatic", "--noinput")
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "onestop.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--pythonpath",
                str(ROOT / "bench"),
            ],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "http_settings"},
            stdout=subprocess.DEVNULL,
            stderr=open(folder / "gunicorn.log", "w"),  # noqa: SIM115 (closed with the process)
        )
        base = f"http://127.0.0.1:{port}"
        _wait_for(base + "/healthz")
        yield Portal(base=base, env=env, database_url=database_url)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        _psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # answers that were not 2xx/3xx, or socket errors


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url: str, *, seconds: int = 10, connections: int = 16, threads: int = 2, headers=None) -> Load:
    """wrk against ``url``: requests per second and latency percentiles. Every answer must be 2xx or
    3xx; a benchmark reading a fast error page would be measuring the wrong thing."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in {**PROXY_HEADERS, **(headers or {})}.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        bad += sum(int(n) for n in m.groups())
    return Load(
        requests_per_second=rate,
        p50_ms=_ms(re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1)),
        p99_ms=_ms(re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1)),
        requests=total,
        bad=bad,
    )
