"""A result is signed, or refused: a result delivered online that cannot be signed is never reported as
done; a result issued on paper is recorded so, with its reason; the verification page says exactly what
was issued."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from dossiers.constants import Status
from dossiers.models import Attachment, Dossier
from dossiers.services import dossier_complete, dossier_hand_over, dossier_receive
from tests.dossiers.conftest import png_bytes, real_pdf, real_pdf_upload, submit_online

pytestmark = pytest.mark.django_db

DAMAGED = b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def _processing(citizen, network, allowance, delivery="online") -> Dossier:
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    Dossier.objects.filter(pk=dossier.pk).update(result_delivery=delivery)
    dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    return dossier_hand_over(
        dossier=dossier, by=network["clerk"], to_agency=network["department"], to_user=network["specialist"]
    ).dossier


def _stored_files(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def _complete(client, dossier, version, **fields):
    data = {"expected_version": version, "complete-note": "Đã trình ký"}
    data |= {f"complete-{key}": value for key, value in fields.items()}
    return client.post(reverse("dossiers:action", args=[dossier.reference, "complete"]), data)


@pytest.mark.parametrize(
    ("upload", "why"),
    [
        (lambda: SimpleUploadedFile("ket-qua.pdf", DAMAGED, content_type="application/pdf"), "bị hỏng"),
        (lambda: SimpleUploadedFile("ket-qua.png", png_bytes(), content_type="image/png"), "là tệp ảnh"),
    ],
)
def test_an_unsignable_result_for_online_delivery_is_refused_and_nothing_is_written(
    client, settings, citizen, network, allowance, pki, upload, why
):
    dossier = _processing(citizen, network, allowance)
    before = (dossier.events.count(), len(_stored_files(settings)))
    client.force_login(network["specialist"])
    response = _complete(client, dossier, dossier.version, result=upload())
    assert response.status_code == 400
    page = response.content.decode()
    assert why in page and "phải là tệp PDF được ký số" in page and "Kết quả được cấp bản giấy" in page
    assert 'data-testid="action-complete" open' in page and 'value="Đã trình ký"' in page  # the note is kept
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and not dossier.attachments.filter(is_result=True).exists()
    assert (dossier.events.count(), len(_stored_files(settings))) == before


def test_a_unit_without_signing_credentials_cannot_issue_an_online_result(
    client, settings, citizen, network, allowance
):
    dossier = _processing(citizen, network, allowance)  # no ``pki``: nobody can sign
    client.force_login(network["specialist"])
    response = _complete(client, dossier, dossier.version, result=real_pdf_upload())
    assert response.status_code == 400
    assert "Phòng LĐ-TB&amp;XH chưa có chứng thư số trên Cổng" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING


def test_a_result_issued_on_paper_is_recorded_so_with_its_reason(client, citizen, network, allowance, pki):
    dossier = _processing(citizen, network, allowance)
    client.force_login(network["specialist"])
    scan = SimpleUploadedFile("ban-chup.png", png_bytes(), content_type="image/png")
    response = _complete(client, dossier, dossier.version, result=scan, on_paper="on")
    assert response.status_code == 400 and "Hãy ghi rõ lý do cấp kết quả bản giấy" in response.content.decode()
    scan.seek(0)
    reason = "Giấy xác nhận phải đóng dấu nổi"
    response = _complete(client, dossier, dossier.version, result=scan, on_paper="on", paper_reason=reason)
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.DONE
    event = dossier.events.get(to_status=Status.DONE)
    assert f"Kết quả cấp bản giấy: {reason}" in event.note
    result = dossier.attachments.get(is_result=True)
    assert result.issued_on_paper and result.signed_at is None and result.verification_code
    page = client.get(reverse("dossiers:verify", args=[result.verification_code])).content.decode()
    what = page[page.index('data-testid="verify-what"') :]
    assert "Văn bản giấy" in what and "bản chụp" in what and "bản giấy gốc" in what
    assert 'type="file"' not in page  # nothing to check a file against: it is not an electronic original


def test_on_paper_without_any_file_is_a_result_too(citizen, network, allowance):
    dossier = _processing(citizen, network, allowance)
    dossier = dossier_complete(
        dossier=dossier, by=network["specialist"], results=[], on_paper=True, paper_reason="Kết quả viết tay"
    ).dossier
    assert dossier.status == Status.DONE and not dossier.result_electronic
    assert not dossier.attachments.filter(is_result=True).exists()


def test_a_desk_result_that_cannot_be_signed_is_kept_as_the_units_copy_and_the_clerk_is_told(
    client, citizen, network, allowance, pki
):
    dossier = _processing(citizen, network, allowance, delivery="desk")
    client.force_login(network["specialist"])
    response = _complete(
        client, dossier, dossier.version, result=SimpleUploadedFile("kq.pdf", DAMAGED, content_type="application/pdf")
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Tệp được lưu không có chữ ký số, làm bản lưu của cơ quan: hãy trả kết quả bản giấy." in page
    result = Attachment.objects.get(dossier=dossier, is_result=True)
    assert result.signed_at is None and not result.issued_on_paper
    verify = client.get(reverse("dossiers:verify", args=[result.verification_code])).content.decode()
    assert "bản PDF không có chữ ký số" in verify


def test_a_signed_result_is_an_electronic_original_on_the_verification_page(client, citizen, network, allowance, pki):
    dossier = _processing(citizen, network, allowance)
    client.force_login(network["specialist"])
    response = client.post(
        reverse("api:dossier-action", args=[dossier.reference, "complete"]),
        {"expected_version": dossier.version, "result": real_pdf_upload()},
    )
    assert response.status_code == 200 and response.json()["warnings"] == []
    result = Attachment.objects.get(dossier=dossier, is_result=True)
    assert result.signed_at and result.sha256 != "" and real_pdf() != result.file.read()
    page = client.get(reverse("dossiers:verify", args=[result.verification_code])).content.decode()
    assert "Văn bản điện tử (PDF) được cơ quan ban hành ký số" in page and 'type="file"' in page


def test_nobody_makes_the_unit_sign_for_nothing(client, settings, citizen, network, allowance, pki, monkeypatch):
    import dossiers.services.results as results

    dossier = _processing(citizen, network, allowance)
    signed = []
    monkeypatch.setattr(results, "sign_pdf", lambda data, **kw: signed.append(1) or data)
    client.force_login(citizen)  # the applicant may see the dossier, not record its result
    response = client.post(
        reverse("api:dossier-action", args=[dossier.reference, "complete"]),
        {"expected_version": dossier.version, "result": real_pdf_upload()},
    )
    assert response.status_code == 403 and signed == []


def test_the_signatures_few_kilobytes_do_not_push_a_result_over_the_size_limit(
    client, settings, citizen, network, allowance, pki
):
    dossier = _processing(citizen, network, allowance)
    settings.DOSSIER_MAX_FILE_BYTES = len(real_pdf()) + 10  # the upload fits; the signed file will not
    client.force_login(network["specialist"])
    response = _complete(client, dossier, dossier.version, result=real_pdf_upload())
    assert response.status_code == 302
    result = Attachment.objects.get(dossier=dossier, is_result=True)
    assert result.signed_at and result.size > settings.DOSSIER_MAX_FILE_BYTES
