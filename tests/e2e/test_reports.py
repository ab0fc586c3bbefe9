"""A district leader reads the dashboard on a phone, opens a number, and downloads the 06a workbook."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from dossiers.demo_history import generate_history
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_leader_reads_the_dashboard_on_a_phone_drills_down_and_downloads_the_report(live_server, phone_page):
    call_command("seed_demo", stdout=io.StringIO())
    today = timezone.localdate()
    generate_history(since=today - timedelta(days=40), until=today, per_week=2, seed=11)
    page = phone_page

    log_in(page, live_server.url, "lanhdao.huyen@demo.vn")
    page.get_by_test_id("menu-toggle").click()  # the header's menu is folded on a phone
    page.get_by_role("link", name="Báo cáo").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Bảng điều hành"
    indicators = page.get_by_test_id("indicators")
    assert "Tỷ lệ giải quyết đúng hạn (%)" in indicators.inner_text()
    assert page.get_by_test_id("trend-chart").is_visible()  # drawn without JavaScript
    assert page.locator(".ranking-row").count() == 15  # the district desk and 14 communes
    # Mobile first: the page does not scroll sideways; wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # Drill down: the number of dossiers a unit received opens to exactly that many dossiers.
    first = page.locator(".ranking-row").first
    link = first.locator("td a").first
    received = int(link.inner_text())
    link.click()
    assert page.locator(".cell-row").count() == min(received, 100)
    assert page.get_by_test_id("cell-count").inner_text().startswith(f"{received} ")

    page.go_back()
    page.get_by_role("link", name="Biểu 06a").first.click()
    total = page.get_by_test_id("report-total")
    assert total.is_visible()
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Biểu II.06a"
    total_row = next(row for row in rows if row[1] == "Tổng cộng")
    assert total_row[2] == int(total.locator("td").nth(1).inner_text())
