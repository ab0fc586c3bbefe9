import json

from onestop.sms import send_sms


def test_the_embedded_sms_backend_writes_each_message_to_a_file(settings):
    message_id = send_sms(phone="0912345678", text="Ho so 000.10.22.H56-261127-0001 da duoc tiep nhan")
    [log] = list(settings.SMS_FILE_PATH.glob("*.log"))
    record = json.loads(log.read_text(encoding="utf-8").strip())
    assert record["id"] == message_id
    assert record["to"] == "0912345678"
    assert "000.10.22.H56-261127-0001" in record["text"]
