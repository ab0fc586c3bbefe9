"""The demo citizen, on a phone at 390 px, sends feedback about the conduct of a commune desk from the
link in the footer, is told to choose the unit without losing the text, then gets the receipt."""

import io

from django.core.management import call_command

import pytest

from feedback.models import Feedback
from tests.conftest import artifacts_dir
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_citizen_sends_feedback_on_a_phone_and_gets_the_receipt(live_server, page_390):
    call_command("seed_demo", stdout=io.StringIO())
    page = page_390
    log_in(page, live_server.url, "0912345678")
    page.get_by_role("link", name="Phản ánh, kiến nghị").click()
    page.get_by_label("Thái độ, cách làm việc của đơn vị hoặc cán bộ").check()
    text = "Cán bộ một cửa yêu cầu nộp thêm tiền ngoài lệ phí đã niêm yết"
    page.get_by_label("Nội dung phản ánh và điều bạn kiến nghị").fill(text)
    page.get_by_role("button", name="Gửi", exact=True).click()
    assert page.get_by_text("Chọn đơn vị liên quan.").first.is_visible()
    assert page.get_by_label("Nội dung phản ánh và điều bạn kiến nghị").input_value() == text
    page.screenshot(path=str(artifacts_dir() / "feedback-refused-390.png"), full_page=True)
    page.get_by_label("Đơn vị liên quan").select_option(label="UBND thị trấn Bến Sung")
    page.get_by_role("button", name="Gửi", exact=True).click()
    feedback = Feedback.objects.get()
    assert page.get_by_test_id("feedback-code").inner_text() == feedback.code
    assert "UBND thị trấn Bến Sung" in page.get_by_test_id("feedback-receipt").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir() / "feedback-receipt-390.png"), full_page=True)
