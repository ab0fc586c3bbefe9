"""The sender's pages (their list, the receipt and follow page, their word on the answer) and the public
list of published answers: who sees what, what each page tells, and the refusals shown as messages."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from feedback.constants import Subject
from feedback.models import Feedback, FeedbackAttachment
from feedback.services import feedback_answer, feedback_move, feedback_rate, feedback_send
from tests.dossiers.conftest import submit_online
from tests.factories import UserFactory, published_procedure

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STAFF_NAMES = ("Lê Văn Cường", "Phạm Thu Hà")


def _local(moment) -> str:
    return timezone.localtime(moment, TZ).strftime("%H:%M %d/%m/%Y")


def _conduct(sender, unit, text="Cán bộ một cửa hẹn ba lần chưa trả kết quả", **kwargs):
    return feedback_send(sender=sender, subject=Subject.CONDUCT, text=text, agency=unit, **kwargs)


def _page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


# --- the sender's list -------------------------------------------------------------------------------


def test_the_citizen_sees_only_their_own_feedback_newest_first_with_unit_due_and_status(
    client, citizen, network, handlers
):
    long_ago = datetime(2025, 3, 3, 9, 0, tzinfo=TZ)
    overdue = _conduct(citizen, network["commune"], now=long_ago)
    answered = _conduct(citizen, network["district"], now=long_ago + timedelta(days=1))
    feedback_answer(
        feedback=answered, by=handlers["district"], answer="Đã nhắc nhở cán bộ", now=long_ago + timedelta(days=2)
    )
    newest = _conduct(citizen, network["commune"])
    someone_else = _conduct(UserFactory(), network["commune"])
    client.force_login(citizen)

    page = _page(client, reverse("feedback:mine"))

    assert "Phản ánh, kiến nghị của tôi" in page
    assert page.index(newest.code) < page.index(answered.code) < page.index(overdue.code)
    assert someone_else.code not in page
    assert page.count('data-testid="feedback-item"') == 3
    assert "UBND huyện Như Thanh" in page and "UBND xã Xuân Du" in page
    assert _local(newest.due_at) in page and _local(overdue.due_at) in page
    assert page.count('data-testid="overdue"') == 1  # the old unanswered one, not the new one
    assert page.count("Trả lời đúng hạn") == 1 and "Đã trả lời" in page and "Đã tiếp nhận" in page
    assert reverse("feedback:mine_detail", args=[newest.reference]) in page
    late = _page(client, reverse("feedback:mine_detail", args=[overdue.reference]))
    assert "Chưa có câu trả lời, dù UBND xã Xuân Du phải trả lời chậm nhất vào" in late and "Quá hạn" in late
    on_time = _page(client, reverse("feedback:mine_detail", args=[newest.reference]))
    assert "Chưa có câu trả lời: UBND xã Xuân Du trả lời chậm nhất vào" in on_time and "Quá hạn" not in on_time


def test_a_late_answer_is_shown_late(client, citizen, network, handlers):
    feedback = _conduct(citizen, network["district"], now=datetime(2025, 3, 3, 9, 0, tzinfo=TZ))
    feedback_answer(feedback=feedback, by=handlers["district"], answer="Trả lời muộn")
    client.force_login(citizen)
    page = _page(client, reverse("feedback:mine"))
    assert "Trả lời quá hạn" in page and "Trả lời đúng hạn" not in page and 'data-testid="overdue"' not in page


def test_a_citizen_without_feedback_is_offered_to_send_one(client, citizen):
    client.force_login(citizen)
    page = _page(client, reverse("feedback:mine"))
    assert "Bạn chưa gửi phản ánh, kiến nghị nào." in page
    assert f'href="{reverse("feedback:send")}"' in page


def test_the_list_is_paginated_and_takes_the_same_queries_for_few_and_many(client, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    client.force_login(citizen)

    def add(n):
        for i in range(n):
            if i % 3 == 0:
                feedback_send(sender=citizen, subject=Subject.DOSSIER, text="Hồ sơ trễ hẹn", dossier=dossier)
            elif i % 3 == 1:
                feedback_send(sender=citizen, subject=Subject.PROCEDURE, text="Đòi thêm giấy", procedure=allowance)
            else:
                _conduct(citizen, network["district"])

    add(3)
    few = _queries(client, reverse("feedback:mine"))
    add(22)
    many = _queries(client, reverse("feedback:mine"))
    assert few == many
    first = _page(client, reverse("feedback:mine"))
    assert first.count('data-testid="feedback-item"') == 20 and "1 / 2" in first
    assert "Trợ cấp xã hội hằng tháng" in first and dossier.code in first
    second = _page(client, reverse("feedback:mine"), page=2)
    assert second.count('data-testid="feedback-item"') == 5
    assert _page(client, reverse("feedback:mine"), page="x' OR 1=1").count('data-testid="feedback-item"') == 20


def test_anonymous_visitors_are_sent_to_log_in(client, citizen, network):
    feedback = _conduct(citizen, network["commune"])
    login = reverse("accounts:login")
    for response in (
        client.get(reverse("feedback:mine")),
        client.get(reverse("feedback:mine_detail", args=[feedback.reference])),
        client.post(reverse("feedback:rate", args=[feedback.reference]), {"resolved": "yes"}),
    ):
        assert response.status_code == 302 and response["Location"].startswith(login)


# --- the receipt and follow page -----------------------------------------------------------------------


def test_the_follow_page_tells_the_sender_everything_but_staff_names(client, citizen, network, allowance, handlers):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    feedback = feedback_send(
        sender=citizen,
        subject=Subject.DOSSIER,
        text="Hồ sơ quá hẹn 5 ngày,\nkhông ai giải thích",
        dossier=dossier,
        agency=None,
    )
    # the commune (holding the dossier) passes it up to the district, which answers
    commune_officer = handlers["commune"]
    feedback_move(feedback=feedback, by=commune_officer, to_agency=network["district"], note="Thuộc thẩm quyền huyện")
    FeedbackAttachment.objects.create(
        feedback=feedback,
        file="feedback/2026/01/anh.png",
        name="anh-giay-hen.png",
        content_type="image/png",
        size=2048,
        uploaded_at=timezone.now(),
    )
    client.force_login(citizen)
    url = reverse("feedback:mine_detail", args=[feedback.reference])

    page = _page(client, url)

    assert feedback.code in page and 'data-testid="feedback-code"' in page
    assert "Một hồ sơ của tôi" in page
    assert dossier.code in page and "Trợ cấp xã hội hằng tháng" in page
    assert "Hồ sơ quá hẹn 5 ngày,<br>không ai giải thích" in page
    assert "anh-giay-hen.png" in page and "KB" in page
    assert _local(feedback.due_at) in page and "5 ngày làm việc" in page and feedback.legal_basis in page
    assert "Chưa có câu trả lời" in page
    assert "Đã gửi đến UBND xã Xuân Du" in page
    assert "Đã chuyển từ UBND xã Xuân Du đến UBND huyện Như Thanh" in page
    assert "Câu trả lời này đã giải quyết" not in page  # nothing to rate yet

    feedback_answer(feedback=feedback, by=handlers["district"], answer="Huyện đã chỉ đạo trả kết quả ngày 15")
    page = _page(client, url)
    assert "Huyện đã chỉ đạo trả kết quả ngày 15" in page
    assert "UBND huyện Như Thanh đã trả lời" in page
    assert "Câu trả lời này đã giải quyết được vấn đề của bạn chưa?" in page
    assert reverse("feedback:rate", args=[feedback.reference]) in page
    for name in STAFF_NAMES:
        assert name not in page
    assert "Thuộc thẩm quyền huyện" not in page  # the staff's note stays with the staff


def test_nobody_else_sees_the_follow_page(client, citizen, network, handlers):
    feedback = _conduct(citizen, network["district"])
    url = reverse("feedback:mine_detail", args=[feedback.reference])
    for person in (UserFactory(), handlers["district"]):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.force_login(citizen)
    assert client.get(reverse("feedback:mine_detail", args=["7f1c5c1e-0000-4000-8000-000000000000"])).status_code == 404


def test_just_after_sending_the_page_says_it_was_received(client, citizen, network):
    feedback = _conduct(citizen, network["commune"])
    client.force_login(citizen)
    url = reverse("feedback:mine_detail", args=[feedback.reference])
    assert 'data-testid="feedback-received"' in _page(client, url, sent=1)
    coming_from_send = client.get(url, HTTP_REFERER="http://testserver" + reverse("feedback:send"))
    assert "Đã nhận phản ánh, kiến nghị" in coming_from_send.content.decode()
    later = _page(client, url)
    assert 'data-testid="feedback-received"' not in later and feedback.code in later


def test_sending_from_the_form_lands_on_the_follow_page(client, citizen, network):
    client.force_login(citizen)
    text = "Bộ phận một cửa xã không niêm yết thủ tục"
    response = client.post(
        reverse("feedback:send"),
        {"subject": Subject.CONDUCT, "text": text, "agency": network["commune"].pk},
        HTTP_REFERER="http://testserver" + reverse("feedback:send"),
    )
    feedback = Feedback.objects.get()
    assert response["Location"].startswith(reverse("feedback:mine_detail", args=[feedback.reference]))
    page = client.get(response["Location"], HTTP_REFERER="http://testserver" + reverse("feedback:send"))
    assert "Đã nhận phản ánh, kiến nghị" in page.content.decode() and text in page.content.decode()


# --- the sender's word on the answer --------------------------------------------------------------------


def test_the_sender_says_once_whether_the_answer_resolved_it(client, citizen, network, handlers):
    feedback = _conduct(citizen, network["district"])
    client.force_login(citizen)
    rate = reverse("feedback:rate", args=[feedback.reference])
    detail = reverse("feedback:mine_detail", args=[feedback.reference])

    before = client.post(rate, {"resolved": "yes"}, follow=True)
    assert before.status_code == 200 and "Phản ánh, kiến nghị này chưa được trả lời." in before.content.decode()
    feedback.refresh_from_db()
    assert feedback.resolved is None

    feedback_answer(feedback=feedback, by=handlers["district"], answer="Đã xử lý")
    junk = client.post(rate, {"resolved": "maybe"}, follow=True)
    assert "Hãy cho biết câu trả lời đã giải quyết được vấn đề của bạn chưa." in junk.content.decode()
    feedback.refresh_from_db()
    assert feedback.resolved is None

    first = client.post(rate, {"resolved": "no"})
    assert first.status_code == 302 and first["Location"] == detail
    feedback.refresh_from_db()
    assert feedback.resolved is False and feedback.rated_at is not None
    page = _page(client, detail)
    assert "Bạn cho biết câu trả lời chưa giải quyết được vấn đề." in page
    assert 'data-testid="rate-yes"' not in page  # said once: the buttons are gone

    again = client.post(rate, {"resolved": "yes"}, follow=True)
    assert again.status_code == 200
    assert "Bạn đã cho biết câu trả lời có giải quyết được vấn đề hay không." in again.content.decode()
    assert feedback.code in again.content.decode()
    feedback.refresh_from_db()
    assert feedback.resolved is False


def test_a_yes_is_stored_and_shown(client, citizen, network, handlers):
    feedback = _conduct(citizen, network["district"])
    feedback_answer(feedback=feedback, by=handlers["district"], answer="Đã xử lý")
    client.force_login(citizen)
    response = client.post(reverse("feedback:rate", args=[feedback.reference]), {"resolved": "yes"}, follow=True)
    feedback.refresh_from_db()
    assert feedback.resolved is True
    page = response.content.decode()
    assert "Cảm ơn bạn" in page and "Bạn cho biết câu trả lời đã giải quyết được vấn đề." in page


def test_a_rating_given_elsewhere_shows_on_the_page_without_the_buttons(client, citizen, network, handlers):
    feedback = _conduct(citizen, network["district"])
    feedback_answer(feedback=feedback, by=handlers["district"], answer="Đã xử lý")
    feedback_rate(feedback=feedback, by=citizen, resolved=True)
    client.force_login(citizen)
    page = _page(client, reverse("feedback:mine_detail", args=[feedback.reference]))
    assert "Bạn cho biết câu trả lời đã giải quyết được vấn đề." in page and "Bạn đã đánh giá câu trả lời" in page
    assert 'data-testid="rate-yes"' not in page and 'data-testid="rate-no"' not in page


def test_nobody_else_rates_it(client, citizen, network, handlers):
    feedback = _conduct(citizen, network["district"])
    feedback_answer(feedback=feedback, by=handlers["district"], answer="Đã xử lý")
    rate = reverse("feedback:rate", args=[feedback.reference])
    for person in (UserFactory(), handlers["district"]):
        client.force_login(person)
        assert client.post(rate, {"resolved": "yes"}).status_code == 404
    feedback.refresh_from_db()
    assert feedback.resolved is None


# --- the public list of published answers ---------------------------------------------------------------


@pytest.fixture
def birth(network):
    return published_procedure(code="1.001193", name="Thủ tục đăng ký khai sinh", agencies=[network["commune"]])


def _published(sender, handler, *, unit=None, procedure=None, summary, answer):
    """A feedback allowed to publish, answered: ``summary`` and ``answer`` are what is published; the
    letter to the sender says something else."""
    if procedure is not None:
        feedback = feedback_send(
            sender=sender,
            subject=Subject.PROCEDURE,
            text="Nội dung riêng của người gửi",
            procedure=procedure,
            may_publish=True,
        )
    else:
        feedback = _conduct(sender, unit, text="Nội dung riêng của người gửi", may_publish=True)
    return feedback_answer(
        feedback=feedback,
        by=handler,
        answer=f"Thư trả lời riêng: {answer}",
        public_summary=summary,
        public_answer=answer,
    )


def test_anyone_reads_the_answers_allowed_to_publish_and_nothing_about_the_sender(
    client, citizen, network, handlers, birth
):
    text = "Tôi là Lê Thị Hoa, số 0912345678: cán bộ xã đòi 200.000 đồng"
    shown = _conduct(citizen, network["commune"], text=text, may_publish=True)
    # The letters to the sender name her and the officer; the unit publishes other words.
    letters = (
        "Kính gửi bà Lê Thị Hoa: xã đã kiểm điểm ông Trần Văn Nam và hoàn trả bà 200.000 đồng",
        "Kính gửi bà Hoa: hồ sơ khai sinh của cháu đã được nhận",
    )
    feedback_answer(
        feedback=shown,
        by=handlers["commune"],
        answer=letters[0],
        public_summary="Công dân phản ánh cán bộ xã thu tiền ngoài lệ phí",
        public_answer="Xã đã kiểm điểm cán bộ và hoàn trả khoản thu sai",
    )
    with_procedure = feedback_send(
        sender=citizen, subject=Subject.PROCEDURE, text=text, procedure=birth, may_publish=True
    )
    feedback_answer(
        feedback=with_procedure,
        by=handlers["commune"],
        answer=letters[1],
        public_summary="Hỏi về giấy tờ khi đăng ký khai sinh",
        public_answer="Không yêu cầu sổ hộ khẩu",
    )
    not_allowed = _conduct(citizen, network["district"], text=text)
    feedback_answer(feedback=not_allowed, by=handlers["district"], answer="Câu trả lời riêng cho người gửi")
    not_answered = _conduct(citizen, network["district"], text=text, may_publish=True)

    page = _page(client, reverse("feedback:published"))

    assert page.count('data-testid="published-answer"') == 2
    assert "Công dân phản ánh cán bộ xã thu tiền ngoài lệ phí" in page
    assert "Xã đã kiểm điểm cán bộ và hoàn trả khoản thu sai" in page
    assert "Thủ tục đăng ký khai sinh (1.001193)" in page and "UBND xã Xuân Du" in page
    assert page.index("Không yêu cầu sổ hộ khẩu") < page.index("Xã đã kiểm điểm")  # newest answer first
    assert "Câu trả lời riêng cho người gửi" not in page
    for private in (
        text,
        *letters,
        "Trần Văn Nam",
        "Lê Thị Hoa",
        "0912345678",
        citizen.email,
        shown.code,
        with_procedure.code,
        not_answered.code,
        *STAFF_NAMES,
    ):
        assert private not in page
    assert "2 câu trả lời đã công khai" in page


def test_the_sender_reads_the_letter_and_what_was_published(client, citizen, network, handlers):
    feedback = _conduct(citizen, network["commune"], may_publish=True)
    private = _conduct(citizen, network["commune"])
    feedback_answer(
        feedback=feedback,
        by=handlers["commune"],
        answer="Kính gửi bà Lê Thị Hoa: ông Trần Văn Nam đã bị kiểm điểm",
        public_summary="Cán bộ một cửa xã hẹn nhiều lần",
        public_answer="Xã đã kiểm điểm cán bộ một cửa",
    )
    feedback_answer(feedback=private, by=handlers["commune"], answer="Kính gửi bà Hoa: xã đã xử lý")
    client.force_login(citizen)

    page = _page(client, reverse("feedback:mine_detail", args=[feedback.reference]))
    answer = page[page.index('data-testid="feedback-answer"') :]
    assert "Kính gửi bà Lê Thị Hoa: ông Trần Văn Nam đã bị kiểm điểm" in answer
    published = answer[answer.index('data-testid="feedback-published"') :]
    assert "Nội dung đã công khai" in published and "chỉ gửi riêng cho bạn" in published
    assert "Cán bộ một cửa xã hẹn nhiều lần" in published and "Xã đã kiểm điểm cán bộ một cửa" in published
    assert "Trần Văn Nam" not in published
    assert f'href="{reverse("feedback:published")}"' in published
    public = _page(client, reverse("feedback:published"))
    assert "Xã đã kiểm điểm cán bộ một cửa" in public and "Trần Văn Nam" not in public

    not_published = _page(client, reverse("feedback:mine_detail", args=[private.reference]))
    assert "Kính gửi bà Hoa: xã đã xử lý" in not_published
    assert 'data-testid="feedback-published"' not in not_published and "Nội dung đã công khai" not in not_published


def test_an_answer_without_its_published_text_is_not_published(client, citizen, network, handlers):
    """An answer given before the published text was asked for (its letter alone) stays unpublished."""
    feedback = _conduct(citizen, network["commune"], may_publish=True)
    Feedback.objects.filter(pk=feedback.pk).update(
        answer="Kính gửi bà Lê Thị Hoa: thư riêng", public_summary="Hỏi", answered_at=timezone.now()
    )
    page = _page(client, reverse("feedback:published"))
    assert 'data-testid="published-answer"' not in page and "thư riêng" not in page
    filters = page[page.index('data-testid="published-filters"') : page.index("</form>")]
    assert "UBND xã Xuân Du" not in filters  # nor offered as a unit to filter by
    assert client.get(reverse("api:feedback-published")).json()["count"] == 0


def test_the_public_list_filters_by_procedure_and_unit_and_shrugs_off_bad_values(
    client, citizen, network, handlers, birth, allowance
):
    _published(citizen, handlers["commune"], procedure=birth, summary="Hỏi về khai sinh", answer="Trả lời A")
    _published(citizen, handlers["commune"], procedure=allowance, summary="Hỏi về trợ cấp", answer="Trả lời B")
    _published(citizen, handlers["district"], unit=network["district"], summary="Hỏi về huyện", answer="Trả lời C")
    url = reverse("feedback:published")

    page = _page(client, url)
    assert "Tất cả thủ tục" in page and "Tất cả đơn vị" in page
    assert "Thủ tục đăng ký khai sinh (1.001193)" in page and "Trợ cấp xã hội hằng tháng (1.001776)" in page

    by_procedure = _page(client, url, procedure=birth.procedure.pk)
    assert "Hỏi về khai sinh" in by_procedure and "Hỏi về trợ cấp" not in by_procedure
    assert "Hỏi về huyện" not in by_procedure
    by_unit = _page(client, url, unit=network["district"].pk)
    assert "Hỏi về huyện" in by_unit and "Hỏi về khai sinh" not in by_unit
    both = _page(client, url, procedure=allowance.procedure.pk, unit=network["district"].pk)
    assert 'data-testid="no-results"' in both and "Không có câu trả lời đã công khai nào phù hợp" in both

    unused_unit = network["department"].pk  # exists, but has no published answer
    for bad in ("abc", "-1", "1.5", "999999", str(2**63), str(unused_unit), "1e400", " "):
        response = client.get(url, {"procedure": bad, "unit": bad, "page": bad})
        assert response.status_code in (200, 400), bad
        if response.status_code == 200:
            assert response.content.decode().count('data-testid="published-answer"') in (0, 3), bad


def test_the_public_list_takes_the_same_queries_for_few_and_many(client, citizen, network, handlers, birth):
    url = reverse("feedback:published")

    def add(n):
        for i in range(n):
            if i % 2:
                _published(citizen, handlers["commune"], procedure=birth, summary=f"Câu hỏi {i}", answer="Đã trả lời")
            else:
                _published(citizen, handlers["district"], unit=network["district"], summary="Hỏi", answer="Đáp")

    add(3)
    few = _queries(client, url)
    few_filtered = _queries(client, url, unit=network["district"].pk)
    add(24)
    assert _queries(client, url) == few
    assert _queries(client, url, unit=network["district"].pk) == few_filtered
    page = _page(client, url)
    assert page.count('data-testid="published-answer"') == 20 and "27 câu trả lời đã công khai" in page
    assert _page(client, url, page=2).count('data-testid="published-answer"') == 7


# --- on a phone -------------------------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_sender_follows_rates_and_reads_the_published_answers(
    live_server, page_390, citizen, network, handlers, birth
):
    from tests.conftest import artifacts_dir
    from tests.factories import PASSWORD

    feedback = feedback_send(
        sender=citizen,
        subject=Subject.PROCEDURE,
        text="Xã yêu cầu nộp bản sao sổ hộ khẩu khi đăng ký khai sinh cho con, dù quy định không đòi",
        procedure=birth,
        may_publish=True,
    )
    feedback_move(feedback=feedback, by=handlers["commune"], to_agency=network["district"], note="Huyện trả lời")
    feedback_answer(
        feedback=feedback,
        by=handlers["district"],
        answer="Kính gửi bà Hoa: không yêu cầu sổ hộ khẩu. Huyện đã chấn chỉnh bộ phận một cửa xã Xuân Du.",
        public_summary="Công dân hỏi có phải nộp sổ hộ khẩu khi đăng ký khai sinh không",
        public_answer="Khi đăng ký khai sinh không yêu cầu sổ hộ khẩu.",
    )
    _conduct(citizen, network["commune"])
    base, shots = live_server.url, artifacts_dir()

    def steps(page):
        from playwright.sync_api import expect

        page.goto(base + reverse("accounts:login"))
        page.get_by_label("Email hoặc số điện thoại").fill(citizen.phone)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_test_id("current-user")).to_be_attached()  # logged in before going on

        page.goto(base + reverse("feedback:mine"))
        assert page.get_by_test_id("feedback-item").count() == 2
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(shots / "feedback-mine-390.png"), full_page=True)

        page.get_by_role("link", name=feedback.code).click()
        assert page.get_by_test_id("feedback-code").inner_text() == feedback.code
        page.get_by_role("button", name="Đã giải quyết").click()
        expect(page.get_by_text("Bạn cho biết câu trả lời đã giải quyết được vấn đề.")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(shots / "feedback-mine-detail-390.png"), full_page=True)

        page.goto(base + reverse("feedback:published"))
        page.get_by_label("Đơn vị").select_option(label="UBND huyện Như Thanh")
        page.get_by_role("button", name="Lọc").click()
        expect(page.get_by_role("link", name="Xóa bộ lọc")).to_be_visible()  # the filtered page has loaded
        assert page.get_by_test_id("published-answer").count() == 1
        assert "sổ hộ khẩu" in page.get_by_test_id("published-answer").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(shots / "feedback-published-390.png"), full_page=True)

    steps(page_390)
    feedback.refresh_from_db()
    assert feedback.resolved is True
