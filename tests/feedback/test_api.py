"""The feedback API: a citizen sends and follows their own feedback and rates the answer, the staff of
the unit holding it read their inbox, answer and pass it on, anyone reads the published answers; each
caller sees only what is theirs, refused input answers 400 naming the field, never 500."""

import uuid
from datetime import datetime, time, timedelta

from django.contrib.sessions.models import Session
from django.core import signals
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from accounts.constants import Role
from accounts.models import Agency
from feedback.constants import FeedbackEventKind, FeedbackStatus, Subject
from feedback.models import Feedback
from feedback.services import feedback_answer, feedback_move, feedback_send
from onestop.wsgi import application
from tests.dossiers.conftest import submit_online
from tests.factories import StaffMembershipFactory, UserFactory
from tests.robustness.aim import aim_at

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _send(citizen, unit, text="Cán bộ xã hẹn ba lần vẫn chưa giải quyết", **extra):
    return feedback_send(sender=citizen, subject=Subject.CONDUCT, text=text, agency=unit, **extra)


def _post(client, name, body, *args):
    return client.post(reverse(f"api:{name}", args=args), body, content_type=JSON)


def _as(client, user):
    client.force_login(user)
    return client


# The citizen's side


def test_a_citizen_sends_feedback_about_a_procedure_and_finds_it_in_their_list(client, citizen, network, allowance):
    api = _as(client, citizen)
    sent = _post(
        api,
        "feedback-list",
        {"subject": "procedure", "text": "Xã đòi thêm giấy xác nhận cư trú", "procedure": "1.001776"},
    )
    assert sent.status_code == 201, sent.json()
    body = sent.json()
    feedback = Feedback.objects.get()
    assert body["code"] == feedback.code and body["code"].startswith("PA-000.12.22.H56-")
    assert body["agency"] == "000.12.22.H56" and body["agency_name"] == "UBND xã Xuân Du"
    assert body["procedure"] == "1.001776" and body["procedure_name"] == "Trợ cấp xã hội hằng tháng"
    assert body["status"] == "received" and body["answer"] == "" and body["may_publish"] is False
    assert [event["kind"] for event in body["events"]] == ["sent"]

    listed = api.get(reverse("api:feedback-list")).json()
    assert listed["count"] == 1 and listed["results"][0]["reference"] == str(feedback.reference)


def test_the_same_submission_key_sent_again_gives_back_the_same_feedback(client, citizen, network):
    key = str(uuid.uuid4())
    body = {"subject": "conduct", "text": "Cán bộ hẹn nhiều lần", "agency": "000.12.22.H56", "submission_key": key}
    api = _as(client, citizen)
    first = _post(api, "feedback-list", body)
    again = _post(api, "feedback-list", body)  # a retried request
    assert first.status_code == again.status_code == 201
    assert again.json()["reference"] == first.json()["reference"] and again.json()["code"] == first.json()["code"]
    assert Feedback.objects.count() == 1 and Feedback.objects.get().events.count() == 1

    other = _post(_as(client, UserFactory()), "feedback-list", body)  # someone else's client, the same key
    assert other.status_code == 409 and other.json()["detail"]
    assert Feedback.objects.count() == 1
    fresh = _post(_as(client, citizen), "feedback-list", {**body, "submission_key": str(uuid.uuid4())})
    assert fresh.status_code == 201 and fresh.json()["reference"] != first.json()["reference"]
    without_key = {key: value for key, value in body.items() if key != "submission_key"}
    assert _post(api, "feedback-list", without_key).status_code == 201
    assert _post(api, "feedback-list", without_key).status_code == 201  # no key: each request is a feedback
    assert Feedback.objects.count() == 4
    bad = _post(api, "feedback-list", {**body, "submission_key": "not-a-uuid"})
    assert bad.status_code == 400 and list(bad.json()) == ["submission_key"]


def test_a_citizen_sends_feedback_about_their_own_dossier_only(client, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    stranger_dossier = submit_online(citizen=UserFactory(), version=allowance, agency=network["commune"])
    api = _as(client, citizen)
    refused = _post(
        api, "feedback-list", {"subject": "dossier", "text": "?", "dossier": str(stranger_dossier.reference)}
    )
    assert refused.status_code == 400
    assert refused.json() == {"dossier": ["Hãy chọn một hồ sơ bạn đã nộp."]}

    sent = _post(
        api, "feedback-list", {"subject": "dossier", "text": "Hồ sơ trễ hẹn", "dossier": str(dossier.reference)}
    )
    assert sent.status_code == 201
    assert sent.json()["dossier"] == dossier.code
    assert Feedback.objects.get().dossier == dossier


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"subject": "conduct", "text": "  ", "agency": "000.12.22.H56"}, "text", "Hãy viết"),
        ({"subject": "conduct", "text": "Đòi tiền"}, "agency", "Chọn đơn vị liên quan."),
        ({"subject": "regulation", "text": "Quy định", "agency": "000.12.22.H56"}, "subject", ""),
        ({"subject": "procedure", "text": "?", "procedure": "9.999999"}, "procedure", "Không có thủ tục"),
        ({"subject": "conduct", "text": "?", "agency": "000.99.99.H56"}, "agency", "Không có đơn vị"),
        ({"subject": "petition", "text": "?"}, "subject", ""),
        ({"subject": "conduct", "text": 12345, "agency": "000.12.22.H56"}, "text", ""),
        ({"subject": "conduct", "text": "x" * 5001, "agency": "000.12.22.H56"}, "text", "5000"),
        ({"subject": "conduct", "text": "?", "agency": "000.12.22.H56", "may_publish": "yes"}, "may_publish", ""),
        ({"subject": "conduct", "text": "?", "agency": "000.12.22.H56", "may_publish": 10**40}, "may_publish", ""),
        ({"subject": "dossier", "text": "?", "dossier": "not-a-uuid"}, "dossier", ""),
        ({"subject": "dossier", "text": "?", "dossier": 10**60}, "dossier", ""),
        ({"subject": "conduct", "text": "?", "agency": "x" * 300}, "agency", ""),
        ({"subject": ["conduct"], "text": {"a": 1}}, "subject", ""),
    ],
)
def test_refused_input_names_the_field_and_sends_nothing(client, citizen, network, allowance, body, field, message):
    response = _post(_as(client, citizen), "feedback-list", body)
    assert response.status_code == 400
    assert field in response.json()
    assert message in " ".join(map(str, response.json()[field]))
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "{", "null", '{"a": ' * 5000 + "1" + "}" * 5000])
def test_a_body_that_is_not_an_object_is_refused(client, citizen, network, body):
    response = _as(client, citizen).post(reverse("api:feedback-list"), body, content_type=JSON)
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_a_citizen_sees_only_their_own_feedback(client, citizen, network):
    mine = _send(citizen, network["commune"])
    theirs = _send(UserFactory(), network["commune"], text="Của người khác")
    api = _as(client, citizen)
    listed = api.get(reverse("api:feedback-list")).json()
    assert [item["reference"] for item in listed["results"]] == [str(mine.reference)]
    assert api.get(reverse("api:feedback-detail", args=[mine.reference])).status_code == 200
    assert api.get(reverse("api:feedback-detail", args=[theirs.reference])).status_code == 404
    assert api.get(reverse("api:feedback-detail", args=[uuid.uuid4()])).status_code == 404
    assert api.get("/api/v1/feedback/not-a-uuid/").status_code == 404
    assert _post(api, "feedback-rate", {"resolved": True}, theirs.reference).status_code == 404


def test_an_anonymous_caller_reaches_no_ones_feedback(client, citizen, network):
    feedback = _send(citizen, network["commune"])
    assert client.get(reverse("api:feedback-list")).status_code == 403
    assert client.get(reverse("api:feedback-detail", args=[feedback.reference])).status_code == 403
    assert _post(client, "feedback-list", {"subject": "conduct", "text": "?"}).status_code == 403
    assert client.get(reverse("api:feedback-inbox")).status_code == 403
    assert client.get(reverse("api:feedback-staff-detail", args=[feedback.reference])).status_code == 403
    assert not Feedback.objects.exclude(pk=feedback.pk).exists()


def test_the_sender_reads_the_timeline_and_the_answer_then_rates_it_once(client, citizen, network, handlers):
    feedback = _send(citizen, network["district"])
    feedback_move(feedback=feedback, by=handlers["district"], to_agency=network["commune"], note="Thuộc thẩm quyền xã")
    api = _as(client, citizen)
    early = _post(api, "feedback-rate", {"resolved": True}, feedback.reference)
    assert early.status_code == 409 and early.json() == {"detail": "Phản ánh, kiến nghị này chưa được trả lời."}
    feedback_answer(feedback=feedback, by=handlers["commune"], answer="Xã đã làm việc với cán bộ.")

    detail = api.get(reverse("api:feedback-detail", args=[feedback.reference])).json()
    assert detail["answer"] == "Xã đã làm việc với cán bộ." and detail["status"] == "answered"
    assert detail["can_rate"] is True and detail["resolved"] is None
    assert [(e["kind"], e["agency"], e["from_agency"]) for e in detail["events"]] == [
        ("sent", "000.00.22.H56", None),
        ("moved", "000.12.22.H56", "000.00.22.H56"),
        ("answered", "000.12.22.H56", None),
    ]
    # staff names and the staff's notes stay with the staff
    assert "sender" not in detail and all("actor" not in e and "note" not in e for e in detail["events"])

    assert _post(api, "feedback-rate", {"resolved": "yes"}, feedback.reference).status_code == 400
    assert _post(api, "feedback-rate", {}, feedback.reference).status_code == 400
    rated = _post(api, "feedback-rate", {"resolved": False}, feedback.reference)
    assert rated.status_code == 200
    assert rated.json()["resolved"] is False and rated.json()["can_rate"] is False
    again = _post(api, "feedback-rate", {"resolved": True}, feedback.reference)
    assert again.status_code == 409
    assert again.json() == {"detail": "Bạn đã cho biết câu trả lời có giải quyết được vấn đề hay không."}
    feedback.refresh_from_db()
    assert feedback.resolved is False
    assert feedback.events.filter(kind=FeedbackEventKind.RATED).count() == 1


# The staff's side


def test_each_unit_sees_only_what_it_holds_and_other_callers_are_refused(client, citizen, network, handlers):
    at_commune = _send(citizen, network["commune"], text="Ở xã")
    at_district = _send(citizen, network["district"], text="Ở huyện")
    elsewhere = _send(citizen, network["department"], text="Phòng")  # answered by the district
    outsider = StaffMembershipFactory(agency=Agency.objects.get(code="000.13.22.H56"), role=Role.FEEDBACK).user

    def inbox(user):
        client.force_login(user)
        response = client.get(reverse("api:feedback-inbox"))
        return response.status_code, sorted(item["reference"] for item in response.json().get("results", []))

    assert inbox(handlers["commune"]) == (200, [str(at_commune.reference)])
    assert inbox(handlers["district"]) == (200, sorted([str(at_district.reference), str(elsewhere.reference)]))
    assert inbox(handlers["leader"]) == inbox(handlers["district"])
    assert inbox(outsider) == (200, [])
    assert inbox(handlers["clerk"])[0] == 403  # a desk clerk does not handle feedback
    assert inbox(citizen)[0] == 403

    client.force_login(handlers["commune"])
    assert client.get(reverse("api:feedback-staff-detail", args=[at_district.reference])).status_code == 404
    assert client.get(reverse("api:feedback-staff-detail", args=[at_commune.reference])).status_code == 200
    client.force_login(outsider)
    assert client.get(reverse("api:feedback-staff-detail", args=[at_commune.reference])).status_code == 404
    assert _post(client, "feedback-answer", {"answer": "Trả lời"}, at_commune.reference).status_code == 404
    client.force_login(citizen)
    assert client.get(reverse("api:feedback-staff-detail", args=[at_commune.reference])).status_code == 403


def test_the_staff_detail_names_the_sender_and_what_the_caller_may_do(client, citizen, network, handlers):
    feedback = _send(citizen, network["district"])
    detail = _as(client, handlers["district"]).get(reverse("api:feedback-staff-detail", args=[feedback.reference]))
    body = detail.json()
    assert body["sender"] == {"full_name": "Lê Thị Hoa", "email": "hoa@example.vn", "phone": "0912345678"}
    assert body["text"] == "Cán bộ xã hẹn ba lần vẫn chưa giải quyết"
    assert body["can_answer"] is True
    assert sorted(unit["code"] for unit in body["move_targets"]) == ["000.12.22.H56", "000.13.22.H56"]
    assert body["events"][0]["actor"] == "Lê Thị Hoa"


def test_the_inbox_filters_by_status_and_due_time(client, citizen, network, handlers):
    now = timezone.now()
    overdue = _send(citizen, network["commune"], text="Quá hạn", now=now - timedelta(days=40))
    answered = _send(citizen, network["commune"], text="Đã trả lời", now=now - timedelta(days=40))
    feedback_answer(feedback=answered, by=handlers["commune"], answer="Đã xử lý")
    fresh = _send(citizen, network["commune"], text="Mới")
    due_today = _send(citizen, network["commune"], text="Hạn hôm nay")
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(now) + timedelta(days=1), time.min))
    Feedback.objects.filter(pk=due_today.pk).update(due_at=now + (midnight - now) / 2)  # later today, Vietnam time
    api = _as(client, handlers["commune"])

    def codes(**query):
        response = api.get(reverse("api:feedback-inbox"), query)
        assert response.status_code == 200
        return [item["code"] for item in response.json()["results"]]

    # unanswered first, soonest due first
    assert codes() == [overdue.code, due_today.code, fresh.code, answered.code]
    assert codes(status="answered") == [answered.code]
    assert codes(status="received") == [overdue.code, due_today.code, fresh.code]
    assert codes(due="overdue") == [overdue.code]
    assert codes(due="today") == [due_today.code]
    assert codes(status="", due="") == codes()
    for bad in ({"status": "open"}, {"due": "tomorrow"}, {"due": "x" * 10000}):
        response = api.get(reverse("api:feedback-inbox"), bad)
        assert response.status_code == 400 and list(response.json()) == list(bad)
    for page in ("2", "0", "-1", "abc", "", "last", "+1", " 1", "1_0", "١", str(10**30), "9" * 5000):
        assert api.get(reverse("api:feedback-inbox"), {"page": page}).status_code == 404


def test_the_unit_answers_once_and_a_published_one_needs_its_question_and_answer_as_published(
    client, citizen, network, handlers
):
    feedback = _send(citizen, network["commune"], text="Nguyễn Văn A đòi tiền", may_publish=True)
    api = _as(client, handlers["commune"])
    refused = _post(api, "feedback-answer", {"answer": "Đã xử lý"}, feedback.reference)
    assert refused.status_code == 400 and set(refused.json()) == {"public_summary", "public_answer"}
    assert "hãy viết câu trả lời để công khai" in refused.json()["public_answer"][0]
    only_question = {"answer": "Đã xử lý", "public_summary": "Cán bộ thu tiền"}
    assert list(_post(api, "feedback-answer", only_question, feedback.reference).json()) == ["public_answer"]
    assert _post(api, "feedback-answer", {"answer": ""}, feedback.reference).status_code == 400
    assert _post(api, "feedback-answer", {"answer": 42}, feedback.reference).status_code == 400
    assert _post(api, "feedback-answer", {"answer": "x" * 10001}, feedback.reference).status_code == 400
    too_long = {**only_question, "public_answer": "x" * 10001}
    assert list(_post(api, "feedback-answer", too_long, feedback.reference).json()) == ["public_answer"]
    assert not Feedback.objects.filter(answered_at__isnull=False).exists()

    answered = _post(
        api,
        "feedback-answer",
        {
            "answer": "Kính gửi ông Nguyễn Văn B: xã đã kiểm điểm cán bộ Nguyễn Văn A",
            "public_summary": "Cán bộ thu tiền ngoài quy định",
            "public_answer": "Xã đã kiểm điểm cán bộ thu tiền sai quy định",
        },
        feedback.reference,
    )
    assert answered.status_code == 200
    body = answered.json()
    assert body["status"] == "answered" and body["answered_by"] == "Lê Văn Cường" and body["can_answer"] is False
    assert body["public_answer"] == "Xã đã kiểm điểm cán bộ thu tiền sai quy định"
    again = _post(api, "feedback-answer", {"answer": "Lần hai"}, feedback.reference)
    assert again.status_code == 409 and again.json() == {"detail": "Phản ánh, kiến nghị này đã được trả lời."}
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.ANSWERED
    assert feedback.answer == "Kính gửi ông Nguyễn Văn B: xã đã kiểm điểm cán bộ Nguyễn Văn A"
    assert feedback.public_answer == "Xã đã kiểm điểm cán bộ thu tiền sai quy định"

    # The sender reads both: the letter sent to them, and what was published.
    mine = _as(client, citizen).get(reverse("api:feedback-detail", args=[feedback.reference])).json()
    assert mine["answer"] == feedback.answer and mine["public_answer"] == feedback.public_answer
    assert mine["public_summary"] == "Cán bộ thu tiền ngoài quy định"


def test_the_district_passes_it_down_and_may_take_it_back_but_not_answer_for_the_commune(
    client, citizen, network, handlers
):
    feedback = _send(citizen, network["district"])
    api = _as(client, handlers["district"])
    for body, field in (
        ({"to_agency": "000.12.22.H56", "note": "  "}, "note"),
        ({"to_agency": "000.99.99.H56", "note": "?"}, "to_agency"),
        ({"to_agency": "000.12.22.H56"}, "note"),
        ({"to_agency": 12, "note": "?"}, "to_agency"),
        ({"to_agency": "000.12.22.H56", "note": "x" * 501}, "note"),
    ):
        refused = _post(api, "feedback-move", body, feedback.reference)
        assert refused.status_code == 400 and field in refused.json()
    moved = _post(
        api, "feedback-move", {"to_agency": "000.12.22.H56", "note": "Thuộc thẩm quyền xã"}, feedback.reference
    )
    assert moved.status_code == 200
    assert moved.json()["agency"] == "000.12.22.H56"
    assert api.get(reverse("api:feedback-inbox")).json()["count"] == 0

    # the district no longer answers it, but may still read it and take it back
    assert _post(api, "feedback-answer", {"answer": "Huyện trả lời"}, feedback.reference).status_code == 403
    detail = api.get(reverse("api:feedback-staff-detail", args=[feedback.reference])).json()
    assert detail["can_answer"] is False and [unit["code"] for unit in detail["move_targets"]] == ["000.00.22.H56"]

    commune = _as(client, handlers["commune"])
    assert [item["code"] for item in commune.get(reverse("api:feedback-inbox")).json()["results"]] == [feedback.code]
    sideways = _post(commune, "feedback-move", {"to_agency": "000.13.22.H56", "note": "?"}, feedback.reference)
    assert sideways.status_code == 400 and "to_agency" in sideways.json()
    back = _post(commune, "feedback-move", {"to_agency": "000.00.22.H56", "note": "Trả lại huyện"}, feedback.reference)
    assert back.status_code == 200 and back.json()["agency"] == "000.00.22.H56"
    assert commune.get(reverse("api:feedback-staff-detail", args=[feedback.reference])).status_code == 404

    feedback_answer(feedback=feedback, by=handlers["district"], answer="Huyện đã trả lời")
    closed = _post(
        _as(client, handlers["district"]),
        "feedback-move",
        {"to_agency": "000.12.22.H56", "note": "?"},
        feedback.reference,
    )
    assert closed.status_code == 409


# Published answers


def test_anyone_reads_the_published_answers_without_personal_data(client, citizen, network, handlers, allowance):
    published = feedback_send(
        sender=citizen, subject=Subject.PROCEDURE, text="Lê Thị Hoa, 0912345678", procedure=allowance, may_publish=True
    )
    letter = "Kính gửi bà Lê Thị Hoa: cán bộ Trần Văn C đã bị nhắc nhở"
    feedback_answer(
        feedback=published,
        by=handlers["commune"],
        answer=letter,
        public_summary="Giấy tờ thừa",
        public_answer="Giấy xác nhận cư trú không bắt buộc",
    )
    private = _send(citizen, network["commune"], text="Không công khai")
    feedback_answer(feedback=private, by=handlers["commune"], answer="Riêng")
    _send(citizen, network["commune"], text="Chưa trả lời", may_publish=True)

    response = client.get(reverse("api:feedback-published"))
    assert response.status_code == 200
    assert response.json()["count"] == 1
    [item] = response.json()["results"]
    assert item == {
        "unit": "000.12.22.H56",
        "unit_name": "UBND xã Xuân Du",
        "procedure": "1.001776",
        "procedure_name": "Trợ cấp xã hội hằng tháng",
        "subject": "procedure",
        "public_summary": "Giấy tờ thừa",
        "public_answer": "Giấy xác nhận cư trú không bắt buộc",
        "answered_at": item["answered_at"],
    }
    text = response.content.decode()
    personal_data = ("Lê Thị Hoa", "0912345678", "hoa@example.vn", published.code, str(published.reference))
    for personal in (*personal_data, letter, "Trần Văn C"):  # the letter to the sender is never published
        assert personal not in text

    def count(**query):
        found = client.get(reverse("api:feedback-published"), query)
        assert found.status_code == 200
        return found.json()["count"]

    assert count(procedure="1.001776") == count(unit="000.12.22.H56") == 1
    assert count(procedure="1.001193") == count(unit="000.00.22.H56") == 0
    assert client.get(reverse("api:feedback-published"), {"procedure": "1" * 21}).status_code == 400


# Query counts and the schema


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_lists_take_the_same_number_of_queries_for_3_and_15_rows(client, citizen, network, handlers, allowance):
    def add(n):
        for i in range(n):
            if i % 2:
                feedback = _send(citizen, network["commune"], may_publish=True)
            else:
                feedback = feedback_send(
                    sender=citizen, subject=Subject.PROCEDURE, text="?", procedure=allowance, may_publish=True
                )
            if i % 3 == 0:
                feedback_answer(
                    feedback=feedback,
                    by=handlers["commune"],
                    answer="Đã xử lý",
                    public_summary="Hỏi",
                    public_answer="Đáp",
                )

    def counts():
        client.force_login(citizen)
        mine = _count_queries(client, reverse("api:feedback-list"))
        client.force_login(handlers["commune"])
        inbox = _count_queries(client, reverse("api:feedback-inbox"))
        client.logout()
        published = _count_queries(client, reverse("api:feedback-published"))
        return mine, inbox, published

    add(3)
    few = counts()
    add(12)
    assert Feedback.objects.count() == 15
    assert counts() == few


def test_each_operation_is_in_the_schema_with_its_error_responses(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    expected = {
        ("/api/v1/feedback/", "get"): {"200", "400", "403", "404"},
        ("/api/v1/feedback/", "post"): {"201", "400", "403"},
        ("/api/v1/feedback/{reference}/", "get"): {"200", "400", "403", "404"},
        ("/api/v1/feedback/{reference}/rate/", "post"): {"200", "400", "403", "404", "409"},
        ("/api/v1/feedback/inbox/", "get"): {"200", "400", "403", "404"},
        ("/api/v1/feedback/inbox/{reference}/", "get"): {"200", "400", "403", "404"},
        ("/api/v1/feedback/inbox/{reference}/answer/", "post"): {"200", "400", "403", "404", "409"},
        ("/api/v1/feedback/inbox/{reference}/move/", "post"): {"200", "400", "403", "404", "409"},
        ("/api/v1/feedback/published/", "get"): {"200", "400", "404"},
    }
    for (path, method), codes in expected.items():
        responses = schema["paths"][path][method]["responses"]
        assert codes <= set(responses), (path, method, sorted(responses))
    published = schema["components"]["schemas"]["PublishedAnswer"]["properties"]
    assert not {"code", "reference", "sender", "text", "answer"} & set(published)
    assert {"public_summary", "public_answer"} <= set(published)
    assert "public_answer" in schema["components"]["schemas"]["FeedbackAnswer"]["properties"]
    assert "submission_key" in schema["components"]["schemas"]["FeedbackSend"]["properties"]
    staff = schema["components"]["schemas"]["FeedbackStaffDetail"]["properties"]
    assert {"sender", "events", "answer", "move_targets"} <= set(staff)


# The feedback operations fuzzed as a sender and as a unit's feedback officer, aimed at real feedback
# (the portal-wide run, tests/robustness/test_api_fuzz.py, has no feedback nor anyone handling it, so
# it reaches only the refusals): no 5xx, every answer as the schema declares, wrong input refused.

FUZZ_CONFIG = {
    "seed": 20260117,
    "generation": {"max-examples": 25, "deterministic": True, "database": "none"},
    # A schema-valid request may rightly be refused (a unit that is not a move target, a second answer).
    "checks": {"positive_data_acceptance": {"enabled": False}},
}
FUZZ_SESSIONS = {"sender": "feedbackapisendersession00000001", "handler": "feedbackapihandlersession000001"}
CSRF_SECRET = "feedbackcsrfsecret0123456789abcd"


def _fuzz_schema(role: str):
    loaded = schemathesis.openapi.from_wsgi(
        "/api/schema/", application, config=schemathesis.Config.from_dict(FUZZ_CONFIG)
    )

    @loaded.auth(refresh_interval=None)
    class BrowserSession:
        def get(self, case, context):
            return FUZZ_SESSIONS[role]

        def set(self, case, data, context):
            case.cookies = {**(case.cookies or {}), "sessionid": data, "csrftoken": CSRF_SECRET}
            case.headers = {**(case.headers or {}), "X-CSRFToken": CSRF_SECRET}

    return loaded.include(path_regex="^/api/v1/feedback/")


AS_SENDER, AS_HANDLER = _fuzz_schema("sender"), _fuzz_schema("handler")
FUZZ = hypothesis_settings(suppress_health_check=list(HealthCheck), deadline=None)


@pytest.fixture
def feedback_world(citizen, network, handlers, allowance):
    """Feedback of each kind the operations meet, and both callers' sessions under their fixed keys."""
    waiting = _send(citizen, network["commune"])
    to_publish = _send(citizen, network["commune"], may_publish=True)
    at_district = _send(citizen, network["district"])
    answered = feedback_send(sender=citizen, subject=Subject.PROCEDURE, text="?", procedure=allowance, may_publish=True)
    feedback_answer(
        feedback=answered, by=handlers["commune"], answer="Đã xử lý", public_summary="Giấy tờ", public_answer="Đã xử lý"
    )
    for role, user in (("sender", citizen), ("handler", handlers["commune"])):
        session_client = Client()
        session_client.force_login(user)
        Session.objects.filter(session_key=session_client.session.session_key).update(session_key=FUZZ_SESSIONS[role])
    signals.request_started.disconnect(close_old_connections)  # keep the test's transaction open
    signals.request_finished.disconnect(close_old_connections)
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    # Real objects by the name of the field that takes them, and words where words are asked for, so
    # that aimed cases get through to the services and their successes are checked too.
    words = ["Cán bộ xã hẹn nhiều lần", "Đã xử lý"]
    yield {
        "reference": [str(f.reference) for f in (waiting, to_publish, at_district, answered)],
        "procedure": [allowance.procedure.code],
        "dossier": [str(dossier.reference)],
        "agency": [network["commune"].code, network["district"].code],
        "to_agency": [network["district"].code, "000.13.22.H56"],
        "unit": [network["commune"].code],
        "text": words,
        "answer": words,
        "public_summary": words,
        "public_answer": words,
        "note": words,
    }
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _aim_and_check(case, values):
    """Every other case gets real objects where it names one, in the parts generated valid."""
    aim_at(case, values)
    case.call_and_validate()


@AS_SENDER.parametrize()
@FUZZ
def test_the_sender_gets_answers_as_the_schema_says(case, feedback_world):
    _aim_and_check(case, feedback_world)


@AS_HANDLER.parametrize()
@FUZZ
def test_a_feedback_officer_gets_answers_as_the_schema_says(case, feedback_world):
    _aim_and_check(case, feedback_world)
