"""The leaders' report pages, exports and API."""

import csv
import io

from django.urls import reverse

import pytest
from openpyxl import load_workbook

from accounts.constants import Role
from dossiers.constants import Channel, Status
from tests.factories import StaffMembershipFactory, UserFactory
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db

Q1 = {"kind": "quarter", "year": 2026, "number": 1, "cutoff": "on", "grouping": "unit"}


@pytest.fixture
def leader(district):
    return StaffMembershipFactory(agency=district["district"], role=Role.LEADER).user


@pytest.fixture
def history(district, make):
    desk, commune = district["desk"], district["communes"][0]
    make(desk, received=at(2026, 1, 5, 9), due=at(2026, 1, 20, 17), status=Status.DONE, finished=at(2026, 1, 19, 9))
    make(desk, received=at(2026, 2, 2, 9), due=at(2026, 2, 10, 17), status=Status.DONE, finished=at(2026, 2, 11, 8))
    make(commune, received=at(2026, 3, 2, 9), due=at(2026, 3, 10, 17), channel=Channel.DIRECT)
    make(commune, received=at(2026, 3, 16, 9), due=at(2026, 3, 30, 17))  # after the cut-off: next quarter


def params(district, **extra):
    return {"agency": district["district"].code, **Q1, **extra}


def test_a_leader_reads_the_06a_table_and_opens_the_dossiers_behind_a_number(client, leader, district, history):
    client.force_login(leader)
    response = client.get(reverse("reports:report_06a"), params(district))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Quý 1/2026 (15/12/2025 – 14/03/2026)" in page
    # A withdrawn dossier's column reads as the dossier's word, not the catalogue's "unpublished".
    assert "Rút hồ sơ" in page and "Ngừng công bố" not in page
    total = page[page.index('data-testid="report-total"') :]
    assert ">3</a>" in total  # received: three dossiers by the cut-off
    late = client.get(reverse("reports:report_06a_cell"), {**params(district), "column": "late"}).content.decode()
    assert late.count('class="cell-row"') == 1 and "T000002" in late
    unit = client.get(
        reverse("reports:report_06a_cell"),
        {**params(district), "column": "received", "unit": district["communes"][0].pk},
    ).content.decode()
    assert unit.count('class="cell-row"') == 1


def test_the_xlsx_opens_as_a_spreadsheet_with_the_official_header_and_values(client, leader, district, history):
    client.force_login(leader)
    response = client.get(reverse("reports:report_06a_xlsx"), params(district))
    assert response["Content-Disposition"].startswith('attachment; filename="06a-000.00.22.H56-20251215-20260314.xlsx')
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    flat = [str(v) for row in values for v in row if v is not None]
    assert "UBND huyện Như Thanh" in flat and "hồ sơ" in flat
    assert "Rút hồ sơ" in flat and "Ngừng công bố" not in flat
    assert any("15/12/2025" in v for v in flat)
    total = next(row for row in values if row[1] == "Tổng cộng")
    # ..., in progress: total, within time, overdue, of which waiting for a supplement / for the fee; withdrawn, stopped
    assert total[2:] == [3, 2, 1, 0, 2, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0]
    assert not any(isinstance(v, str) and v.startswith("=") for v in flat)  # values, never formulas


def test_the_csv_has_the_same_numbers(client, leader, district, history):
    client.force_login(leader)
    content = client.get(reverse("reports:report_06a_csv"), params(district)).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[-1][1:] == ["Tổng cộng", "3", "2", "1", "0", "2", "1", "0", "1", "1", "0", "1", "0", "0", "0", "0"]


def test_only_leaders_read_reports_and_only_of_their_own_units(client, district, history):
    clerk = StaffMembershipFactory(agency=district["desk"], role=Role.CLERK).user
    client.force_login(clerk)
    assert client.get(reverse("reports:report_06a"), params(district)).status_code == 403
    commune_leader = StaffMembershipFactory(agency=district["communes"][0], role=Role.LEADER).user
    client.force_login(commune_leader)
    response = client.get(reverse("reports:report_06a"), params(district))
    assert response.status_code == 400  # the district is not among the units they may choose
    own = client.get(reverse("reports:report_06a"), params(district, agency=district["communes"][0].code))
    assert own.status_code == 200
    client.force_login(UserFactory())
    assert client.get(reverse("reports:report_06a_xlsx"), params(district)).status_code == 403


def test_a_bad_period_is_explained(client, leader, district):
    client.force_login(leader)
    response = client.get(reverse("reports:report_06a"), params(district, number=5))
    assert response.status_code == 400 and "Quý chỉ từ 1 đến 4" in response.content.decode()
    response = client.get(reverse("reports:report_06a"), params(district, kind="range"))
    assert "Hãy nhập ngày đầu và ngày cuối" in response.content.decode()


def test_the_api_gives_leaders_the_same_numbers(client, leader, district, history):
    client.force_login(leader)
    answer = client.get(reverse("api:report-06a"), params(district)).json()
    assert answer["period"]["first_day"] == "2025-12-15" and answer["total"]["counts"]["received"] == 3
    assert answer["rows"][0]["label"] == "Bộ phận Một cửa huyện"
    indicators = client.get(reverse("api:report-indicators"), params(district)).json()
    assert indicators["total"]["counts"]["online"] == 2 and indicators["total"]["rates"]["online_share"] == 66.7
    client.force_login(UserFactory())
    assert client.get(reverse("api:report-06a"), params(district)).status_code == 403
    assert client.get(reverse("api:report-indicators"), params(district)).status_code == 403


def test_the_report_page_opens_on_the_current_quarter_by_the_cutoff(client, leader, district):
    client.force_login(leader)
    page = client.get(reverse("reports:report_06a")).content.decode()
    assert 'data-testid="report-06a"' in page


def test_the_pdf_carries_the_header_and_the_numbers(client, leader, district, history):
    from pypdf import PdfReader

    client.force_login(leader)
    response = client.get(reverse("reports:report_06a_pdf"), params(district))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Biểu II.06a" in text and "UBND huyện Như Thanh" in text and "15/12/2025" in text
    assert "3 2 1 0 2 1 0 1 1 0 1 0 0" in text  # the total row


def test_the_online_service_table_by_level_with_its_rates(client, leader, district, make):
    desk, commune = district["desk"], district["communes"][0]
    make(desk, received=at(2026, 1, 5, 9), due=at(2026, 1, 20, 17), status=Status.DONE, finished=at(2026, 1, 19, 9))
    make(commune, received=at(2026, 2, 2, 9), due=at(2026, 2, 10, 17), channel=Channel.DIRECT)
    client.force_login(leader)
    page = client.get(reverse("reports:online"), params(district)).content.decode()
    table = page[page.index('data-testid="online-table"') :]
    assert "Tỷ lệ hồ sơ tiếp nhận trực tuyến (%)" in table and "50,0" in table
    workbook = client.get(reverse("reports:report_06a_xlsx"), {**params(district), "table": "online"})
    assert 'filename="truc-tuyen-000.00.22.H56-20251215-20260314.xlsx"' in workbook["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    total = next(row for row in rows if row[1] == "Tổng cộng")
    # online, desk/post; waiting for reception, its longest wait, over 1 working day, sent back for completion;
    # online L3, online L4, resolved online L3, L4, electronic, ...; then the rates
    assert total[2:4] == [1, 1] and total[4:8] == [0, None, 0, 0]
    assert sum(total[8:10]) == 1 and total[12] == 0
    assert total[13:15] == [0, 0]  # fees paid online, ratings: none yet
    assert total[15:] == [50.0, 50.0, 0.0, None, None]  # no fee paid, nobody rated: no rate


def test_links_back_from_a_drill_down_carry_only_the_reports_choice(client, leader, district, history):
    client.force_login(leader)
    unit = district["communes"][0]
    page = client.get(
        reverse("reports:report_06a_cell"), {**params(district), "column": "received", "unit": unit.pk, "page": 1}
    ).content.decode()
    back = page[page.index("Quay lại báo cáo") - 400 : page.index("Quay lại báo cáo")]
    assert "unit=" not in back and "column=" not in back and "agency=000.00.22.H56" in back
    # A unit with the field grouping is refused rather than silently ignored.
    wrong = client.get(
        reverse("reports:report_06a_cell"),
        {**params(district, grouping="field"), "column": "received", "unit": unit.pk},
    )
    assert wrong.status_code == 400


def test_the_dashboard_rows_open_unit_lists_even_after_a_grouping_by_field(client, leader, district, history):
    client.force_login(leader)
    page = client.get(reverse("reports:dashboard"), params(district, grouping="field")).content.decode()
    ranking = page[page.index('data-testid="ranking"') :]
    assert "grouping=field" not in ranking and "grouping=unit" in ranking


def test_a_range_longer_than_three_years_or_out_of_bounds_is_refused(client, leader, district):
    client.force_login(leader)
    for first, last in [("2015-01-01", "2100-12-31"), ("2026-01-01", "9999-12-31")]:
        response = client.get(
            reverse("reports:dashboard"), params(district, kind="range", first_day=first, last_day=last)
        )
        assert response.status_code == 400
        assert "tối đa ba năm" in response.content.decode()


def test_names_that_look_like_formulas_are_written_as_text(client, leader, district, make):
    evil = district["communes"][1]
    evil.name = '=HYPERLINK("http://x")'
    evil.save()
    make(evil, received=at(2026, 1, 5, 9), due=at(2026, 1, 20, 17))
    client.force_login(leader)
    content = client.get(reverse("reports:report_06a_csv"), params(district)).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in content
    sheet = load_workbook(io.BytesIO(client.get(reverse("reports:report_06a_xlsx"), params(district)).content)).active
    names = [row[1] for row in sheet.iter_rows(values_only=True)]
    assert '\'=HYPERLINK("http://x")' in names
