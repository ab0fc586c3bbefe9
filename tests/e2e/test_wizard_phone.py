"""A new citizen on a 390 px phone, on the demo: registers with a phone number and an address, is told
the account exists and what comes next, and submits the marital status certificate (level 4) without
typing anything twice: the commune and the place of residence come from the address, the declaration
is the e-form, the identity card is listed to bring. Bad numbers are announced at the top of the page,
with the focus on the summary. Screenshots of each step go to the test artifacts."""

import io
import re

from django.core.management import call_command
from django.utils import timezone

import pytest
from playwright.sync_api import expect

from procedures.calendar import WorkingCalendar
from procedures.selectors import procedure_get_current
from tests.conftest import artifacts_dir
from tests.e2e.conftest import PHONE_390

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "lua-xuan-du-2026-moi"


def _shot(page, name: str) -> None:
    page.screenshot(path=str(artifacts_dir() / f"wizard-390-{name}.png"), full_page=True)


def _focused_summary(page) -> str:
    """The text of the focused element, which must be the error summary."""
    return page.evaluate(
        "document.activeElement.getAttribute('data-testid') === 'error-summary' ? document.activeElement.innerText : ''"
    )


def _heights(page, selector: str) -> list[float]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.getBoundingClientRect().height)")


def test_a_new_citizen_on_a_phone_submits_without_typing_anything_twice(live_server, page_390):
    call_command("seed_demo", stdout=io.StringIO())
    base, page = live_server.url, page_390

    page.goto(base + "/dang-ky/")
    page.get_by_label("Họ và tên").fill("Phạm Thị Mai")
    page.get_by_label("Số định danh cá nhân").fill("038195004321")
    page.get_by_label("Số điện thoại").fill("0977 123 456")
    page.get_by_label("Địa chỉ").fill("Thôn Đồng Lạc, xã Xuân Du, huyện Như Thanh")
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Tạo tài khoản").click()
    confirmation = page.locator("main").inner_text()
    assert "Tài khoản của bạn đã được tạo và bạn đã đăng nhập." in confirmation
    assert "0977123456" in confirmation
    _shot(page, "1-registered")

    page.goto(base + "/thu-tuc/1.004873/nop-truc-tuyen/")
    unit = page.get_by_label("Nộp tại")
    assert unit.evaluate("s => s.options[s.selectedIndex].text") == "UBND xã Xuân Du"  # from the address
    assert "Giấy tờ tùy thân (xuất trình)" in page.locator("main").inner_text()
    _shot(page, "2-start")
    page.get_by_role("button", name="Bắt đầu").click()

    assert page.get_by_test_id("step-count").inner_text() == "Bước 1/5"
    assert page.get_by_label("Địa chỉ").input_value() == "Thôn Đồng Lạc, xã Xuân Du, huyện Như Thanh"
    assert page.get_by_label("Số điện thoại").input_value() == "0977123456"
    _shot(page, "3-applicant")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    assert page.get_by_test_id("step-count").inner_text() == "Bước 2/5"
    assert page.get_by_label("Nơi cư trú hiện nay").input_value() == "Thôn Đồng Lạc, xã Xuân Du, huyện Như Thanh"
    page.get_by_label("Mục đích sử dụng giấy xác nhận").select_option("Mục đích khác")
    for typed in ["-2", "1e1000000"]:
        page.get_by_label("Số bản đề nghị cấp").fill(typed)
        page.get_by_role("button", name="Lưu và tiếp tục").click()
        expect(page).to_have_title(re.compile(r"^Lỗi: Bước 2/5"))  # waits for the answer page
        summary = _focused_summary(page)
        assert "Có 1 lỗi cần sửa" in summary
        assert "Số bản đề nghị cấp: Nhập một số nguyên từ 1 đến 20." in summary
        assert page.get_by_label("Số bản đề nghị cấp").input_value() == typed  # kept to be corrected
    _shot(page, "4-form-error")
    page.get_by_role("link", name="Số bản đề nghị cấp: Nhập một số nguyên từ 1 đến 20.").click()
    assert page.url.endswith("#id_so_ban")
    page.get_by_label("Số bản đề nghị cấp").fill("2")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    assert page.get_by_test_id("step-count").inner_text() == "Bước 3/5"
    assert "Tờ khai cấp Giấy xác nhận" in page.get_by_test_id("filled-online").inner_text()
    assert "Giấy tờ tùy thân (xuất trình)" in page.get_by_test_id("shown-in-person").inner_text()
    for label in ["Tờ khai cấp Giấy xác nhận", "Giấy tờ tùy thân"]:
        assert page.locator("label", has_text=label).count() == 0  # no upload asked for them
    assert min(_heights(page, ".wizard-steps a")) >= 44
    _shot(page, "5-documents")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    page.get_by_label("Trực tuyến, bản điện tử").check()
    before = timezone.now()
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    after = timezone.now()

    assert page.get_by_test_id("step-count").inner_text() == "Bước 5/5"
    fee = page.get_by_test_id("review-fee-appointment").inner_text()
    assert "15.000 đồng" in fee
    days = procedure_get_current(code="1.004873").processing_days
    calendar = WorkingCalendar.current()
    expected = {
        timezone.localtime(calendar.add_working_days(moment, days)).strftime("%d/%m/%Y %H:%M")
        for moment in (before, after)
    }
    assert page.get_by_test_id("expected-due").inner_text() in expected
    assert min(_heights(page, "h2 a.touch-link")) >= 44  # the "sửa" links
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
    _shot(page, "6-review")

    page.get_by_role("button", name="Nộp hồ sơ").click()
    code = page.get_by_test_id("dossier-code").inner_text()
    assert re.fullmatch(r"000\.12\.22\.H56-\d{6}-0001", code)
    _shot(page, "7-submitted")


def test_a_failed_login_on_a_phone_moves_the_focus_to_the_announced_error(live_server, page_390):
    call_command("seed_demo", stdout=io.StringIO())
    page = page_390
    page.goto(live_server.url + "/dang-nhap/")
    field = page.get_by_label("Email hoặc số điện thoại")
    assert field.get_attribute("autocomplete") == "username"
    assert field.get_attribute("autocapitalize") == "none"
    assert field.bounding_box()["height"] >= 44
    field.fill("0912345678")
    page.get_by_label("Mật khẩu").fill("khong-dung")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_title(re.compile(r"^Lỗi: Đăng nhập"))  # waits for the answer page
    assert "mật khẩu không khớp" in _focused_summary(page)
    _shot(page, "0-login-error")
