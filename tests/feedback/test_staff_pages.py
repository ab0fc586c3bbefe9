"""The staff who handle feedback: the inbox of what their unit holds (filters, counters, pages), the
feedback's page naming the sender, the answer sent to the sender, and passing a feedback between a
district and its communes; nobody else sees any of it."""

from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.constants import Role
from accounts.selectors import landing_page
from dossiers.models import Notification
from feedback.constants import FeedbackEventKind, Subject
from feedback.models import Feedback
from feedback.services import feedback_answer, feedback_move, feedback_send
from tests.conftest import query_count
from tests.factories import AgencyFactory, StaffMembershipFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
INBOX = reverse("feedback:staff_inbox")
# A Wednesday, 9:00 in Hanoi: office hours, and in the past (sessions made now are still valid then).
NOW = datetime(2026, 11, 18, 9, 0, tzinfo=TZ)


def send(citizen, agency, *, text="Cán bộ một cửa hẹn lại nhiều lần", when=NOW - timedelta(days=3), **kwargs):
    return feedback_send(sender=citizen, subject=Subject.CONDUCT, text=text, agency=agency, now=when, **kwargs)


def due(feedback, when):
    Feedback.objects.filter(pk=feedback.pk).update(due_at=when)
    feedback.refresh_from_db()
    return feedback


def detail(feedback):
    return reverse("feedback:staff_detail", args=[feedback.reference])


def answer_url(feedback):
    return reverse("feedback:staff_answer", args=[feedback.reference])


def move_url(feedback):
    return reverse("feedback:staff_move", args=[feedback.reference])


def rows(page: str) -> int:
    return page.count('data-testid="feedback-row"')


@pytest.fixture
def at_now(settings):
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600
    with mock.patch.object(timezone, "now", return_value=NOW):
        yield NOW


def test_each_unit_sees_only_the_feedback_it_holds(client, citizen, network, handlers):
    mine = send(citizen, network["commune"])
    other_commune = AgencyFactory(code="000.14.22.H56", name="UBND xã Yên Lạc", parent=network["district"])
    theirs = send(citizen, other_commune, text="Xã Yên Lạc thu thêm phí")
    other_handler = StaffMembershipFactory(agency=other_commune, role=Role.FEEDBACK).user

    client.force_login(handlers["commune"])
    inbox = client.get(INBOX).content.decode()
    assert mine.code in inbox and theirs.code not in inbox
    page = client.get(detail(mine))
    assert page.status_code == 200 and "Cán bộ một cửa hẹn lại nhiều lần" in page.content.decode()
    assert client.get(detail(theirs)).status_code == 404

    client.force_login(other_handler)
    assert client.get(detail(mine)).status_code == 404
    assert client.get(answer_url(mine)).status_code == 405
    refused = client.post(answer_url(mine), {"answer": "Trả lời thay"})
    assert refused.status_code == 404 and not Feedback.objects.get(pk=mine.pk).answer

    for outsider in (handlers["clerk"], citizen):  # a clerk without the feedback role, the sender
        client.force_login(outsider)
        assert client.get(INBOX).status_code == 403
        assert client.get(detail(mine)).status_code == 404
        assert client.post(answer_url(mine), {"answer": "?"}).status_code == 404
        assert "nav-feedback-inbox" not in client.get(reverse("home")).content.decode()

    client.logout()
    for url in (INBOX, detail(mine), answer_url(mine)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_handler_finds_the_inbox_in_the_menu_and_lands_on_it_a_leader_on_the_dashboard(client, network, handlers):
    client.force_login(handlers["commune"])
    home = client.get(reverse("home")).content.decode()
    assert f'href="{INBOX}" data-testid="nav-feedback-inbox">Phản ánh, kiến nghị cần xử lý</a>' in home
    assert landing_page(user=handlers["commune"]) == "feedback:staff_inbox"
    assert landing_page(user=handlers["leader"]) == "reports:dashboard"


def test_the_page_names_the_sender_the_due_time_and_its_legal_basis(client, citizen, network, handlers, allowance):
    feedback = feedback_send(
        sender=citizen, subject=Subject.PROCEDURE, text="Xã đòi thêm giấy xác nhận cư trú", procedure=allowance
    )
    client.force_login(handlers["commune"])
    page = client.get(detail(feedback)).content.decode()
    assert 'data-testid="sender-name">Lê Thị Hoa<' in page
    assert "0912345678" in page and "hoa@example.vn" in page
    assert "1.001776 · Trợ cấp xã hội hằng tháng" in page
    assert timezone.localtime(feedback.due_at).strftime("%H:%M %d/%m/%Y") in page
    assert "Thời hạn trả lời: 10 ngày làm việc (Quy chế tiếp nhận, xử lý phản ánh, kiến nghị của tỉnh, Điều 9)" in page
    assert "Đã gửi: UBND xã Xuân Du" in page  # the history


def test_a_feedback_about_a_dossier_shows_its_key_facts_and_links_to_it_for_those_who_may_open_it(
    client, citizen, network, handlers, allowance
):
    from dossiers.services import dossier_receive
    from tests.dossiers.conftest import submit_online

    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier_receive(dossier=dossier, by=network["clerk"])
    dossier.refresh_from_db()
    feedback = feedback_send(sender=citizen, subject=Subject.DOSSIER, text="Hồ sơ trễ hẹn", dossier=dossier)
    dossier_page = reverse("dossiers:detail", args=[dossier.reference])
    link = f'href="{dossier_page}"'

    client.force_login(handlers["commune"])  # the feedback role only: the dossier's page is not theirs
    assert client.get(dossier_page).status_code == 404
    page = client.get(detail(feedback)).content.decode()
    assert link not in page
    facts = page.split('data-testid="feedback-dossier-facts"', 1)[1].split("</section>", 1)[0]
    assert f'data-testid="feedback-dossier-code">{dossier.code}<' in facts
    assert 'data-testid="dossier-procedure">Trợ cấp xã hội hằng tháng<' in facts
    assert 'data-testid="dossier-status">Đã tiếp nhận<' in facts
    received = timezone.localtime(dossier.received_at).strftime("%H:%M %d/%m/%Y")
    assert f'data-testid="dossier-received">{received}<' in facts
    assert f'data-testid="dossier-due">{timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y")}<' in facts
    assert 'data-testid="dossier-unit">UBND xã Xuân Du<' in facts

    clerk = network["clerk"]  # the commune's desk clerk, who also handles feedback, opens the dossier
    StaffMembershipFactory(agency=network["commune"], role=Role.FEEDBACK, user=clerk)
    client.force_login(clerk)
    page = client.get(detail(feedback)).content.decode()
    assert f'{link} data-testid="feedback-dossier">{dossier.code}</a>' in page
    assert 'data-testid="dossier-procedure">Trợ cấp xã hội hằng tháng<' in page
    assert client.get(dossier_page).status_code == 200


def test_the_attached_files_are_listed_and_only_the_unit_holding_it_downloads_them(client, citizen, network, handlers):
    from django.core.files.base import ContentFile

    from feedback.models import FeedbackAttachment

    feedback = send(citizen, network["district"], when=timezone.now())
    attachment = FeedbackAttachment.objects.create(
        feedback=feedback,
        file=ContentFile(b"%PDF-1.4 ...", name="bien-nhan.pdf"),
        name="biên nhận hồ sơ.pdf",
        content_type="application/pdf",
        size=12,
        uploaded_at=timezone.now(),
    )
    link = f'href="{reverse("feedback:attachment", args=[attachment.pk])}"'
    client.force_login(handlers["district"])
    page = client.get(detail(feedback)).content.decode()
    assert "biên nhận hồ sơ.pdf" in page and link in page
    feedback_move(feedback=feedback, by=handlers["district"], to_agency=network["commune"], note="Xã xử lý")
    page = client.get(detail(feedback)).content.decode()  # the district may only take it back now
    assert "biên nhận hồ sơ.pdf" in page and link not in page


def test_answering_sends_it_to_the_sender_and_a_second_submission_is_refused(client, citizen, network, handlers):
    feedback = send(citizen, network["commune"], when=timezone.now())
    client.force_login(handlers["commune"])
    assert not Notification.objects.filter(recipient=citizen, kind="feedback").exists()

    blank = client.post(answer_url(feedback), {"answer": "   "})
    assert blank.status_code == 400 and "Hãy nhập nội dung trả lời." in blank.content.decode()

    answer = "Xã đã nhắc nhở cán bộ; hồ sơ của bà được trả trong ngày 20/11."
    response = client.post(answer_url(feedback), {"answer": answer}, follow=True)
    assert response.redirect_chain[-1][0] == detail(feedback)
    page = response.content.decode()
    assert "Đã ghi nhận câu trả lời và gửi đến người gửi." in page
    assert answer in page and 'data-testid="answered-by">Lê Văn Cường · UBND xã Xuân Du<' in page
    assert "Đúng hạn" in page and "Chưa đánh giá" in page and 'data-testid="answer-form"' not in page
    told = Notification.objects.filter(recipient=citizen, kind="feedback")
    assert told.exists() and all(feedback.code in message.body for message in told)

    again = client.post(answer_url(feedback), {"answer": "Trả lời lần hai"})
    assert again.status_code == 400
    assert "Phản ánh, kiến nghị này đã được trả lời." in again.content.decode()
    feedback.refresh_from_db()
    assert feedback.answer == answer
    assert feedback.events.filter(kind=FeedbackEventKind.ANSWERED).count() == 1


def test_a_late_answer_and_the_senders_rating_show_on_the_page(client, citizen, network, handlers):
    from feedback.services import feedback_rate

    feedback = due(send(citizen, network["commune"]), NOW - timedelta(days=1))
    feedback_answer(feedback=feedback, by=handlers["commune"], answer="Đã xử lý", now=NOW)
    feedback_rate(feedback=feedback, by=citizen, resolved=False, now=NOW + timedelta(hours=1))
    client.force_login(handlers["commune"])
    page = client.get(detail(feedback)).content.decode()
    assert 'data-testid="answer-timeliness">Quá hạn<' in page
    assert "Câu trả lời chưa giải quyết được vấn đề" in page and "Người gửi đã đánh giá" in page


def test_a_publishable_feedback_needs_the_question_and_the_answer_as_published_and_keeps_what_was_typed(
    client, citizen, network, handlers
):
    feedback = send(citizen, network["commune"], may_publish=True)
    client.force_login(handlers["commune"])
    page = client.get(detail(feedback)).content.decode()
    assert "không nêu họ tên, số giấy tờ, số điện thoại hay địa chỉ; nội dung này được công khai" in page
    assert "Câu trả lời được công khai" in page and 'name="public_answer"' in page
    assert "không nêu họ tên, số giấy tờ, số điện thoại, địa chỉ hay mã hồ sơ" in page
    assert "Chỉ gửi đến người gửi; nội dung này không bao giờ được công khai." in page  # the answer itself

    answer = "Kính gửi bà Lê Thị Hoa: hồ sơ của bà được trả ngày 20/11; xã đã nhắc nhở cán bộ Nguyễn Văn Bình."
    summary = "Công dân phản ánh cán bộ hẹn lại nhiều lần."
    refused = client.post(answer_url(feedback), {"answer": answer, "public_summary": summary, "public_answer": "  "})
    assert refused.status_code == 400
    content = refused.content.decode()
    # the error sits on the field it is about
    assert (
        'id="error_1_id_public_answer"><strong>Người gửi đồng ý công khai: hãy viết câu trả lời để công khai' in content
    )
    assert answer in content and summary in content
    assert "Người gửi đồng ý công khai: hãy tóm tắt lại câu hỏi" not in content
    assert Feedback.objects.get(pk=feedback.pk).answered_at is None

    public_answer = "Xã đã nhắc nhở cán bộ và niêm yết lại quy trình tại bộ phận một cửa."
    response = client.post(
        answer_url(feedback),
        {"answer": answer, "public_summary": summary, "public_answer": public_answer},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == detail(feedback)
    page = response.content.decode()
    assert f'data-testid="published-question">{summary}<' in page
    assert f'data-testid="published-answer">{public_answer}<' in page
    assert answer in page.split('data-testid="feedback-answer">', 1)[1].split("</div>", 1)[0]
    saved = Feedback.objects.get(pk=feedback.pk)
    assert (saved.answer, saved.public_summary, saved.public_answer) == (answer, summary, public_answer)


def test_a_feedback_not_to_be_published_asks_for_the_answer_only(client, citizen, network, handlers):
    feedback = send(citizen, network["commune"])
    client.force_login(handlers["commune"])
    page = client.get(detail(feedback)).content.decode()
    assert 'name="answer"' in page and 'name="public_summary"' not in page and 'name="public_answer"' not in page
    assert client.post(answer_url(feedback), {"answer": "Đã xử lý"}).status_code == 302
    page = client.get(detail(feedback)).content.decode()
    assert "Đã xử lý" in page and 'data-testid="published"' not in page


def test_the_district_passes_a_feedback_down_the_commune_answers_and_the_district_may_take_it_back_before(
    client, citizen, network, handlers
):
    feedback = send(citizen, network["district"], when=timezone.now())
    client.force_login(handlers["district"])
    assert feedback.code in client.get(INBOX).content.decode()

    refused = client.post(move_url(feedback), {"to_agency": network["commune"].pk, "note": ""})
    assert refused.status_code == 400 and "Hãy nêu lý do chuyển đến đơn vị đó." in refused.content.decode()
    note = "Việc xảy ra tại bộ phận một cửa xã"
    wrong = client.post(move_url(feedback), {"to_agency": network["department"].pk, "note": note})
    assert wrong.status_code == 400 and note in wrong.content.decode()
    assert "Bạn không thể chuyển phản ánh, kiến nghị này đến đơn vị đó." in wrong.content.decode()

    moved = client.post(move_url(feedback), {"to_agency": network["commune"].pk, "note": note}, follow=True)
    assert moved.redirect_chain[-1][0] == detail(feedback)
    page = moved.content.decode()
    assert "Đã chuyển phản ánh, kiến nghị đến UBND xã Xuân Du." in page
    assert "Đã chuyển cho đơn vị khác: UBND huyện Như Thanh → UBND xã Xuân Du" in page and note in page
    assert 'data-testid="answer-form"' not in page and "Thu hồi" in page  # the district reads, may take back
    inbox = client.get(INBOX).content.decode()
    assert rows(inbox) == 0 and 'data-testid="passed-down"' in inbox and feedback.code in inbox
    assert client.post(answer_url(feedback), {"answer": "?"}).status_code == 403

    client.force_login(handlers["commune"])
    assert feedback.code in client.get(INBOX).content.decode()
    assert 'data-testid="answer-form"' in client.get(detail(feedback)).content.decode()

    client.force_login(handlers["district"])  # the district takes it back
    back = client.post(move_url(feedback), {"to_agency": network["district"].pk, "note": "Huyện tự xử lý"})
    assert back.status_code == 302 and Feedback.objects.get(pk=feedback.pk).agency == network["district"]
    client.force_login(handlers["commune"])
    assert client.get(detail(feedback)).status_code == 404 and feedback.code not in client.get(INBOX).content.decode()

    feedback_move(feedback=feedback, by=handlers["district"], to_agency=network["commune"], note=note)
    answered = client.post(answer_url(feedback), {"answer": "Xã đã chấn chỉnh cán bộ."})
    assert answered.status_code == 302
    client.force_login(handlers["district"])  # answered: nothing left to take back
    assert client.get(detail(feedback)).status_code == 404
    assert client.post(move_url(feedback), {"to_agency": network["district"].pk, "note": "x"}).status_code == 404
    assert Feedback.objects.get(pk=feedback.pk).agency == network["commune"]


def test_a_commune_passes_a_feedback_up_and_returns_to_its_inbox(client, citizen, network, handlers):
    feedback = send(citizen, network["commune"], when=timezone.now())
    client.force_login(handlers["commune"])
    response = client.post(move_url(feedback), {"to_agency": network["district"].pk, "note": "Thuộc thẩm quyền huyện"})
    assert response.status_code == 302 and response["Location"] == INBOX
    assert Feedback.objects.get(pk=feedback.pk).agency == network["district"]


@pytest.fixture
def inbox_of_the_commune(citizen, network, handlers):
    """At NOW (Wednesday 9:00): two overdue, one due at 16:00 today, one due tomorrow 8:00 (within a
    working day), one due next week; one answered on time, one answered late; and another commune's
    overdue feedback, which is not the commune's."""
    commune = network["commune"]
    made = {
        "overdue_1": due(send(citizen, commune), NOW - timedelta(days=1)),
        "overdue_2": due(send(citizen, commune), NOW - timedelta(hours=2)),
        "today": due(send(citizen, commune), NOW.replace(hour=16)),
        "tomorrow": due(send(citizen, commune), NOW + timedelta(hours=23)),
        "next_week": due(send(citizen, commune), NOW + timedelta(days=7)),
        "on_time": send(citizen, commune),
        "late": due(send(citizen, commune), NOW - timedelta(days=2)),
    }
    Feedback.objects.filter(pk=made["next_week"].pk).update(subject=Subject.PROCEDURE)
    feedback_answer(feedback=made["on_time"], by=handlers["commune"], answer="Đã xử lý", now=NOW - timedelta(days=1))
    feedback_answer(feedback=made["late"], by=handlers["commune"], answer="Đã xử lý", now=NOW - timedelta(hours=1))
    elsewhere = AgencyFactory(code="000.14.22.H56", parent=network["district"])
    due(send(citizen, elsewhere), NOW - timedelta(days=1))
    return made


def codes_in(page: str, made: dict) -> set[str]:
    return {name for name, feedback in made.items() if feedback.code in page}


def test_counters_and_filters_of_the_inbox(client, handlers, inbox_of_the_commune, at_now):
    made = inbox_of_the_commune
    client.force_login(handlers["commune"])
    page = client.get(INBOX).content.decode()
    assert rows(page) == 7
    order = sorted(made.items(), key=lambda item: page.index(item[1].code))
    assert [name for name, _feedback in order] == [
        "overdue_1", "overdue_2", "today", "tomorrow", "next_week", "late", "on_time",
    ]  # fmt: skip
    for testid, count, link in (
        ("count-waiting", 5, "?status=received"),
        ("count-due-today", 1, "?due=today"),
        ("count-overdue", 2, "?due=overdue"),
    ):
        assert f'href="{link}" data-testid="{testid}">' in page
        block = page.split(f'data-testid="{testid}">', 1)[1].split("</a>", 1)[0]
        assert f">{count}</span>" in block
    assert page.count('data-testid="overdue"') == 2

    def shown(params):
        return codes_in(client.get(INBOX, params).content.decode(), made)

    assert shown({"status": "received"}) == {"overdue_1", "overdue_2", "today", "tomorrow", "next_week"}
    assert shown({"status": "answered"}) == {"on_time", "late"}
    assert shown({"due": "overdue"}) == {"overdue_1", "overdue_2"}
    assert shown({"due": "today"}) == {"today"}
    assert shown({"due": "soon"}) == {"today", "tomorrow"}
    assert shown({"subject": Subject.PROCEDURE}) == {"next_week"}
    typed = " " + made["tomorrow"].code.lower().replace("-", " -", 1) + " "
    assert shown({"q": typed}) == {"tomorrow"}
    # The counters count the unit's whole inbox, whatever the filter.
    filtered = client.get(INBOX, {"due": "today"}).content.decode()
    assert ">5</span>" in filtered.split('data-testid="count-waiting">', 1)[1].split("</a>", 1)[0]
    # Unknown values are dropped, never an error.
    assert rows(client.get(INBOX, {"due": "x", "status": "y", "subject": "z", "page": "99"}).content.decode()) == 7
    answered_rows = client.get(INBOX, {"status": "answered"}).content.decode().split("<tbody>")[1]
    assert answered_rows.count("Đúng hạn") == 1 and answered_rows.count("badge text-bg-warning") == 1


def test_the_inbox_costs_the_same_queries_for_few_and_many(client, citizen, network, handlers):
    def fill(n):
        for i in range(n):
            feedback = send(citizen, network["commune"], when=timezone.now())
            if i % 3 == 1:
                feedback_answer(feedback=feedback, by=handlers["commune"], answer="Đã xử lý")
        for _ in range(max(1, n // 5)):  # passed down by the district
            feedback = send(citizen, network["district"], when=timezone.now())
            feedback_move(feedback=feedback, by=handlers["district"], to_agency=network["commune"], note="Xã xử lý")

    fill(3)
    client.force_login(handlers["commune"])
    few = query_count(client, INBOX)
    client.force_login(handlers["district"])
    few_district = query_count(client, INBOX)
    fill(27)
    client.force_login(handlers["commune"])
    assert query_count(client, INBOX) == few
    assert rows(client.get(INBOX).content.decode()) == 25  # a page
    client.force_login(handlers["district"])
    assert query_count(client, INBOX) == few_district


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_inbox_and_the_page_fit_a_phone_and_a_desktop(live_server, browser, citizen, network, handlers):
    """At 390 px nothing but the table scrolls sideways; screenshots at 390 and 1280 px for a person to look
    at."""
    from tests.conftest import artifacts_dir
    from tests.dossiers.conftest import submit_online
    from tests.factories import published_procedure

    procedure = published_procedure(code="1.001193", name="Thủ tục đăng ký khai sinh", agencies=[network["commune"]])
    dossier = submit_online(citizen=citizen, version=procedure, agency=network["commune"])
    waiting = feedback_send(
        sender=citizen,
        subject=Subject.DOSSIER,
        dossier=dossier,
        may_publish=True,
        text="Hồ sơ đăng ký khai sinh của con tôi đã quá hẹn ba ngày mà bộ phận một cửa chưa trả kết quả, "
        "gọi điện thì không ai nghe máy.",
    )
    due(waiting, timezone.now() - timedelta(hours=3))
    passed = send(citizen, network["district"], when=timezone.now())
    feedback_move(feedback=passed, by=handlers["district"], to_agency=network["commune"], note="Việc của xã")
    answered = send(citizen, network["commune"], when=timezone.now())
    feedback_answer(feedback=answered, by=handlers["commune"], answer="Xã đã chấn chỉnh cán bộ một cửa.")

    from django.test import Client

    session = Client()
    session.force_login(handlers["commune"])
    cookie = {"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url}
    folder = artifacts_dir()
    for width, height in ((390, 844), (1280, 900)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(live_server.url + INBOX)
        assert page.get_by_test_id("feedback-row").count() == 3
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(folder / f"feedback-staff-inbox-{width}.png"), full_page=True)
        page.goto(live_server.url + detail(waiting))
        assert page.get_by_test_id("sender-name").inner_text() == "Lê Thị Hoa"
        page.get_by_role("button", name="Gửi câu trả lời").click()
        assert page.get_by_text("Hãy nhập nội dung trả lời.").first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(folder / f"feedback-staff-detail-{width}.png"), full_page=True)
        page.goto(live_server.url + detail(passed))
        page.get_by_test_id("move").locator("summary").click()
        page.screenshot(path=str(folder / f"feedback-staff-move-{width}.png"), full_page=True)
        page.goto(live_server.url + detail(answered))
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(folder / f"feedback-staff-answered-{width}.png"), full_page=True)
        context.close()


def test_the_menu_shows_each_person_their_own_work(client, citizen, handlers):
    """A feedback officer finds the feedback to answer and no dossier queue; a desk clerk the queue and no
    feedback; a citizen their own feedback beside their dossiers."""

    def menu(person):
        client.force_login(person)
        return client.get(reverse("home")).content.decode()

    officer = menu(handlers["commune"])
    assert reverse("feedback:staff_inbox") in officer and reverse("dossiers:queue") not in officer
    clerk = menu(handlers["clerk"])
    assert reverse("dossiers:queue") in clerk and reverse("feedback:staff_inbox") not in clerk
    own = menu(citizen)
    assert reverse("feedback:mine") in own and reverse("dossiers:mine") in own
    assert reverse("dossiers:queue") not in own and reverse("feedback:staff_inbox") not in own
    assert reverse("feedback:published") in own  # in the footer, for everyone


def test_the_district_neither_reads_nor_takes_what_was_sent_straight_to_a_commune(client, citizen, network, handlers):
    from feedback.permissions import move_targets

    straight = send(citizen, network["commune"], text="Cán bộ xã Xuân Du gắt gỏng với người dân", when=timezone.now())
    for person in (handlers["district"], handlers["leader"]):
        client.force_login(person)
        assert client.get(detail(straight)).status_code == 404
        taken = client.post(move_url(straight), {"to_agency": network["district"].pk, "note": "Huyện lấy"})
        assert taken.status_code == 404
        inbox = client.get(INBOX).content.decode()
        assert straight.code not in inbox and 'data-testid="passed-down"' not in inbox
        assert move_targets(user=person, feedback=straight) == []
    assert Feedback.objects.get(pk=straight.pk).agency == network["commune"]

    # Passed up by the commune and down again by the district: now the district reads it and may take it back.
    feedback_move(feedback=straight, by=handlers["commune"], to_agency=network["district"], note="Thuộc huyện")
    feedback_move(feedback=straight, by=handlers["district"], to_agency=network["commune"], note="Xã xử lý")
    client.force_login(handlers["district"])
    page = client.get(detail(straight)).content.decode()
    assert "Cán bộ xã Xuân Du gắt gỏng với người dân" in page and "Thu hồi" in page
    assert straight.code in client.get(INBOX).content.decode().split('data-testid="passed-down"', 1)[1]
