"""A whole online submission through the API (draft, files, submit): what each request reads and writes,
and what it answers. ``bench/submissions_http.py`` measures the same steps over HTTP."""

import hashlib
import threading
import uuid

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from accounts.models import User
from dossiers.constants import Status
from dossiers.models import Attachment, Dossier, DossierEvent, Notification
from procedures.constants import CopyType
from procedures.services import DocumentData
from tests.dossiers.conftest import PDF
from tests.factories import UserFactory, published_procedure

pytestmark = pytest.mark.django_db

# The most each request may cost, the session's own queries (read, user, renewal) included.
MOST_QUERIES = {"create": 11, "upload": 12, "submit": 20}


@pytest.fixture
def two_documents(commune):
    return published_procedure(
        code="1.009999",
        agencies=[commune],
        documents=[
            DocumentData(name="Tờ khai", copy_type=CopyType.ORIGINAL),
            DocumentData(name="Giấy tờ kèm theo", copy_type=CopyType.PHOTOCOPY),
        ],
    )


@pytest.fixture
def api(client, citizen):
    client.force_login(citizen)
    return client


def _pdf(size: int, fill: bytes = b"0") -> bytes:
    return PDF + fill * (size - len(PDF))


def _create(api, version, commune, **extra):
    payload = {
        "procedure": version.procedure.code,
        "agency": commune.code,
        "applicant": {"full_name": "Lê Thị Hoa", "phone": "0912345678", "address": "Thôn 1, xã Xuân Du"},
        "form_data": {"ho_ten": "Nguyễn Minh An"},
        "result_delivery": "desk",
        **extra,
    }
    return api.post(reverse("api:dossier-list"), payload, content_type="application/json")


def _upload(api, reference, document, content: bytes, name="giay-to.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return api.post(reverse("api:dossier-attachments", args=[reference]), {"document": document.pk, "file": upload})


def _submit(api, reference, key=None):
    return api.post(
        reverse("api:dossier-submit", args=[reference]),
        {"submission_key": str(key or uuid.uuid4())},
        content_type="application/json",
    )


def _counted(call):
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return response, [query["sql"] for query in queries.captured_queries]


def _writes_to(table: str, statements: list[str]) -> list[str]:
    """The verbs of the statements in ``statements`` that write to ``table``."""
    targets = {"INSERT": f'INSERT INTO "{table}" ', "UPDATE": f'UPDATE "{table}" ', "DELETE": f'DELETE FROM "{table}" '}  # noqa: S608
    return [verb for sql in statements for verb, start in targets.items() if sql.startswith(start)]


def test_a_whole_submission_costs_a_few_queries_per_request(api, citizen, two_documents, commune):
    _create(api, two_documents, commune)  # the first request of a process loads what it caches
    created, create_sql = _counted(lambda: _create(api, two_documents, commune))
    assert created.status_code == 201
    reference = created.json()["reference"]
    uploads = []
    for n, document in enumerate(two_documents.documents.all()):
        content = _pdf(5000, b"%d" % n)
        response, sql = _counted(lambda document=document, content=content: _upload(api, reference, document, content))
        assert response.status_code == 201
        uploads.append(sql)
    submitted, submit_sql = _counted(lambda: _submit(api, reference))
    assert submitted.status_code == 200

    assert len(create_sql) <= MOST_QUERIES["create"], create_sql
    assert all(len(sql) <= MOST_QUERIES["upload"] for sql in uploads), uploads
    assert len(submit_sql) <= MOST_QUERIES["submit"], submit_sql
    # The draft is written once, with everything the request carried; the answer is not read back.
    assert _writes_to("dossiers_dossier", create_sql) == ["INSERT"]
    assert not any("procedures_fee" in sql or "procedures_routestep" in sql for sql in create_sql)
    if connection.features.has_select_for_update:  # only the dossier's own row is locked
        locks = [sql for sql in uploads[0] + submit_sql if "FOR UPDATE" in sql]
        assert locks and all(
            'FROM "dossiers_dossier"' in sql and ("JOIN" not in sql or sql.endswith('FOR UPDATE OF "dossiers_dossier"'))
            for sql in locks
        )


def test_the_submit_answer_lists_the_files_and_the_first_event_and_a_retry_answers_the_same(
    api, citizen, two_documents, commune
):
    reference = _create(api, two_documents, commune).json()["reference"]
    contents = [_pdf(3000, b"a"), _pdf(4000, b"b")]
    for document, content in zip(two_documents.documents.all(), contents, strict=True):
        assert _upload(api, reference, document, content).status_code == 201
    key = uuid.uuid4()
    first = _submit(api, reference, key).json()
    again = _submit(api, reference, key).json()

    assert first == again
    assert first["status"] == Status.SUBMITTED and first["code"].startswith(commune.code)
    assert sorted(a["sha256"] for a in first["attachments"]) == sorted(hashlib.sha256(c).hexdigest() for c in contents)
    assert [(e["from_status"], e["to_status"], e["agency"]) for e in first["events"]] == [
        ("draft", "submitted", commune.name)
    ]
    dossier = Dossier.objects.get()
    assert dossier.events.count() == 1
    assert Notification.objects.filter(dossier=dossier).exists()  # the citizen is told


def test_a_draft_made_through_the_api_answers_what_was_written(api, citizen, two_documents, commune):
    citizen.address = ""
    citizen.save()
    answer = _create(api, two_documents, commune, result_delivery="post", delivery_address=" 12 Lê Lợi ").json()

    dossier = Dossier.objects.get()
    assert answer["reference"] == str(dossier.reference)
    assert answer["applicant_data"] == dossier.applicant_data
    assert dossier.applicant_data["full_name"] == "Lê Thị Hoa"
    assert dossier.applicant_search == " le thi hoa 0912345678 "
    assert answer["form_data"] == dossier.form_data == {"ho_ten": "Nguyễn Minh An"}
    assert (dossier.result_delivery, dossier.delivery_address) == ("post", "12 Lê Lợi")
    assert answer["attachments"] == answer["events"] == []
    assert answer["procedure"] == "1.009999" and answer["agency"] == commune.code
    # The address typed for an account that had none becomes the account's (as in the wizard).
    assert User.objects.get(pk=citizen.pk).address == "Thôn 1, xã Xuân Du"


def test_a_delivery_the_procedure_cannot_make_is_refused_and_leaves_no_draft(api, commune):
    level_3 = published_procedure(code="1.009998", agencies=[commune], service_level=3)
    response = _create(api, level_3, commune, result_delivery="online")
    assert response.status_code == 400
    assert "result_delivery" in response.json()
    response = _create(api, level_3, commune, result_delivery="post", delivery_address="  ")
    assert response.status_code == 400
    assert "delivery_address" in response.json()
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("in_memory", [True, False], ids=["held in memory", "in a temporary file"])
def test_a_stored_file_has_the_checksum_of_what_was_sent(api, two_documents, commune, settings, in_memory):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10_000_000 if in_memory else 1000
    reference = _create(api, two_documents, commune).json()["reference"]
    content = _pdf(60_000, b"x")
    answer = _upload(api, reference, two_documents.documents.first(), content).json()

    attachment = Attachment.objects.get()
    with attachment.file.open("rb") as stored:
        on_disk = stored.read()
    assert on_disk == content
    assert answer["sha256"] == attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert answer["size"] == attachment.size == len(content)
    assert answer["content_type"] == "application/pdf"


def test_a_file_is_read_once_to_be_checked_hashed_and_stored(api, two_documents, commune, monkeypatch):
    """The type is read from the first bytes; the checksum is taken while the file is written."""
    from django.core.files.uploadedfile import InMemoryUploadedFile

    read = []
    chunks = InMemoryUploadedFile.chunks

    def counted(self, chunk_size=None):
        for chunk in chunks(self, chunk_size):
            read.append(len(chunk))
            yield chunk

    monkeypatch.setattr(InMemoryUploadedFile, "chunks", counted)
    reference = _create(api, two_documents, commune).json()["reference"]
    content = _pdf(100_000)
    assert _upload(api, reference, two_documents.documents.first(), content).status_code == 201
    assert sum(read) == len(content)


def test_a_second_file_for_the_same_document_replaces_the_first(api, two_documents, commune):
    reference = _create(api, two_documents, commune).json()["reference"]
    document = two_documents.documents.first()
    _upload(api, reference, document, _pdf(2000, b"1"), name="lan-1.pdf")
    _upload(api, reference, document, _pdf(2000, b"2"), name="lan-2.pdf")
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["lan-2.pdf"]


def _sent_together(client, count, send) -> list:
    """``send(own_client)`` from ``count`` threads released together, each a client with ``client``'s
    session and its own database connection (closed after); the answers, once every thread is done."""
    answers, errors, start = [], [], threading.Barrier(count)

    def one():
        try:
            own = Client()
            own.cookies = client.cookies
            start.wait()
            answers.append(send(own))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()  # this thread's own

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return answers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_submission_sent_twice_at_once_makes_one_dossier_one_event_and_one_message(commune):
    """A double click or a retried request, both arriving together: one code, one history line."""
    version = published_procedure(code="1.009997", agencies=[commune])
    citizen = UserFactory(full_name="Lê Thị Hoa", phone="0912345678")
    client = Client()
    client.force_login(citizen)
    reference = _create(client, version, commune).json()["reference"]
    assert _upload(client, reference, version.documents.get(), _pdf(3000)).status_code == 201
    key = uuid.uuid4()
    answers = _sent_together(client, 4, lambda own: _submit(own, reference, key))
    assert [answer.status_code for answer in answers] == [200] * 4
    assert len({answer.json()["code"] for answer in answers}) == 1
    dossier = Dossier.objects.get()
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1
    assert Notification.objects.filter(dossier=dossier, channel="in_app").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_file_sent_twice_at_once_is_kept_once(commune):
    version = published_procedure(code="1.009996", agencies=[commune])
    citizen = UserFactory(full_name="Lê Thị Hoa", phone="0912345678")
    client = Client()
    client.force_login(citizen)
    reference = _create(client, version, commune).json()["reference"]
    document = version.documents.get()
    statuses = [
        answer.status_code
        for answer in _sent_together(client, 3, lambda own: _upload(own, reference, document, _pdf(3000)))
    ]
    assert statuses == [201] * 3
    assert Attachment.objects.filter(dossier__reference=reference).count() == 1
