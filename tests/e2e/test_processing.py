import io
from datetime import date

from django.core.management import call_command

import pytest

from accounts.demo import DEMO_PASSWORD
from accounts.models import Agency, User
from procedures.selectors import procedure_get_current
from tests.dossiers.conftest import submit_online

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _login(page, live_server, email):
    page.context.clear_cookies()
    page.goto(live_server.url + "/dang-nhap/")
    page.get_by_label("Email hoặc số điện thoại").fill(email)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def _open(page, action):
    """Open the action's fold on the dossier page and return its form."""
    button = page.locator(f'button[data-action="{action}"]')
    button.evaluate("button => { button.closest('details').open = true; }")
    return button.locator("xpath=ancestor::form")


def _hand_to(page, label):
    form = _open(page, "hand_over")
    form.get_by_label("Chuyển cho").select_option(label=label)
    form.locator("button[type=submit]").click()


def test_a_joint_dossier_goes_commune_desk_district_department_leader_and_back(live_server, desk):
    call_command("seed_demo", stdout=io.StringIO())
    citizen = User.objects.get(email="congdan@demo.vn")
    version = procedure_get_current(code="1.001776")
    answers = {
        "doi_tuong": "Người cao tuổi",
        "ho_ten_doi_tuong": "Lê Văn Cường",
        "so_dinh_danh": "038040001111",
        "ngay_sinh": date(1940, 5, 1),
        "noi_cu_tru": "Khu phố 2, thị trấn Bến Sung",
        "dang_huong_tro_cap_khac": False,
    }
    dossier = submit_online(
        citizen=citizen, version=version, agency=Agency.objects.get(code="000.10.22.H56"), form_data=answers
    )
    page = desk

    _login(page, live_server, "motcua.bensung@demo.vn")
    page.get_by_role("link", name="Hồ sơ cần xử lý").click()
    page.get_by_role("link", name=dossier.code).click()
    _open(page, "receive").locator("button[type=submit]").click()
    assert "Đã thực hiện: Tiếp nhận" in page.content()
    _hand_to(page, "Phòng Lao động - Thương binh và Xã hội huyện Như Thanh — Vũ Thị Lan (Chuyên viên thụ lý)")

    _login(page, live_server, "chuyenvien.ldtbxh@demo.vn")
    page.goto(live_server.url + "/mot-cua/ho-so/?mine=on")
    page.get_by_role("link", name=dossier.code).click()
    _hand_to(page, "UBND huyện Như Thanh — Hoàng Văn Dũng (Lãnh đạo)")

    _login(page, live_server, "lanhdao.huyen@demo.vn")
    page.goto(live_server.url + "/mot-cua/ho-so/?mine=on")
    page.get_by_role("link", name=dossier.code).click()
    _hand_to(page, "UBND thị trấn Bến Sung — Trần Thị Bình (Cán bộ một cửa)")

    _login(page, live_server, "motcua.bensung@demo.vn")
    page.goto(live_server.url + dossier.get_absolute_url())
    form = _open(page, "complete")
    form.locator("input[type=file]").set_input_files(
        {"name": "quyet-dinh.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    form.locator("button[type=submit]").click()
    form = _open(page, "return_result")
    form.get_by_label("Nhận tại Bộ phận Một cửa").check()
    form.locator("button[type=submit]").click()
    assert "Đã trả kết quả" in page.content()
    rows = page.locator("section[aria-labelledby=route-title] tbody tr")
    assert rows.count() == 4
    with page.expect_download() as download:
        page.get_by_test_id("control-sheet").click()
    assert download.value.suggested_filename.startswith("phieu-kiem-soat-")

    _login(page, live_server, "congdan@demo.vn")
    page.get_by_role("link", name="Hồ sơ của tôi").click()
    assert "Đã trả kết quả" in page.locator(".dossier-item").first.inner_text()
