"""Slips are kept as issued: a reprint says what the first print said, whatever happened to the dossier
and the unit since; a later appointment is a slip of its own; each slip names its form and circular."""

from datetime import datetime
from io import BytesIO
from unittest import mock
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

import pytest
from pypdf import PdfReader

from dossiers.constants import SlipKind
from dossiers.models import Dossier, Slip
from dossiers.services import (
    dossier_hand_over,
    dossier_receive,
    dossier_request_completion,
    dossier_resubmit,
    dossier_stop,
)
from tests.dossiers.conftest import pdf_upload, submit_online

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def _text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _at(*args):
    return mock.patch.object(timezone, "now", return_value=datetime(*args, tzinfo=HANOI))


def _slip_text(client, slip) -> str:
    return _text(client.get(reverse("dossiers:slip", args=[slip.dossier.reference, slip.pk])))


def test_the_receipt_reprints_as_issued_after_a_supplement_which_gets_a_receipt_of_its_own(
    client, citizen, network, allowance
):
    with _at(2026, 3, 2, 9, 0):
        dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
        dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    first = dossier.slips.get(kind=SlipKind.RECEIPT)
    first_due = timezone.localtime(dossier.due_at)
    with _at(2026, 3, 3, 10, 0):
        dossier = dossier_hand_over(
            dossier=dossier, by=network["clerk"], to_agency=network["department"], to_user=network["specialist"]
        ).dossier
        dossier = dossier_request_completion(
            dossier=dossier, by=network["specialist"], missing=["Giấy xác nhận cư trú"], reason="Thiếu"
        ).dossier
    with _at(2026, 3, 10, 14, 30):
        dossier = dossier_resubmit(dossier=dossier, by=citizen, uploads=[(None, pdf_upload("cu-tru.pdf"))]).dossier
    new_due = timezone.localtime(dossier.due_at)
    assert new_due.date() > first_due.date()
    # The unit is renamed and the applicant's phone corrected since: the first receipt does not move.
    network["commune"].name = "UBND xã Xuân Du mới"
    network["commune"].save()
    Dossier.objects.filter(pk=dossier.pk).update(applicant_data={**dossier.applicant_data, "phone": "0977111222"})
    client.force_login(network["clerk"])
    text = _slip_text(client, first)
    assert f"ngày {first_due:%d/%m/%Y}" in text and f"ngày {new_due:%d/%m/%Y}" not in text
    assert "UBND XÃ XUÂN DU " in text + " " and "mới" not in text
    assert "0912345678" in text and "0977111222" not in text
    assert "Mẫu số 01" in text and "Thông tư số 03/2025/TT-VPCP" in text
    second = dossier.slips.filter(kind=SlipKind.RECEIPT).exclude(pk=first.pk).get()
    text = _slip_text(client, second)
    assert f"ngày {new_due:%d/%m/%Y}" in text and "Tiếp nhận hồ sơ đã bổ sung" in text
    assert "14 giờ 30 phút, ngày 10/03/2026" in text  # when the complete dossier came
    # "Download the receipt" gives the latest one; both are listed among the slips, each with its form.
    assert "Tiếp nhận hồ sơ đã bổ sung" in _text(client.get(reverse("dossiers:receipt", args=[dossier.reference])))
    page = client.get(dossier.get_absolute_url()).content.decode()
    assert page.count('data-testid="slip-receipt"') == 2 and "Mẫu số 01 · " in page


def test_a_slip_names_the_form_of_the_circular_in_force_on_the_day_it_was_issued(client, citizen, network, allowance):
    with _at(2024, 6, 3, 9, 0):
        old = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
        old = dossier_receive(dossier=old, by=network["clerk"]).dossier
        stop_2024 = dossier_stop(dossier=old, by=network["leader"], reason="Không đủ điều kiện").slip
    with _at(2025, 10, 1, 9, 0):
        new = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
        new = dossier_receive(dossier=new, by=network["clerk"]).dossier
        stop_2025 = dossier_stop(dossier=new, by=network["leader"], reason="Không đủ điều kiện").slip
    client.force_login(network["clerk"])
    receipt_2024 = _slip_text(client, old.slips.get(kind=SlipKind.RECEIPT))
    assert "Mẫu số 01" in receipt_2024 and "Thông tư số 01/2018/TT-VPCP ngày 23/11/2018" in receipt_2024
    text = _slip_text(client, stop_2024)  # the 2018 circular had no stop notice form
    assert "Mẫu số" not in text and "Nghị định số 61/2018/NĐ-CP" in text
    text = _slip_text(client, stop_2025)
    assert "Mẫu số 05" in text and "Thông tư số 03/2025/TT-VPCP" in text and "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text


def test_the_control_sheet_is_issued_once_per_state_of_the_route_and_reprints_as_issued(
    client, citizen, network, allowance
):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    client.force_login(network["clerk"])
    url = reverse("dossiers:control_sheet", args=[dossier.reference])
    first = client.post(url)
    assert client.post(url)["Location"] == first["Location"]  # nothing changed: the same sheet
    sheet = Slip.objects.get(kind=SlipKind.CONTROL_SHEET)
    dossier_hand_over(
        dossier=dossier, by=network["clerk"], to_agency=network["department"], to_user=network["specialist"]
    )
    second = client.post(url)
    assert second["Location"] != first["Location"]
    assert "Thẩm định" not in _slip_text(client, sheet)  # as it was when first printed
    assert "Phòng LĐ-TB&XH — Thẩm định" in _text(client.get(second["Location"]))


def test_a_slip_recorded_before_snapshots_still_prints_from_what_the_dossier_holds(client, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    slip = dossier_request_completion(
        dossier=dossier, by=network["clerk"], missing=["Sổ hộ khẩu"], reason="Thiếu giấy tờ"
    ).slip
    Slip.objects.filter(pk=slip.pk).update(data={"missing": ["Sổ hộ khẩu"], "reason": "Thiếu giấy tờ"})
    client.force_login(network["clerk"])
    text = _slip_text(client, Slip.objects.get(pk=slip.pk))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text and "Sổ hộ khẩu" in text and dossier.code in text


def test_before_reception_the_citizen_gets_an_acknowledgement_not_a_receipt(client, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    client.force_login(citizen)
    text = _text(client.get(reverse("dossiers:receipt", args=[dossier.reference])))
    assert "Xác nhận đã nộp hồ sơ trực tuyến" in text and "dự kiến" in text and dossier.code in text
    assert not dossier.slips.exists()
