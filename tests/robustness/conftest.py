"""A small but complete portal for the robustness tests: a district with a commune, its desk clerk, a
specialist and a leader, a published level-4 procedure whose online form has a field of every type,
and a citizen with a submitted dossier (with its file) and a draft."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from accounts.constants import Role
from dossiers.services import dossier_receive, dossier_start
from procedures.services import FeeData
from tests.dossiers.conftest import submit_online
from tests.factories import AgencyFactory, StaffMembershipFactory, UserFactory, published_procedure

FORM_SCHEMA = [
    {"name": "ho_ten", "label": "Họ và tên", "type": "text", "required": True},
    {"name": "so_ban", "label": "Số bản", "type": "number", "integer": True, "min": 1, "max": 20},
    {"name": "dien_tich", "label": "Diện tích (m²)", "type": "number", "min": 0},
    {"name": "ngay_sinh", "label": "Ngày sinh", "type": "date"},
    {"name": "gioi_tinh", "label": "Giới tính", "type": "choice", "choices": ["Nam", "Nữ"]},
    {"name": "da_ket_hon", "label": "Đã kết hôn", "type": "yesno"},
    {"name": "cccd", "label": "Số CCCD", "type": "citizen_id"},
    {"name": "dien_thoai", "label": "Điện thoại", "type": "phone"},
    {"name": "dia_chi", "label": "Nơi cư trú", "type": "address"},
]


@pytest.fixture
def portal(db):
    district = AgencyFactory(district=True, code="000.00.22.H56", name="UBND huyện Như Thanh")
    commune = AgencyFactory(code="000.12.22.H56", name="UBND xã Xuân Du", parent=district)
    clerk = StaffMembershipFactory(agency=commune, role=Role.CLERK, user__full_name="Trần Thị Bình").user
    StaffMembershipFactory(agency=commune, role=Role.SPECIALIST)
    leader = StaffMembershipFactory(agency=district, role=Role.LEADER).user
    procedure = published_procedure(
        code="1.001193",
        name="Thủ tục đăng ký khai sinh",
        agencies=[commune],
        form_schema=FORM_SCHEMA,
        fees=[FeeData(label="Lệ phí", amount=8000)],
        processing_days=Decimal("3"),
    )
    citizen = UserFactory(full_name="Lê Thị Hoa", email="hoa@example.vn", phone="0912345678", citizen_id="038190001234")
    submitted = submit_online(citizen=citizen, version=procedure, agency=commune)
    received = submit_online(citizen=citizen, version=procedure, agency=commune)
    dossier_receive(dossier=received, by=clerk)
    draft = dossier_start(applicant=citizen, version=procedure, agency=commune)
    return SimpleNamespace(
        district=district,
        commune=commune,
        clerk=clerk,
        leader=leader,
        citizen=citizen,
        procedure=procedure,
        submitted=submitted,
        received=received,
        draft=draft,
        attachment=submitted.attachments.first(),
    )
