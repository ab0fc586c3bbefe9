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
    def send(self, *, phone: str, text: str, reference: str = "") -> str:
        """Send ``text`` to ``phone`` and return the provider's message id. ``reference`` is the
        portal's own id for the message: the same reference sent twice (a retry after a crash) is one
        message for a gateway that removes duplicates by it."""
        raise NotImplementedError


class FileBackend(BaseBackend):
    """Appends one JSON line per message to ``<SMS_FILE_PATH>/<date>.log``."""

    def send(self, *, phone: str, text: str, reference: str = "") -> str:
        message_id = uuid.uuid4().hex
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        now = timezone.localtime()
        line = json.dumps(
            {"id": message_id, "ref": reference, "at": now.isoformat(), "to": phone, "text": text}, ensure_ascii=False
        )
        with open(folder / f"{now:%Y-%m-%d}.log", "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return message_id


class ConsoleBackend(BaseBackend):
    def send(self, *, phone: str, text: str, reference: str = "") -> str:
        message_id = uuid.uuid4().hex
        sys.stdout.write(f"SMS {message_id} to {phone}: {text}\n")
        return message_id


def get_sms_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, phone: str, text: str, reference: str = "") -> str:
    return get_sms_backend().send(phone=phone, text=text, reference=reference)


class SmsError(Exception):
    """Sending failed. ``retryable``: a timeout or a gateway error (try again later); otherwise the
    request itself was refused (a bad number) and trying again will not help."""

    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


class HttpGatewayBackend(BaseBackend):
    """An HTTP SMS gateway (brandname SMS): POSTs JSON ``{"to", "text", "sender", "ref"}`` with basic
    authentication to ``SMS_GATEWAY_URL`` and reads the message id from the JSON answer's ``id``.
    Configured by environment: SMS_GATEWAY_URL, SMS_GATEWAY_USER, SMS_GATEWAY_PASSWORD (the key the
    gateway issued), SMS_GATEWAY_SENDER, SMS_GATEWAY_TIMEOUT (seconds). ``check --deploy`` refuses an
    example address (onestop.E006) and a placeholder or short key (onestop.E007): onestop/checks.py."""

    def send(self, *, phone: str, text: str, reference: str = "") -> str:
        if urlsplit(settings.SMS_GATEWAY_URL).scheme not in ("http", "https"):
            raise SmsError("SMS_GATEWAY_URL must be an http(s) address", retryable=False)
        payload = {"to": phone, "text": text, "sender": settings.SMS_GATEWAY_SENDER, "ref": reference}
        body = json.dumps(payload).encode()
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


def plain_sms(text: str, *, link: str = "", limit: int = 160) -> str:
    """``text`` on one line, followed by ``link``, within ``limit`` characters: the text is shortened,
    never the link. Without Vietnamese diacritics (many gateways and cheap phones need plain GSM text)
    unless ``SMS_PLAIN_TEXT`` is off for a gateway that sends Unicode."""
    text = " ".join((text or "").split())
    if settings.SMS_PLAIN_TEXT:
        text = text.replace("đ", "d").replace("Đ", "D")
        text = "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")
    else:
        text = unicodedata.normalize("NFC", text)
    room = limit - (len(link) + 1 if link else 0)
    if len(text) > room:
        text = text[: max(room - 3, 0)].rstrip() + "..."
    return f"{text} {link}" if link else text
