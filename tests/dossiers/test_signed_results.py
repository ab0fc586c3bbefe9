"""Electronic results: signed by the issuing agency (PAdES) with a QR code to the verification page;
checked by pyHanko's own validator outside the portal; a tampered copy reported as such."""

import io
import os
import subprocess
import sys
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest
from pypdf import PdfReader

from dossiers.models import Attachment
from dossiers.services import dossier_complete, dossier_hand_over, dossier_receive
from tests.dossiers.conftest import real_pdf, submit_online

pytestmark = pytest.mark.django_db


def content(attachment) -> bytes:
    with attachment.file.open("rb") as handle:
        return handle.read()


def tamper(data: bytes) -> bytes:
    """The same file with its page one point narrower: same length, still a PDF, no longer what was signed."""
    index = data.index(b"595")
    return data[:index] + b"594" + data[index + 3 :]


@pytest.fixture
def issued(pki, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    dossier = dossier_hand_over(
        dossier=dossier,
        by=network["clerk"],
        to_agency=network["commune"],
        to_user=network["clerk"],
        reason="Bộ phận một cửa tự xử lý",
    ).dossier
    upload = SimpleUploadedFile("quyet-dinh.pdf", real_pdf(), content_type="application/pdf")
    dossier = dossier_complete(dossier=dossier, by=network["clerk"], results=[upload]).dossier
    return Attachment.objects.get(dossier=dossier, is_result=True)


def test_the_result_pdf_is_signed_by_the_issuing_agency_with_a_qr_code_to_the_verification_page(issued, network):
    assert issued.signed_at and issued.verification_code and issued.issuing_agency == network["commune"]
    data = content(issued)
    reader = PdfReader(io.BytesIO(data))
    fields = reader.get_fields()
    assert "KetQua" in fields  # the signature field, visible on the last page with its QR stamp
    import hashlib

    assert hashlib.sha256(data).hexdigest() == issued.sha256


PYHANKO = Path(sys.executable).with_name("pyhanko")


def pyhanko_command() -> str:
    """pyHanko's command-line validator (pyhanko-cli, in requirements.txt, so ``make install`` puts it
    beside the venv's python). Missing in CI is a failure: the independent check of the signatures
    must run there. Elsewhere (a venv made by hand without it) the test is skipped, saying why."""
    if PYHANKO.exists():
        return str(PYHANKO)
    message = f"pyHanko's validator is not installed ({PYHANKO}): run `make install` (pyhanko-cli)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def test_a_missing_pyhanko_command_fails_in_ci_and_is_skipped_with_a_reason_elsewhere(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "PYHANKO", tmp_path / "pyhanko")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="make install"):
        pyhanko_command()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="make install"):
        pyhanko_command()


def test_pyhankos_own_validator_outside_the_portal_finds_the_signature_intact_and_trusted(issued, pki, tmp_path):
    signed = tmp_path / "ket-qua.pdf"
    signed.write_bytes(content(issued))
    command = [
        pyhanko_command(),
        "sign",
        "validate",
        "--pretty-print",
        "--no-revocation-check",
    ]
    command += ["--trust", str(pki / "ca.cert.pem"), str(signed)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "judged VALID" in run.stdout and "covers the entire file" in run.stdout
    tampered = tmp_path / "sua.pdf"
    tampered.write_bytes(tamper(content(issued)))
    again = subprocess.run([*command[:-1], str(tampered)], capture_output=True, text=True, timeout=120)
    assert again.returncode != 0


def test_the_verification_page_says_who_issued_it_and_checks_a_file(client, issued, network):
    url = reverse("dossiers:verify", args=[issued.verification_code])
    page = client.get(url).content.decode()
    assert network["commune"].name in page and issued.dossier.code in page
    assert issued.dossier.applicant_data["full_name"] not in page  # nothing personal
    genuine = client.post(url, {"file": SimpleUploadedFile("kq.pdf", content(issued))}).content.decode()
    assert 'data-testid="verify-genuine"' in genuine
    tampered = client.post(url, {"file": SimpleUploadedFile("kq.pdf", tamper(content(issued)))}).content.decode()
    assert 'data-testid="verify-bad"' in tampered and "bị sửa" in tampered
    other = client.post(url, {"file": SimpleUploadedFile("kq.pdf", real_pdf("KHAC"))}).content.decode()
    assert 'data-testid="verify-bad"' in other
    junk = client.post(url, {"file": SimpleUploadedFile("kq.pdf", b"not a pdf")}).content.decode()
    assert 'data-testid="verify-bad"' in junk


def test_an_unknown_code_is_answered_clearly(client):
    response = client.get(reverse("dossiers:verify", args=["AAAA-BBBB-CCCC"]))
    assert response.status_code == 404 and 'data-testid="verify-unknown"' in response.content.decode()
    assert client.post(reverse("dossiers:verify", args=["AAAA-BBBB-CCCC"])).status_code == 404


def test_an_agency_without_signing_files_issues_an_unsigned_result(settings, tmp_path, citizen, network, allowance):
    settings.SIGNING_DIR = tmp_path / "none"
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    dossier = dossier_hand_over(
        dossier=dossier,
        by=network["clerk"],
        to_agency=network["commune"],
        to_user=network["clerk"],
        reason="Bộ phận một cửa tự xử lý",
    ).dossier
    upload = SimpleUploadedFile("quyet-dinh.pdf", real_pdf(), content_type="application/pdf")
    dossier_complete(dossier=dossier, by=network["clerk"], results=[upload])
    result = Attachment.objects.get(dossier=dossier, is_result=True)
    assert result.verification_code and result.signed_at is None
