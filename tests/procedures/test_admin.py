import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from accounts.constants import Role
from procedures.constants import VersionStatus
from procedures.exchange import catalogue_export_json, catalogue_export_xlsx
from procedures.models import ProcedureVersion
from tests.factories import StaffMembershipFactory, published_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue_admin(client):
    membership = StaffMembershipFactory(role=Role.CATALOGUE_ADMIN, user__is_staff=True)
    client.force_login(membership.user)
    return membership.user


def test_a_catalogue_admin_imports_a_file_and_sees_each_broken_row(client, catalogue_admin):
    published_procedure(code="1.001193")
    payload = json.loads(catalogue_export_json())
    payload["procedures"][0]["processing_days"] = "một"
    upload = SimpleUploadedFile("danh-muc.json", json.dumps(payload).encode(), content_type="application/json")

    response = client.post(reverse("admin:procedures_procedure_import"), {"file": upload, "publish": "on"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Thủ tục thứ 1 (1.001193), processing_days" in page
    assert "chưa nhập gì" in page
    assert ProcedureVersion.objects.count() == 1


def test_a_catalogue_admin_imports_an_xlsx_file_as_published_versions(client, catalogue_admin):
    published_procedure(code="1.001193", name="Thủ tục đăng ký khai sinh")
    upload = SimpleUploadedFile("danh-muc.bin", catalogue_export_xlsx())  # recognised by content, not name

    response = client.post(reverse("admin:procedures_procedure_import"), {"file": upload, "publish": "on"})

    assert response.status_code == 302
    new = ProcedureVersion.objects.get(number=2)
    assert new.status == VersionStatus.PUBLISHED


def test_exports_download_as_files(client, catalogue_admin):
    published_procedure(code="1.001193")
    response = client.get(reverse("admin:procedures_procedure_export_xlsx"))
    assert response["Content-Disposition"].startswith('attachment; filename="thu-tuc-')
    assert response.content[:2] == b"PK"
    body = json.loads(client.get(reverse("admin:procedures_procedure_export_json")).content)
    assert body["procedures"][0]["code"] == "1.001193"


def test_a_published_version_is_read_only_in_the_admin(client, catalogue_admin):
    version = published_procedure(code="1.001193", name="Thủ tục đăng ký khai sinh")
    url = reverse("admin:procedures_procedureversion_change", args=[version.pk])
    page = client.get(url).content.decode()
    assert 'name="name"' not in page
    client.post(url, {"name": "Sửa trái phép"})
    version.refresh_from_db()
    assert version.name == "Thủ tục đăng ký khai sinh"


def test_the_new_draft_action_copies_the_version_for_editing(client, catalogue_admin):
    version = published_procedure(code="1.001193")
    client.post(
        reverse("admin:procedures_procedure_changelist"),
        {"action": "new_draft", "_selected_action": [version.procedure.pk]},
    )
    draft = ProcedureVersion.objects.get(number=2)
    assert draft.status == VersionStatus.DRAFT
    page = client.get(reverse("admin:procedures_procedureversion_change", args=[draft.pk])).content.decode()
    assert 'name="name"' in page


def test_a_desk_clerk_cannot_reach_the_catalogue_admin(client):
    membership = StaffMembershipFactory(role=Role.CLERK, user__is_staff=True)
    client.force_login(membership.user)
    assert client.get(reverse("admin:procedures_procedure_changelist")).status_code == 403
    assert client.get(reverse("admin:procedures_procedure_import")).status_code == 403
    assert client.get(reverse("admin:procedures_procedure_export_json")).status_code == 403


def test_publishing_from_the_admin_asks_for_the_effective_date(client, catalogue_admin):
    from datetime import date

    from procedures.services import procedure_version_new_draft

    version = published_procedure(code="1.001193")
    draft = procedure_version_new_draft(procedure=version.procedure)
    changelist = reverse("admin:procedures_procedureversion_changelist")

    page = client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]}).content.decode()
    assert 'name="effective_from"' in page
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT

    client.post(
        changelist,
        {"action": "publish", "_selected_action": [draft.pk], "apply": "1", "effective_from": "2027-01-01"},
    )
    draft.refresh_from_db()
    assert (draft.status, draft.effective_from) == (VersionStatus.PUBLISHED, date(2027, 1, 1))
