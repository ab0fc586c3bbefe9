"""VNPAY's payment URL and notifications (version 2.1.0), as VNPAY documents them.

- The portal sends the citizen to ``VNPAY_URL`` with the ``vnp_*`` parameters, sorted by name, each
  key and value URL-encoded (spaces as ``+``), joined with ``&``, and signed with HMAC-SHA512 under the
  merchant's secret (``vnp_SecureHash``). Amounts are in đồng times 100; times are yyyyMMddHHmmss in
  Asia/Ho_Chi_Minh.
- VNPAY calls the IPN address server to server with the result, signed the same way; the portal
  answers ``{"RspCode", "Message"}``: 00 confirmed, 01 order not found, 02 already confirmed,
  04 invalid amount, 97 invalid signature, 99 other error. The citizen's browser comes back to the
  return address with the same parameters (shown, never trusted to change anything).
- A payment succeeded when ``vnp_ResponseCode`` and ``vnp_TransactionStatus`` are both ``00``.
- A secret that is a placeholder or weak (``onestop.checks.secret_weakness``) verifies nothing: anyone
  who guesses it could sign "paid". Only the demo's own secret is accepted, and only while the portal's
  simulator plays VNPAY (never with ``DEBUG`` off).
"""

import hashlib
import hmac
import re
import unicodedata
from datetime import datetime, timedelta
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from onestop.checks import VNPAY_SECRET_MIN_LENGTH, secret_weakness

VERSION = "2.1.0"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CONFIRMED, NOT_FOUND, ALREADY_CONFIRMED, INVALID_AMOUNT, INVALID_SIGNATURE, OTHER = "00", "01", "02", "04", "97", "99"
ANSWERS = {
    CONFIRMED: "Confirm Success",
    NOT_FOUND: "Order not found",
    ALREADY_CONFIRMED: "Order already confirmed",
    INVALID_AMOUNT: "Invalid amount",
    INVALID_SIGNATURE: "Invalid signature",
    OTHER: "Unknown error",
}


# The embedded default's secret (onestop/settings.py): the simulator signs with it, so it proves nothing.
SIMULATOR_SECRET = "demo-secret-for-the-simulator-only"  # noqa: S105 (published: the demo's)
# What a notification from VNPAY can hold; anything else is refused (99) before it is looked at.
REQUIRED = ("vnp_Amount", "vnp_ResponseCode", "vnp_SecureHash", "vnp_TxnRef")
MAX_PARAMS = 40
MAX_KEY_LENGTH = 40
MAX_VALUE_LENGTH = 255  # vnp_OrderInfo, the longest field VNPAY sends
AMOUNT = re.compile(r"[0-9]{1,19}")
AMOUNT_LIMIT = 2**63  # the largest amount a bigint column holds, plus one


def secret_problem() -> str | None:
    """Why the configured secret cannot be trusted to verify notifications, or None when it can."""
    secret = settings.VNPAY_HASH_SECRET
    if settings.VNPAY_SIMULATOR and secret == SIMULATOR_SECRET:
        return None
    problem = secret_weakness(secret, min_length=VNPAY_SECRET_MIN_LENGTH)
    return f"VNPAY_HASH_SECRET is {problem}" if problem else None


def malformed(params: dict[str, str]) -> str | None:
    """Why ``params`` cannot be a notification from VNPAY at all (too many or too long fields, control
    characters, a field missing, an amount that is not a whole number of the database's size), or None."""
    if len(params) > MAX_PARAMS:
        return f"more than {MAX_PARAMS} parameters"
    for key, value in params.items():
        if len(key) > MAX_KEY_LENGTH or len(value) > MAX_VALUE_LENGTH:
            return "a parameter is too long"
        if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in key + value):
            return "a control character in a parameter"
    missing = [key for key in REQUIRED if not params.get(key)]
    if missing:
        return "missing " + ", ".join(missing)
    if not AMOUNT.fullmatch(params["vnp_Amount"]) or int(params["vnp_Amount"]) >= AMOUNT_LIMIT:
        return "vnp_Amount is not a whole number of đồng × 100"
    return None


def _signed_part(params: dict) -> str:
    fields = sorted(
        (k, str(v))
        for k, v in params.items()
        if k.startswith("vnp_") and k not in ("vnp_SecureHash", "vnp_SecureHashType") and str(v) != ""
    )
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in fields)


def sign(params: dict, secret: str | None = None) -> str:
    secret = settings.VNPAY_HASH_SECRET if secret is None else secret
    return hmac.new(secret.encode(), _signed_part(params).encode(), hashlib.sha512).hexdigest()


def verify(params: dict, secret: str | None = None) -> bool:
    """Whether ``params`` carry a valid signature under ``secret`` (by default the configured one,
    which must be trustworthy: a placeholder verifies nothing)."""
    if secret is None and secret_problem():
        return False
    given = str(params.get("vnp_SecureHash", ""))
    try:
        return bool(given) and hmac.compare_digest(given.lower(), sign(params, secret))
    except (TypeError, UnicodeEncodeError):  # not ASCII, or unencodable text: not a signature
        return False


def _stamp(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime("%Y%m%d%H%M%S")


def payment_url(
    *, reference: str, amount: int, description: str, client_ip: str, return_url: str, now: datetime
) -> str:
    """The address to send the citizen to, signed."""
    params = {
        "vnp_Version": VERSION,
        "vnp_Command": "pay",
        "vnp_TmnCode": settings.VNPAY_TMN_CODE,
        "vnp_Amount": str(amount * 100),
        "vnp_CurrCode": "VND",
        "vnp_TxnRef": reference,
        "vnp_OrderInfo": description,
        "vnp_OrderType": "other",
        "vnp_Locale": "vn",
        "vnp_ReturnUrl": return_url,
        "vnp_IpAddr": client_ip or "127.0.0.1",
        "vnp_CreateDate": _stamp(now),
        "vnp_ExpireDate": _stamp(now + timedelta(minutes=settings.VNPAY_EXPIRE_MINUTES)),
    }
    query = _signed_part(params)
    return f"{gateway_url()}?{query}&vnp_SecureHash={sign(params)}"


def gateway_url() -> str:
    """VNPAY's payment page, or without one configured the portal's own simulator (the demo)."""
    return settings.VNPAY_URL or settings.PORTAL_URL.rstrip("/") + reverse("dossiers:payment_simulator")


def succeeded(params: dict) -> bool:
    return params.get("vnp_ResponseCode") == "00" and params.get("vnp_TransactionStatus", "00") == "00"


def answer(code: str) -> dict:
    return {"RspCode": code, "Message": ANSWERS[code]}
