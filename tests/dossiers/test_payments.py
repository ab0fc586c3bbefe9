"""Online payment of a dossier's fee: VNPAY's signed URL and notifications, the simulator of the
embedded default, and every bad notification answered, logged and changing nothing."""

from io import BytesIO
from urllib.parse import parse_qsl, urlsplit

from django.urls import reverse

import pytest

from dossiers.constants import EventKind, Status
from dossiers.models import Payment, PaymentNotification
from dossiers.payments import vnpay
from dossiers.payments.services import payment_notified, payment_start
from dossiers.services import dossier_hand_over, dossier_receive, dossier_request_payment
from tests.dossiers.conftest import submit_online

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    return dossier_receive(dossier=dossier, by=network["clerk"]).dossier


def _started(dossier, citizen):
    payment, url = payment_start(dossier=dossier, by=citizen, client_ip="10.0.0.7", portal_url="http://portal.test")
    return payment, dict(parse_qsl(urlsplit(url).query))


def _notification(payment, **changes):
    params = {
        "vnp_Amount": str(payment.amount * 100),
        "vnp_BankCode": "NCB",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": "MOTCUA01",
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": payment.reference,
        "vnp_PayDate": "20261127100000",
    }
    params.update(changes)
    params["vnp_SecureHash"] = vnpay.sign(params)
    return params


def test_the_procedures_usual_fee_is_attached_at_reception(received):
    assert (received.fee_label, received.fee_amount, received.fee_paid_at) == ("Lệ phí", 8000, None)


def test_the_payment_url_is_signed_as_vnpay_documents(received, citizen):
    payment, params = _started(received, citizen)
    assert params["vnp_Amount"] == "800000" and params["vnp_CurrCode"] == "VND" and params["vnp_Command"] == "pay"
    assert params["vnp_TxnRef"] == payment.reference and params["vnp_IpAddr"] == "10.0.0.7"
    assert params["vnp_ReturnUrl"] == "http://portal.test" + reverse("dossiers:payment_return")
    assert params["vnp_OrderInfo"].isascii() and received.code in params["vnp_OrderInfo"]
    assert vnpay.verify(params)
    assert not vnpay.verify({**params, "vnp_Amount": "1"})  # any change breaks the signature
    assert not vnpay.verify(params, secret="another-merchant")


def test_a_citizen_pays_on_the_simulator_and_gets_the_receipt(client, citizen, received):
    from pypdf import PdfReader

    client.force_login(citizen)
    page = client.get(received.get_absolute_url()).content.decode()
    assert 'data-testid="pay-online"' in page and "8.000" in page
    response = client.post(reverse("dossiers:pay", args=[received.reference]))
    gateway = urlsplit(response["Location"])
    assert gateway.path == reverse("dossiers:payment_simulator")
    params = dict(parse_qsl(gateway.query))
    assert "8.000" in client.get(gateway.path, params).content.decode()
    back = client.post(gateway.path, {**params, "choice": "pay"})
    page = client.get(back["Location"]).content.decode()
    payment = Payment.objects.get(dossier=received)
    assert payment.status == Payment.Status.PAID and payment.receipt_number in page
    received.refresh_from_db()
    assert received.fee_paid_at and received.events.filter(kind=EventKind.PAYMENT).count() == 1
    assert 'data-testid="pay-online"' not in client.get(received.get_absolute_url()).content.decode()
    pdf = client.get(reverse("dossiers:fee_receipt", args=[received.reference, payment.pk]))
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert payment.receipt_number in text and "8.000" in text and received.code in text


def test_a_cancelled_payment_leaves_the_fee_to_pay_and_can_be_tried_again(client, citizen, received):
    client.force_login(citizen)
    params = dict(
        parse_qsl(urlsplit(client.post(reverse("dossiers:pay", args=[received.reference]))["Location"]).query)
    )
    back = client.post(reverse("dossiers:payment_simulator"), {**params, "choice": "cancel"})
    assert "không thành công" in client.get(back["Location"]).content.decode()
    received.refresh_from_db()
    assert received.fee_paid_at is None and Payment.objects.get().status == Payment.Status.FAILED
    assert client.post(reverse("dossiers:pay", args=[received.reference])).status_code == 302
    assert Payment.objects.count() == 2


def test_a_dossier_waiting_for_its_financial_obligation_goes_back_to_processing_when_paid(citizen, network, received):
    dossier = dossier_hand_over(
        dossier=received, by=network["clerk"], to_agency=network["department"], to_user=network["specialist"]
    ).dossier
    dossier = dossier_request_payment(dossier=dossier, by=network["specialist"], amount=50000).dossier
    assert (dossier.status, dossier.fee_amount) == (Status.AWAITING_PAYMENT, 50000)
    payment, _params = _started(dossier, citizen)
    assert payment.amount == 50000
    assert payment_notified(params=_notification(payment)) == {"RspCode": "00", "Message": "Confirm Success"}
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and dossier.fee_paid_at


@pytest.mark.parametrize(
    ("case", "expected"),
    [("forged", "97"), ("unknown", "01"), ("wrong_amount", "04")],
)
def test_a_bad_notification_is_answered_logged_and_changes_nothing(received, citizen, case, expected):
    payment, _params = _started(received, citizen)
    params = _notification(payment)
    if case == "forged":
        params["vnp_Amount"] = str(payment.amount * 100)
        params["vnp_SecureHash"] = vnpay.sign(params, secret="guessed-secret")
    elif case == "unknown":
        params = _notification(payment, vnp_TxnRef="HS999X0000")
    else:
        params = _notification(payment, vnp_Amount="100")
    assert payment_notified(params=params)["RspCode"] == expected
    payment.refresh_from_db()
    received.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and received.fee_paid_at is None
    log = PaymentNotification.objects.get()
    assert (log.answer, log.params["vnp_TxnRef"]) == (expected, params["vnp_TxnRef"])
    assert log.signature_valid is (case != "forged")


def test_a_repeated_or_late_notification_changes_nothing_twice(received, citizen):
    payment, _params = _started(received, citizen)
    success = _notification(payment)
    assert payment_notified(params=success)["RspCode"] == "00"
    assert payment_notified(params=success)["RspCode"] == "02"  # VNPAY retrying its IPN
    late_failure = _notification(payment, vnp_ResponseCode="24", vnp_TransactionStatus="02")
    assert payment_notified(params=late_failure)["RspCode"] == "02"  # out of order: nothing changes
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert received.events.filter(kind=EventKind.PAYMENT).count() == 1
    assert list(PaymentNotification.objects.order_by("pk").values_list("answer", flat=True)) == ["00", "02", "02"]


def test_the_ipn_endpoint_answers_vnpay_in_json(client, received, citizen):
    payment, _params = _started(received, citizen)
    answer = client.get(reverse("dossiers:payment_ipn"), _notification(payment)).json()
    assert answer == {"RspCode": "00", "Message": "Confirm Success"}
    forged = client.get(reverse("dossiers:payment_ipn"), {**_notification(payment), "vnp_SecureHash": "00"}).json()
    assert forged["RspCode"] == "97"


def test_a_forged_return_changes_nothing_and_another_citizens_payment_is_not_shown(client, received, citizen):
    from tests.factories import UserFactory

    payment, _params = _started(received, citizen)
    client.force_login(citizen)
    forged = {**_notification(payment), "vnp_SecureHash": "f" * 128}
    page = client.get(reverse("dossiers:payment_return"), forged).content.decode()
    assert "không đến từ cổng thanh toán" in page
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    client.force_login(UserFactory())
    assert client.get(reverse("dossiers:payment_return"), _notification(payment)).status_code == 404


def test_only_the_applicant_pays_and_only_what_is_due(client, received, network, citizen):
    client.force_login(network["clerk"])
    response = client.post(reverse("dossiers:pay", args=[received.reference]), follow=True)
    assert "Chỉ người nộp hồ sơ" in response.content.decode() and not Payment.objects.exists()
    payment, _params = _started(received, citizen)
    payment_notified(params=_notification(payment))
    client.force_login(citizen)
    response = client.post(reverse("dossiers:pay", args=[received.reference]), follow=True)
    assert "Không có khoản nào cần nộp" in response.content.decode()


def _done_online(citizen, network, allowance, result_delivery="online"):
    """A dossier whose result is ready, signed by the commune (the ``pki`` fixture must be in use)."""
    from dossiers.models import Dossier
    from dossiers.services import dossier_complete
    from tests.dossiers.conftest import real_pdf_upload

    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    Dossier.objects.filter(pk=dossier.pk).update(result_delivery=result_delivery)
    dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    dossier = dossier_hand_over(
        dossier=dossier,
        by=network["clerk"],
        to_agency=network["commune"],
        to_user=network["clerk"],
        reason="Bộ phận một cửa tự xử lý",
    ).dossier
    return dossier_complete(dossier=dossier, by=network["clerk"], results=[real_pdf_upload("ket-qua.pdf")]).dossier


def test_a_level_4_result_is_downloaded_once_paid_and_the_download_returns_the_dossier(
    client, citizen, network, allowance, pki
):
    dossier = _done_online(citizen, network, allowance)
    result = dossier.attachments.get(is_result=True)
    client.force_login(citizen)
    page = client.get(dossier.get_absolute_url()).content.decode()
    assert 'data-testid="result-locked"' in page and 'data-testid="pay-online"' in page
    assert client.get(reverse("dossiers:attachment", args=[result.pk])).status_code == 404
    payment, _params = _started(dossier, citizen)
    payment_notified(params=_notification(payment))
    assert client.get(reverse("dossiers:attachment", args=[result.pk])).status_code == 302  # receive first
    dossier.refresh_from_db()
    assert dossier.status != Status.RETURNED
    assert client.post(reverse("dossiers:result_receive", args=[result.pk])).status_code == 302
    assert client.get(reverse("dossiers:attachment", args=[result.pk])).status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED and dossier.result_delivery_note.startswith("online")
    assert client.get(reverse("dossiers:attachment", args=[result.pk])).status_code == 200  # again: no change
    assert dossier.events.filter(to_status=Status.RETURNED).count() == 1


def test_a_result_collected_at_the_desk_is_not_returned_by_a_download(client, citizen, network, allowance, pki):
    dossier = _done_online(citizen, network, allowance, result_delivery="desk")
    payment, _params = _started(dossier, citizen)
    payment_notified(params=_notification(payment))
    client.force_login(citizen)
    result = dossier.attachments.get(is_result=True)
    assert client.get(reverse("dossiers:attachment", args=[result.pk])).status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == Status.DONE


def test_a_payment_that_no_longer_matches_what_the_dossier_owes_is_kept_to_refund(citizen, network, received):
    old, _params = _started(received, citizen)  # the usual 8.000 đ
    dossier = dossier_hand_over(
        dossier=received, by=network["clerk"], to_agency=network["department"], to_user=network["specialist"]
    ).dossier
    dossier = dossier_request_payment(dossier=dossier, by=network["specialist"], amount=5_000_000).dossier
    answer = payment_notified(params=_notification(old))
    assert answer["RspCode"] == "00"  # taken: the money moved
    old.refresh_from_db()
    dossier.refresh_from_db()
    assert old.status == Payment.Status.PAID and old.note.startswith("refund")
    assert dossier.status == Status.AWAITING_PAYMENT and dossier.fee_paid_at is None  # still owes 5.000.000 đ
    assert "refund" in PaymentNotification.objects.get().message


def test_two_payments_of_one_fee_settle_it_once_and_flag_the_second(citizen, received):
    first, _params = _started(received, citizen)
    second, _params = _started(received, citizen)
    payment_notified(params=_notification(first))
    payment_notified(params=_notification(second, vnp_TransactionNo="999"))
    second.refresh_from_db()
    assert second.status == Payment.Status.PAID and "already paid" in second.note
    assert received.events.filter(kind=EventKind.PAYMENT).count() == 1


def test_an_error_while_taking_a_notification_is_answered_99_logged_and_changes_nothing(citizen, received):
    from unittest import mock

    payment, _params = _started(received, citizen)
    with mock.patch("dossiers.services.workflow.dossier_paid_online", side_effect=RuntimeError("database hiccup")):
        assert payment_notified(params=_notification(payment))["RspCode"] == "99"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING  # VNPAY retries; nothing half-done
    assert PaymentNotification.objects.get().answer == "99"
    assert payment_notified(params=_notification(payment))["RspCode"] == "00"  # the retry is taken


def test_a_result_received_through_the_api_returns_the_dossier_too(client, citizen, network, allowance, pki):
    dossier = _done_online(citizen, network, allowance)
    payment, _params = _started(dossier, citizen)
    payment_notified(params=_notification(payment))
    client.force_login(citizen)
    result = dossier.attachments.get(is_result=True)
    assert client.get(f"/api/v1/attachments/{result.pk}/file/").status_code == 409  # receive it first
    assert client.post(f"/api/v1/attachments/{result.pk}/receive/").status_code == 200
    assert client.get(f"/api/v1/attachments/{result.pk}/file/").status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED


def test_a_fee_paid_in_cash_at_the_desk_is_recorded_and_online_payment_is_no_longer_offered(
    client, citizen, network, received
):
    client.force_login(network["clerk"])
    page = client.get(received.get_absolute_url()).content.decode()
    assert 'data-action="fee_paid_at_desk"' in page
    url = reverse("dossiers:action", args=[received.reference, "fee_paid_at_desk"])
    seen = {"expected_status": "received", "expected_version": received.version}
    client.post(url, seen)
    received.refresh_from_db()
    assert received.fee_paid_at and not received.fee_paid_online and received.status == Status.RECEIVED
    assert (
        "Đã nộp phí tại Bộ phận một cửa" in received.events.get(kind=EventKind.PAYMENT).note
        or received.events.filter(kind=EventKind.PAYMENT).count() == 1
    )
    again = client.post(url, seen, follow=True)
    assert received.events.filter(kind=EventKind.PAYMENT).count() == 1 and again.status_code == 200
    client.force_login(citizen)
    assert 'data-testid="pay-online"' not in client.get(received.get_absolute_url()).content.decode()
