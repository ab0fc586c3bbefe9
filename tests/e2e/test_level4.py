"""A demo citizen on a phone takes a level-4 dossier from its fee to the signed result: pays through the
gateway simulator, downloads the fee receipt and the signed result, checks it on the verification page;
pyHanko's own validator, outside the portal, accepts the signature."""

import io
import subprocess
import sys
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

import pytest

from accounts.models import User
from dossiers.models import Dossier
from dossiers.services import (
    dossier_complete,
    dossier_hand_over,
    dossier_receive,
)
from procedures.selectors import procedure_get_current
from tests.conftest import artifacts_dir
from tests.dossiers.conftest import real_pdf
from tests.e2e.conftest import demo_level4_submitted, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _done_level_4_dossier() -> Dossier:
    """The demo citizen's level-4 dossier, received and its result recorded (signed) by the Bến Sung desk."""
    version = procedure_get_current(code="1.004873")
    assert version.service_level == 4 and version.fees.first().amount == 15000
    clerk = User.objects.get(phone="0900000002")
    dossier = demo_level4_submitted()
    unit = dossier.agency
    dossier = dossier_receive(dossier=dossier, by=clerk).dossier
    dossier = dossier_hand_over(
        dossier=dossier, by=clerk, to_agency=unit, to_user=clerk, reason="Bộ phận một cửa tự xử lý"
    ).dossier
    result = SimpleUploadedFile("xac-nhan.pdf", real_pdf(), content_type="application/pdf")
    return dossier_complete(dossier=dossier, by=clerk, results=[result]).dossier


def test_a_citizen_pays_and_takes_the_signed_result_then_verifies_it(live_server, phone_page, settings, tmp_path):
    settings.VNPAY_URL = live_server.url + "/mo-phong/vnpay/"
    settings.PORTAL_URL = live_server.url
    call_command("seed_demo", stdout=io.StringIO())
    dossier = _done_level_4_dossier()
    page = phone_page

    log_in(page, live_server.url, "0912345678")
    page.goto(live_server.url + dossier.get_absolute_url())
    assert page.get_by_test_id("result-locked").is_visible()
    assert "15.000" in page.get_by_test_id("fee").inner_text()

    page.get_by_test_id("pay-online").click()
    assert "15.000" in page.get_by_test_id("simulator-amount").inner_text()
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    assert "Đã thanh toán" in page.get_by_test_id("payment-result").inner_text()
    with page.expect_download() as receipt:
        page.get_by_role("link", name="Tải biên lai thu phí, lệ phí (PDF)").click()
    assert Path(receipt.value.path()).read_bytes()[:4] == b"%PDF"

    page.goto(live_server.url + dossier.get_absolute_url())
    page.screenshot(path=str(artifacts_dir() / "level4-receive-result.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_test_id("result-download").click()
    signed = tmp_path / "ket-qua.pdf"
    signed.write_bytes(Path(download.value.path()).read_bytes())
    dossier.refresh_from_db()
    assert dossier.status == "returned" and dossier.fee_paid_online

    # Outside the portal: pyHanko's own validator.
    pyhanko = Path(sys.executable).with_name("pyhanko")
    if pyhanko.exists():
        run = subprocess.run(
            [
                str(pyhanko),
                *("sign", "validate", "--pretty-print", "--no-revocation-check"),
                *("--trust", str(Path(settings.SIGNING_DIR) / "ca.cert.pem"), str(signed)),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0 and "judged VALID" in run.stdout, run.stdout + run.stderr

    # The verification page, as anyone holding the paper would use it.
    code = dossier.attachments.get(is_result=True).verification_code
    page.goto(live_server.url + f"/xac-thuc/?code={code}")
    assert dossier.code in page.get_by_test_id("verify-issued").locator("xpath=..").inner_text()
    page.locator("input[type=file]").set_input_files(str(signed))
    page.get_by_role("button", name="Kiểm tra tệp", exact=True).click()
    assert page.get_by_test_id("verify-genuine").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
