"""The HTTP SMS gateway backend against a real local HTTP server that plays the gateway."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from onestop.sms import HttpGatewayBackend, SmsError, plain_sms


class Gateway(BaseHTTPRequestHandler):
    behaviour = "ok"
    received: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Gateway.received.append({"body": body, "auth": self.headers.get("Authorization")})
        if Gateway.behaviour == "slow":
            time.sleep(2)
        status, answer = {
            "ok": (200, {"id": "msg-1"}),
            "error": (500, {"error": "down"}),
            "refused": (400, {"error": "bad number"}),
            "slow": (200, {"id": "late"}),
        }[Gateway.behaviour]
        payload = json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the portal gave up waiting (the timeout case): nobody is listening any more

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.received = []
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_address[1]}/send"
    settings.SMS_GATEWAY_USER, settings.SMS_GATEWAY_PASSWORD = "motcua", "bi-mat"
    settings.SMS_GATEWAY_TIMEOUT = 0.5
    yield Gateway
    server.shutdown()
    server.server_close()


def test_a_message_goes_to_the_gateway_with_credentials_and_comes_back_with_its_id(gateway):
    assert HttpGatewayBackend().send(phone="0912345678", text="Ho so da tiep nhan") == "msg-1"
    [call] = gateway.received
    assert call["body"] == {"to": "0912345678", "text": "Ho so da tiep nhan", "sender": "MOTCUA"}
    assert call["auth"].startswith("Basic ")


@pytest.mark.parametrize(("behaviour", "retryable"), [("error", True), ("slow", True), ("refused", False)])
def test_gateway_errors_say_whether_trying_again_can_help(gateway, behaviour, retryable):
    gateway.behaviour = behaviour
    try:
        with pytest.raises(SmsError) as error:
            HttpGatewayBackend().send(phone="0912345678", text="x")
    finally:
        gateway.behaviour = "ok"
    assert error.value.retryable is retryable


def test_sms_text_is_plain_and_short():
    text = plain_sms("Hồ sơ 000.10.22.H56-261127-0001 đã được tiếp nhận. Tra cứu: https://motcua.vn/tra-cuu/ " * 3)
    assert text.startswith("Ho so 000.10.22.H56-261127-0001 da duoc tiep nhan.")
    assert len(text) <= 160 and text.endswith("...")
    assert text.isascii()
