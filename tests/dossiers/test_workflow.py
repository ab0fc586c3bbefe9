from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

import pytest

from accounts.constants import AgencyKind, Role
from dossiers.constants import NATIONAL_CODES, SlipKind, Status, Timeliness
from dossiers.models import DossierEvent, DossierStep
from dossiers.selectors import dossier_timeliness, step_timeliness
from dossiers.services import (
    DossierChanged,
    TransitionNotAllowed,
    dossier_apologise,
    dossier_complete,
    dossier_hand_over,
    dossier_receive,
    dossier_refuse,
    dossier_request_completion,
    dossier_resubmit,
    dossier_return,
    dossier_stop,
    dossier_withdraw,
)
from tests.dossiers.conftest import at_once, pdf_upload, submit_online
from tests.factories import StaffMembershipFactory

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db


def test_a_joint_dossier_goes_commune_desk_department_leader_and_back_to_the_citizen(citizen, network, allowance):
    clerk, specialist, leader = network["clerk"], network["specialist"], network["leader"]
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])

    outcome = dossier_receive(dossier=dossier, by=clerk)
    assert outcome.dossier.status == Status.RECEIVED and NATIONAL_CODES[outcome.dossier.status] == 2
    assert outcome.slip.kind == SlipKind.RECEIPT
    assert outcome.dossier.due_at > outcome.dossier.received_at

    dossier = dossier_hand_over(dossier=dossier, by=clerk, to_agency=network["department"], to_user=specialist).dossier
    assert (dossier.status, dossier.current_agency, dossier.current_assignee) == (
        Status.PROCESSING,
        network["department"],
        specialist,
    )
    dossier = dossier_hand_over(dossier=dossier, by=specialist, to_agency=network["district"], to_user=leader).dossier
    dossier = dossier_hand_over(dossier=dossier, by=leader, to_agency=network["commune"], to_user=clerk).dossier
    dossier = dossier_complete(dossier=dossier, by=clerk, results=[pdf_upload("quyet-dinh.pdf")]).dossier
    assert dossier.status == Status.DONE and dossier.attachments.filter(is_result=True).count() == 1
    assert dossier.result_electronic  # counted by the digitisation indicator
    dossier = dossier_return(dossier=dossier, by=clerk, delivery="desk").dossier
    assert (dossier.status, NATIONAL_CODES[dossier.status]) == (Status.RETURNED, 10)

    steps = list(DossierStep.objects.filter(dossier=dossier))
    assert [(s.name, s.agency.kind) for s in steps] == [
        ("Tiếp nhận", AgencyKind.COMMUNE),
        ("Thẩm định", AgencyKind.DEPARTMENT),
        ("Phê duyệt", AgencyKind.DISTRICT),
        ("Trả kết quả", AgencyKind.COMMUNE),
    ]
    assert all(step.finished_at for step in steps)
    assert [step.handed_by for step in steps[1:]] == [clerk, specialist, leader]
    assert {step_timeliness(step=step) for step in steps} <= {Timeliness.EARLY, Timeliness.ON_TIME}
    assert dossier_timeliness(dossier=dossier) == Timeliness.EARLY
    assert [e.to_status for e in dossier.events.all()] == [
        Status.SUBMITTED,
        Status.RECEIVED,
        Status.PROCESSING,
        Status.PROCESSING,
        Status.PROCESSING,
        Status.DONE,
        Status.RETURNED,
    ]


def test_a_dossier_submitted_on_the_last_afternoon_before_tet_is_due_after_tet(citizen, network, allowance):
    friday = datetime(2026, 2, 13, 16, 0, tzinfo=TZ)
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"], when=friday)
    with mock.patch.object(timezone, "now", return_value=datetime(2026, 2, 13, 16, 30, tzinfo=TZ)):
        dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    # 10 working days from Friday 16:00: Tết 16-20/2 are off → due Friday 6/3 16:00.
    assert timezone.localtime(dossier.due_at) == datetime(2026, 3, 6, 16, 0, tzinfo=TZ)


def test_refusing_needs_a_reason_and_a_refusal_writes_the_slip(citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    with pytest.raises(ValidationError):
        dossier_refuse(dossier=dossier, by=network["clerk"], reason="  ")
    assert dossier.events.count() == 1
    outcome = dossier_refuse(dossier=dossier, by=network["clerk"], reason="Không thuộc thẩm quyền")
    assert (outcome.dossier.status, outcome.slip.kind, outcome.slip.data["reason"]) == (
        Status.REFUSED,
        SlipKind.REFUSAL,
        "Không thuộc thẩm quyền",
    )


def test_completion_before_reception_then_the_complete_dossier_returns_to_the_desk(citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    outcome = dossier_request_completion(
        dossier=dossier, by=network["clerk"], missing=["Giấy xác nhận khuyết tật"], reason="Thiếu giấy tờ"
    )
    assert outcome.slip.kind == SlipKind.SUPPLEMENT and outcome.slip.data["missing"] == ["Giấy xác nhận khuyết tật"]
    dossier = dossier_resubmit(dossier=dossier, by=citizen, uploads=[(None, pdf_upload("bo-sung.pdf"))]).dossier
    assert dossier.status == Status.SUBMITTED
    assert dossier_receive(dossier=dossier, by=network["clerk"]).dossier.status == Status.RECEIVED


def test_a_supplement_during_processing_pauses_and_the_full_time_restarts(citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    dossier = dossier_hand_over(dossier=dossier, by=network["clerk"], to_agency=network["department"]).dossier
    dossier = dossier_request_completion(
        dossier=dossier, by=network["specialist"], missing=["Sổ hộ khẩu"], reason="Cần bổ sung"
    ).dossier
    later = datetime(2027, 3, 1, 8, 0, tzinfo=TZ)
    with mock.patch.object(timezone, "now", return_value=later):
        dossier = dossier_resubmit(dossier=dossier, by=network["clerk"], note="Nộp bản sao sổ hộ khẩu tại quầy").dossier
    assert dossier.status == Status.PROCESSING
    assert timezone.localtime(dossier.due_at) == datetime(2027, 3, 15, 8, 0, tzinfo=TZ)  # 10 working days


def test_a_forbidden_transition_or_role_writes_nothing(citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    with pytest.raises(TransitionNotAllowed):
        dossier_return(dossier=dossier, by=network["clerk"], delivery="desk", expected_status=None)
    with pytest.raises(PermissionDenied):
        dossier_receive(dossier=dossier, by=network["specialist"])
    with pytest.raises(PermissionDenied):
        dossier_receive(dossier=dossier, by=network["other_clerk"])
    with pytest.raises(PermissionDenied):
        dossier_withdraw(dossier=dossier, by=network["specialist"], reason="Không")
    with pytest.raises(TransitionNotAllowed):
        dossier_stop(dossier=dossier, by=network["leader"], reason="Chưa tiếp nhận thì không dừng")
    with pytest.raises(ValidationError):
        dossier_complete(dossier=dossier, by=network["clerk"], results=[], expected_status=None)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert dossier.events.count() == 1


def test_a_replayed_action_is_told_what_happened(citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier_receive(dossier=dossier, by=network["clerk"], expected_status=Status.SUBMITTED)
    with pytest.raises(DossierChanged) as error:
        dossier_receive(dossier=dossier, by=network["clerk"], expected_status=Status.SUBMITTED)
    assert "Trần Thị Bình" in str(error.value)
    assert dossier.events.count() == 2


def test_a_leader_stops_and_a_citizen_withdraws(citizen, network, allowance):
    first = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    first = dossier_receive(dossier=first, by=network["clerk"]).dossier
    outcome = dossier_stop(dossier=first, by=network["leader"], reason="Người đề nghị đã mất")
    assert (outcome.dossier.status, outcome.slip.kind) == (Status.STOPPED, SlipKind.STOP)
    second = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    assert dossier_withdraw(dossier=second, by=citizen, reason="Không cần nữa").dossier.status == Status.WITHDRAWN


def test_a_late_dossier_gets_an_apology_and_stays_late(citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    after_due = dossier.due_at + timezone.timedelta(days=3)
    assert dossier_timeliness(dossier=dossier, now=after_due) == Timeliness.OVERDUE
    outcome = dossier_apologise(
        dossier=dossier,
        by=network["clerk"],
        reason="Chờ xác minh",
        new_appointment=after_due + timezone.timedelta(days=5),
    )
    assert outcome.slip.kind == SlipKind.APOLOGY
    dossier = dossier_hand_over(dossier=outcome.dossier, by=network["clerk"], to_agency=network["department"]).dossier
    with mock.patch.object(timezone, "now", return_value=after_due + timezone.timedelta(days=1)):
        dossier = dossier_complete(dossier=dossier, by=network["specialist"], results=[pdf_upload()]).dossier
    assert dossier_timeliness(dossier=dossier) == Timeliness.LATE


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (datetime(2026, 3, 5, 17, 0), Timeliness.EARLY),
        (datetime(2026, 3, 6, 8, 0), Timeliness.ON_TIME),
        (datetime(2026, 3, 6, 16, 0), Timeliness.ON_TIME),
        (datetime(2026, 3, 6, 16, 1), Timeliness.LATE),
        (datetime(2026, 3, 9, 7, 30), Timeliness.LATE),
    ],
)
def test_early_on_time_late_at_the_boundaries(finished, expected):
    from dossiers.models import Dossier

    dossier = Dossier(
        status=Status.DONE, due_at=datetime(2026, 3, 6, 16, 0, tzinfo=TZ), finished_at=finished.replace(tzinfo=TZ)
    )
    assert dossier_timeliness(dossier=dossier) == expected


def test_the_history_cannot_be_changed_or_deleted_through_the_application(citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    event = dossier.events.get()
    event.note = "sửa"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        DossierEvent.objects.filter(pk=event.pk).update(note="sửa")
    with pytest.raises(ValidationError):
        DossierEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.postgres
def test_postgresql_itself_refuses_to_change_the_history(citizen, network, allowance):
    from django.db import DatabaseError, transaction

    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    event = dossier.events.get()
    for sql in [
        "UPDATE dossiers_dossierevent SET note = 'x' WHERE id = %s",
        "DELETE FROM dossiers_dossierevent WHERE id = %s",
    ]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_receiving_at_once_one_wins_the_other_is_told(citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    second_clerk = StaffMembershipFactory(agency=network["commune"], role=Role.CLERK).user

    def receive(clerk):
        dossier_receive(dossier=dossier, by=clerk, expected_status=Status.SUBMITTED)

    assert at_once(receive, [network["clerk"], second_clerk]) == ["changed", "ok"]
    assert dossier.events.filter(to_status=Status.RECEIVED).count() == 1


def test_a_repeated_hand_over_or_apology_from_a_stale_page_is_refused(citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    seen = dossier.version
    dossier_hand_over(dossier=dossier, by=network["clerk"], to_agency=network["department"], expected_version=seen)
    with pytest.raises(DossierChanged):
        dossier_hand_over(dossier=dossier, by=network["clerk"], to_agency=network["department"], expected_version=seen)
    assert dossier.steps.count() == 2
    dossier.refresh_from_db()
    seen = dossier.version
    later = dossier.due_at + timezone.timedelta(days=9)
    dossier_apologise(dossier=dossier, by=network["clerk"], reason="Chờ", new_appointment=later, expected_version=seen)
    with pytest.raises(DossierChanged):
        dossier_apologise(
            dossier=dossier, by=network["clerk"], reason="Chờ", new_appointment=later, expected_version=seen
        )
    assert dossier.slips.filter(kind=SlipKind.APOLOGY).count() == 1


def test_a_dossier_waiting_for_the_citizen_is_not_overdue_and_an_empty_resubmission_is_refused(
    citizen, network, allowance
):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    dossier = dossier_request_completion(dossier=dossier, by=network["clerk"], missing=["Ảnh"], reason="Thiếu").dossier
    assert dossier_timeliness(dossier=dossier, now=dossier.due_at + timezone.timedelta(days=30)) is None
    with pytest.raises(ValidationError):
        dossier_resubmit(dossier=dossier, by=citizen)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED


def test_hand_offs_follow_the_route_and_a_detour_is_recorded_as_such(citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    # Straight to the leader: the route's "Phê duyệt"; the department's "Thẩm định" is skipped.
    dossier = dossier_hand_over(
        dossier=dossier,
        by=network["clerk"],
        to_agency=network["district"],
        to_user=network["leader"],
        reason="Lãnh đạo xem trước",
    ).dossier
    # Sent to the department after approval: not a planned step any more.
    dossier = dossier_hand_over(
        dossier=dossier, by=network["leader"], to_agency=network["department"], reason="Thẩm định lại"
    ).dossier
    names = list(dossier.steps.values_list("name", flat=True))
    assert names == ["Tiếp nhận", "Phê duyệt", "Ngoài quy trình đã định"]
    assert dossier.steps.last().due_at == dossier.due_at
