"""The report files as a spreadsheet program reads them (CSV through the csv module, XLSX through
openpyxl): a unit's name that begins like a formula, in the table or in the header, is text behind an
apostrophe; numbers, negative ones too, stay numbers."""

import csv
import io
from decimal import Decimal

from django.urls import reverse

import pytest
from openpyxl import load_workbook

from accounts.constants import Role
from reports.exports import Sheet, sheet_csv, sheet_xlsx
from tests.conftest import FORMULA_LEADS as LEADING
from tests.factories import StaffMembershipFactory
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db

Q1 = {"kind": "quarter", "year": 2026, "number": 1, "cutoff": "on", "grouping": "unit"}


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _xlsx_cells(content: bytes) -> list:
    return [cell for row in load_workbook(io.BytesIO(content)).active.iter_rows() for cell in row]


@pytest.mark.parametrize("lead", LEADING.values(), ids=LEADING.keys())
def test_unit_names_beginning_like_a_formula_are_text_in_the_csv_and_the_xlsx(client, district, make, lead):
    unit, top = district["communes"][1], district["district"]
    unit.name = f'{lead}HYPERLINK("http://x.example","Xem")'
    unit.save()
    top.name = f"{lead}cmd|' /C calc'!A0"
    top.save()
    make(unit, received=at(2026, 1, 5, 9), due=at(2026, 1, 20, 17))
    client.force_login(StaffMembershipFactory(agency=top, role=Role.LEADER).user)
    query = {"agency": top.code, **Q1}

    for url in (reverse("reports:report_06a_csv"), reverse("reports:report_06a_csv") + "?table=online"):
        rows = _csv_rows(client.get(url, query).content)
        cells = [value for row in rows for value in row]
        assert "'" + unit.name in cells and "'" + top.name in cells
        assert not any(value.startswith(tuple(LEADING.values())) for value in cells)
        assert "UBND xã 0" in cells and "Bộ phận Một cửa huyện" in cells  # other names as they are

    cells = _xlsx_cells(client.get(reverse("reports:report_06a_xlsx"), query).content)
    texts = {cell.value: cell.data_type for cell in cells if isinstance(cell.value, str)}
    assert texts["'" + unit.name] == "s" and texts["'" + top.name] == "s"
    assert not any(cell.data_type == "f" for cell in cells)
    assert not any(isinstance(cell.value, str) and cell.value.startswith(tuple(LEADING.values())) for cell in cells)
    assert any(cell.value == 1 and cell.data_type == "n" for cell in cells)  # the counts are numbers


def test_negative_numbers_stay_numbers_and_text_that_looks_like_one_is_text():
    sheet = Sheet(
        form="Biểu thử",
        title="Thử",
        agency_name="UBND huyện",
        period_label="Quý 1/2026",
        unit_of_measure="hồ sơ",
        headings=["STT", "Đơn vị", "Chênh lệch", "Tỷ lệ", "Ghi chú"],
        rows=[["Xã A", -5, Decimal("-1.5"), "-2+3"]],
        total=["Tổng", -5, Decimal("-1.5"), "@SUM(A1)"],
        file_stem="thu",
    )
    line = next(row for row in _csv_rows(sheet_csv(sheet)) if row and row[0] == "1")
    assert line == ["1", "Xã A", "-5", "-1.5", "'-2+3"]  # a spreadsheet reads -5 and -1.5 as numbers
    cells = {cell.coordinate: cell for cell in _xlsx_cells(sheet_xlsx(sheet))}
    row = next(cell.row for cell in cells.values() if cell.value == "Xã A")
    assert (cells[f"C{row}"].value, cells[f"C{row}"].data_type) == (-5, "n")
    assert (cells[f"D{row}"].value, cells[f"D{row}"].data_type) == (-1.5, "n")
    assert (cells[f"E{row}"].value, cells[f"E{row}"].data_type) == ("'-2+3", "s")
    assert (cells[f"E{row + 1}"].value, cells[f"E{row + 1}"].data_type) == ("'@SUM(A1)", "s")
