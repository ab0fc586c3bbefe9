"""What reaches the IPN address from anyone on the Internet: junk answered 99 in VNPAY's format without
being looked up, forged or junk notifications counted per day instead of stored one by one, a genuine
notification kept in full, and a placeholder secret that pays nothing."""

import json
import logging
from unittest import mock
from urllib.parse import urlencode

from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from dossiers.models import Payment, PaymentNotification, PaymentNotificationCount
from dossiers.payments import vnpay
from dossiers.payments.services import SAMPLES_PER_DAY, payment_start
from dossiers.services import dossier_receive
from dossiers.views.payments import VnpayIpnView
from tests.dossiers.conftest import submit_online

pytestmark = pytest.mark.django_db
STRONG = "Qm7vT2xK9pL4wR8nZ3cB6yH1sD5fG0jA"


@pytest.fixture
def received(citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    return dossier_receive(dossier=dossier, by=network["clerk"]).dossier


@pytest.fixture
def payment(received, citizen):
    return payment_start(dossier=received, by=citizen, client_ip="10.0.0.7", portal_url="http://portal.test")[0]


def _notification(payment, secret=None, **changes):
    params = {
        "vnp_Amount": str(payment.amount * 100),
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": "Le phi ho so",
        "vnp_PayDate": "20261127100000",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": "MOTCUA01",
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": payment.reference,
        **changes,
    }
    params["vnp_SecureHash"] = vnpay.sign(params, secret=secret)
    return params


def _ipn_view(params: dict):
    """The IPN view itself, as the WSGI handler calls it (no middleware in front)."""
    from django.test import RequestFactory

    request = RequestFactory().get(reverse("dossiers:payment_ipn") + "?" + urlencode(params))
    return VnpayIpnView.as_view()(request)


JUNK = {
    "nul_in_reference": {"vnp_TxnRef": "HS1\x00X"},
    "nul_in_a_name": {"vnp_Order\x00Info": "x"},
    "escape_character": {"vnp_OrderInfo": "Le phi\x1b[2J"},
    "newline": {"vnp_BankCode": "NCB\r\nSet-Cookie: x=1"},
    "overlong_order_info": {"vnp_OrderInfo": "đ" * 256},
    "overlong_reference": {"vnp_TxnRef": "HS" + "9" * 300},
    "overlong_name": {"vnp_" + "x" * 60: "1"},
    "amount_not_a_number": {"vnp_Amount": "abc"},
    "amount_negative": {"vnp_Amount": "-800000"},
    "amount_decimal": {"vnp_Amount": "800000.00"},
    "amount_exponent": {"vnp_Amount": "8e5"},
    "amount_with_spaces": {"vnp_Amount": " 800000"},
    "amount_other_digits": {"vnp_Amount": "٨٠٠٠٠٠"},
    "amount_2_to_the_63": {"vnp_Amount": str(2**63)},
    "amount_20_digits": {"vnp_Amount": "1" * 20},
    "no_amount": {"vnp_Amount": None},
    "no_reference": {"vnp_TxnRef": None},
    "no_response_code": {"vnp_ResponseCode": None},
    "no_signature": {"vnp_SecureHash": None},
    "empty_reference": {"vnp_TxnRef": ""},
    "too_many_parameters": {f"vnp_X{index}": "1" for index in range(41)},
}


@pytest.mark.parametrize("case", list(JUNK))
def test_junk_is_answered_99_by_the_ipn_view_itself_and_nothing_is_looked_up(payment, received, case):
    params = _notification(payment)
    for name, value in JUNK[case].items():
        if value is None:
            del params[name]
        else:
            params[name] = value
    with CaptureQueriesContext(connection) as queries:
        response = _ipn_view(params)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"RspCode": "99", "Message": "Unknown error"}
    assert not [q["sql"] for q in queries if 'FROM "dossiers_payment"' in q["sql"]]  # no payment looked up
    payment.refresh_from_db()
    received.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and received.fee_paid_at is None
    assert PaymentNotificationCount.objects.get(reason="malformed").count == 1
    sample = PaymentNotification.objects.get()
    assert sample.truncated and not sample.signature_valid and sample.answer == "99"
    assert "\x00" not in str(sample.params) and "\x1b" not in str(sample.params)
    assert all(len(name) <= 64 and len(value) <= 64 for name, value in sample.params.items())


def test_a_sample_of_junk_shows_control_characters_written_out():
    _ipn_view({"vnp_TxnRef": "HS1\x00X", "vnp_OrderInfo": "a" * 200})
    sample = PaymentNotification.objects.get()
    assert sample.params == {"vnp_TxnRef": "HS1\\x00X", "vnp_OrderInfo": "a" * 64}
    assert sample.message == "a control character in a parameter"


def test_a_flood_of_forged_notifications_is_counted_not_stored_and_a_genuine_one_is_kept_in_full(
    client, payment, received
):
    url = reverse("dossiers:payment_ipn")
    for number in range(100):
        forged = _notification(payment, secret=f"guess-{number}", vnp_TransactionNo=str(number))
        assert client.get(url, forged).json()["RspCode"] == "97"
    assert PaymentNotification.objects.count() == SAMPLES_PER_DAY == 10
    tally = PaymentNotificationCount.objects.get()
    assert (tally.day, tally.reason, tally.count) == (timezone.localdate(), "signature", 100)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING

    genuine = _notification(payment, vnp_OrderInfo="Thanh toan le phi ho so " + received.code + " " + "x" * 150)
    assert client.get(url, genuine).json()["RspCode"] == "00"
    kept = PaymentNotification.objects.get(signature_valid=True)
    assert kept.params == genuine and not kept.truncated and kept.payment == payment and kept.answer == "00"
    assert PaymentNotification.objects.count() == 11 and PaymentNotificationCount.objects.get().count == 100


def test_junk_of_several_kinds_is_counted_per_reason(client, payment):
    url = reverse("dossiers:payment_ipn")
    for number in range(30):
        client.get(url, {**_notification(payment), "vnp_Amount": f"x{number}"})  # malformed
        client.get(url, _notification(payment, secret="guessed-secret"))  # forged
    counts = dict(PaymentNotificationCount.objects.values_list("reason", "count"))
    assert counts == {"malformed": 30, "signature": 30}
    assert PaymentNotification.objects.count() == 2 * SAMPLES_PER_DAY


def test_a_database_that_cannot_count_still_gets_vnpays_answer(client, payment):
    target = "dossiers.payments.services.PaymentNotificationCount.objects.select_for_update"
    with mock.patch(target, side_effect=DatabaseError("disk full")):
        forged = client.get(reverse("dossiers:payment_ipn"), _notification(payment, secret="guessed-secret"))
    assert forged.json() == {"RspCode": "97", "Message": "Invalid signature"}


def test_the_ipn_answers_in_vnpays_format_whatever_goes_wrong(payment):
    with mock.patch("dossiers.views.payments.payment_notified", side_effect=RuntimeError("bug")):
        response = _ipn_view(_notification(payment))
    assert json.loads(response.content) == {"RspCode": "99", "Message": "Unknown error"}


PLACEHOLDER_SECRETS = [
    "change-me",  # .env.example's placeholder
    "CHANGE_ME",
    "changeme",
    "secret",
    "replace-with-64-random-characters",
    "django-insecure-3k$9x!q2w@e#r%t^y&u*i(o)p_a+s=d",
    vnpay.SIMULATOR_SECRET,  # the demo's own, once the simulator is off
    "Zx8kP2qW7m",  # random but short
    "a" * 40,  # long but not random
]


@pytest.mark.parametrize("secret", PLACEHOLDER_SECRETS)
def test_a_placeholder_secret_pays_nothing_even_for_a_notification_signed_with_it(
    client, settings, payment, received, citizen, caplog, secret
):
    settings.VNPAY_SIMULATOR = False  # as in production
    settings.VNPAY_HASH_SECRET = secret
    with caplog.at_level(logging.ERROR, logger="dossiers.payments.services"):
        answer = client.get(reverse("dossiers:payment_ipn"), _notification(payment, secret=secret)).json()
    assert answer == {"RspCode": "99", "Message": "Unknown error"}
    payment.refresh_from_db()
    received.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and received.fee_paid_at is None
    assert any("VNPAY_HASH_SECRET" in record.getMessage() for record in caplog.records if record.levelname == "ERROR")
    assert PaymentNotificationCount.objects.get().reason == "untrusted_secret"
    client.force_login(citizen)
    assert 'data-testid="pay-online"' not in client.get(received.get_absolute_url()).content.decode()


def test_a_strong_secret_is_trusted_with_the_simulator_off(client, settings, payment, received):
    settings.VNPAY_SIMULATOR = False
    settings.VNPAY_HASH_SECRET = STRONG
    answer = client.get(reverse("dossiers:payment_ipn"), _notification(payment, secret=STRONG)).json()
    assert answer["RspCode"] == "00"
    received.refresh_from_db()
    assert received.fee_paid_at


@pytest.mark.parametrize("junk", [{"vnp_Amount": str(2**63)}, {"vnp_OrderInfo": "\x1b[2J"}, {"vnp_SecureHash": None}])
def test_the_return_page_does_not_look_up_junk(client, citizen, payment, junk):
    client.force_login(citizen)
    params = {**_notification(payment), **junk}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dossiers:payment_return"), {k: v for k, v in params.items() if v is not None})
    assert response.status_code == 404
    assert not [q["sql"] for q in queries if 'FROM "dossiers_payment"' in q["sql"]]


def test_a_nul_byte_sent_to_the_ipn_address_is_answered_in_vnpays_format(client, payment, received):
    response = client.get(reverse("dossiers:payment_ipn"), {**_notification(payment), "vnp_TxnRef": "HS1\x00"})
    assert response.status_code == 200 and response.json() == {"RspCode": "99", "Message": "Unknown error"}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
