import io
from datetime import date

from django.core.management import call_command

import pytest

from accounts.models import Agency, User
from procedures.selectors import procedure_get_current
from tests.dossiers.conftest import real_pdf, submit_online
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _open(page, action):
    """Open the action's fold on the dossier page and return its form."""
    button = page.locator(f'button[data-action="{action}"]')
    button.evaluate("button => { button.closest('details').open = true; }")
    return button.locator("xpath=ancestor::form")


def _hand_on(page, expected):
    """Hand the dossier on with the choice the page offers first (the route's next step)."""
    form = _open(page, "hand_over")
    assert expected in form.get_by_label("Chuyển cho").locator("option:checked").inner_text()
    form.locator("button[type=submit]").click()
    assert "Đã thực hiện: Chuyển xử lý" in page.content()


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

    log_in(page, live_server.url, "motcua.bensung@demo.vn")
    page.get_by_role("link", name=dossier.code).click()  # the clerk lands on the queue
    _open(page, "receive").locator("button[type=submit]").click()
    assert "Đã thực hiện: Tiếp nhận" in page.content()
    # The route: the commune's officer reviews and posts the list, the chairman proposes, the district
    # department appraises, the district chairman decides; each hand-over is the choice offered first.
    _hand_on(page, "Lê Văn Cường (Chuyên viên thụ lý)")
    log_in(page, live_server.url, "tuphap.bensung@demo.vn")
    page.goto(live_server.url + dossier.get_absolute_url())
    _hand_on(page, "Lê Văn Cường (Chuyên viên thụ lý)")  # the public posting is his step too
    _hand_on(page, "Nguyễn Đức Thịnh (Lãnh đạo)")
    log_in(page, live_server.url, "chutich.bensung@demo.vn")
    page.goto(live_server.url + dossier.get_absolute_url())
    _hand_on(page, "Vũ Thị Lan (Chuyên viên thụ lý)")
    log_in(page, live_server.url, "chuyenvien.ldtbxh@demo.vn")
    page.goto(live_server.url + "/mot-cua/ho-so/?mine=on")
    page.get_by_role("link", name=dossier.code).click()
    _hand_on(page, "Hoàng Văn Dũng (Lãnh đạo)")

    # The district chairman decides: only the commune desk's return is left, so recording the result
    # is what the page offers.
    log_in(page, live_server.url, "lanhdao.huyen@demo.vn")
    page.goto(live_server.url + dossier.get_absolute_url())
    assert page.get_by_test_id("action-complete").get_attribute("open") is not None
    form = _open(page, "complete")
    form.locator("input[type=file]").set_input_files(
        {"name": "quyet-dinh.pdf", "mimeType": "application/pdf", "buffer": real_pdf("QUYET DINH")}
    )
    form.locator("button[type=submit]").click()

    log_in(page, live_server.url, "motcua.bensung@demo.vn")
    page.goto(live_server.url + dossier.get_absolute_url())
    form = _open(page, "return_result")
    assert form.get_by_label("Đã trả tại Bộ phận Một cửa").is_checked()  # what the applicant chose
    form.locator("button[type=submit]").click()
    assert "Đã trả kết quả" in page.content()
    rows = page.locator("section[aria-labelledby=route-title] tbody tr")
    assert rows.count() == 6 and "Ngoài quy trình" not in page.content()
    with page.expect_download() as download:
        page.get_by_test_id("control-sheet").click()
    assert download.value.suggested_filename.startswith("phieu-kiem-soat-")

    log_in(page, live_server.url, "congdan@demo.vn")
    page.get_by_role("link", name="Hồ sơ của tôi").click()
    assert "Đã trả kết quả" in page.locator(".dossier-item").first.inner_text()
