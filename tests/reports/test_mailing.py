import io
from datetime import date
from unittest import mock

from django.core import mail

import pytest
from openpyxl import load_workbook

from accounts.constants import Role
from dossiers.constants import Status
from reports.mailing import periods_closed, reports_mail_due
from tests.factories import StaffMembershipFactory
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db


def test_the_periods_closed_by_the_cutoff():
    assert [(p.kind, p.number, p.year) for p in periods_closed(today=date(2026, 3, 15))] == [
        ("month", 3, 2026),
        ("quarter", 1, 2026),
    ]
    assert [(p.kind, p.number, p.year) for p in periods_closed(today=date(2026, 1, 10))] == [
        ("month", 12, 2025),
        ("quarter", 4, 2025),
    ]
    assert [(p.kind, p.number) for p in periods_closed(today=date(2026, 5, 20))] == [("month", 5)]


def test_leaders_get_the_reports_after_the_cutoff_once_with_the_files_attached(district, make):
    leader = StaffMembershipFactory(agency=district["district"], role=Role.LEADER, user__email="lanhdao@demo.vn").user
    StaffMembershipFactory(agency=district["desk"], role=Role.CLERK)  # clerks get none
    make(
        district["desk"],
        received=at(2026, 3, 2, 9),
        due=at(2026, 3, 10, 17),
        status=Status.DONE,
        finished=at(2026, 3, 9, 9),
    )
    assert reports_mail_due(today=date(2026, 3, 15)) == 2  # March by the cut-off, and Q1
    assert [m.to for m in mail.outbox] == [[leader.email], [leader.email]]
    march = mail.outbox[0]
    assert "Tháng 3/2026" in march.subject and "UBND huyện Như Thanh" in march.subject
    names = [name for name, _content, _type in march.attachments]
    assert names == [
        "06a-000.00.22.H56-20260215-20260314.xlsx",
        "truc-tuyen-000.00.22.H56-20260215-20260314.xlsx",
    ]
    sheet = load_workbook(io.BytesIO(march.attachments[0][1])).active
    assert any(row[1] == "Tổng cộng" and row[2] == 1 for row in sheet.iter_rows(values_only=True))
    assert reports_mail_due(today=date(2026, 3, 16)) == 0  # the next morning: nothing again
    assert len(mail.outbox) == 2


def test_a_mail_server_error_sends_it_the_next_day(district):
    StaffMembershipFactory(agency=district["district"], role=Role.LEADER, user__email="lanhdao@demo.vn")
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError("smtp down")):
        assert reports_mail_due(today=date(2026, 5, 15)) == 0
    assert reports_mail_due(today=date(2026, 5, 16)) == 1


def test_a_deactivated_leader_gets_no_report(district):
    leader = StaffMembershipFactory(agency=district["district"], role=Role.LEADER, user__email="cu@demo.vn").user
    leader.is_active = False
    leader.save()
    assert reports_mail_due(today=date(2026, 5, 15)) == 0
