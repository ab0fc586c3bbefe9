"""SMS delivery backends, chosen by ``settings.SMS_BACKEND`` like Django's mail backends.

The embedded default writes each message to a file under ``settings.SMS_FILE_PATH`` so a demo can
be read back; production points ``SMS_BACKEND`` at a gateway backend.
"""

import base64
import json
import sys
import unicodedata
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class BaseBackend:
    def send(self, *, phone: str, text: str) -> str:
        """Send ``text`` to ``phone`` and return the provider's message id."""
        raise NotImplementedError


class FileBackend(BaseBackend):
    """Appends one JSON line per message to ``<SMS_FILE_PATH>/<date>.log``."""

    def send(self, *, phone: str, text: str) -> str:
        message_id = uuid.uuid4().hex
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        now = timezone.localtime()
        line = json.dumps({"id": message_id, "at": now.isoformat(), "to": phone, "text": text}, ensure_ascii=False)
        with open(folder / f"{now:%Y-%m-%d}.log", "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return message_id


class ConsoleBackend(BaseBackend):
    def send(self, *, phone: str, text: str) -> str:
        message_id = uuid.uuid4().hex
        sys.stdout.write(f"SMS {message_id} to {phone}: {text}\n")
        return message_id


def get_sms_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, phone: str, text: str) -> str:
    return get_sms_backend().send(phone=phone, text=text)


class SmsError(Exception):
    """Sending failed. ``retryable``: a timeout or a gateway error (try again later); otherwise the
    request itself was refused (a bad number) and trying again will not help."""

    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


class HttpGatewayBackend(BaseBackend):
    """An HTTP SMS gateway (brandname SMS): POSTs JSON ``{"to", "text", "sender"}`` with basic
    authentication to ``SMS_GATEWAY_URL`` and reads the message id from the JSON answer's ``id``.
    Configured by environment: SMS_GATEWAY_URL, SMS_GATEWAY_USER, SMS_GATEWAY_PASSWORD,
    SMS_GATEWAY_SENDER, SMS_GATEWAY_TIMEOUT (seconds)."""

    def send(self, *, phone: str, text: str) -> str:
        if urlsplit(settings.SMS_GATEWAY_URL).scheme not in ("http", "https"):
            raise SmsError("SMS_GATEWAY_URL must be an http(s) address", retryable=False)
        body = json.dumps({"to": phone, "text": text, "sender": settings.SMS_GATEWAY_SENDER}).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
            settings.SMS_GATEWAY_URL, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        if settings.SMS_GATEWAY_USER:
            token = base64.b64encode(f"{settings.SMS_GATEWAY_USER}:{settings.SMS_GATEWAY_PASSWORD}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_GATEWAY_TIMEOUT) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise SmsError(
                f"gateway answered {error.code}", retryable=error.code >= 500 or error.code == 429
            ) from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsError(f"gateway unreachable: {error}", retryable=True) from error
        except ValueError as error:
            raise SmsError("gateway answer is not JSON", retryable=True) from error
        message_id = str(answer.get("id") or "")
        if not message_id:
            raise SmsError(f"gateway refused the message: {answer}", retryable=False)
        return message_id


def plain_sms(text: str, *, limit: int = 160) -> str:
    """``text`` without Vietnamese diacritics (many gateways and cheap phones need plain GSM text),
    on one line, cut to ``limit`` characters."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    plain = "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")
    plain = " ".join(plain.split())
    return plain if len(plain) <= limit else plain[: limit - 3].rstrip() + "..."
