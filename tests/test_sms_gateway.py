"""The HTTP SMS gateway backend against a real local HTTP server that plays the gateway."""

import base64

import pytest

from onestop.sms import HttpGatewayBackend, SmsError, plain_sms
from onestop.sms_simulator import GatewaySimulator


@pytest.fixture
def gateway(settings):
    simulator = GatewaySimulator().start()
    settings.SMS_GATEWAY_URL = simulator.url
    settings.SMS_GATEWAY_USER, settings.SMS_GATEWAY_PASSWORD = "motcua", "bi-mat"
    settings.SMS_GATEWAY_TIMEOUT = 0.5
    yield simulator
    simulator.stop()


def test_a_message_goes_to_the_gateway_with_credentials_and_comes_back_with_its_id(gateway):
    message_id = HttpGatewayBackend().send(phone="0912345678", text="Ho so da tiep nhan", reference="event:1:sms")
    assert message_id
    [call] = gateway.requests
    assert call["body"] == {"to": "0912345678", "text": "Ho so da tiep nhan", "sender": "MOTCUA", "ref": "event:1:sms"}
    assert call["auth"] == "Basic " + base64.b64encode(b"motcua:bi-mat").decode()


def test_the_same_reference_sent_again_reaches_the_phone_once(gateway):
    first = HttpGatewayBackend().send(phone="0912345678", text="Ho so da tiep nhan", reference="event:1:sms")
    again = HttpGatewayBackend().send(phone="0912345678", text="Ho so da tiep nhan", reference="event:1:sms")
    assert first == again
    assert gateway.delivered_to("0912345678") == ["Ho so da tiep nhan"]


@pytest.mark.parametrize(("behaviour", "retryable"), [("error", True), ("slow", True), ("refused", False)])
def test_gateway_errors_say_whether_trying_again_can_help(gateway, behaviour, retryable):
    gateway.behaviour = behaviour
    with pytest.raises(SmsError) as error:
        HttpGatewayBackend().send(phone="0912345678", text="x")
    assert error.value.retryable is retryable
    assert gateway.delivered_to("0912345678") == ([] if behaviour != "slow" else ["x"])


def test_sms_text_is_plain_and_short_and_keeps_its_link_whole():
    link = "https://motcua.vn/tra-cuu/?code=000.10.22.H56-261127-0001"
    text = plain_sms("Hồ sơ 000.10.22.H56-261127-0001 đã được tiếp nhận. " * 4, link=link)
    assert text.startswith("Ho so 000.10.22.H56-261127-0001 da duoc tiep nhan.")
    assert len(text) <= 160 and text.endswith("... " + link)
    assert text.isascii()


def test_a_unicode_gateway_keeps_the_diacritics(settings):
    settings.SMS_PLAIN_TEXT = False
    assert plain_sms("Hồ sơ đã được tiếp nhận.", link="L") == "Hồ sơ đã được tiếp nhận. L"
