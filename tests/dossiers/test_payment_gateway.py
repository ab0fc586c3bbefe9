"""A local HTTP server plays VNPAY: it takes the citizen's browser to its payment URL, checks the
portal's signature, then calls the portal's IPN address over HTTP with valid, forged, wrong-amount,
repeated and late notifications; the portal marks the dossier paid only on the valid one, once."""

import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.urls import reverse

import pytest

from dossiers.constants import EventKind
from dossiers.models import Payment, PaymentNotification
from dossiers.payments import vnpay
from dossiers.payments.services import payment_start
from dossiers.services import dossier_receive
from tests.dossiers.conftest import submit_online

pytestmark = pytest.mark.django_db(transaction=True)


class Vnpay:
    """The gateway: ``mode`` says which notifications it sends after the citizen 'pays'."""

    def __init__(self, ipn_url: str, secret: str):
        self.ipn_url, self.secret, self.mode = ipn_url, secret, "valid"
        self.answers: list[dict] = []
        self.refused_requests = 0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                params = dict(parse_qsl(urlsplit(self.path).query))
                if not vnpay.verify(params, secret=gateway.secret):  # VNPAY refuses an unsigned request
                    gateway.refused_requests += 1
                    self.send_response(400)
                    self.end_headers()
                    return
                result = gateway.notify(params)
                self.send_response(302)
                self.send_header("Location", params["vnp_ReturnUrl"] + "?" + urlencode(result))
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/paymentv2/vpcpay.html"

    def signed(self, params, secret=None):
        params = {k: v for k, v in params.items() if k != "vnp_SecureHash"}
        return {**params, "vnp_SecureHash": vnpay.sign(params, secret=secret or self.secret)}

    def ipn(self, params):
        with urllib.request.urlopen(self.ipn_url + "?" + urlencode(params), timeout=10) as response:  # noqa: S310
            self.answers.append(json.loads(response.read()))

    def notify(self, request):
        paid = {
            "vnp_Amount": request["vnp_Amount"],
            "vnp_BankCode": "NCB",
            "vnp_OrderInfo": request["vnp_OrderInfo"],
            "vnp_PayDate": "20261127100000",
            "vnp_ResponseCode": "00",
            "vnp_TmnCode": request["vnp_TmnCode"],
            "vnp_TransactionNo": "14226112",
            "vnp_TransactionStatus": "00",
            "vnp_TxnRef": request["vnp_TxnRef"],
        }
        if self.mode == "forged":
            self.ipn(self.signed(paid, secret="someone-else"))
        elif self.mode == "wrong_amount":
            self.ipn(self.signed({**paid, "vnp_Amount": "100"}))
        else:
            self.ipn(self.signed(paid))
            if self.mode == "duplicate":
                self.ipn(self.signed(paid))
            if self.mode == "late":
                self.ipn(self.signed({**paid, "vnp_ResponseCode": "24", "vnp_TransactionStatus": "02"}))
        return self.signed(paid)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(live_server, settings):
    vnpay_ = Vnpay(live_server.url + reverse("dossiers:payment_ipn"), settings.VNPAY_HASH_SECRET)
    settings.VNPAY_URL = vnpay_.url
    yield vnpay_
    vnpay_.stop()


def _pay(gateway, citizen, dossier, live_server) -> Payment:
    payment, url = payment_start(dossier=dossier, by=citizen, client_ip="127.0.0.1", portal_url=live_server.url)
    assert url.startswith(gateway.url)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(url, timeout=10)  # the citizen's browser at the gateway
    except urllib.error.HTTPError as answer:
        assert answer.code == 302
    payment.refresh_from_db()
    return payment


@pytest.mark.parametrize(
    ("mode", "answers", "paid"),
    [
        ("valid", ["00"], True),
        ("duplicate", ["00", "02"], True),
        ("late", ["00", "02"], True),
        ("forged", ["97"], False),
        ("wrong_amount", ["04"], False),
    ],
)
def test_the_gateway_notifies_over_http_and_only_a_valid_notification_pays(
    gateway, live_server, citizen, network, allowance, mode, answers, paid
):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    gateway.mode = mode
    payment = _pay(gateway, citizen, dossier, live_server)
    assert [answer["RspCode"] for answer in gateway.answers] == answers
    assert (payment.status == Payment.Status.PAID) is paid
    dossier.refresh_from_db()
    assert bool(dossier.fee_paid_at) is paid
    assert dossier.events.filter(kind=EventKind.PAYMENT).count() == (1 if paid else 0)
    assert PaymentNotification.objects.count() == len(answers)  # every notification logged as it came


def test_a_payment_url_not_signed_by_the_portal_is_refused_by_the_gateway(gateway, settings):
    forged = {"vnp_Amount": "100", "vnp_TxnRef": "X", "vnp_TmnCode": settings.VNPAY_TMN_CODE}
    forged["vnp_SecureHash"] = vnpay.sign(forged, secret="not-the-portal")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(gateway.url + "?" + urlencode(forged), timeout=10)  # noqa: S310
    assert gateway.refused_requests == 1
