from decimal import Decimal

import pytest

from accounts.constants import Role
from feedback.constants import Subject
from feedback.models import AnswerTime
from tests.dossiers.conftest import allowance, citizen, district, network  # noqa: F401 (fixtures)
from tests.factories import StaffMembershipFactory

BASIS = "Quy chế tiếp nhận, xử lý phản ánh, kiến nghị của tỉnh, Điều 9"


@pytest.fixture(autouse=True)
def answer_times(db):
    """Answer times for three subjects (a regulation has none: not offered)."""
    for subject, days in {Subject.DOSSIER: "5", Subject.PROCEDURE: "10", Subject.CONDUCT: "10"}.items():
        AnswerTime.objects.create(subject=subject, working_days=Decimal(days), legal_basis=BASIS)


@pytest.fixture
def handlers(network):  # noqa: F811
    """Who handles feedback: a commune officer with the feedback role, a district one (in the district
    itself), and the district's leader from ``network``; a clerk of the commune has no say."""
    return {
        "commune": StaffMembershipFactory(
            agency=network["commune"], role=Role.FEEDBACK, user__full_name="Lê Văn Cường"
        ).user,
        "district": StaffMembershipFactory(
            agency=network["district"], role=Role.FEEDBACK, user__full_name="Phạm Thu Hà"
        ).user,
        "leader": network["leader"],
        "clerk": network["clerk"],
    }
