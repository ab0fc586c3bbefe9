"""The dossier register of a desk (sổ theo dõi hồ sơ): each dossier the desk received in a range, with
what became of it, as a clerk reads it on the page, in the XLSX and in the PDF. Dossiers are made
through the services with the clock set at known moments; the expected values are written out here."""

import io
import os
import shutil
import subprocess
import uuid
from contextlib import contextmanager
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.constants import Role
from dossiers.services import (
    dossier_apologise,
    dossier_complete,
    dossier_hand_over,
    dossier_receive,
    dossier_refuse,
    dossier_register_at_desk,
    dossier_request_completion,
    dossier_resubmit,
    dossier_return,
    dossier_stop,
    dossier_withdraw,
)
from tests.conftest import query_count
from tests.dossiers.conftest import pdf_upload, submit_online
from tests.factories import AgencyFactory, StaffMembershipFactory, published_procedure

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
URL = reverse("dossiers:register")
JUNE = {"first_day": "01/06/2025", "last_day": "30/06/2025"}  # typed day first, as people do


def at(day: int, hour: int, minute: int = 0, month: int = 6) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=TZ)


@contextmanager
def clock(moment: datetime):
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def shown(moment: datetime | None) -> str:
    """A time as the register prints it."""
    return moment.astimezone(TZ).strftime("%H:%M %d/%m/%Y") if moment else ""


class _Rows(HTMLParser):
    """The text of each cell of the register's rows on the page."""

    def __init__(self):
        super().__init__()
        self.rows, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr" and ("class", "register-row") in attrs:
            self.rows.append([])
        elif tag == "td" and self.rows and self._cell is None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data + " ")


def page_rows(response) -> dict[str, list[str]]:
    parser = _Rows()
    parser.feed(response.content.decode())
    return {cells[1]: cells for cells in parser.rows}


def walk_in(network, citizen, version, when, **applicant):
    data = {
        "full_name": "Phạm Văn Cường",
        "citizen_id": "038090004321",
        "phone": "0987654321",
        "address": "Thôn 3, xã Xuân Du",
        **applicant,
    }
    with clock(when):
        return dossier_register_at_desk(
            clerk=network["clerk"],
            agency=network["commune"],
            version=version,
            applicant=citizen,
            applicant_data=data,
            form_data={"ho_ten": data["full_name"]},
            result_delivery="desk",
            submission_key=uuid.uuid4(),
        )


@pytest.fixture
def june(citizen, network, allowance):
    """The commune desk's June 2025, through the services at known moments."""
    clerk, specialist, leader = network["clerk"], network["specialist"], network["leader"]
    made = {}

    # An online dossier along the whole route, with a supplement asked by the department.
    joint = submit_online(citizen=citizen, version=allowance, agency=network["commune"], when=at(2, 7, 40))
    with clock(at(2, 9, 15)):
        joint = dossier_receive(dossier=joint, by=clerk).dossier
    made["joint_appointment"] = joint.due_at
    with clock(at(3, 10, 5)):
        joint = dossier_hand_over(dossier=joint, by=clerk, to_agency=network["department"], to_user=specialist).dossier
    with clock(at(4, 14, 0)):
        joint = dossier_request_completion(
            dossier=joint, by=specialist, missing=["Sổ hộ khẩu"], reason="Cần bổ sung"
        ).dossier
    with clock(at(6, 8, 30)):
        joint = dossier_resubmit(dossier=joint, by=citizen, uploads=[(None, pdf_upload("bo-sung.pdf"))]).dossier
    made["joint_new_appointment"] = joint.due_at
    with clock(at(9, 15, 0)):
        joint = dossier_hand_over(dossier=joint, by=specialist, to_agency=network["district"], to_user=leader).dossier
    with clock(at(11, 10, 0)):
        joint = dossier_hand_over(dossier=joint, by=leader, to_agency=network["commune"], to_user=clerk).dossier
    with clock(at(12, 16, 20)):
        joint = dossier_complete(dossier=joint, by=clerk, results=[pdf_upload("quyet-dinh.pdf")]).dossier
    with clock(at(13, 9, 45)):
        dossier_return(dossier=joint, by=clerk, delivery="post", record="EMS EE123456789VN")
    made["joint"] = joint

    # A walk-in that stays at the desk: an apology with a new appointment, then withdrawn.
    desk = walk_in(network, citizen, allowance, at(5, 14, 30))
    made["desk_appointment"] = desk.due_at
    with clock(at(20, 8, 0)):
        desk = dossier_apologise(dossier=desk, by=clerk, reason="Chờ xác minh", new_appointment=at(27, 10, 0)).dossier
    with clock(at(23, 11, 0)):
        dossier_withdraw(dossier=desk, by=citizen, reason="Không cần nữa")
    made["desk"] = desk

    # Received on the range's last minute, handed to the department, result issued on paper.
    paper = submit_online(citizen=citizen, version=allowance, agency=network["commune"], when=at(30, 16, 0))
    with clock(at(30, 23, 59)):
        paper = dossier_receive(dossier=paper, by=clerk).dossier
    with clock(at(1, 8, 0, month=7)):
        paper = dossier_hand_over(dossier=paper, by=clerk, to_agency=network["department"], to_user=specialist).dossier
    with clock(at(2, 9, 0, month=7)):
        dossier_complete(dossier=paper, by=specialist, results=[], on_paper=True, paper_reason="Bản chính có dấu đỏ")
    made["paper"] = paper

    # Received on the first minute of the range, then stopped by the district's leader.
    stopped = submit_online(citizen=citizen, version=allowance, agency=network["commune"], when=at(31, 17, 0, month=5))
    with clock(at(1, 0, 0)):
        stopped = dossier_receive(dossier=stopped, by=clerk).dossier
    with clock(at(18, 15, 0)):
        dossier_stop(dossier=stopped, by=leader, reason="Người đề nghị đã chuyển đi nơi khác")
    made["stopped"] = stopped
    return made


def test_each_dossier_received_in_the_range_is_a_row_with_what_became_of_it(client, network, june):
    client.force_login(network["clerk"])
    response = client.get(URL, {"agency": "000.12.22.H56", **JUNE})
    assert response.status_code == 200
    rows = page_rows(response)
    joint, desk, paper, stopped = june["joint"], june["desk"], june["paper"], june["stopped"]
    # In the order of reception, numbered.
    assert list(rows) == [stopped.code, joint.code, desk.code, paper.code]
    assert [cells[0] for cells in rows.values()] == ["1", "2", "3", "4"]

    assert rows[joint.code] == [
        "2",
        joint.code,
        "Trợ cấp xã hội hằng tháng",
        "1",
        "Lê Thị Hoa",
        "0912345678",
        "Phòng LĐ-TB&XH; UBND huyện Như Thanh",  # the units it was handed to, not the desk it came back to
        "09:15 02/06/2025",
        shown(june["joint_appointment"]),  # the appointment on the receipt as issued at reception
        "10:05 03/06/2025",
        "16:20 12/06/2025",
        "09:45 13/06/2025",
        "",
        "Trực tuyến; Yêu cầu bổ sung 04/06/2025; "
        f"Nhận hồ sơ bổ sung 06/06/2025, hẹn trả mới {shown(june['joint_new_appointment'])}; "
        "Đã gửi qua bưu chính đến địa chỉ của người nộp: EMS EE123456789VN",
    ]
    assert rows[desk.code] == [
        "3",
        desk.code,
        "Trợ cấp xã hội hằng tháng",
        "1",
        "Phạm Văn Cường",
        "Thôn 3, xã Xuân Du, 0987654321",
        "UBND xã Xuân Du",  # never left the desk
        "14:30 05/06/2025",
        shown(june["desk_appointment"]),
        "",
        "",
        "",
        "",
        "Trực tiếp; Xin lỗi, hẹn lại 27/06/2025; Rút hồ sơ 23/06/2025",
    ]
    assert rows[paper.code][6:8] == ["Phòng LĐ-TB&XH", "23:59 30/06/2025"]  # the range's last minute
    assert rows[paper.code][9:12] == ["08:00 01/07/2025", "09:00 02/07/2025", ""]  # after the range: still shown
    assert rows[paper.code][13] == "Trực tuyến; Kết quả cấp bản giấy: Bản chính có dấu đỏ"
    assert rows[stopped.code][7] == "00:00 01/06/2025"
    assert rows[stopped.code][9:12] == ["", "", ""]
    assert rows[stopped.code][13] == "Trực tuyến; Dừng giải quyết 18/06/2025: Người đề nghị đã chuyển đi nơi khác"
    assert "4 hồ sơ đã tiếp nhận" in " ".join(response.content.decode().split())


def test_the_appointment_is_the_one_issued_at_reception_even_after_a_supplement_gave_a_new_one(client, network, june):
    joint = june["joint"]
    joint.refresh_from_db()
    assert joint.due_at == june["joint_new_appointment"] != june["joint_appointment"]
    client.force_login(network["clerk"])
    rows = page_rows(client.get(URL, {"agency": "000.12.22.H56", **JUNE}))
    assert rows[joint.code][8] == shown(june["joint_appointment"])


def test_dossiers_received_elsewhere_or_outside_the_range_refused_or_never_received_are_absent(
    client, citizen, network, allowance
):
    clerk = network["clerk"]
    before = submit_online(citizen=citizen, version=allowance, agency=network["commune"], when=at(31, 9, 0, month=5))
    with clock(at(31, 23, 59, month=5)):
        dossier_receive(dossier=before, by=clerk)
    after = submit_online(citizen=citizen, version=allowance, agency=network["commune"], when=at(30, 9, 0))
    with clock(at(1, 0, 0, month=7)):
        dossier_receive(dossier=after, by=clerk)
    refused = submit_online(citizen=citizen, version=allowance, agency=network["commune"], when=at(10, 9, 0))
    with clock(at(10, 10, 0)):
        dossier_refuse(dossier=refused, by=clerk, reason="Không thuộc thẩm quyền")
    waiting = submit_online(citizen=citizen, version=allowance, agency=network["commune"], when=at(11, 9, 0))
    completed_first = submit_online(citizen=citizen, version=allowance, agency=network["commune"], when=at(12, 9, 0))
    with clock(at(12, 10, 0)):
        dossier_request_completion(dossier=completed_first, by=clerk, missing=["Ảnh 4x6"], reason="Thiếu ảnh")
    elsewhere_agency = network["other_clerk"].memberships.get().agency
    elsewhere_version = published_procedure(name="Đăng ký khai sinh", agencies=[elsewhere_agency])
    elsewhere = submit_online(citizen=citizen, version=elsewhere_version, agency=elsewhere_agency, when=at(13, 9, 0))
    with clock(at(13, 10, 0)):
        dossier_receive(dossier=elsewhere, by=network["other_clerk"])
    inside = submit_online(citizen=citizen, version=allowance, agency=network["commune"], when=at(14, 9, 0))
    with clock(at(16, 8, 0)):
        dossier_receive(dossier=inside, by=clerk)

    client.force_login(clerk)
    response = client.get(URL, {"agency": "000.12.22.H56", **JUNE})
    assert list(page_rows(response)) == [inside.code]
    for absent in (before, after, refused, waiting, completed_first, elsewhere):
        assert absent.code not in response.content.decode()


def test_a_dossier_completed_before_reception_is_listed_at_its_reception_with_the_request_noted(
    client, citizen, network, allowance
):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"], when=at(2, 9, 0))
    with clock(at(2, 10, 0)):
        dossier = dossier_request_completion(
            dossier=dossier, by=network["clerk"], missing=["Ảnh 4x6"], reason="Thiếu ảnh"
        ).dossier
    with clock(at(3, 8, 0)):
        dossier = dossier_resubmit(dossier=dossier, by=citizen, uploads=[(None, pdf_upload("anh.pdf"))]).dossier
    with clock(at(3, 9, 30)):
        dossier_receive(dossier=dossier, by=network["clerk"])
    client.force_login(network["clerk"])
    row = page_rows(client.get(URL, {"agency": "000.12.22.H56", **JUNE}))[dossier.code]
    assert row[7] == "09:30 03/06/2025"
    assert row[13] == "Trực tuyến; Yêu cầu bổ sung 02/06/2025; Nhận hồ sơ bổ sung 03/06/2025"


@pytest.mark.parametrize(
    ("params", "message", "typed"),
    [
        ({"first_day": "30/06/2025", "last_day": "01/06/2025"}, "“Đến ngày” đang ở trước “Từ ngày”", "30/06/2025"),
        ({"first_day": "01/01/2024", "last_day": "01/01/2025"}, "tối đa 366 ngày", "01/01/2024"),
        ({"first_day": "31/02/2025", "last_day": "30/06/2025"}, "Hãy nhập ngày theo dạng dd/mm/yyyy.", "31/02/2025"),
        ({"first_day": "hôm qua", "last_day": "30/06/2025"}, "Hãy nhập ngày theo dạng dd/mm/yyyy.", "hôm qua"),
        ({"first_day": "01/01/0001", "last_day": "02/01/0001"}, "từ năm 2015 đến năm 2100", "01/01/0001"),
        ({"first_day": "", "last_day": "30/06/2025"}, "Trường này là bắt buộc", "30/06/2025"),
    ],
)
def test_bad_days_are_a_clear_error_on_the_form_with_what_was_typed(client, network, params, message, typed):
    client.force_login(network["clerk"])
    response = client.get(URL, {"agency": "000.12.22.H56", **params})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'value="{typed}"' in page
    assert 'class="register-row"' not in page


def test_a_full_leap_year_is_allowed_and_one_day_more_is_not(client, network):
    client.force_login(network["clerk"])
    assert (
        client.get(URL, {"agency": "000.12.22.H56", "first_day": "01/01/2024", "last_day": "31/12/2024"}).status_code
        == 200
    )
    assert (
        client.get(URL, {"agency": "000.12.22.H56", "first_day": "01/01/2024", "last_day": "01/01/2025"}).status_code
        == 400
    )


def test_a_citizen_is_refused_and_a_clerk_cannot_choose_another_commune(client, citizen, network):
    assert client.get(URL)["Location"].startswith(reverse("accounts:login"))  # anonymous: log in first
    client.force_login(citizen)
    assert client.get(URL).status_code == 403
    client.force_login(network["specialist"])  # staff without a desk
    assert client.get(URL).status_code == 403

    client.force_login(network["clerk"])
    page = client.get(URL).content.decode()
    assert "000.13.22.H56" not in page  # the other commune is not offered
    for path in (
        URL,
        reverse("dossiers:register_file", args=["xlsx"]),
        reverse("dossiers:register_file", args=["pdf"]),
    ):
        response = client.get(path, {"agency": "000.13.22.H56", **JUNE})
        assert response.status_code == 400
        assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    assert client.get(reverse("dossiers:register_file", args=["csv"]), JUNE).status_code == 404


def test_a_leader_chooses_among_the_units_under_their_agency(client, network):
    client.force_login(network["leader"])
    page = client.get(URL).content.decode()
    for code in ("000.00.22.H56", "000.12.22.H56", "000.13.22.H56"):
        assert f'value="{code}"' in page
    outside = AgencyFactory(code="000.77.23.H56", name="UBND xã Ngoài Huyện")
    StaffMembershipFactory(agency=outside, role=Role.CLERK)
    assert client.get(URL, {"agency": outside.code, **JUNE}).status_code == 400


def test_without_a_choice_the_register_is_the_current_month_up_to_today(client, network):
    client.force_login(network["clerk"])
    with clock(datetime(2025, 6, 17, 10, 0, tzinfo=TZ)):
        response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="01/06/2025"' in page and 'value="17/06/2025"' in page  # day first, whatever the browser
    assert "first_day=2025-06-01&amp;last_day=2025-06-17" in page  # the files of the same choice


def test_the_page_and_the_xlsx_cost_the_same_queries_for_5_and_for_50_dossiers(client, citizen, network, allowance):
    def add(n):
        for i in range(n):
            dossier = walk_in(network, citizen, allowance, at(2 + i % 20, 8 + i % 8), full_name=f"Người nộp {i}")
            if i % 2:
                with clock(at(25, 9, 0)):
                    dossier_hand_over(
                        dossier=dossier,
                        by=network["clerk"],
                        to_agency=network["department"],
                        to_user=network["specialist"],
                    )

    client.force_login(network["clerk"])
    params = {"agency": "000.12.22.H56", **JUNE}
    xlsx = reverse("dossiers:register_file", args=["xlsx"])
    add(5)
    page_5, xlsx_5 = query_count(client, URL, params), query_count(client, xlsx, params)
    add(45)
    page_50, xlsx_50 = query_count(client, URL, params), query_count(client, xlsx, params)
    assert len(page_rows(client.get(URL, params))) == 50
    print(f"register queries: page {page_5} (5 rows) / {page_50} (50 rows); xlsx {xlsx_5} / {xlsx_50}")
    assert (page_50, xlsx_50) == (page_5, xlsx_5)


def test_the_xlsx_has_the_official_header_the_grouped_headings_the_numbering_and_the_rows(client, network, june):
    client.force_login(network["clerk"])
    response = client.get(reverse("dossiers:register_file", args=["xlsx"]), {"agency": "000.12.22.H56", **JUNE})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="so-theo-doi-000.12.22.H56-20250601-20250630.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = {cell.coordinate: cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert values["A3"] == "UBND HUYỆN NHƯ THANH"
    assert values["A4"] == "UBND XÃ XUÂN DU"
    assert values["H3"] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert values["H4"] == "Độc lập - Tự do - Hạnh phúc"
    assert values["J1"] == "Mẫu số 06"  # Circular 01/2018 still in force on 30/06/2025
    assert "Thông tư số 01/2018/TT-VPCP" in values["J2"]
    assert values["A6"] == "SỔ THEO DÕI HỒ SƠ"
    assert values["A7"] == "Từ ngày 01/06/2025 đến ngày 30/06/2025"
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    assert "H9:L9" in merged and values["H9"] == "Ngày, tháng, năm"
    assert {"A9:A10", "B9:B10", "G9:G10", "M9:M10", "N9:N10"} <= merged
    assert [values[f"{c}9"] for c in "ABCDEFG"] == [
        "TT",
        "Mã hồ sơ",
        "Tên thủ tục hành chính",
        "Số lượng hồ sơ (bộ)",
        "Tên cá nhân, tổ chức",
        "Địa chỉ, số điện thoại",
        "Cơ quan chủ trì giải quyết",
    ]
    assert [values[f"{c}10"] for c in "HIJKL"] == [
        "Nhận hồ sơ",
        "Hẹn trả kết quả",
        "Chuyển hồ sơ đến cơ quan giải quyết",
        "Nhận kết quả từ cơ quan giải quyết",
        "Trả kết quả cho cá nhân, tổ chức",
    ]
    assert (values["M9"], values["N9"]) == ("Ký nhận", "Ghi chú")
    assert [cell.value for cell in sheet[11]] == [f"({n})" for n in range(1, 15)]
    joint = [cell.value for cell in sheet[13]]
    assert joint[:8] == [
        2,
        june["joint"].code,
        "Trợ cấp xã hội hằng tháng",
        1,
        "Lê Thị Hoa",
        "0912345678",
        "Phòng LĐ-TB&XH; UBND huyện Như Thanh",
        "09:15 02/06/2025",
    ]
    assert joint[8:12] == [shown(june["joint_appointment"]), "10:05 03/06/2025", "16:20 12/06/2025", "09:45 13/06/2025"]
    assert sheet.max_row == 11 + 4
    assert sheet.page_setup.orientation == "landscape"
    assert all(sheet.column_dimensions[c].width >= 5 for c in "ABCDEFGHIJKLMN")
    assert not any(isinstance(v, str) and v.startswith("=") for v in values.values())
    print_xlsx(sheet)


def print_xlsx(sheet) -> None:
    """The sheet as text, for a person reading the test's output (-s)."""
    for row in sheet.iter_rows(values_only=True):
        if any(value is not None for value in row):
            print(" | ".join("" if value is None else str(value).replace("\n", " ") for value in row))


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_written_as_text(client, citizen, network, allowance):
    walk_in(network, citizen, allowance, at(9, 9, 0), full_name='=HYPERLINK("http://x.example")', address="+84 Thôn 1")
    walk_in(network, citizen, allowance, at(9, 10, 0), full_name="@SUM(A1)", address="-1")
    walk_in(network, citizen, allowance, at(9, 11, 0), full_name="\tTab", address="\rCR")
    client.force_login(network["clerk"])
    response = client.get(reverse("dossiers:register_file", args=["xlsx"]), {"agency": "000.12.22.H56", **JUNE})
    sheet = load_workbook(io.BytesIO(response.content)).active
    first, second, third = ([cell.value for cell in sheet[row]] for row in (12, 13, 14))
    assert first[4] == '\'=HYPERLINK("http://x.example")' and first[5] == "'+84 Thôn 1, 0987654321"
    assert second[4] == "'@SUM(A1)" and second[5] == "'-1, 0987654321"
    assert third[4] == "'\tTab"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_form_number_is_the_one_of_the_circular_in_force_on_the_last_day(client, network):
    client.force_login(network["clerk"])
    params = {"agency": "000.12.22.H56", "first_day": "01/09/2025", "last_day": "30/09/2025"}
    response = client.get(reverse("dossiers:register_file", args=["xlsx"]), params)
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["J1"].value == "Mẫu số 07"
    assert "Thông tư số 03/2025/TT-VPCP" in sheet["J2"].value
    assert "Mẫu số 07" in client.get(URL, params).content.decode()


def artifacts() -> Path:
    folder = Path(os.environ.get("ARTIFACTS_DIR") or Path(settings.BASE_DIR) / "var" / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_pdf_is_a_landscape_register_with_its_fonts_the_title_the_form_and_the_codes(
    client, network, june, tmp_path
):
    client.force_login(network["clerk"])
    response = client.get(reverse("dossiers:register_file", args=["pdf"]), {"agency": "000.12.22.H56", **JUNE})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="so-theo-doi-000.12.22.H56-20250601-20250630.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for expected in (
        "SỔ THEO DÕI HỒ SƠ",
        "Mẫu số 06",
        "UBND XÃ XUÂN DU",
        "Từ ngày 01/06/2025 đến ngày 30/06/2025",
        "Ngày, tháng, năm",
        "Chuyển hồ sơ đến cơ quan giải quyết",
        june["joint"].code,
        june["desk"].code,
        "Xin lỗi, hẹn lại 27/06/2025",
    ):
        assert expected in text, expected
    fonts = [font.get_object() for font in page["/Resources"]["/Font"].values()]
    assert fonts and all(  # the portal's DejaVu fonts, embedded
        "/FontFile2" in font["/DescendantFonts"][0].get_object()["/FontDescriptor"] for font in fonts
    )
    if shutil.which("pdftoppm"):  # a picture of the first page, for a person to look at
        pdf = tmp_path / "register.pdf"
        pdf.write_bytes(response.content)
        target = artifacts() / "dossier-register"
        subprocess.run(
            [shutil.which("pdftoppm"), "-png", "-r", "60", "-singlefile", str(pdf), str(target)], check=True, timeout=60
        )
        assert target.with_suffix(".png").stat().st_size > 0


def test_the_work_queue_links_to_the_register_for_a_desk_clerk(client, network):
    client.force_login(network["clerk"])
    assert URL in client.get(reverse("dossiers:queue")).content.decode()
