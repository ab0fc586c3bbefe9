"""The whole round on a 390 px phone, in the browser: a citizen sends feedback about their dossier, the
commune's feedback officer answers it, the citizen reads the answer and says it resolved the matter, and
the district's leader finds it counted in the feedback report and on the dashboard."""

from django.urls import reverse
from django.utils import timezone

import pytest
from playwright.sync_api import expect

from feedback.models import Feedback
from tests.conftest import artifacts_dir
from tests.dossiers.conftest import submit_online
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
TEXT = "Hồ sơ trợ cấp của tôi đã quá hẹn một tuần, gọi điện đến xã không ai trả lời"
ANSWER = "Xã đã liên hệ Phòng LĐ-TB&XH; hồ sơ được trình ký trong ngày thứ Hai tới."


def _shot(page, name):
    page.screenshot(path=str(artifacts_dir() / f"feedback-flow-390-{name}.png"), full_page=True)


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_sent_about_a_dossier_answered_by_the_commune_read_and_counted(
    live_server, page_390, citizen, network, allowance, handlers
):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    page, base = page_390, live_server.url

    # The citizen: from the footer to the form, about their dossier.
    log_in(page, base, citizen.email, PASSWORD)
    expect(page.get_by_test_id("current-user")).to_be_attached()
    page.get_by_role("contentinfo").get_by_role("link", name="Phản ánh, kiến nghị").click()
    page.get_by_label("Một hồ sơ của tôi").check()
    page.get_by_label("Hồ sơ của bạn").select_option(label=f"{dossier.code} · {allowance.name}")
    page.get_by_label("Nội dung phản ánh và điều bạn kiến nghị").fill(TEXT)
    _fits(page)
    _shot(page, "1-form")
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.get_by_test_id("feedback-received")).to_be_visible()
    feedback = Feedback.objects.get()
    assert page.get_by_test_id("feedback-code").inner_text() == feedback.code
    assert page.get_by_test_id("feedback-unit").inner_text() == "UBND xã Xuân Du"
    _fits(page)
    _shot(page, "2-receipt")

    # The commune's feedback officer: the inbox, the sender named, the answer.
    log_in(page, base, handlers["commune"].email, PASSWORD)
    expect(page).to_have_url(base + reverse("feedback:staff_inbox"))  # where the officer lands
    page.get_by_role("link", name=feedback.code).first.click()
    assert page.get_by_test_id("sender-name").inner_text() == citizen.full_name
    assert TEXT in page.get_by_test_id("feedback-text").inner_text()
    assert page.get_by_test_id("feedback-dossier-code").inner_text() == dossier.code  # facts, no dossier role
    page.get_by_label("Nội dung trả lời").fill(ANSWER)
    _fits(page)
    _shot(page, "3-staff")
    page.get_by_role("button", name="Gửi câu trả lời").click()
    expect(page.get_by_test_id("feedback-answer")).to_have_text(ANSWER)
    assert page.get_by_test_id("answer-timeliness").inner_text() == "Đúng hạn"

    # The citizen reads the answer from their list and says it resolved the matter.
    log_in(page, base, citizen.email, PASSWORD)
    expect(page.get_by_test_id("current-user")).to_be_attached()
    page.goto(base + reverse("feedback:mine"))
    page.get_by_role("link", name=feedback.code).click()
    expect(page.get_by_text(ANSWER)).to_be_visible()
    page.get_by_role("button", name="Đã giải quyết").click()
    expect(page.get_by_text("Bạn cho biết câu trả lời đã giải quyết được vấn đề.")).to_be_visible()
    _fits(page)
    _shot(page, "4-answer-read")
    feedback.refresh_from_db()
    assert feedback.resolved is True

    # The district's leader: the feedback report of this month counts it, answered on time.
    log_in(page, base, network["leader"].email, PASSWORD)
    expect(page.get_by_test_id("current-user")).to_be_attached()
    today = timezone.localdate()
    query = f"agency={network['district'].code}&kind=month&year={today.year}&number={today.month}&grouping=unit"
    page.goto(f"{base}{reverse('feedback:report')}?{query}")
    assert page.get_by_test_id("total-received").inner_text() == "1"
    assert page.get_by_test_id("total-answered_on_time").inner_text() == "1"
    assert page.get_by_test_id("total-rate").inner_text() == "100,0"
    _fits(page)
    _shot(page, "5-report")
