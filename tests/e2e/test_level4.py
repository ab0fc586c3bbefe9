"""A demo citizen on a phone takes a level-4 dossier from its fee to the signed result: pays through the
gateway simulator, downloads the fee receipt and the signed result, checks it on the verification page;
pyHanko's own validator, outside the portal, accepts the signature."""

import io
import subprocess
import sys
import uuid
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

import pytest
from pypdf import PdfWriter

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from dossiers.models import Dossier
from dossiers.services import (
    attachment_add,
    dossier_complete,
    dossier_hand_over,
    dossier_receive,
    dossier_save_applicant,
    dossier_save_delivery,
    dossier_save_form,
    dossier_start,
    dossier_submit,
)
from procedures.selectors import procedure_get_current

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _result_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _done_level_4_dossier() -> Dossier:
    from dossiers.demo_history import _answers

    citizen = User.objects.get(email="congdan@demo.vn")
    version = procedure_get_current(code="1.004873")
    assert version.service_level == 4 and version.fees.first().amount == 15000
    unit = version.agencies.order_by("code").first()
    clerk = User.objects.create_user(email="motcua.e2e@demo.vn", password=None, full_name="Cán bộ một cửa")
    from accounts.constants import Role
    from accounts.models import StaffMembership

    StaffMembership.objects.create(user=clerk, agency=unit, role=Role.CLERK)
    dossier = dossier_start(applicant=citizen, version=version, agency=unit)
    dossier_save_applicant(dossier=dossier, data={"full_name": citizen.full_name, "phone": citizen.phone, "email": ""})
    dossier_save_form(dossier=dossier, data=_answers(version))
    for document in version.documents.filter(mandatory=True):
        upload = SimpleUploadedFile("giay-to.pdf", _result_pdf(), content_type="application/pdf")
        attachment_add(dossier=dossier, required_document=document, upload=upload, by=citizen)
    dossier_save_delivery(dossier=dossier, delivery="online")
    dossier = dossier_submit(dossier=dossier, by=citizen, submission_key=uuid.uuid4())
    dossier = dossier_receive(dossier=dossier, by=clerk).dossier
    dossier = dossier_hand_over(
        dossier=dossier, by=clerk, to_agency=unit, to_user=clerk, reason="Bộ phận một cửa tự xử lý"
    ).dossier
    result = SimpleUploadedFile("xac-nhan.pdf", _result_pdf(), content_type="application/pdf")
    return dossier_complete(dossier=dossier, by=clerk, results=[result]).dossier


def test_a_citizen_pays_and_takes_the_signed_result_then_verifies_it(live_server, phone_page, settings, tmp_path):
    settings.VNPAY_URL = live_server.url + "/mo-phong/vnpay/"
    settings.PORTAL_URL = live_server.url
    call_command("seed_demo", stdout=io.StringIO())
    dossier = _done_level_4_dossier()
    page = phone_page

    page.goto(live_server.url + "/dang-nhap/")
    page.get_by_label("Email hoặc số điện thoại").fill("0912345678")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
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
