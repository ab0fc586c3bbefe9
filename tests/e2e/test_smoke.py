import io

from django.core.management import call_command

import pytest

from accounts.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_visitor_reads_the_home_page_on_a_phone_switches_language_and_a_clerk_logs_in(live_server, phone_page):
    call_command("seed_demo", stdout=io.StringIO())
    page = phone_page

    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", level=1).inner_text() == "Dịch vụ công trực tuyến, tại một nơi"
    # Mobile first: nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The stylesheet is our own copy and it is applied (Bootstrap's primary navbar).
    assert page.evaluate("getComputedStyle(document.querySelector('.navbar')).backgroundColor") == "rgb(13, 110, 253)"

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.inner_text() == "Bỏ qua, đến nội dung chính"

    page.get_by_test_id("menu-toggle").click()  # the header's menu is folded on a phone
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Public services, online, in one place"

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email or phone number").fill("0900000001")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_test_id("menu-toggle").click()
    assert page.get_by_test_id("current-user").inner_text() == "Nguyễn Văn An"
    # A desk clerk lands on the work queue, in the language they chose.
    assert page.get_by_role("heading", level=1).inner_text() == "Work queue"
