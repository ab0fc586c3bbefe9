"""Benchmark: online submissions with two 1 MB attachments, through the real views.

Run from the project root against PostgreSQL (SQLite works too, but is not what this measures):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onestop \
        .venv/bin/python bench/submissions.py [--dossiers 100] [--threads 4]

Each submission is a citizen's whole wizard through Django's test client: start the draft, applicant,
form, the two uploads (checked by content, hashed, stored), result delivery, review, submit. It prints
the whole-wizard rate and p95, and the final submit request's p95 (code, event, notification), first
one client after another, then ``--threads`` clients at once. A throw-away test database and media
folder are used.
"""

import argparse
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")

import django

django.setup()

from io import StringIO  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from _common import online_procedure, p95, throwaway_database  # noqa: E402

MEGABYTE = 1024 * 1024
PDF_HEAD = b"%PDF-1.4\n"


def setup_procedure():
    from accounts.models import Agency

    call_command("seed_demo", stdout=StringIO())
    version = online_procedure(code="9.999999", name="Thủ tục đo hiệu năng nộp hồ sơ")
    return version, Agency.objects.get(code="000.10.22.H56")


def make_citizens(count):
    from accounts.services import user_create

    return [user_create(full_name=f"Công dân {i}", phone=f"08{i:08d}", password=None) for i in range(count)]


def one_submission(client, version, agency, documents, payload):
    from dossiers.models import Dossier

    started = time.perf_counter()
    client.post(reverse("dossiers:start", args=[version.procedure.code]), {"agency": agency.pk})
    dossier = Dossier.objects.filter(applicant_id=client.user_id, status="draft").latest("created_at")
    ref = dossier.reference
    client.post(
        reverse("dossiers:step_applicant", args=[ref]),
        {"full_name": "Công dân", "phone": "0912345678", "address": "Thôn 1"},
    )
    client.post(reverse("dossiers:step_form", args=[ref]), {"ho_ten": "Nguyễn Văn A"})
    files = {f"doc_{doc.pk}": SimpleUploadedFile(f"tep-{doc.pk}.pdf", payload) for doc in documents}
    client.post(reverse("dossiers:step_documents", args=[ref]), files)
    client.post(reverse("dossiers:step_delivery", args=[ref]), {"result_delivery": "desk"})
    client.get(reverse("dossiers:step_review", args=[ref]))
    submit_started = time.perf_counter()
    response = client.post(reverse("dossiers:step_review", args=[ref]), {"submission_key": str(uuid.uuid4())})
    finished = time.perf_counter()
    assert response.status_code == 302 and "/da-nop/" in response.url, "submission failed"
    return finished - started, finished - submit_started


def run(citizens, version, agency, documents, payload, threads):
    chunks = [citizens[i::threads] for i in range(threads)]
    results, errors = [], []

    def worker(chunk):
        try:
            for citizen in chunk:
                client = Client()
                client.force_login(citizen)
                client.user_id = citizen.pk
                results.append(one_submission(client, version, agency, documents, payload))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection, so the test database can be dropped

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed, results


def report(label, elapsed, results):
    wizard = [r[0] * 1000 for r in results]
    submit = [r[1] * 1000 for r in results]
    print(
        f"{label:<22}{len(results):>6}{len(results) / elapsed:>14.1f}{statistics.median(wizard):>12.0f}"
        f"{p95(wizard):>10.0f}{statistics.median(submit):>12.1f}{p95(submit):>10.1f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    logging.getLogger("celery").setLevel(logging.WARNING)
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="onestop-bench-")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with throwaway_database():
        version, agency = setup_procedure()
        documents = list(version.documents.all())
        payload = PDF_HEAD + os.urandom(MEGABYTE - len(PDF_HEAD))
        citizens = make_citizens(args.dossiers * 2)
        print(f"database: {connection.vendor}; each submission carries 2 × 1 MB files")
        print(
            f"{'run':<22}{'n':>6}{'submissions/s':>14}{'wizard med':>12}{'p95 ms':>10}{'submit med':>12}{'p95 ms':>10}"
        )
        report("one client", *run(citizens[: args.dossiers], version, agency, documents, payload, 1))
        report(
            f"{args.threads} clients at once",
            *run(citizens[args.dossiers :], version, agency, documents, payload, args.threads),
        )
        from dossiers.models import Dossier

        codes = list(Dossier.objects.exclude(code=None).values_list("code", flat=True))
        print(f"dossiers submitted: {len(codes)}, distinct codes: {len(set(codes))}")


if __name__ == "__main__":
    main()
