"""Anyone with a feedback's code and the last 4 digits of its sender's phone number or citizen ID follows
it on the public lookup page (/tra-cuu/): its status, the unit holding it, the due time and a short
history; never the sender, their text or the answer (a letter to the sender, read after logging in). The
page's answers and limits are the dossier lookup's."""

import io
import re
from datetime import timedelta

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from feedback.constants import Subject
from feedback.services import feedback_answer, feedback_move, feedback_send
from tests.conftest import artifacts_dir

pytestmark = pytest.mark.django_db

TEXT = "Cán bộ một cửa xã yêu cầu nộp thêm tiền ngoài lệ phí"


@pytest.fixture
def feedback(citizen, network):
    return feedback_send(sender=citizen, subject=Subject.CONDUCT, text=TEXT, agency=network["commune"])


def _look(client, code, secret, address="10.9.0.1"):
    return client.post(reverse("dossiers:lookup"), {"code": code, "secret": secret}, REMOTE_ADDR=address)


def _result(page: str) -> str:
    return page.split('data-testid="lookup-result"')[1].split("</section>")[0]


def _error_summary(page: str) -> str:
    summary = page.split('data-testid="error-summary"')[1].split("</div>")[0]
    return re.sub(r"\s+", " ", summary)


@pytest.mark.parametrize("secret", ["5678", "1234"], ids=["phone", "citizen ID"])
def test_the_code_and_4_digits_show_the_status_unit_due_time_and_history_without_personal_data(
    client, feedback, secret
):
    page = _look(client, feedback.code, secret).content.decode()
    result = _result(page)
    assert feedback.code in result and "Đã tiếp nhận" in result and "Phản ánh, kiến nghị" in result
    assert "UBND xã Xuân Du" in result
    assert timezone.localtime(feedback.due_at).strftime("%H:%M %d/%m/%Y") in result
    assert "Đã gửi" in result  # the history's first line
    for personal in [TEXT, "Lê Thị Hoa", "0912345678", "038190001234", "hoa@example.vn"]:
        assert personal not in page


def test_wrong_digits_get_the_same_answer_as_for_a_dossier(client, feedback):
    refused = _look(client, feedback.code, "0000")
    page = refused.content.decode()
    assert refused.status_code == 200 and 'data-testid="lookup-result"' not in page
    assert "Không có hồ sơ nào khớp với mã và 4 số này." in page
    for secret in ["5678", "1234"]:  # wrong, whatever the other digits: only the code's own work
        assert 'data-testid="lookup-result"' not in _look(client, feedback.code[:-1] + "9", secret).content.decode()
    dossier_refused = _look(client, "000.12.22.H56-261127-0001", "0000").content.decode()
    assert _error_summary(page) == _error_summary(dossier_refused)


def test_the_code_is_read_whatever_its_case_and_spaces(client, feedback):
    typed = " " + feedback.code.lower().replace("-", " - ", 1) + "\t"
    assert 'data-testid="lookup-result"' in _look(client, typed, "5 678").content.decode()


def test_once_answered_the_status_shows_but_the_answer_goes_to_the_sender_only(client, feedback, network, handlers):
    feedback_move(feedback=feedback, by=handlers["commune"], to_agency=network["district"], note="Thuộc huyện")
    answer = "Huyện đã kiểm tra và nhắc nhở cán bộ; khoản thu thêm được hoàn trả cho công dân."
    feedback_answer(feedback=feedback, by=handlers["district"], answer=answer)
    page = _look(client, feedback.code, "5678").content.decode()
    result = _result(page)
    assert "Đã trả lời" in result and "Trả lời đúng hạn" in result and "UBND huyện Như Thanh" in result
    assert "Đã chuyển cho đơn vị khác" in result
    assert "Thuộc huyện" not in result  # a move's note is for the staff
    # The code and 4 digits can be guessed, and the answer may name people: it is not on the page.
    assert answer not in page and "khoản thu thêm" not in page
    where = " ".join(result.split())
    assert "chỉ người gửi mới đọc được câu trả lời: hãy đăng nhập và mở “Phản ánh, kiến nghị của tôi”" in where
    assert f'<a href="{reverse("accounts:password_link")}">Quên mật khẩu?</a>' in where
    assert "nhập số điện thoại bạn đã dùng để gửi" in where


def test_the_sentence_about_the_answer_is_true_a_visitor_sets_a_password_with_the_number(
    client, network, settings, handlers, django_capture_on_commit_callbacks
):
    """What the lookup tells a visitor who sent without an account works: "Forgot your password?" with
    the number sends a link to set a password by SMS, and the answer is then read on their page."""
    from tests.accounts.conftest import sms_texts
    from tests.factories import UserFactory

    sender = UserFactory(full_name="Nguyễn Văn Bình", email=None, phone="0987654321", phone_confirmed=True)
    sender.set_unusable_password()  # sent without an account: no password yet
    sender.save(update_fields=["password"])
    sent = feedback_send(sender=sender, subject=Subject.CONDUCT, text=TEXT, agency=network["commune"])
    answer = "Xã đã nhắc nhở cán bộ một cửa."
    feedback_answer(feedback=sent, by=handlers["commune"], answer=answer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_link"), {"identifier": "0987 654 321"})
    sms = sms_texts(settings)[-1]
    assert sms["to"] == "0987654321"
    set_url = client.get(re.search(r"/dat-mat-khau/[^/]+/[^/\s]+/", sms["text"]).group(0)).url
    client.post(set_url, {"new_password1": "mat-khau-moi-xuan-du", "new_password2": "mat-khau-moi-xuan-du"})
    logged_in = client.post(reverse("accounts:login"), {"username": "0987654321", "password": "mat-khau-moi-xuan-du"})
    assert logged_in.status_code == 302
    assert answer in client.get(reverse("feedback:mine_detail", args=[sent.reference])).content.decode()


def test_an_unanswered_feedback_past_its_due_time_shows_it(client, feedback):
    type(feedback).objects.filter(pk=feedback.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert "Quá hạn" in _result(_look(client, feedback.code, "5678").content.decode())


def test_the_page_says_feedback_can_be_followed_here(client):
    page = client.get(reverse("dossiers:lookup")).content.decode()
    assert "Để theo dõi phản ánh, kiến nghị, nhập mã phản ánh (PA-…)" in page


def test_guessing_a_feedbacks_digits_spends_the_codes_budget_in_every_spelling(client, feedback):
    code = feedback.code
    spellings = [code, code.lower(), f" {code} ", code.replace("-", "\u2013")]
    for attempt in range(10):  # ten addresses: only the limit per code can stop them
        assert _look(client, spellings[attempt % 4], f"{attempt:04d}", f"10.9.1.{attempt}").status_code == 200
    assert _look(client, code.lower(), "5678", "10.9.2.1").status_code == 429


def test_the_history_costs_the_same_queries_however_long_it_is(client, feedback, network, handlers):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert 'data-testid="lookup-result"' in _look(client, feedback.code, "5678").content.decode()
        return len(captured)

    short = queries()
    for _round in range(3):
        feedback_move(feedback=feedback, by=handlers["commune"], to_agency=network["district"], note="Lên huyện")
        feedback_move(feedback=feedback, by=handlers["district"], to_agency=network["commune"], note="Về xã")
    assert queries() == short


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_lookup_result_of_an_answered_feedback_at_390_px(live_server, page_390):
    from accounts.constants import Role
    from accounts.models import Agency, User
    from tests.factories import StaffMembershipFactory

    call_command("seed_demo", stdout=io.StringIO())
    citizen = User.objects.get(phone="0912345678")
    unit = Agency.objects.get(code="000.10.22.H56")  # UBND thị trấn Bến Sung
    sent = feedback_send(sender=citizen, subject=Subject.CONDUCT, text=TEXT, agency=unit)
    answer = "Thị trấn đã kiểm tra, nhắc nhở cán bộ và hoàn trả khoản thu ngoài lệ phí cho công dân."
    officer = StaffMembershipFactory(
        agency=unit, role=Role.FEEDBACK, user__phone=None, user__email="phananh.bensung@example.vn"
    ).user
    feedback_answer(feedback=sent, by=officer, answer=answer)
    seen = {}

    def steps(page):
        page.goto(live_server.url + reverse("dossiers:lookup"))
        page.get_by_label("Mã hồ sơ").fill(sent.code.lower())
        page.get_by_label("4 số cuối").fill("5678")
        page.get_by_role("button", name="Tra cứu", exact=True).click()
        seen["result"] = page.get_by_test_id("lookup-result").inner_text()
        seen["width"] = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(artifacts_dir() / "feedback-lookup-390.png"), full_page=True)

    steps(page_390)
    assert "Đã trả lời" in seen["result"] and answer not in seen["result"] and TEXT not in seen["result"]
    assert seen["width"] <= 390
