import json
from io import BytesIO

from django.utils import translation

import pytest
from openpyxl import load_workbook

from procedures.constants import VersionStatus
from procedures.exchange import (
    CatalogueImportError,
    catalogue_export_json,
    catalogue_export_xlsx,
    catalogue_import,
    records_from_json,
    records_from_xlsx,
)
from procedures.models import ProcedureVersion
from tests.factories import AgencyFactory, published_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def two_procedures():
    agencies = [AgencyFactory(), AgencyFactory()]
    return [
        published_procedure(code="1.001193", name="Thủ tục đăng ký khai sinh", agencies=agencies),
        published_procedure(code="1.000656", name="Thủ tục đăng ký khai tử", agencies=agencies[:1]),
    ]


def _content(version: ProcedureVersion) -> dict:
    return {
        "name": version.name,
        "field": version.field.code,
        "days": version.processing_days,
        "agencies": sorted(a.code for a in version.agencies.all()),
        "documents": [(d.name, d.copies, d.copy_type, d.mandatory) for d in version.documents.all()],
        "fees": [(f.label, f.amount) for f in version.fees.all()],
        "steps": [(s.name, s.agency_id, s.role, s.days) for s in version.steps.all()],
        "form": version.form_schema,
    }


@pytest.mark.parametrize("kind", ["json", "xlsx"])
def test_an_exported_catalogue_imports_back_as_new_versions_with_the_same_content(two_procedures, kind):
    raw = catalogue_export_json() if kind == "json" else catalogue_export_xlsx()
    records = records_from_json(raw) if kind == "json" else records_from_xlsx(raw)

    result = catalogue_import(records=records, publish=False, xlsx=kind == "xlsx")

    assert len(result.versions) == 2
    for original in two_procedures:
        imported = ProcedureVersion.objects.get(procedure=original.procedure, number=2)
        assert imported.status == VersionStatus.DRAFT
        assert _content(imported) == _content(original)
        original.refresh_from_db()
        assert original.status == VersionStatus.PUBLISHED


def test_the_xlsx_export_has_one_sheet_per_part_with_readable_headers(two_procedures):
    workbook = load_workbook(BytesIO(catalogue_export_xlsx()))
    assert workbook.sheetnames == ["Thủ tục", "Giấy tờ", "Phí, lệ phí", "Quy trình"]
    header = [cell.value for cell in workbook["Thủ tục"][1]]
    assert header[:2] == ["Mã thủ tục", "Tên thủ tục"]
    codes = {row[0] for row in workbook["Thủ tục"].iter_rows(min_row=2, values_only=True)}
    assert codes == {"1.001193", "1.000656"}


def _broken_workbook(raw: bytes) -> bytes:
    workbook = load_workbook(BytesIO(raw))
    procedures = workbook["Thủ tục"]
    header = [cell.value for cell in procedures[1]]
    procedures.cell(row=3, column=header.index("Thời hạn (ngày làm việc)") + 1, value="ba ngày")
    documents = workbook["Giấy tờ"]
    doc_header = [cell.value for cell in documents[1]]
    documents.cell(row=2, column=doc_header.index("Loại bản") + 1, value="bản scan")
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_broken_xlsx_row_is_reported_by_sheet_row_and_column_and_nothing_is_imported(two_procedures):
    raw = _broken_workbook(catalogue_export_xlsx())
    versions_before = ProcedureVersion.objects.count()

    with pytest.raises(CatalogueImportError) as error:
        catalogue_import(records=records_from_xlsx(raw), publish=True, xlsx=True)

    messages = [str(problem) for problem in error.value.problems]
    assert any(m.startswith("Sheet “Thủ tục”, row 3, Thời hạn (ngày làm việc):") for m in messages), messages
    assert any(m.startswith("Sheet “Giấy tờ”, row 2, Loại bản:") for m in messages), messages
    assert len(messages) == 2
    assert ProcedureVersion.objects.count() == versions_before


def test_a_json_record_with_an_unknown_agency_and_a_bad_form_names_the_procedure_and_field(two_procedures):
    payload = json.loads(catalogue_export_json())
    payload["procedures"][1]["agencies"] = ["000.99.99.H99"]
    payload["procedures"][0]["form_schema"] = [{"name": "x", "label": "X", "type": "colour"}]
    with pytest.raises(CatalogueImportError) as error:
        catalogue_import(records=records_from_json(json.dumps(payload)), publish=True)
    messages = [str(problem) for problem in error.value.problems]
    assert any("Procedure 2 (1.001193), agencies" in m for m in messages), messages
    assert any("Procedure 1 (1.000656), form_schema" in m and "colour" in m for m in messages), messages
    assert ProcedureVersion.objects.filter(number=2).count() == 0


def test_a_row_that_fails_the_publication_check_rolls_back_the_whole_import(two_procedures):
    payload = json.loads(catalogue_export_json())
    payload["procedures"][1]["processing_days"] = "10"  # the route still adds up to 3 days
    with pytest.raises(CatalogueImportError) as error:
        catalogue_import(records=records_from_json(json.dumps(payload)), publish=True)
    assert "Procedure 2 (1.001193)" in str(error.value.problems[0])
    assert ProcedureVersion.objects.filter(number=2).count() == 0


def test_files_that_are_not_a_catalogue_are_refused_clearly():
    with pytest.raises(CatalogueImportError) as error:
        records_from_json(b"{not json")
    assert "not valid JSON" in str(error.value.problems[0])
    with pytest.raises(CatalogueImportError) as error:
        records_from_xlsx(b"PK\x03\x04 broken zip")
    assert "XLSX" in str(error.value.problems[0])


def test_a_document_row_for_an_unknown_procedure_is_reported(two_procedures):
    workbook = load_workbook(BytesIO(catalogue_export_xlsx()))
    workbook["Giấy tờ"].cell(row=2, column=1, value="1.999999")
    buffer = BytesIO()
    workbook.save(buffer)
    with pytest.raises(CatalogueImportError) as error:
        records_from_xlsx(buffer.getvalue())
    assert "Sheet “Giấy tờ”, row 2" in str(error.value.problems[0])
    assert "1.999999" in str(error.value.problems[0])


def test_text_that_looks_like_a_formula_is_exported_as_text(two_procedures):
    version = two_procedures[0]
    version.conditions = '=HYPERLINK("http://example.com")'
    version.save()
    sheet = load_workbook(BytesIO(catalogue_export_xlsx()))["Thủ tục"]
    header = [cell.value for cell in sheet[1]]
    [cell] = [
        row[header.index("Yêu cầu, điều kiện")] for row in sheet.iter_rows(min_row=2) if row[0].value == "1.001193"
    ]
    assert cell.value.startswith("=HYPERLINK")
    assert cell.data_type == "s"


def test_a_code_typed_as_a_number_in_excel_keeps_its_trailing_zeros(two_procedures):
    workbook = load_workbook(BytesIO(catalogue_export_xlsx()))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == "1.001193":
                row[0].value = 1.00119  # what Excel keeps of 1.001190 typed as a number
    buffer = BytesIO()
    workbook.save(buffer)
    records = records_from_xlsx(buffer.getvalue())
    assert "1.001190" in {record.data["code"] for record in records}
