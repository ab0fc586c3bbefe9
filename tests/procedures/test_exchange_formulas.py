"""The catalogue's XLSX as a spreadsheet program reads it: text that begins like a formula is a text
cell marked "text as typed", never a formula, and reads back unchanged on import; numbers stay
numbers."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from procedures.exchange import catalogue_export_xlsx, records_from_xlsx
from tests.conftest import FORMULA_LEADS as LEADING
from tests.factories import AgencyFactory, published_procedure

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lead", LEADING.values(), ids=LEADING.keys())
def test_catalogue_text_beginning_like_a_formula_is_a_text_cell_that_imports_back_as_written(lead):
    version = published_procedure(code="1.001193", name="Thủ tục đăng ký khai sinh", agencies=[AgencyFactory()])
    version.conditions = f'{lead}HYPERLINK("http://x.example","Xem")'
    version.legal_basis = f"{lead}cmd|' /C calc'!A0"
    version.save()
    fee = version.fees.get()
    fee.note = f"{lead}1+1"
    fee.save()

    workbook = load_workbook(BytesIO(catalogue_export_xlsx()))
    sheet = workbook["Thủ tục"]
    header = [cell.value for cell in sheet[1]]
    row = sheet[2]
    for column, written in (("Yêu cầu, điều kiện", version.conditions), ("Căn cứ pháp lý", version.legal_basis)):
        cell = row[header.index(column)]
        assert (cell.value, cell.data_type, cell.quotePrefix) == (written, "s", True)  # exactly, no apostrophe
    fees = workbook["Phí, lệ phí"]
    fee_header = [cell.value for cell in fees[1]]
    note, amount = fees[2][fee_header.index("Ghi chú")], fees[2][fee_header.index("Mức thu (đồng)")]
    assert (note.value, note.data_type, note.quotePrefix) == (fee.note, "s", True)
    assert (amount.value, amount.data_type, amount.quotePrefix) == (fee.amount, "n", False)
    days = row[header.index("Thời hạn (ngày làm việc)")]
    assert days.data_type == "n" and not days.quotePrefix
    plain = row[header.index("Tên thủ tục")]
    assert (plain.value, plain.data_type, plain.quotePrefix) == ("Thủ tục đăng ký khai sinh", "s", False)
    assert not any(
        cell.data_type == "f" for sheet in workbook.worksheets for line in sheet.iter_rows() for cell in line
    )

    [record] = records_from_xlsx(catalogue_export_xlsx())
    assert record.data["conditions"] == version.conditions.strip()  # the import trims surrounding spaces
    assert record.data["legal_basis"] == version.legal_basis.strip()
    assert record.data["fees"][0]["note"] == fee.note.strip()
