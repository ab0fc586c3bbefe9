"""A real unit's data imported from the kind of file a province hands over: its agency tree, staff and
roles, calendar exceptions and a procedure of its catalogue; all or nothing, every bad row named."""

import json
from datetime import date
from io import BytesIO, StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

import pytest
from openpyxl import Workbook

from accounts.constants import AgencyKind, Role
from accounts.models import Agency, StaffMembership, User
from procedures.models import CalendarDay, ProcedureVersion

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
AGENCIES = [
    ("Mã đơn vị", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên", "Mã ĐVHC"),
    ("000.00.00.H56", "UBND tỉnh Thanh Hóa", "Tỉnh", "", "38"),
    ("000.00.21.H56", "UBND huyện Như Xuân", "Huyện", "000.00.00.H56", "403"),
    ("000.05.21.H56", "Phòng Tư pháp huyện Như Xuân", "Phòng", "000.00.21.H56", ""),
    ("000.10.21.H56", "UBND xã Bãi Trành", "Xã", "000.00.21.H56", "16246"),
    ("000.11.21.H56", "UBND thị trấn Yên Cát", "thị trấn", "000.00.21.H56", "16237"),
]
STAFF = [
    ("Họ và tên", "Thư điện tử", "Điện thoại", "Mã đơn vị", "Vai trò"),
    ("Lò Thị Mai", "mai.lt@nhuxuan.gov.vn", "0915 000 111", "000.10.21.H56", "Một cửa"),
    ("Hà Văn Toàn", "", "0915000222", "000.05.21.H56", "Chuyên viên"),
    ("Lê Văn Sơn", "son.lv@nhuxuan.gov.vn", "", "000.00.21.H56", "Lãnh đạo"),
    ("Lê Văn Sơn", "son.lv@nhuxuan.gov.vn", "", "000.00.21.H56", "quản trị danh mục"),
]
CALENDAR = [
    ("Ngày", "Làm việc", "Ghi chú"),
    ("02/01/2027", "không", "Nghỉ bù Tết Dương lịch"),
    (date(2027, 1, 9), "có", "Làm bù"),
]


def workbook(**sheets) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def unit_file(tmp_path, **sheets) -> Path:
    path = tmp_path / "don-vi.xlsx"
    path.write_bytes(workbook(**sheets))
    return path


def test_a_units_tree_staff_and_calendar_are_imported_with_roles_and_no_passwords(tmp_path):
    path = unit_file(tmp_path, **{"Đơn vị": AGENCIES, "Cán bộ": STAFF, "Lịch làm việc": CALENDAR})
    out = StringIO()
    call_command("import_unit", str(path), stdout=out)
    district = Agency.objects.get(code="000.00.21.H56")
    assert district.kind == AgencyKind.DISTRICT and district.parent.code == "000.00.00.H56"
    town = Agency.objects.get(code="000.11.21.H56")
    assert town.kind == AgencyKind.COMMUNE and town.parent == district and town.gso_code == "16237"
    assert Agency.objects.get(code="000.05.21.H56").kind == AgencyKind.DEPARTMENT
    clerk = User.objects.get(email="mai.lt@nhuxuan.gov.vn")
    assert clerk.phone == "0915000111" and not clerk.has_usable_password()  # sets it with "Quên mật khẩu"
    assert list(clerk.memberships.values_list("agency__code", "role")) == [("000.10.21.H56", Role.CLERK)]
    assert User.objects.get(phone="0915000222").memberships.get().role == Role.SPECIALIST
    leader = User.objects.get(email="son.lv@nhuxuan.gov.vn")
    assert set(leader.memberships.values_list("role", flat=True)) == {Role.LEADER, Role.CATALOGUE_ADMIN}
    days = dict(CalendarDay.objects.filter(date__year=2027).values_list("date", "is_working_day"))
    assert days == {date(2027, 1, 2): False, date(2027, 1, 9): True}
    text = out.getvalue()
    assert "agencies created: 5" in text and "people created: 3" in text and "roles granted: 4" in text
    assert "Quên mật khẩu" in text

    # The same file again changes nothing it should not: no second person, no second role.
    again = StringIO()
    call_command("import_unit", str(path), stdout=again)
    assert "agencies updated: 5" in again.getvalue() and "people created" not in again.getvalue()
    assert User.objects.filter(email="son.lv@nhuxuan.gov.vn").count() == 1
    assert StaffMembership.objects.count() == 4


def test_the_template_has_the_sheets_the_import_reads_and_an_empty_one_is_refused(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "mau.xlsx"
    call_command("import_unit", str(path), "--template", stdout=StringIO())
    book = load_workbook(path)
    assert book.sheetnames == ["Đơn vị", "Cán bộ", "Lịch làm việc"]
    assert [cell.value for cell in book["Cán bộ"][1]] == [
        "Họ và tên",
        "Thư điện tử",
        "Điện thoại",
        "Mã đơn vị",
        "Vai trò",
    ]
    errors = StringIO()
    with pytest.raises(CommandError, match="nothing imported: 1 problem"):
        call_command("import_unit", str(path), stdout=StringIO(), stderr=errors)
    assert "có dòng dữ liệu" in errors.getvalue()  # in Vietnamese, the language of the settings


def test_every_bad_row_is_named_and_nothing_is_written(tmp_path):
    agencies = [
        *AGENCIES[:3],
        ("000.12.21.H56", "UBND xã Thanh Quân", "thôn", "000.00.21.H56", ""),  # not a kind
        ("000.13.21.H56", "UBND xã Xuân Bình", "Xã", "000.99.21.H56", ""),  # superior nowhere
        ("000.00.21.H56", "trùng mã", "Huyện", "000.00.00.H56", ""),  # the district's code again
    ]
    staff = [
        STAFF[0],  # the header
        ("Nguyễn Văn A", "", "12345", "000.00.21.H56", "Lãnh đạo"),  # not a phone number
        ("", "b@nhuxuan.gov.vn", "", "000.00.21.H56", "Bảo vệ"),  # no name, not a role
        ("Trần C", "c@nhuxuan.gov.vn", "", "000.77.21.H56", "Một cửa"),  # unknown unit
    ]
    calendar = [CALENDAR[0], ("31/02/2027", "không", ""), ("02/01/2027", "có lẽ", ""), ("02/01/2027", "không", "")]
    path = unit_file(tmp_path, **{"Đơn vị": agencies, "Cán bộ": staff, "Lịch làm việc": calendar})
    errors = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_unit", str(path), stdout=StringIO(), stderr=errors)
    assert "nothing imported: 10 problem" in str(refused.value), errors.getvalue()
    lines = errors.getvalue().splitlines()
    expected = [
        "Trang “Đơn vị”, dòng 4, Loại:",
        "Trang “Đơn vị”, dòng 5, Mã đơn vị cấp trên:",
        "Trang “Đơn vị”, dòng 6, Mã đơn vị:",
        "Trang “Cán bộ”, dòng 2, Điện thoại:",
        "Trang “Cán bộ”, dòng 3, Họ và tên:",
        "Trang “Cán bộ”, dòng 3, Vai trò:",
        "Trang “Cán bộ”, dòng 4, Mã đơn vị:",
        "Trang “Lịch làm việc”, dòng 2, Ngày:",
        "Trang “Lịch làm việc”, dòng 3, Làm việc:",
        "Trang “Lịch làm việc”, dòng 4, Ngày:",
    ]
    missing = [start for start in expected if not any(line.startswith(start) for line in lines)]
    assert not missing, errors.getvalue()
    assert len(lines) == 10
    assert not Agency.objects.exists() and not User.objects.exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_a_json_file_brings_the_units_catalogue_too(tmp_path):
    demo = json.loads((ROOT / "procedures/demo_catalogue.json").read_text(encoding="utf-8"))
    birth = next(p for p in demo["procedures"] if p["code"] == "1.001193")
    birth["agencies"] = ["000.10.21.H56"]
    payload = {
        "agencies": [
            {"code": "000.00.21.H56", "name": "UBND huyện Như Xuân", "kind": "district"},
            {"code": "000.10.21.H56", "name": "UBND xã Bãi Trành", "kind": "commune", "parent": "000.00.21.H56"},
        ],
        "staff": [{"full_name": "Lò Thị Mai", "phone": "0915000111", "agency": "000.10.21.H56", "role": "clerk"}],
        "calendar": [{"date": "2027-01-02", "is_working_day": False, "note": "Nghỉ bù"}],
        "procedures": [birth],
    }
    path = tmp_path / "don-vi.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("import_unit", str(path), stdout=out)
    assert "procedures imported: 1" in out.getvalue()
    version = ProcedureVersion.objects.get(procedure__code="1.001193")
    assert version.status == "published" and list(version.agencies.values_list("code", flat=True)) == ["000.10.21.H56"]
    assert User.objects.get(phone="0915000111").memberships.get().agency.code == "000.10.21.H56"


def test_a_file_that_is_neither_is_refused_plainly(tmp_path):
    path = tmp_path / "rac.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_unit", str(path), stdout=StringIO(), stderr=StringIO())
    path.write_bytes(b"{not json")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_unit", str(path), stdout=StringIO(), stderr=StringIO())


def test_loops_citizen_accounts_two_accounts_and_a_number_typed_as_a_number(tmp_path):
    from tests.factories import UserFactory

    UserFactory(email="dan@example.vn", phone="0987000111")  # a citizen's own account
    UserFactory(email="other@example.vn", phone="0987000222")
    agencies = [
        AGENCIES[0],
        ("000.00.21.H56", "UBND huyện Như Xuân", "Huyện", "", ""),
        ("000.10.21.H56", "UBND xã A", "Xã", "000.11.21.H56", ""),  # A under B, B under A
        ("000.11.21.H56", "UBND xã B", "Xã", "000.10.21.H56", ""),
    ]
    staff = [
        STAFF[0],
        ("Công dân", "dan@example.vn", "", "000.00.21.H56", "Một cửa"),
        ("Hai người", "other@example.vn", "0987000111", "000.00.21.H56", "Một cửa"),
        ("Số", "", 915000333, "000.00.21.H56", "Lãnh đạo"),
    ]
    path = unit_file(tmp_path, **{"Đơn vị": agencies, "Cán bộ": staff})
    errors = StringIO()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_unit", str(path), stdout=StringIO(), stderr=errors)
    text = errors.getvalue()
    assert "dòng 3" in text and "dòng 4" in text  # the loop: no traceback, both rows named
    assert "tài khoản của công dân" in text and "hai tài khoản khác nhau" in text
    assert "915000333" not in text  # read as 0915000333, a valid number
    assert not User.objects.filter(is_staff=True).exists()
