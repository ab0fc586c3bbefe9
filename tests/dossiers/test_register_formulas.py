"""The register's XLSX as a spreadsheet program reads it: an applicant's name or address that begins
like a formula is text behind an apostrophe, never a formula; numbers stay numbers."""

import io

from django.urls import reverse

import pytest
from openpyxl import load_workbook

from tests.conftest import FORMULA_LEADS as LEADING
from tests.dossiers.test_register import JUNE, at, walk_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lead", LEADING.values(), ids=LEADING.keys())
def test_a_name_or_address_beginning_like_a_formula_is_text_in_the_registers_xlsx(
    client, citizen, network, allowance, lead
):
    name, address = f'{lead}HYPERLINK("http://x.example","Xem")', f"{lead}cmd|' /C calc'!A0"
    walk_in(network, citizen, allowance, at(9, 9, 0), full_name=name, address=address)
    walk_in(network, citizen, allowance, at(9, 10, 0), full_name="Lê Văn = Tám", address="Thôn 1")
    client.force_login(network["clerk"])
    response = client.get(reverse("dossiers:register_file", args=["xlsx"]), {"agency": "000.12.22.H56", **JUNE})
    sheet = load_workbook(io.BytesIO(response.content)).active
    first, second = sheet[12], sheet[13]
    assert first[4].value == "'" + name and first[4].data_type == "s"
    contact = f"{address.strip()}, 0987654321"  # an address is kept without surrounding spaces
    assert first[5].value == ("'" + contact if lead.strip() else contact) and first[5].data_type == "s"
    assert second[4].value == "Lê Văn = Tám" and second[5].value == "Thôn 1, 0987654321"  # nothing added
    assert (first[0].value, first[0].data_type, first[3].value, first[3].data_type) == (1, "n", 1, "n")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
