"""SMS delivery backends, chosen by ``settings.SMS_BACKEND`` like Django's mail backends.

The embedded default writes each message to a file under ``settings.SMS_FILE_PATH`` so a demo can
be read back; production points ``SMS_BACKEND`` at a gateway backend.
"""

import base64
import functools
import http.client
import json
import os
import select
import sys
import threading
import time
import unicodedata
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

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
    example address (onestop.E006) and a placeholder or short key (onestop.E007): onestop/checks.py.

    A process keeps one HTTP/1.1 connection per gateway open between messages (keep-alive: no new TCP
    and TLS handshake per SMS), through the proxy that ``HTTPS_PROXY``/``HTTP_PROXY`` name unless
    ``NO_PROXY`` exempts the gateway (as urllib did). A connection idle for more than
    ``GATEWAY_IDLE_LIMIT`` seconds, or closed by the gateway, is replaced before the request goes out; a
    kept one found reset or closed before any byte of the answer is replaced and the request sent once
    more on the new one (the gateway removes duplicates by reference); any other failure drops the
    connection and is reported, for the outbox to retry under the same reference."""

    def send(self, *, phone: str, text: str, reference: str = "") -> str:
        url = urlsplit(settings.SMS_GATEWAY_URL)
        if url.scheme not in ("http", "https"):
            raise SmsError("SMS_GATEWAY_URL must be an http(s) address", retryable=False)
        payload = {"to": phone, "text": text, "sender": settings.SMS_GATEWAY_SENDER, "ref": reference}
        headers = {"Content-Type": "application/json"}
        if settings.SMS_GATEWAY_USER:
            token = base64.b64encode(f"{settings.SMS_GATEWAY_USER}:{settings.SMS_GATEWAY_PASSWORD}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        try:
            status, raw = gateway_post(url, json.dumps(payload).encode(), headers, settings.SMS_GATEWAY_TIMEOUT)
        except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out, garbled
            raise SmsError(f"gateway unreachable: {error}", retryable=True) from error
        if not 200 <= status < 300:
            raise SmsError(f"gateway answered {status}", retryable=status >= 500 or status == 429)
        try:
            answer = json.loads(raw or b"{}")
        except ValueError as error:
            raise SmsError("gateway answer is not JSON", retryable=True) from error
        message_id = str(answer.get("id") or "") if isinstance(answer, dict) else ""
        if not message_id:
            raise SmsError(f"gateway refused the message: {answer}", retryable=False)
        return message_id


_gateways = threading.local()
# A kept connection unused for longer than this is closed, not used. A firewall or NAT that forgot an idle
# flow drops what is sent over it without a word: the socket still looks open, and the message would wait
# SMS_GATEWAY_TIMEOUT and go to the backoff. A new connection costs one handshake; a burst of messages
# (a backlog, a sweep) never leaves the connection idle this long.
GATEWAY_IDLE_LIMIT = 4.0


def gateway_post(url: SplitResult, body: bytes, headers: dict, timeout: float) -> tuple[int, bytes]:
    """POST ``body`` to ``url`` on this thread's open connection to that gateway (opened on first use,
    through the proxy the environment names for it, as urllib did) and return the answer's status and
    body. The connection stays open for the next message unless the gateway says it closes it; one idle
    longer than ``GATEWAY_IDLE_LIMIT`` or closed by the gateway is replaced before use; one that fails
    mid-request is dropped, never used again. A kept connection found broken before any byte of the
    answer came (reset, closed) is the one case sent again, once, on a new connection: the gateway
    removes duplicates by ``ref``, so the phone gets the message once even if the first request reached
    it."""
    held = _gateways.__dict__
    if held.get("pid") != os.getpid():  # a forked child never shares its parent's sockets
        held.clear()
        held["pid"], held["connections"] = os.getpid(), {}
    proxy = _proxy_for(url)
    key = (url.scheme, url.netloc, timeout, proxy)
    connection, used = held["connections"].pop(key, (None, 0.0))
    if connection is not None and (time.monotonic() - used > GATEWAY_IDLE_LIMIT or _dropped(connection)):
        connection.close()
        connection = None
    reused = connection is not None
    if connection is None:
        connection = _connect(url, proxy, timeout)
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    if proxy and url.scheme == "http":  # a plain-HTTP proxy is asked for the whole address
        path = f"{url.scheme}://{url.netloc}{path}"
        headers = {**headers, **_proxy_authorization(proxy)}
    try:
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
        except ConnectionError:  # reset or closed before the answer began
            if not reused:
                raise
            connection.close()
            connection = _connect(url, proxy, timeout)
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
        raw = response.read()
    except BaseException:
        connection.close()
        raise
    if response.will_close:
        connection.close()
    else:
        held["connections"][key] = (connection, time.monotonic())
    return response.status, raw


def _proxy_for(url: SplitResult) -> str:
    """The proxy the environment (``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``) names for ``url``, as
    urllib reads it, or ``""`` for a direct connection."""
    names = (f"{url.scheme}_proxy", f"{url.scheme}_PROXY".upper(), "no_proxy", "NO_PROXY", "REQUEST_METHOD")
    return _proxy_lookup(url.scheme, url.netloc, tuple(os.environ.get(name) for name in names))


@functools.lru_cache(maxsize=64)
def _proxy_lookup(scheme: str, netloc: str, _environment: tuple) -> str:
    """``_proxy_for``'s answer, read once per gateway and value of the variables that decide it (urllib
    goes through the whole environment each time: a tenth of a millisecond per SMS)."""
    proxy = urllib.request.getproxies().get(scheme, "")
    if not proxy or urllib.request.proxy_bypass(netloc.rpartition("@")[2]):
        return ""
    return proxy if "://" in proxy else f"http://{proxy}"


def _connect(url: SplitResult, proxy: str, timeout: float) -> http.client.HTTPConnection:
    """A new (not yet opened) connection to the gateway: direct; through an HTTPS gateway's proxy, a
    tunnel (CONNECT) with TLS to the gateway itself inside it; or to a plain-HTTP gateway's proxy."""
    kind = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    if not proxy:
        return kind(url.hostname, url.port, timeout=timeout)
    address = urlsplit(proxy)
    connection = kind(address.hostname, address.port or (443 if address.scheme == "https" else 80), timeout=timeout)
    if url.scheme == "https":
        connection.set_tunnel(url.hostname, url.port or 443, headers=_proxy_authorization(proxy))
    return connection


def _proxy_authorization(proxy: str) -> dict:
    address = urlsplit(proxy)
    if not address.username:
        return {}
    credentials = f"{unquote(address.username)}:{unquote(address.password or '')}"
    return {"Proxy-Authorization": f"Basic {base64.b64encode(credentials.encode()).decode()}"}


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """Whether the peer closed (or broke) the idle connection: its socket reads as ready while no answer
    is awaited (the way urllib3 checks a pooled connection before reusing it)."""
    if connection.sock is None:
        return True
    try:
        readable, _writable, _failed = select.select([connection.sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


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
