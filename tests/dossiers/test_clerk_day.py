"""The desk clerk's day: who the applicant is, where staff land, the route's next step offered first,
hand-overs that leave the route say why, staff wording, and one action winning when two arrive."""

import threading
from datetime import date

from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.constants import Role
from accounts.services import citizen_create_at_desk
from dossiers.constants import EventKind, Status
from dossiers.models import Dossier, DossierEvent, DossierStep
from dossiers.services import (
    dossier_complete,
    dossier_hand_over,
    dossier_receive,
)
from tests.conftest import query_count
from tests.dossiers.conftest import pdf_upload, submit_online
from tests.factories import AgencyFactory, StaffMembershipFactory, UserFactory, published_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(district):
    """A commune with the three people its procedures' route needs: the desk clerk, the civil-status
    officer (specialist) and the chairman (leader)."""
    commune = AgencyFactory(code="000.10.22.H56", name="UBND thị trấn Bến Sung", parent=district)
    return {
        "commune": commune,
        "clerk": StaffMembershipFactory(agency=commune, role=Role.CLERK, user__full_name="Trần Thị Bình").user,
        "specialist": StaffMembershipFactory(agency=commune, role=Role.SPECIALIST, user__full_name="Lê Văn Cường").user,
        "leader": StaffMembershipFactory(agency=commune, role=Role.LEADER, user__full_name="Nguyễn Đức Thịnh").user,
        "version": published_procedure(
            code="1.004873", name="Thủ tục cấp Giấy xác nhận tình trạng hôn nhân", agencies=[commune]
        ),
    }


def _page(client, dossier) -> str:
    response = client.get(reverse("dossiers:detail", args=[dossier.reference]))
    assert response.status_code == 200
    return response.content.decode()


def _received(citizen, desk) -> Dossier:
    dossier = submit_online(citizen=citizen, version=desk["version"], agency=desk["commune"])
    return dossier_receive(dossier=dossier, by=desk["clerk"]).dossier


# ---- 1. the applicant, visible -------------------------------------------------------------------


def test_the_staff_page_opens_with_the_applicant_and_where_their_account_came_from(client, desk):
    citizen = citizen_create_at_desk(
        full_name="Hà Văn Sơn",
        citizen_id="038090004321",
        phone="0987654321",
        email="son@example.vn",
        address="Thôn Đồng Lạc, thị trấn Bến Sung",
        date_of_birth=date(1990, 3, 7),
        desk=desk["commune"],
    )
    dossier = submit_online(citizen=citizen, version=desk["version"], agency=desk["commune"])
    client.force_login(desk["clerk"])
    page = _page(client, dossier)
    card = page[page.index('data-testid="applicant"') : page.index("</section>", page.index('data-testid="applicant"'))]
    for expected in [
        "Hà Văn Sơn",
        "038090004321",
        "07/03/1990",
        'href="tel:0912345678"',  # the phone given on the dossier (submit_online gives this one)
        "son@example.vn",
        "Thôn Đồng Lạc, thị trấn Bến Sung",
        f"do Bộ phận Một cửa UBND thị trấn Bến Sung mở ngày {timezone.localtime(citizen.date_joined):%d/%m/%Y}",
    ]:
        assert expected in card, expected
    assert 'data-testid="submitter"' not in card  # the applicant submitted it themselves
    # The staff breadcrumb leads back to the queue.
    assert f'href="{reverse("dossiers:queue")}" data-testid="back-to-queue"' in page


def test_a_dossier_submitted_on_someones_behalf_names_both_persons(client, citizen, desk):
    dossier = submit_online(citizen=citizen, version=desk["version"], agency=desk["commune"])
    Dossier.objects.filter(pk=dossier.pk).update(
        applicant_data={"full_name": "Lê Văn Tám", "citizen_id": "038150009999", "phone": "0977000111"}
    )
    client.force_login(desk["clerk"])
    page = _page(client, dossier)
    assert 'data-testid="applicant-name">Lê Văn Tám<' in page and "038150009999" in page
    submitter = page[page.index('data-testid="submitter"') :]
    assert "Lê Thị Hoa" in submitter and "038190001234" in submitter and "0912345678" in submitter
    assert "công dân tự đăng ký trực tuyến" in page


def test_the_citizen_does_not_get_the_staff_card_on_their_own_page(client, citizen, desk):
    dossier = submit_online(citizen=citizen, version=desk["version"], agency=desk["commune"])
    client.force_login(citizen)
    page = _page(client, dossier)
    assert 'data-testid="applicant"' not in page and 'data-testid="back-to-queue"' not in page


def test_the_queue_finds_a_dossier_by_name_with_or_without_diacritics_citizen_id_or_phone(client, citizen, desk):
    ours = submit_online(citizen=citizen, version=desk["version"], agency=desk["commune"])
    other = UserFactory(full_name="Hoàng Văn Nam", phone="0933444555", citizen_id="038200005555")
    theirs = submit_online(citizen=other, version=desk["version"], agency=desk["commune"])
    Dossier.objects.filter(pk=theirs.pk).update(
        applicant_data={"full_name": "Hoàng Văn Nam", "phone": "0933444555", "citizen_id": "038200005555"},
        applicant_search=" hoang van nam 038200005555 0933444555 ",
    )
    client.force_login(desk["clerk"])
    queue = reverse("dossiers:queue")
    page = client.get(queue).content.decode()
    assert "Lê Thị Hoa" in page and "Hoàng Văn Nam" in page  # the queue names the applicant
    for query in ["Lê Thị Hoa", "le thi hoa", "LE THI", "thi hoa", "038190001234", "0912 345 678", "+84912345678"]:
        page = client.get(queue, {"q": query}).content.decode()
        assert ours.code in page and theirs.code not in page, query
    for query in ["hoang", "Hoàng Văn", "0933444555"]:
        page = client.get(queue, {"q": query}).content.decode()
        assert theirs.code in page and ours.code not in page, query
    assert ours.code not in client.get(queue, {"q": "oa"}).content.decode()  # word starts, not any letters
    both = client.get(queue, {"q": "hoa"}).content.decode()  # "Hoa" and "Hoàng" both start so
    assert ours.code in both and theirs.code in both


def test_the_queue_and_the_dossier_page_cost_the_same_queries_for_5_and_50_rows(client, citizen, desk):
    client.force_login(desk["clerk"])
    for _ in range(5):
        _received(citizen, desk)
    queue_5 = query_count(client, reverse("dossiers:queue"))
    dossier = Dossier.objects.filter(status=Status.RECEIVED).first()
    page_5 = query_count(client, reverse("dossiers:detail", args=[dossier.reference]))
    for _ in range(45):
        _received(citizen, desk)
    # 50 rows of history on the one dossier too: events written as the history is.
    for n in range(45):
        DossierEvent.objects.create(
            dossier=dossier, kind=EventKind.NOTE, from_status=dossier.status, to_status=dossier.status, note=str(n)
        )
    assert query_count(client, reverse("dossiers:queue")) == queue_5
    assert query_count(client, reverse("dossiers:detail", args=[dossier.reference])) == page_5


# ---- 2. where staff land -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "lands"), [("clerk", "dossiers:queue"), ("specialist", "dossiers:queue"), ("leader", "reports:dashboard")]
)
def test_staff_land_where_their_work_is_after_logging_in(client, desk, who, lands):
    user = desk[who]
    response = client.post(reverse("accounts:login"), {"username": user.phone, "password": "mat-khau-thu-nghiem"})
    assert response.status_code == 302 and response["Location"] == reverse(lands)


def test_a_citizen_lands_where_they_did_and_anyone_goes_where_they_were_going(client, citizen, desk):
    citizen.set_password("mat-khau-thu-nghiem")
    citizen.save()
    response = client.post(reverse("accounts:login"), {"username": citizen.phone, "password": "mat-khau-thu-nghiem"})
    assert response["Location"] == reverse("home")
    client.logout()
    going = reverse("dossiers:lookup")
    response = client.post(
        reverse("accounts:login") + f"?next={going}",
        {"username": desk["clerk"].phone, "password": "mat-khau-thu-nghiem", "next": going},
    )
    assert response["Location"] == going


# ---- 3. the route's next step first ----------------------------------------------------------------


def test_after_reception_the_page_opens_the_hand_over_to_the_routes_next_step(client, citizen, desk):
    dossier = _received(citizen, desk)
    client.force_login(desk["clerk"])
    page = _page(client, dossier)
    # The hand-over is the action opened by default, the others closed.
    assert '<details class="border rounded p-2 mb-2" data-testid="action-hand_over" open>' in page
    assert 'data-testid="action-request_completion" >' in page
    select = page[
        page.index('name="hand_over-target"') : page.index("</select>", page.index('name="hand_over-target"'))
    ]
    first_group = select[select.index("<optgroup") : select.index("</optgroup>")]
    assert "Bước tiếp theo của quy trình: Xử lý — UBND thị trấn Bến Sung" in first_group
    specialist = desk["specialist"]
    assert f'value="a{desk["commune"].pk}u{specialist.pk}" selected' in first_group  # the one holding the role
    assert "Lê Văn Cường (Chuyên viên thụ lý)" in first_group
    assert "Trần Thị Bình" not in first_group  # the clerk does not hold the step's role
    # The others follow, grouped by unit.
    assert select.count("<optgroup") >= 2


def test_a_hand_over_along_the_route_needs_no_reason_and_the_next_one_is_offered(client, citizen, desk):
    dossier = _received(citizen, desk)
    client.force_login(desk["clerk"])
    target = f"a{desk['commune'].pk}u{desk['specialist'].pk}"
    response = client.post(
        reverse("dossiers:action", args=[dossier.reference, "hand_over"]),
        {"expected_version": dossier.version, "hand_over-target": target},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.current_assignee == desk["specialist"]
    assert list(dossier.steps.values_list("name", flat=True)) == ["Tiếp nhận", "Xử lý"]
    client.force_login(desk["specialist"])
    page = _page(client, dossier)
    assert "Bước tiếp theo của quy trình: Phê duyệt — UBND thị trấn Bến Sung" in page
    assert f'value="a{desk["commune"].pk}u{desk["leader"].pk}" selected' in page


def test_leaving_the_route_asks_for_the_reason_keeps_what_was_typed_and_records_it(client, citizen, desk):
    dossier = _received(citizen, desk)
    client.force_login(desk["clerk"])
    url = reverse("dossiers:action", args=[dossier.reference, "hand_over"])
    straight_to_leader = f"a{desk['commune'].pk}u{desk['leader'].pk}"
    form = {"expected_version": dossier.version, "hand_over-target": straight_to_leader, "hand_over-note": "Gấp"}
    response = client.post(url, form)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Bước tiếp theo của quy trình là “Xử lý” tại UBND thị trấn Bến Sung" in page
    assert 'data-testid="action-hand_over" open' in page
    assert f'value="{straight_to_leader}" selected' in page and 'value="Gấp"' in page  # nothing lost
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.steps.count() == 1
    response = client.post(url, {**form, "hand_over-reason": "Chủ tịch xem trực tiếp"})
    assert response.status_code == 302
    event = dossier.events.order_by("-pk").first()
    assert "ngoài quy trình: Chủ tịch xem trực tiếp" in event.note and "Gấp" in event.note


def test_once_only_the_desks_return_is_left_the_page_opens_recording_the_result(client, citizen, desk):
    dossier = _received(citizen, desk)
    commune = desk["commune"]
    dossier = dossier_hand_over(
        dossier=dossier, by=desk["clerk"], to_agency=commune, to_user=desk["specialist"]
    ).dossier
    dossier = dossier_hand_over(
        dossier=dossier, by=desk["specialist"], to_agency=commune, to_user=desk["leader"]
    ).dossier
    client.force_login(desk["leader"])
    assert 'data-testid="action-complete" open' in _page(client, dossier)
    dossier = dossier_complete(dossier=dossier, by=desk["leader"], results=[pdf_upload("kq.pdf")]).dossier
    client.force_login(desk["clerk"])
    page = _page(client, dossier)
    assert 'data-testid="action-return_result" open' in page
    # Staff wording: the applicant's choice, in the third person; nothing says "my address".
    actions = page[page.index('id="actions-title"') :]
    assert "Đã gửi qua bưu chính đến địa chỉ của người nộp" in actions and "của tôi" not in actions


def test_the_desk_intake_form_speaks_of_the_applicant_not_of_me(client, desk):
    citizen = citizen_create_at_desk(full_name="Hà Văn Sơn", citizen_id="038090004321", phone="0987654321")
    client.force_login(desk["clerk"])
    page = client.get(reverse("dossiers:desk_intake", args=[citizen.pk]), {"thu_tuc": "1.004873"}).content.decode()
    form = page[page.index("<main") :]
    assert "Người nộp nhận kết quả bằng cách nào?" in form and "Qua bưu chính đến địa chỉ của người nộp" in form
    assert "của tôi" not in form and "Bạn muốn" not in form


# ---- 4. one action wins --------------------------------------------------------------------------


def test_the_page_refuses_an_action_without_the_version_and_changes_nothing(client, citizen, desk):
    dossier = _received(citizen, desk)
    client.force_login(desk["clerk"])
    target = f"a{desk['commune'].pk}u{desk['specialist'].pk}"
    response = client.post(
        reverse("dossiers:action", args=[dossier.reference, "hand_over"]), {"hand_over-target": target}, follow=True
    )
    assert "Trang này đã cũ: hãy tải lại hồ sơ rồi thao tác lại." in response.content.decode()
    assert DossierStep.objects.filter(dossier=dossier).count() == 1
    for junk in ("²", "9" * 5000, "-1", "1.0"):  # never a 500, never an action
        response = client.post(
            reverse("dossiers:action", args=[dossier.reference, "hand_over"]),
            {"hand_over-target": target, "expected_version": junk},
        )
        assert response.status_code == 302, junk
        api = client.post(
            reverse("api:dossier-action", args=[dossier.reference, "hand_over"]),
            {"target": target, "expected_version": junk},
            content_type="application/json",
        )
        assert api.status_code == 400, junk
    assert DossierStep.objects.filter(dossier=dossier).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_identical_hand_overs_through_the_api_write_one_event_and_one_step(citizen, desk):
    from django.db import connection as thread_connection

    dossier = _received(citizen, desk)
    target = f"a{desk['commune'].pk}u{desk['specialist'].pk}"
    url = reverse("api:dossier-action", args=[dossier.reference, "hand_over"])

    def fire(body) -> list[int]:
        answers, barrier = [], threading.Barrier(8)

        def hand_over():
            try:
                client = Client()
                client.force_login(desk["clerk"])
                barrier.wait()
                answers.append(client.post(url, body, content_type="application/json").status_code)
            finally:
                thread_connection.close()

        threads = [threading.Thread(target=hand_over) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sorted(answers)

    # Without the version (as the four calls that all succeeded once did): all refused, nothing written.
    assert fire({"target": target}) == [400] * 8
    assert dossier.steps.count() == 1 and dossier.events.count() == 2
    # With the version the caller read: one wins, seven are told someone acted in between.
    assert fire({"target": target, "expected_version": dossier.version}) == [200] + [409] * 7
    assert dossier.events.filter(to_status=Status.PROCESSING).count() == 1
    assert dossier.steps.count() == 2  # the reception and the one hand-over


def test_a_step_with_no_share_of_its_own_is_due_by_the_end_of_its_working_day(citizen, desk):
    from datetime import datetime
    from decimal import Decimal
    from unittest import mock
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from dossiers.constants import Timeliness
    from dossiers.selectors import step_timeliness
    from procedures.constants import StepRole
    from procedures.services import StepData

    version = published_procedure(
        agencies=[desk["commune"]],
        processing_days=Decimal("1"),
        steps=[
            StepData(name="Tiếp nhận", role=StepRole.CLERK, days=Decimal("0")),
            StepData(name="Xử lý", role=StepRole.SPECIALIST, days=Decimal("1")),
        ],
    )
    tuesday = datetime(2026, 3, 3, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with mock.patch.object(timezone, "now", return_value=tuesday):
        dossier = submit_online(citizen=citizen, version=version, agency=desk["commune"], when=tuesday)
        dossier = dossier_receive(dossier=dossier, by=desk["clerk"]).dossier
    with mock.patch.object(timezone, "now", return_value=tuesday.replace(hour=15)):
        dossier_hand_over(dossier=dossier, by=desk["clerk"], to_agency=desk["commune"], to_user=desk["specialist"])
    reception = dossier.steps.get(order=1)
    assert timezone.localtime(reception.due_at) == tuesday.replace(hour=17, minute=30)
    assert step_timeliness(step=reception) == Timeliness.ON_TIME  # handed on the same day: not late


def test_a_detour_to_the_desk_with_a_reason_does_not_use_up_the_route(citizen, network, allowance):
    from dossiers.actions import expected_action

    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    dossier = dossier_hand_over(
        dossier=dossier, by=network["clerk"], to_agency=network["commune"], reason="Chờ bản gốc"
    ).dossier
    # Not the route's "Trả kết quả": a detour, and the department's appraisal is still what comes next.
    assert list(dossier.steps.values_list("name", flat=True)) == ["Tiếp nhận", "Ngoài quy trình đã định"]
    assert expected_action(dossier=dossier) == "hand_over"
    dossier = dossier_hand_over(
        dossier=dossier, by=network["clerk"], to_agency=network["department"], to_user=network["specialist"]
    ).dossier
    assert dossier.steps.order_by("-order").first().name == "Thẩm định"


def test_the_queue_api_takes_junk_searches_without_failing(client, citizen, desk):
    ours = submit_online(citizen=citizen, version=desk["version"], agency=desk["commune"])
    client.force_login(desk["clerk"])
    for query in ["%00", "'; DROP TABLE", "²³", "٣٤٥٦"]:
        response = client.get(reverse("api:staff-queue"), {"q": query, "procedure": query})
        assert response.status_code == 200, query
    for query in ["\x00", "a\x00b"]:  # no text can hold a NUL: refused as a bad request, never a 500
        response = client.get(reverse("api:staff-queue"), {"q": query, "procedure": query})
        assert response.status_code == 400 and response["Content-Type"] == "application/json", query
    for query in ["84912345678", "0912-345-678", "(0912) 345.678"]:
        page = client.get(reverse("dossiers:queue"), {"q": query}).content.decode()
        assert ours.code in page, query


def test_the_applicant_does_not_get_the_offices_control_sheet(client, citizen, desk):
    dossier = _received(citizen, desk)
    client.force_login(desk["clerk"])
    slip_url = client.post(reverse("dossiers:control_sheet", args=[dossier.reference]))["Location"]
    assert client.get(slip_url).status_code == 200
    client.force_login(citizen)
    assert client.get(slip_url).status_code == 404
    page = _page(client, dossier)
    assert 'data-testid="slip-receipt"' in page and 'data-testid="slip-control_sheet"' not in page


def test_the_result_delivery_reads_about_the_applicant_for_staff_and_as_their_own_choice_for_them(
    client, citizen, desk
):
    dossier = submit_online(citizen=citizen, version=desk["version"], agency=desk["commune"])
    Dossier.objects.filter(pk=dossier.pk).update(result_delivery="post", delivery_address="Khu 3, Bến Sung")
    client.force_login(desk["clerk"])
    staff = _page(client, dossier)
    delivery = staff[staff.index('data-testid="delivery"') :][:200]
    assert "Qua bưu chính đến địa chỉ của người nộp: Khu 3, Bến Sung" in delivery
    client.force_login(citizen)
    own = _page(client, dossier)
    assert "Qua bưu chính đến địa chỉ của tôi" in own[own.index('data-testid="delivery"') :][:200]


def test_the_apologys_new_appointment_is_typed_day_first_and_an_impossible_one_comes_back_as_typed(
    client, citizen, desk
):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    dossier = _received(citizen, desk)
    client.force_login(desk["clerk"])
    page = _page(client, dossier)
    assert 'placeholder="dd/mm/yyyy hh:mm"' in page and 'type="datetime-local"' not in page
    url = reverse("dossiers:action", args=[dossier.reference, "apologise"])
    later = timezone.localtime(dossier.due_at) + timezone.timedelta(days=40)
    form = {"expected_version": dossier.version, "apologise-reason": "Chờ xác minh"}
    response = client.post(url, {**form, "apologise-new_appointment": "31/02/2027 10:00"})
    assert response.status_code == 400 and 'value="31/02/2027 10:00"' in response.content.decode()
    typed = f"{later:%d/%m/%Y} 10:00"
    assert client.post(url, {**form, "apologise-new_appointment": typed}).status_code == 302
    dossier.refresh_from_db()
    expected = datetime(later.year, later.month, later.day, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert dossier.new_appointment_at == expected
