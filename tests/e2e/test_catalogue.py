import io

from django.core.management import call_command

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("query", ["đăng ký kết hôn", "dang ky ket hon"])
def test_a_citizen_on_a_phone_finds_a_procedure_with_or_without_diacritics(live_server, phone_page, query):
    call_command("seed_demo", stdout=io.StringIO())
    page = phone_page
    page.goto(live_server.url + "/")
    # The front page has the catalogue's search box.
    page.get_by_label("Tìm thủ tục hành chính").fill(query)
    page.get_by_role("button", name="Tìm", exact=True).click()

    first = page.locator(".procedure-item h2 a").first
    assert first.inner_text() == "Thủ tục đăng ký kết hôn"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    first.click()

    assert page.get_by_role("heading", level=1).inner_text() == "Thủ tục đăng ký kết hôn"
    assert page.get_by_role("heading", name="Thành phần hồ sơ").is_visible()
    assert page.get_by_test_id("submit-online").inner_text() == "Nộp hồ sơ trực tuyến"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_catalogue_works_with_javascript_turned_off(live_server, browser):
    call_command("seed_demo", stdout=io.StringIO())
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + "/thu-tuc/?q=khai+tu")
    assert page.locator(".procedure-item h2 a").first.inner_text() == "Thủ tục đăng ký khai tử"

    page.goto(live_server.url + "/thu-tuc/")
    page.locator("main summary").click()
    page.get_by_label("Cấp thực hiện").select_option("district")
    page.get_by_role("button", name="Áp dụng").click()
    levels = page.locator(".procedure-item .small").all_inner_texts()
    assert levels, "no procedure listed"
    assert all("Cấp huyện" in text for text in levels[::2])
    assert "Thủ tục đăng ký khai tử" not in page.content()
    context.close()
