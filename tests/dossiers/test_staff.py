from django.urls import reverse

import pytest

from accounts.constants import Role
from dossiers.actions import actions_for
from dossiers.constants import Status
from dossiers.services import dossier_complete, dossier_hand_over, dossier_receive
from tests.conftest import query_count
from tests.dossiers.conftest import pdf_upload, submit_online
from tests.factories import AgencyFactory, StaffMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _names(user, dossier):
    return {action.name for action in actions_for(user=user, dossier=dossier)}


def test_permission_matrix_for_every_role_and_state(citizen, network, allowance):
    clerk, specialist, leader, other_clerk = (network[k] for k in ("clerk", "specialist", "leader", "other_clerk"))
    stranger = UserFactory()
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])

    submitted = {
        citizen: {"withdraw"},
        clerk: {"receive", "request_completion", "refuse", "withdraw"},
        specialist: set(),
        leader: set(),
        other_clerk: set(),
        stranger: set(),
    }
    for user, expected in submitted.items():
        assert _names(user, dossier) == expected, user

    dossier = dossier_receive(dossier=dossier, by=clerk).dossier
    received = {
        citizen: {"withdraw"},
        # The usual fee (8.000 đ) was attached at reception: the desk may record it paid in cash.
        clerk: {"hand_over", "request_completion", "apologise", "withdraw", "fee_paid_at_desk"},
        specialist: set(),
        leader: {"stop", "apologise"},
        other_clerk: set(),
        stranger: set(),
    }
    for user, expected in received.items():
        assert _names(user, dossier) == expected, user
    dossier = dossier_hand_over(dossier=dossier, by=clerk, to_agency=network["department"], to_user=specialist).dossier
    processing = {
        citizen: {"withdraw"},
        clerk: {"hand_over", "request_completion", "request_payment", "apologise", "withdraw", "fee_paid_at_desk"},
        specialist: {"hand_over", "request_completion", "request_payment", "complete", "apologise"},
        leader: {"stop", "apologise"},
        other_clerk: set(),
        stranger: set(),
    }
    for user, expected in processing.items():
        assert _names(user, dossier) == expected, user

    from dossiers.services import dossier_record_payment, dossier_request_payment

    dossier = dossier_request_payment(dossier=dossier, by=specialist, amount=15000).dossier
    awaiting = {
        citizen: {"withdraw"},
        clerk: {"record_payment", "apologise", "withdraw"},
        specialist: {"record_payment", "apologise"},
        leader: {"stop", "apologise"},
        other_clerk: set(),
    }
    for user, expected in awaiting.items():
        assert _names(user, dossier) == expected, user
    dossier = dossier_record_payment(dossier=dossier, by=clerk).dossier
    dossier = dossier_complete(dossier=dossier, by=specialist, results=[pdf_upload()]).dossier
    done = {citizen: set(), clerk: {"return_result"}, specialist: set(), leader: set(), other_clerk: set()}
    for user, expected in done.items():
        assert _names(user, dossier) == expected, user


def test_another_communes_clerk_gets_404_for_the_dossier_and_its_actions(client, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    client.force_login(network["other_clerk"])
    assert client.get(reverse("dossiers:detail", args=[dossier.reference])).status_code == 404
    response = client.post(reverse("dossiers:action", args=[dossier.reference, "receive"]))
    assert response.status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


def test_a_clerk_receives_from_the_dossier_page_and_a_second_click_is_told_what_happened(
    client,
    citizen,
    network,
    allowance,
):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    client.force_login(network["clerk"])
    page = client.get(reverse("dossiers:detail", args=[dossier.reference])).content.decode()
    assert 'data-action="receive"' in page
    url = reverse("dossiers:action", args=[dossier.reference, "receive"])
    seen = {"expected_status": "submitted", "expected_version": dossier.version}  # what the page holds
    client.post(url, seen)
    response = client.post(url, seen, follow=True)
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert "Người khác vừa xử lý hồ sơ này" in response.content.decode()
    assert dossier.events.filter(to_status=Status.RECEIVED).count() == 1


def test_a_refusal_without_a_reason_is_refused_and_nothing_changes(client, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    client.force_login(network["clerk"])
    response = client.post(
        reverse("dossiers:action", args=[dossier.reference, "refuse"]),
        {"expected_status": "submitted", "refuse-reason": ""},
        follow=True,
    )
    assert "Lý do" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED and dossier.events.count() == 1


def test_handing_over_from_the_page_to_a_department_specialist(client, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier_receive(dossier=dossier, by=network["clerk"])
    client.force_login(network["clerk"])
    target = f"a{network['department'].pk}u{network['specialist'].pk}"
    client.post(
        reverse("dossiers:action", args=[dossier.reference, "hand_over"]),
        {"expected_status": "received", "expected_version": 1, "hand_over-target": target},
    )
    dossier.refresh_from_db()
    assert (dossier.status, dossier.current_assignee) == (Status.PROCESSING, network["specialist"])
    client.force_login(network["specialist"])
    queue = client.get(reverse("dossiers:queue"), {"mine": "on"}).content.decode()
    assert dossier.code in queue


def test_the_queue_filters_and_searches(client, citizen, network, allowance):
    first = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    second = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier_receive(dossier=second, by=network["clerk"])
    client.force_login(network["clerk"])
    page = client.get(reverse("dossiers:queue"), {"status": "submitted"}).content.decode()
    assert first.code in page and second.code not in page
    page = client.get(reverse("dossiers:queue"), {"q": second.code[-4:]}).content.decode()
    assert second.code in page
    page = client.get(reverse("dossiers:queue"), {"q": "0912345678"}).content.decode()
    assert first.code in page and second.code in page
    client.force_login(network["other_clerk"])
    page = client.get(reverse("dossiers:queue")).content.decode()
    assert first.code not in page


def test_a_citizen_cannot_open_the_queue(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("dossiers:queue")).status_code == 403


def test_the_queue_uses_the_same_number_of_queries_for_5_and_50(client, network, fill_queue):
    client.force_login(network["clerk"])
    fill_queue(5)
    with_5 = query_count(client, reverse("dossiers:queue"))
    fill_queue(45)
    assert query_count(client, reverse("dossiers:queue")) == with_5


def test_a_district_leader_sees_the_communes_dossiers(client, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    client.force_login(network["leader"])
    assert client.get(reverse("dossiers:detail", args=[dossier.reference])).status_code == 200
    other_district = AgencyFactory(district=True, code="000.00.23.H56")
    outsider = StaffMembershipFactory(agency=other_district, role=Role.LEADER).user
    client.force_login(outsider)
    assert client.get(reverse("dossiers:detail", args=[dossier.reference])).status_code == 404


def test_a_citizen_resubmits_online_after_a_supplement_request(client, citizen, network, allowance):
    from dossiers.services import dossier_request_completion

    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier_request_completion(dossier=dossier, by=network["clerk"], missing=["Giấy khám sức khỏe"], reason="Thiếu")
    client.force_login(citizen)
    page = client.get(reverse("dossiers:detail", args=[dossier.reference])).content.decode()
    assert 'data-action="resubmit"' in page
    assert 'data-action="receive"' not in page
    client.post(
        reverse("dossiers:action", args=[dossier.reference, "resubmit"]),
        {
            "expected_status": "supplement_requested",
            "expected_version": 1,
            "resubmit-file": pdf_upload("giay-kham.pdf"),
        },
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert dossier.attachments.filter(original_name="giay-kham.pdf").exists()


def test_a_citizen_cannot_act_as_a_clerk(client, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    client.force_login(citizen)
    response = client.post(
        reverse("dossiers:action", args=[dossier.reference, "receive"]),
        {"expected_status": "submitted", "expected_version": 0},
        follow=True,
    )
    assert "Vai trò của bạn không được thực hiện thao tác này" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


def test_the_citizen_sees_where_the_dossier_is_who_has_it_and_since_when(client, citizen, network, allowance):
    from dossiers.services import dossier_hand_over, dossier_receive

    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier_receive(dossier=dossier, by=network["clerk"])
    dossier_hand_over(
        dossier=dossier, by=network["clerk"], to_agency=network["department"], to_user=network["specialist"]
    )
    client.force_login(citizen)
    page = client.get(reverse("dossiers:detail", args=[dossier.reference])).content.decode()
    assert "Hồ sơ đang ở" in page
    assert "Phòng LĐ-TB&amp;XH" in page
    assert network["specialist"].full_name in page
    assert "Nguyễn Minh An" in page  # the form's answers
