"""SMS delivery backends, chosen by ``settings.SMS_BACKEND`` like Django's mail backends.

The embedded default writes each message to a file under ``settings.SMS_FILE_PATH`` so a demo can
be read back; production points ``SMS_BACKEND`` at a gateway backend.
"""

import json
import sys
import uuid
from pathlib import Path

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
