"""Benchmark: whole online submissions through the REST API over real HTTP, on gunicorn with the
production settings and PostgreSQL (``_http.production_portal``).

    flock /tmp/w/bench.lock .venv/bin/python bench/submissions_http.py [--clients 4,16] [--seconds 20]
        [--workers 2] [--threads 1] [--port 18720] [--database bench_submissions_http] [--redis-db 7]

Each client is a citizen who logs in once as a browser does (the login page for the CSRF cookie, then
the form; the API takes the session cookie and the ``X-CSRFToken`` header, as the portal's own pages
call it), then submits dossier after dossier, each one whole:

1. ``POST /api/v1/dossiers/`` (JSON): the draft, with the applicant, the form and the result delivery;
2. ``POST /api/v1/dossiers/<reference>/attachments/`` twice (multipart): a 1 MB PDF for each required
   document (the portal reads the type from the content);
3. ``POST /api/v1/dossiers/<reference>/submit/`` (JSON, a fresh submission key): the code comes back.

Every answer is checked (status, and the dossier code in the submit's answer); at the end the database
must hold exactly as many submitted dossiers as were counted, each with its 2 attachments and their files
of the right size on disk, and no two with one code. It prints submissions/s, p50/p95 of a whole
submission and of each step (ms), the CPU time one submission costs the server (the gunicorn processes,
the PostgreSQL backends of the database; these hold whatever else runs on the machine), the CPU the
client itself used (% of one core), how busy the whole machine was, and the SQL queries of each step,
counted in this process with Django's test client doing the same steps against the same database
(``--sql`` prints them).

The client is kept light: one keep-alive ``http.client`` connection per client thread and request bodies
built once before the run. The gunicorn options (``--workers``, ``--threads``) go to gunicorn through
``GUNICORN_CMD_ARGS``; ``--threads`` above 1 makes gunicorn use its threaded worker (``gthread``).
``--settings http_settings_sessions`` measures a proposed settings change (sessions, see that module).
"""

import argparse
import http.client
import json
import os
import resource
import statistics
import sys
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import online_procedure, p95
from _http import PROXY_HEADERS, production_portal

MEGABYTE = 1024 * 1024
PROCEDURE_CODE = "9.999998"
AGENCY_CODE = "000.10.22.H56"
PASSWORD = "bench-submissions-2026"  # noqa: S105 - throw-away accounts of a throw-away database
STEPS = ("create", "upload 1", "upload 2", "submit")


def pdf_file(size: int, seed: int) -> bytes:
    """A valid PDF of exactly ``size`` bytes: one empty page and an unused stream of random bytes
    (``seed`` makes each file's content and checksum its own)."""
    filler = os.urandom(size)  # cut to length below
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]

    def build(stream_length: int) -> bytes:
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
        offsets.append(len(out))
        out += b"4 0 obj\n<< /Length %d /Seed %d >>\nstream\n" % (stream_length, seed)
        out += filler[:stream_length] + b"\nendstream\nendobj\n"
        xref = len(out)
        out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
        return bytes(out)

    overhead = len(build(0))
    stream_length = size - overhead
    for _ in range(3):  # the /Length digits and the offsets' digits settle in a step or two
        data = build(stream_length)
        if len(data) == size:
            return data
        stream_length += size - len(data)
    raise AssertionError("could not make a PDF of the exact size")


def multipart(fields: dict, *, name: str, filename: str, content: bytes, content_type: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
    )
    parts.append(content)
    parts.append(f"\r\n--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# --- setup, in this process, on the portal's database --------------------------------------------


def django_on(portal, settings_module: str) -> None:
    """Django in this process with the settings gunicorn runs (production settings) and its database."""
    os.environ.update(portal.env)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()


def bench_procedure():
    """The benchmark's fully online procedure (``_common.online_procedure``) and its documents' ids."""
    version = online_procedure(
        code=PROCEDURE_CODE, name="Thủ tục đo hiệu năng nộp hồ sơ qua API", agency_code=AGENCY_CODE
    )
    return version, list(version.documents.order_by("order", "pk").values_list("pk", flat=True))


def bench_citizens(count: int, *, first: int = 0) -> list[str]:
    """``count`` citizens with confirmed phones, all with the one password (hashed once); their phones."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    hashed = make_password(PASSWORD)
    users = [
        User(full_name=f"Công dân đo {n}", phone=f"0399{n:06d}", phone_confirmed=True, password=hashed)
        for n in range(first, first + count)
    ]
    User.objects.bulk_create(users)
    return [user.phone for user in users]


# --- the client -----------------------------------------------------------------------------------


class Citizen:
    """One client: a keep-alive connection, the session and CSRF cookies, the bodies built beforehand."""

    def __init__(self, base: str, phone: str, documents: list[int], seed: int):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.origin = f"https://{parts.netloc}"  # as the browser sees it behind the proxy
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.cookies = {}
        self.phone = phone
        self.create_body = json.dumps(
            {
                "procedure": PROCEDURE_CODE,
                "agency": AGENCY_CODE,
                "applicant": {"full_name": "Nguyễn Văn Đo", "phone": phone, "address": "Thôn 1, xã Xuân Du"},
                "form_data": {"ho_ten": "Nguyễn Văn Đo"},
                "result_delivery": "desk",
            }
        ).encode()
        self.uploads = [
            multipart(
                {"document": pk},
                name="file",
                filename=f"giay-to-{n}.pdf",
                content=pdf_file(MEGABYTE, seed * 10 + n),
                content_type="application/pdf",
            )
            for n, pk in enumerate(documents)
        ]

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> tuple[int, bytes]:
        headers = {**PROXY_HEADERS, "Origin": self.origin, "Referer": self.origin + "/"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if "csrftoken" in self.cookies and method != "GET":
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (ConnectionError, http.client.RemoteDisconnected):
                # A keep-alive connection the server closed between requests: sent again on a new one
                # only when nothing was answered (the server never saw it).
                self.connection.close()
                if attempt == 2:
                    raise
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        if response.will_close:
            self.connection.close()
        return response.status, data

    def login(self) -> None:
        status, _ = self.request("GET", "/dang-nhap/")
        assert status == 200 and "csrftoken" in self.cookies, f"login page: {status}"
        form = urlencode(
            {"username": self.phone, "password": PASSWORD, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        )
        status, _ = self.request("POST", "/dang-nhap/", form.encode(), "application/x-www-form-urlencoded")
        assert status == 302 and "sessionid" in self.cookies, f"login: {status}"

    def submit_one(self) -> tuple[list[float], str]:
        """One whole submission; the seconds of each step and the dossier's code."""
        times = []
        started = time.perf_counter()
        status, data = self.request("POST", "/api/v1/dossiers/", self.create_body, "application/json")
        assert status == 201, f"create: {status} {data[:300]!r}"
        reference = json.loads(data)["reference"]
        times.append(time.perf_counter() - started)
        for body, content_type in self.uploads:
            started = time.perf_counter()
            status, data = self.request("POST", f"/api/v1/dossiers/{reference}/attachments/", body, content_type)
            assert status == 201, f"upload: {status} {data[:300]!r}"
            assert json.loads(data)["size"] == MEGABYTE
            times.append(time.perf_counter() - started)
        started = time.perf_counter()
        key = json.dumps({"submission_key": str(uuid.uuid4())}).encode()
        status, data = self.request("POST", f"/api/v1/dossiers/{reference}/submit/", key, "application/json")
        assert status == 200, f"submit: {status} {data[:300]!r}"
        answer = json.loads(data)
        assert answer["status"] == "submitted" and answer["code"], f"submit answered {answer}"
        assert len(answer["attachments"]) == 2
        times.append(time.perf_counter() - started)
        return times, answer["code"]


def run(citizens: list[Citizen], seconds: float) -> tuple[float, list[list[float]], list[str]]:
    """Every client submits one after another until ``seconds`` are over; the elapsed time, the step
    times of each submission and the codes."""
    results, codes, errors = [], [], []
    lock = threading.Lock()
    start = threading.Barrier(len(citizens) + 1)

    def client(citizen):
        try:
            start.wait()
            while time.perf_counter() < deadline:
                times, code = citizen.submit_one()
                with lock:
                    results.append(times)
                    codes.append(code)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=client, args=(citizen,)) for citizen in citizens]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline = began + seconds  # read by the clients once they pass the barrier
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise errors[0]
    return elapsed, results, codes


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU jiffies of the whole machine so far, from /proc/stat."""
    fields = [int(n) for n in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds process ``pid`` has used (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_processes(port: int) -> dict[str, list[int]]:
    """The gunicorn processes serving ``port`` and the PostgreSQL backends of this database but this
    process's own: what the server side of a submission costs is their CPU time."""
    from django.db import connection

    bind = f"127.0.0.1:{port}".encode()
    gunicorn = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"gunicorn" in command and bind in command:
                gunicorn.append(int(entry.name))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [pid for (pid,) in cursor.fetchall()]
    return {"gunicorn": gunicorn, "postgres": backends}


class CpuMeter:
    """CPU time used between ``start()`` and ``stop()``: this client, the server's processes, the machine."""

    def __init__(self, port: int):
        self.port = port

    def start(self):
        self.processes = server_processes(self.port)
        self.server = {kind: {pid: _cpu_seconds(pid) for pid in pids} for kind, pids in self.processes.items()}
        self.client = resource.getrusage(resource.RUSAGE_SELF)
        self.machine = machine_busy()

    def stop(self) -> dict[str, float]:
        client = resource.getrusage(resource.RUSAGE_SELF)
        busy, total = machine_busy()
        used = {
            "client": (client.ru_utime - self.client.ru_utime) + (client.ru_stime - self.client.ru_stime),
            "machine": (busy - self.machine[0]) / max(1, total - self.machine[1]),
        }
        later = server_processes(self.port)  # backends opened during the run count from zero
        for kind, before in self.server.items():
            pids = set(before) | set(later[kind])
            used[kind] = sum(_cpu_seconds(pid) - before.get(pid, 0.0) for pid in pids)
        return used


def report(label: str, elapsed: float, results: list[list[float]], cpu: dict[str, float]) -> None:
    whole = [sum(r) * 1000 for r in results]
    n = len(results)
    columns = [f"{label:<12}{n:>6}{n / elapsed:>9.1f}"]
    columns.append(f"{statistics.median(whole):>13.0f}{p95(whole):>6.0f}")
    for step in range(len(STEPS)):
        times = [r[step] * 1000 for r in results]
        columns.append(f"{statistics.median(times):>13.0f}{p95(times):>6.0f}")
    columns.append(f"{cpu['gunicorn'] / n * 1000:>11.1f}{cpu['postgres'] / n * 1000:>8.1f}")
    columns.append(f"{cpu['client'] / elapsed * 100:>9.0f}%{cpu['machine'] * 100:>8.0f}%")
    print("".join(columns), flush=True)


# --- queries per step, in process ------------------------------------------------------------------


def queries_per_step(documents: list[int], phone: str, show_sql: bool) -> dict[str, int]:
    """The same steps through Django's test client (CSRF enforced, logged in through the login page),
    the second submission's queries counted (the first one warms up what a process does once)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(enforce_csrf_checks=True)
    headers = {**PROXY_HEADERS, "Host": "127.0.0.1", "Origin": "https://127.0.0.1"}
    client.get("/dang-nhap/", headers=headers)
    token = client.cookies["csrftoken"].value
    answer = client.post(
        "/dang-nhap/", {"username": phone, "password": PASSWORD, "csrfmiddlewaretoken": token}, headers=headers
    )
    assert answer.status_code == 302, answer.status_code
    token = client.cookies["csrftoken"].value
    headers["X-CSRFToken"] = token
    files = [
        multipart(
            {"document": pk},
            name="file",
            filename="a.pdf",
            content=pdf_file(MEGABYTE, 900 + n),
            content_type="application/pdf",
        )
        for n, pk in enumerate(documents)
    ]
    body = {
        "procedure": PROCEDURE_CODE,
        "agency": AGENCY_CODE,
        "applicant": {"full_name": "Nguyễn Văn Đo", "phone": phone, "address": "Thôn 1"},
        "form_data": {"ho_ten": "Nguyễn Văn Đo"},
        "result_delivery": "desk",
    }
    counted = {}
    for round_ in (1, 2):
        captured = {}
        with CaptureQueriesContext(connection) as queries:
            answer = client.post("/api/v1/dossiers/", body, content_type="application/json", headers=headers)
        assert answer.status_code == 201, answer.content
        captured["create"] = queries.captured_queries
        reference = answer.json()["reference"]
        for n, (data, content_type) in enumerate(files, start=1):
            with CaptureQueriesContext(connection) as queries:
                answer = client.generic(
                    "POST", f"/api/v1/dossiers/{reference}/attachments/", data, content_type, headers=headers
                )
            assert answer.status_code == 201, answer.content
            captured[f"upload {n}"] = queries.captured_queries
        with CaptureQueriesContext(connection) as queries:
            answer = client.post(
                f"/api/v1/dossiers/{reference}/submit/",
                {"submission_key": str(uuid.uuid4())},
                content_type="application/json",
                headers=headers,
            )
        assert answer.status_code == 200 and answer.json()["code"], answer.content
        captured["submit"] = queries.captured_queries
        if round_ == 2:
            counted = {step: len(found) for step, found in captured.items()}
            if show_sql:
                for step, found in captured.items():
                    print(f"--- {step}: {len(found)} queries")
                    for query in found:
                        print("   ", query["sql"][:300])
    return counted


# --- checks ---------------------------------------------------------------------------------------


def check_database(phones: list[str], codes: list[str]) -> str:
    """The database holds exactly the submissions counted, each whole; raises otherwise."""
    from django.db.models import Count

    from dossiers.models import Attachment, Dossier

    dossiers = Dossier.objects.filter(applicant__phone__in=phones)
    submitted = dossiers.filter(status="submitted")
    assert submitted.count() == len(codes), f"{submitted.count()} submitted in the database, {len(codes)} counted"
    assert set(submitted.values_list("code", flat=True)) == set(codes) and len(set(codes)) == len(codes)
    assert not dossiers.exclude(status="submitted").exists(), "drafts left behind"
    wrong = submitted.annotate(n=Count("attachments")).exclude(n=2).count()
    assert wrong == 0, f"{wrong} dossiers without exactly 2 attachments"
    files = 0
    for attachment in Attachment.objects.filter(dossier__in=submitted).only("file", "size"):
        assert attachment.size == MEGABYTE, attachment.size
        assert os.path.getsize(attachment.file.path) == MEGABYTE, attachment.file.path
        files += 1
    return f"{len(codes)} submitted dossiers, distinct codes, {files} files of {MEGABYTE} bytes on disk"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="4,16", help="client counts to run, comma-separated")
    parser.add_argument("--seconds", type=float, default=20, help="length of each run")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread above 1)")
    parser.add_argument("--port", type=int, default=18720)
    parser.add_argument("--database", default="bench_submissions_http")
    parser.add_argument("--redis-db", type=int, default=7, help="broker; the cache uses the next one")
    parser.add_argument("--sql", action="store_true", help="print each step's queries")
    parser.add_argument(
        "--settings",
        default="http_settings",
        help="settings module under bench/ (e.g. http_settings_sessions, a proposal to measure)",
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.clients.split(",")]

    os.environ["GUNICORN_CMD_ARGS"] = (
        f"--workers {args.workers} --threads {args.threads} --env DJANGO_SETTINGS_MODULE={args.settings}"
    )
    with production_portal(
        port=args.port, workers=args.workers, database=args.database, redis_db=args.redis_db
    ) as portal:
        django_on(portal, args.settings)
        _version, documents = bench_procedure()
        phones = bench_citizens(sum(counts))
        (query_phone,) = bench_citizens(1, first=sum(counts))
        print(
            f"gunicorn: {args.workers} workers × {args.threads} threads, {args.settings}; PostgreSQL; "
            f"each submission: create, 2 × {MEGABYTE} B PDF upload, submit; {args.seconds:.0f} s a run"
        )
        heads = "".join(f"{step + ' p50':>13}{'p95':>6}" for step in ("whole", *STEPS))
        print(f"{'clients':<12}{'n':>6}{'subm/s':>9}{heads}{'web ms/subm':>11}{'pg':>8}{'client':>10}{'machine':>9}")
        all_codes, used = [], 0
        for count in counts:
            citizens = [
                Citizen(portal.base, phone, documents, seed)
                for seed, phone in enumerate(phones[used : used + count], start=used)
            ]
            used += count
            for citizen in citizens:
                citizen.login()
            for citizen in citizens:  # one each, not timed: each worker's first request loads its code
                all_codes.append(citizen.submit_one()[1])
            meter = CpuMeter(args.port)
            meter.start()
            elapsed, results, codes = run(citizens, args.seconds)
            cpu = meter.stop()
            all_codes.extend(codes)
            report(f"{count} clients", elapsed, results, cpu)
        print("check:", check_database(phones, all_codes))
        counted = queries_per_step(documents, query_phone, args.sql)
        print("SQL queries per step (test client, same settings and database):", counted, flush=True)
        from django.db import connection

        connection.close()  # so that the throw-away database can be dropped


if __name__ == "__main__":
    main()
