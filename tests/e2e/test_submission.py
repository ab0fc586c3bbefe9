import io
import re
from pathlib import Path

from django.core.management import call_command

import pytest

from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_citizen_on_a_phone_submits_a_level_4_birth_registration_and_looks_it_up(live_server, phone_page, browser):
    call_command("seed_demo", stdout=io.StringIO())
    page = phone_page
    log_in(page, live_server.url, "0912345678")

    page.goto(live_server.url + "/thu-tuc/1.001193/")
    page.get_by_test_id("submit-online").click()
    # The account has no address yet: nothing is chosen for the citizen, who picks the commune.
    assert page.get_by_label("Nộp tại").input_value() == ""
    page.get_by_label("Nộp tại").select_option(label="UBND xã Xuân Du")
    page.get_by_role("button", name="Bắt đầu").click()

    assert page.get_by_label("Họ và tên").input_value() == "Lê Thị Hoa"  # from the profile
    page.get_by_label("Địa chỉ").fill("Thôn Đồng Lạc, xã Xuân Du")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    page.get_by_label("Họ, chữ đệm, tên của trẻ").fill("Nguyễn Minh An")
    page.get_by_label("Ngày, tháng, năm sinh").fill("2026-11-20")
    page.get_by_label("Giới tính").select_option("Nữ")
    page.get_by_label("Nơi sinh").fill("Trạm y tế xã Xuân Du")
    page.get_by_label("Dân tộc").fill("Kinh")
    page.get_by_label("Quốc tịch").fill("Việt Nam")
    page.get_by_label("Quan hệ với người được khai sinh").select_option("Mẹ")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # Leave half way and come back from "My dossiers": the draft goes on at the first step with
    # something missing, the documents; the declaration is the e-form just filled, not an upload.
    page.goto(live_server.url + "/ho-so-cua-toi/")
    page.get_by_role("link", name="Tiếp tục hồ sơ đang soạn").click()
    assert page.get_by_test_id("step-count").inner_text() == "Bước 3/5"
    assert "Tờ khai đăng ký khai sinh" in page.get_by_test_id("filled-online").inner_text()

    inputs = page.locator("input[type=file]")
    for index in range(inputs.count()):
        inputs.nth(index).set_input_files(
            {"name": f"giay-to-{index}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.get_by_label("Trực tuyến, bản điện tử").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    assert "Nguyễn Minh An" in page.content()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    code = page.get_by_test_id("dossier-code").inner_text()
    assert re.fullmatch(r"000\.12\.22\.H56-\d{6}-0001", code)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    with page.expect_download() as download:
        page.get_by_test_id("receipt").click()
    assert download.value.suggested_filename == f"phieu-tiep-nhan-{code}.pdf"
    assert Path(download.value.path()).read_bytes()[:4] == b"%PDF"

    anonymous = browser.new_context(viewport={"width": 375, "height": 740})
    lookup = anonymous.new_page()
    lookup.goto(live_server.url + "/tra-cuu/")
    lookup.get_by_label("Mã hồ sơ").fill(code)
    lookup.get_by_label("4 số cuối số điện thoại hoặc số định danh của người nộp").fill("5678")
    lookup.get_by_role("button", name="Tra cứu").click()
    result = lookup.get_by_test_id("lookup-result").inner_text()
    assert "Mới đăng ký" in result
    assert "Lê Thị Hoa" not in lookup.content()
    anonymous.close()


def test_a_desk_clerk_registers_a_walk_in_citizen_and_prints_the_receipt(live_server, browser):
    call_command("seed_demo", stdout=io.StringIO())
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, "motcua.bensung@demo.vn")

    page.get_by_role("link", name="Tiếp nhận trực tiếp").click()
    page.get_by_label("Số định danh cá nhân, số điện thoại hoặc email").fill("038080004321")
    page.get_by_role("button", name="Tìm", exact=True).click()
    assert "Chưa có ai" in page.content()
    page.locator("#id_full_name").fill("Phạm Văn Tư")
    assert page.locator("#id_citizen_id").input_value() == "038080004321"
    page.get_by_label("Số điện thoại", exact=True).fill("0977000111")
    page.get_by_role("button", name="Mở tài khoản").click()

    page.get_by_label("Thủ tục").select_option("2.000815")
    page.get_by_role("button", name="Chọn").click()
    page.get_by_label("Tên giấy tờ cần chứng thực").fill("Bằng tốt nghiệp THPT")
    page.get_by_label("Số trang của giấy tờ").fill("1")
    page.get_by_label("Số bản sao cần chứng thực").fill("3")
    inputs = page.locator("input[type=file]")
    for index in range(inputs.count()):
        inputs.nth(index).set_input_files({"name": f"scan-{index}.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()

    page.get_by_text("Đã tiếp nhận hồ sơ 000.10.22.H56-").wait_for()  # the upload may show its progress first
    with page.expect_download() as download:
        page.get_by_test_id("receipt").click()
    assert Path(download.value.path()).read_bytes()[:4] == b"%PDF"
    context.close()
