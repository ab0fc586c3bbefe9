"""The two flags of a required document that shape the online wizard: the declaration the online form
replaces (filled_online) and a document only shown at the desk (shown_in_person). They travel with the
catalogue's files, carry over to a new draft, are edited in the admin and set in the demo catalogue."""

import json

from django.urls import reverse

import pytest

from accounts.constants import Role
from procedures.constants import CopyType
from procedures.exchange import (
    catalogue_export_json,
    catalogue_export_xlsx,
    catalogue_import,
    records_from_json,
    records_from_xlsx,
)
from procedures.models import ProcedureVersion
from procedures.services import DocumentData, procedure_version_new_draft
from tests.factories import StaffMembershipFactory, published_procedure

pytestmark = pytest.mark.django_db

DOCUMENTS = [
    DocumentData(name="Tờ khai theo mẫu", copy_type=CopyType.ORIGINAL, filled_online=True),
    DocumentData(name="Giấy chứng sinh", copy_type=CopyType.ORIGINAL),
    DocumentData(name="Căn cước (xuất trình)", copy_type=CopyType.ORIGINAL, shown_in_person=True),
]


def _flags(version: ProcedureVersion) -> list[tuple[str, bool, bool]]:
    return [(d.name, d.filled_online, d.shown_in_person) for d in version.documents.all()]


EXPECTED = [
    ("Tờ khai theo mẫu", True, False),
    ("Giấy chứng sinh", False, False),
    ("Căn cước (xuất trình)", False, True),
]


@pytest.mark.parametrize("kind", ["json", "xlsx"])
def test_the_flags_survive_an_export_and_an_import(kind):
    original = published_procedure(code="1.004873", documents=DOCUMENTS)
    raw = catalogue_export_json() if kind == "json" else catalogue_export_xlsx()
    records = records_from_json(raw) if kind == "json" else records_from_xlsx(raw)
    catalogue_import(records=records, publish=False, xlsx=kind == "xlsx")
    imported = ProcedureVersion.objects.get(procedure=original.procedure, number=2)
    assert _flags(imported) == EXPECTED


def test_a_file_without_the_flags_imports_with_both_off():
    published_procedure(code="1.004873", documents=DOCUMENTS)
    payload = json.loads(catalogue_export_json())
    for document in payload["procedures"][0]["documents"]:
        del document["filled_online"], document["shown_in_person"]
    catalogue_import(records=records_from_json(json.dumps(payload)), publish=False)
    assert _flags(ProcedureVersion.objects.get(number=2)) == [(name, False, False) for name, _f, _s in EXPECTED]


def test_a_new_draft_keeps_the_flags():
    version = published_procedure(code="1.004873", documents=DOCUMENTS)
    assert _flags(procedure_version_new_draft(procedure=version.procedure)) == EXPECTED


def test_the_flags_are_edited_in_the_admin_of_a_draft(client):
    admin = StaffMembershipFactory(role=Role.CATALOGUE_ADMIN, user__is_staff=True).user
    client.force_login(admin)
    draft = procedure_version_new_draft(procedure=published_procedure(code="1.004873", documents=DOCUMENTS).procedure)
    page = client.get(reverse("admin:procedures_procedureversion_change", args=[draft.pk])).content.decode()
    assert 'name="documents-0-filled_online"' in page
    assert 'name="documents-2-shown_in_person"' in page
    assert "khai trên biểu mẫu trực tuyến" in page.lower()


def test_the_demo_catalogue_sets_the_declarations_and_the_documents_shown_in_person():
    from procedures.demo import CATALOGUE_FILE

    catalogue = {p["code"]: p for p in json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))["procedures"]}
    birth = {d["name"]: d for d in catalogue["1.001193"]["documents"]}
    declaration = next(d for name, d in birth.items() if name.startswith("Tờ khai đăng ký khai sinh"))
    assert declaration.get("filled_online") is True
    identity = next(d for name, d in birth.items() if name.startswith("Hộ chiếu/CMND/CCCD"))
    assert identity.get("shown_in_person") is True
    for procedure in catalogue.values():
        for document in procedure["documents"]:
            if document.get("filled_online"):
                assert procedure["form_schema"], procedure["code"]  # only where there is a form to fill
            if document.get("shown_in_person"):
                assert "xuất trình" in document["name"]


def test_seed_demo_gives_demo_procedures_loaded_earlier_the_catalogues_new_flags_and_touches_nothing_else():
    from accounts.demo import load_agencies
    from procedures.demo import load_catalogue
    from procedures.models import ProcedureVersion, RequiredDocument

    load_agencies()
    load_catalogue()
    RequiredDocument.objects.update(filled_online=False, shown_in_person=False)  # as loaded before the flags
    version = ProcedureVersion.objects.get(procedure__code="1.004873")
    schema = [
        {k: v for k, v in field.items() if k not in ("integer", "min", "max", "prefill")}
        for field in version.form_schema
    ]
    ProcedureVersion.objects.filter(pk=version.pk).update(form_schema=schema)
    load_catalogue()
    version.refresh_from_db()
    assert version.documents.filter(filled_online=True).exists()
    assert version.documents.filter(shown_in_person=True).exists()
    assert any("max" in field for field in version.form_schema)
