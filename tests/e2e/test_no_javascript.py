"""Every form works with JavaScript off: the demo citizen, on a phone with JavaScript disabled, logs in,
submits a dossier through the whole wizard (uploads included) and finds it in "Hồ sơ của tôi".

The wizard is walked by what each page asks (labels and buttons), not by the order of its steps."""

import io
import re

from django.core.management import call_command

import pytest

from dossiers.models import Dossier
from tests.conftest import artifacts_dir
from tests.e2e.conftest import PHONE_390, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# What the demo citizen writes for the birth registration's questions, by label.
ANSWERS = {
    "Địa chỉ": "Thôn Đồng Lạc, xã Xuân Du",
    "Họ, chữ đệm, tên của trẻ": "Nguyễn Minh An",
    "Nơi sinh": "Trạm y tế xã Xuân Du",
    "Dân tộc": "Kinh",
    "Quốc tịch": "Việt Nam",
}
CHOICES = {"Giới tính": "Nữ", "Quan hệ với người được khai sinh": "Mẹ"}
NEXT = re.compile(r"^(Lưu và tiếp tục|Tiếp tục)$")


def _fill_what_the_page_asks(page) -> None:
    """Answer the wizard page on screen: the known questions by label, any other mandatory field with
    a plausible value, a PDF for every document to upload, the result online."""
    form = page.locator("main form[method=post]").last
    for label, value in ANSWERS.items():
        field = form.get_by_label(label, exact=False)
        if field.count() == 1 and not field.input_value():
            field.fill(value)
    for label, value in CHOICES.items():
        field = form.get_by_label(label, exact=False)
        if field.count() == 1:
            field.select_option(label=value)
    online = form.get_by_label(re.compile("Trực tuyến"))
    if online.count() == 1:
        online.check()
    for field in form.locator("input, select, textarea").all():
        kind = field.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if kind == "input:file":
            field.set_input_files({"name": "giay-to.pdf", "mimeType": "application/pdf", "buffer": PDF})
        elif not field.evaluate("e => e.required") or kind in ("input:hidden", "input:submit"):
            continue
        elif kind == "input:checkbox":
            field.check()
        elif kind == "input:radio":
            group = form.locator(f"input[type=radio][name='{field.get_attribute('name')}']")
            if not any(radio.is_checked() for radio in group.all()):
                field.check()
        elif kind.startswith("select"):
            if not field.input_value():
                field.select_option(index=1)
        elif not field.input_value():
            placeholder = field.get_attribute("placeholder") or ""
            if kind == "input:date":
                field.fill("2026-11-20")
            elif "dd/mm" in placeholder:
                field.fill("20/11/2026")
            elif kind == "input:number" or field.get_attribute("inputmode") == "numeric":
                field.fill("1")
            else:
                field.fill("Theo giấy tờ kèm theo")


def test_a_citizen_without_javascript_submits_a_dossier_and_finds_it_in_my_dossiers(live_server, browser):
    call_command("seed_demo", stdout=io.StringIO())
    context = browser.new_context(viewport=PHONE_390, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)

    log_in(page, live_server.url, "0912345678")
    page.wait_for_load_state()
    assert "/dang-nhap/" not in page.url

    page.goto(live_server.url + "/thu-tuc/1.001193/")
    page.get_by_test_id("submit-online").click()
    unit = page.get_by_label("Nộp tại")
    if unit.count():
        unit.select_option(label="UBND xã Xuân Du")
    page.get_by_role("button", name="Bắt đầu").click()

    seen = []
    while not page.get_by_role("button", name="Nộp hồ sơ").count():
        seen.append(page.title())
        assert len(seen) <= 8, f"the wizard did not reach its review: {seen}"
        assert "Lỗi" not in page.title(), page.locator("main").inner_text()[:800]
        _fill_what_the_page_asks(page)
        page.get_by_role("button", name=NEXT).click()
        page.wait_for_load_state()
    assert "Nguyễn Minh An" in page.content()  # the review shows what was answered
    page.get_by_role("button", name="Nộp hồ sơ").click()

    code = page.get_by_test_id("dossier-code").inner_text()
    assert re.fullmatch(r"000\.12\.22\.H56-\d{6}-\d{4}", code)
    dossier = Dossier.objects.get(code=code)
    assert dossier.status == "submitted" and dossier.attachments.exists()

    mine = page.get_by_role("link", name="Hồ sơ của tôi").first
    if not mine.is_visible():  # the phone's menu, folded: opened without JavaScript
        page.locator("header summary").first.click()
    mine.click()
    assert code in page.locator("main").inner_text()
    assert "Thủ tục đăng ký khai sinh" in page.locator("main").inner_text()
    context.close()

    # Anyone looks it up, typing the code as it comes (lower case, a space after), still without JavaScript.
    context = browser.new_context(viewport=PHONE_390, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/tra-cuu/")
    assert "Mã hồ sơ in trên Giấy tiếp nhận" in page.locator("main").inner_text()
    page.screenshot(path=artifacts_dir() / "lookup-390-1-empty.png", full_page=True)
    page.get_by_label("Mã hồ sơ").fill(code.lower() + " ")
    page.get_by_label("4 số cuối").fill("0000")
    page.get_by_role("button", name="Tra cứu").click()
    assert "Không có hồ sơ nào khớp" in page.get_by_role("alert").first.inner_text()
    assert page.get_by_label("Mã hồ sơ").input_value() == code  # read back as printed
    page.screenshot(path=artifacts_dir() / "lookup-390-2-error.png", full_page=True)
    page.get_by_label("4 số cuối").fill("5678")
    page.get_by_role("button", name="Tra cứu").click()
    assert "Mới đăng ký" in page.get_by_test_id("lookup-result").inner_text()
    page.screenshot(path=artifacts_dir() / "lookup-390-3-result.png", full_page=True)
    context.close()
