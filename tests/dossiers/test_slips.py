from io import BytesIO

from django.urls import reverse

import pytest
from pypdf import PdfReader

from dossiers.services import (
    dossier_complete,
    dossier_hand_over,
    dossier_receive,
    dossier_refuse,
    dossier_request_completion,
)
from tests.dossiers.conftest import pdf_upload, submit_online

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_supplement_request_lists_what_is_missing_and_why(client, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    slip = dossier_request_completion(
        dossier=dossier, by=network["clerk"], missing=["Giấy xác nhận khuyết tật", "Ảnh 4x6"], reason="Hồ sơ chưa đủ"
    ).slip
    client.force_login(citizen)
    text = _text(client.get(reverse("dossiers:slip", args=[dossier.reference, slip.pk])))
    for expected in [
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        dossier.code,
        "Giấy xác nhận khuyết tật",
        "Ảnh 4x6",
        "Hồ sơ chưa đủ",
        "Trần Thị Bình",
    ]:
        assert expected in text, expected


def test_the_refusal_slip_carries_the_reason(client, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    slip = dossier_refuse(dossier=dossier, by=network["clerk"], reason="Không thuộc thẩm quyền của xã").slip
    client.force_login(network["clerk"])
    text = _text(client.get(reverse("dossiers:slip", args=[dossier.reference, slip.pk])))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text and "Không thuộc thẩm quyền của xã" in text


def test_the_control_sheet_has_one_row_per_hand_off_with_its_result(client, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier_receive(dossier=dossier, by=network["clerk"])
    dossier_hand_over(
        dossier=dossier, by=network["clerk"], to_agency=network["department"], to_user=network["specialist"]
    )
    dossier_complete(dossier=dossier, by=network["specialist"], results=[pdf_upload()])
    client.force_login(network["clerk"])
    text = _text(client.post(reverse("dossiers:control_sheet", args=[dossier.reference]), follow=True))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert text.count("Trước hạn (") == 2  # two finished steps, both well ahead of their share
    assert "Phòng LĐ-TB&XH — Thẩm định" in text
    assert "Mẫu số 06" in text  # the control sheet's number since Circular 03/2025
    client.force_login(citizen)
    assert client.post(reverse("dossiers:control_sheet", args=[dossier.reference])).status_code == 403


def test_another_communes_clerk_cannot_print_a_slip(client, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    slip = dossier_refuse(dossier=dossier, by=network["clerk"], reason="Sai thẩm quyền").slip
    client.force_login(network["other_clerk"])
    assert client.get(reverse("dossiers:slip", args=[dossier.reference, slip.pk])).status_code == 404
