import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from dossiers.constants import Status
from dossiers.models import Dossier
from dossiers.services import dossier_start
from tests.dossiers.conftest import pdf_upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, citizen):
    client.force_login(citizen)
    return client


def _create(api, birth, commune, **extra):
    payload = {
        "procedure": birth.procedure.code,
        "agency": commune.code,
        "applicant": {"full_name": "Lê Thị Hoa", "phone": "0912345678", "address": "Thôn 1, xã Xuân Du"},
        "form_data": {"ho_ten": "Nguyễn Minh An"},
        "result_delivery": "online",
        **extra,
    }
    return api.post(reverse("api:dossier-list"), payload, content_type="application/json")


def test_a_citizen_creates_uploads_to_and_submits_a_dossier_through_the_api(api, birth, commune):
    created = _create(api, birth, commune)
    assert created.status_code == 201, created.json()
    reference = created.json()["reference"]
    document = birth.documents.get()

    upload = api.post(
        reverse("api:dossier-attachments", args=[reference]), {"document": document.pk, "file": pdf_upload()}
    )
    assert upload.status_code == 201
    assert len(upload.json()["sha256"]) == 64

    key = str(uuid.uuid4())
    first = api.post(
        reverse("api:dossier-submit", args=[reference]), {"submission_key": key}, content_type="application/json"
    )
    again = api.post(
        reverse("api:dossier-submit", args=[reference]), {"submission_key": key}, content_type="application/json"
    )
    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == Status.SUBMITTED
    assert first.json()["national_status_code"] == 1
    assert first.json()["code"] == again.json()["code"]
    assert Dossier.objects.count() == 1

    listed = api.get(reverse("api:dossier-list")).json()
    assert [item["code"] for item in listed["results"]] == [first.json()["code"]]


def test_refusals_name_the_field_and_leave_no_draft_behind(api, birth, commune):
    response = _create(api, birth, commune, form_data={"ho_ten": ""}, result_delivery="drone")
    assert response.status_code == 400
    assert "result_delivery" in response.json()
    response = _create(api, birth, commune, applicant={"full_name": "A", "citizen_id": "123", "address": "x"})
    assert response.status_code == 400
    assert "citizen_id" in response.json()["applicant"]
    response = _create(api, birth, commune, form_data={"ho_ten": ""})
    assert response.status_code == 400
    assert "ho_ten" in response.json()["form_data"]
    assert not Dossier.objects.exists()


def test_files_cannot_be_added_once_the_dossier_is_submitted(api, birth, commune):
    reference = _create(api, birth, commune).json()["reference"]
    document = birth.documents.get().pk
    api.post(reverse("api:dossier-attachments", args=[reference]), {"document": document, "file": pdf_upload()})
    api.post(
        reverse("api:dossier-submit", args=[reference]),
        {"submission_key": str(uuid.uuid4())},
        content_type="application/json",
    )
    late = api.post(reverse("api:dossier-attachments", args=[reference]), {"document": document, "file": pdf_upload()})
    assert late.status_code == 404
    assert Dossier.objects.get().attachments.count() == 1


def test_an_incomplete_draft_is_not_submitted(api, birth, commune):
    reference = _create(api, birth, commune).json()["reference"]
    response = api.post(
        reverse("api:dossier-submit", args=[reference]),
        {"submission_key": str(uuid.uuid4())},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Tờ khai đăng ký khai sinh" in str(response.json())


def test_a_fake_file_is_refused(api, birth, commune):
    from django.core.files.uploadedfile import SimpleUploadedFile

    reference = _create(api, birth, commune).json()["reference"]
    response = api.post(
        reverse("api:dossier-attachments", args=[reference]),
        {"document": birth.documents.get().pk, "file": SimpleUploadedFile("a.pdf", b"<html>")},
    )
    assert response.status_code == 400
    assert "file" in response.json()


def test_another_citizen_gets_404_for_the_dossier_and_its_file(client, api, birth, commune):
    reference = _create(api, birth, commune).json()["reference"]
    attachment = api.post(
        reverse("api:dossier-attachments", args=[reference]),
        {"document": birth.documents.get().pk, "file": pdf_upload()},
    ).json()
    client.force_login(UserFactory())
    assert client.get(reverse("api:dossier-detail", args=[reference])).status_code == 404
    assert client.get(reverse("api:attachment-file", args=[attachment["id"]])).status_code == 404
    assert (
        client.post(
            reverse("api:dossier-submit", args=[reference]),
            {"submission_key": str(uuid.uuid4())},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert client.get(reverse("api:dossier-list")).json()["count"] == 0


def test_anonymous_requests_are_refused(client):
    assert client.get(reverse("api:dossier-list")).status_code in (401, 403)


def test_the_list_uses_the_same_number_of_queries_for_5_and_50(api, citizen, birth, commune):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(reverse("api:dossier-list")).status_code == 200
        return len(queries)

    for _ in range(5):
        dossier_start(applicant=citizen, version=birth, agency=commune)
    with_5 = count()
    for _ in range(45):
        dossier_start(applicant=citizen, version=birth, agency=commune)
    assert count() == with_5


def test_the_dossier_endpoints_are_in_the_openapi_schema(client):
    paths = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert {
        "/api/v1/dossiers/",
        "/api/v1/dossiers/{reference}/",
        "/api/v1/dossiers/{reference}/attachments/",
        "/api/v1/dossiers/{reference}/submit/",
    } <= set(paths)
