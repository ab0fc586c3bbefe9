"""The desk clerk's day at 390 px, on the demo: the Bến Sung clerk lands on the queue, receives an
online level-4 dossier, sees whom to call, hands it along the route (the choice offered first); the
civil-status officer hands it to the chairman, who records the result, signed by the commune; the clerk
returns it. Screenshots of the dossier page and an image of the signed result's first page are left in
the artifacts folder for a person to look at."""

import io
import shutil
import subprocess
from pathlib import Path

from django.core.management import call_command

import pytest

from tests.conftest import artifacts_dir
from tests.dossiers.conftest import real_pdf
from tests.e2e.conftest import PHONE_390, demo_level4_submitted, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    page.screenshot(path=str(artifacts_dir() / name), full_page=True)


def test_the_bensung_clerks_day_on_a_phone(live_server, page_390, settings, tmp_path):
    settings.PORTAL_URL = live_server.url
    call_command("seed_demo", stdout=io.StringIO())
    dossier = demo_level4_submitted()
    base, page = live_server.url, page_390

    # The clerk lands on the queue, where the dossier is listed with the applicant's name.
    log_in(page, base, "0900000002")
    assert page.url == base + "/mot-cua/ho-so/"
    row = page.locator("tr.queue-row", has_text=dossier.code)
    assert "Lê Thị Hoa" in row.inner_text()
    row.get_by_role("link", name=dossier.code).click()

    # Whom to call, before anything else; receiving is the action offered.
    card = page.get_by_test_id("applicant")
    assert "Lê Thị Hoa" in card.inner_text() and card.get_by_test_id("applicant-phone").inner_text() == "0912345678"
    page.locator("button[data-action=receive]").click()
    assert "Đã thực hiện" in page.locator(".alert").first.inner_text()

    # Along the route: the hand-over to the civil-status officer is open and chosen already.
    hand_over = page.get_by_test_id("action-hand_over")
    assert hand_over.get_attribute("open") is not None
    chosen = hand_over.locator("select option:checked").inner_text()
    assert "Lê Văn Cường" in chosen
    _shot(page, "clerk-day-1-received.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
    page.locator("button[data-action=hand_over]").click()
    dossier.refresh_from_db()
    assert dossier.current_assignee.full_name == "Lê Văn Cường"

    # The officer hands it to the chairman, again the choice offered first.
    log_in(page, base, "0900000007")
    page.goto(base + dossier.get_absolute_url())
    assert "Nguyễn Đức Thịnh" in page.get_by_test_id("action-hand_over").locator("option:checked").inner_text()
    page.locator("button[data-action=hand_over]").click()

    # The chairman lands on the dashboard, opens the dossier, records the result: signed by the commune.
    log_in(page, base, "0900000008")
    assert page.url == base + "/bao-cao/"
    page.goto(base + dossier.get_absolute_url())
    complete = page.get_by_test_id("action-complete")
    assert complete.get_attribute("open") is not None
    result = tmp_path / "xac-nhan.pdf"
    result.write_bytes(real_pdf("GIAY XAC NHAN TINH TRANG HON NHAN"))
    complete.locator("input[type=file]").set_input_files(str(result))
    page.locator("button[data-action=complete]").click()
    assert "Đã thực hiện" in page.locator(".alert").first.inner_text()
    issued = dossier.attachments.get(is_result=True)
    assert issued.signed_at is not None

    # The clerk returns it; the page names the applicant to the end.
    log_in(page, base, "0900000002")
    page.goto(base + dossier.get_absolute_url())
    assert page.get_by_test_id("action-return_result").get_attribute("open") is not None
    page.locator("button[data-action=return_result]").click()
    dossier.refresh_from_db()
    assert dossier.status == "returned"
    assert "Lê Thị Hoa" in page.get_by_test_id("applicant-name").inner_text()
    _shot(page, "clerk-day-2-returned.png")

    # The signed result as a reader sees it: its first page rendered to an image, the stamp's words read back.
    with page.expect_download() as download:
        page.get_by_role("link", name="xac-nhan.pdf").click()
    signed = artifacts_dir() / "clerk-day-signed-result.pdf"
    signed.write_bytes(Path(download.value.path()).read_bytes())
    pdftoppm, pdftotext = shutil.which("pdftoppm"), shutil.which("pdftotext")
    if pdftoppm and pdftotext:
        subprocess.run(
            [
                pdftoppm,
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(signed),
                str(signed.with_suffix("")),
            ],
            check=True,
            timeout=60,
        )
        text = subprocess.run([pdftotext, str(signed), "-"], capture_output=True, text=True, check=True).stdout
        assert "Ký bởi: UBND thị trấn Bến Sung" in " ".join(text.split())
