"""Codes a citizen types or pastes: a dossier code (``000.17.22.H56-210531-0001``) on the public
lookup and a result's verification code (``ABCD-EFGH-JKLM``) on the verification page.

Each has one normalising function, used both by the page's lookup and by the key of its rate limits,
so every spelling the lookup treats as one code also counts against that one code's budget: case,
spaces of any kind (tab, CR/LF, non-breaking and other Unicode spaces), invisible characters
(zero-width space, byte-order mark, soft hyphen), full-width letters and digits, typographic dashes
and dots are what a message or a PDF adds to a code, never part of it.
"""

import re
import unicodedata

from .signing import CODE_ALPHABET

_DASHES = {"\u2212", "\u2043", "\u02d7"}  # minus sign, hyphen bullet, modifier minus: not "Pd" but read as one
_DOTS = {"\u3002", "\u00b7", "\u2219", "\u22c5", "\u30fb"}  # ideographic full stop, middle dots
_IGNORED = {"Cc", "Cf", "Zs", "Zl", "Zp"}  # control, format (zero-width), and space characters


def _plain(value) -> str:
    """``value`` as plain upper-case ASCII-like text: NFKC (full-width forms, non-breaking spaces),
    without spaces or invisible characters, every dash a hyphen and every dot a full stop."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in _IGNORED or char.isspace():
            continue
        if category == "Pd" or char in _DASHES:
            char = "-"
        elif char in _DOTS:
            char = "."
        kept.append(char)
    return "".join(kept).upper()


def dossier_code_normalize(value) -> str:
    """A dossier code as printed on the receipt: upper case, no spaces, plain hyphens and full stops.
    The full stops of the agency's code are part of the code and kept."""
    return _plain(value)


def lookup_digits_normalize(value) -> str:
    """The lookup's 4 digits as typed: without spaces, full-width digits read as digits."""
    return _plain(value)


VERIFICATION_CODE = re.compile(rf"[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}")


def verification_code_normalize(value) -> str:
    """A verification code as printed under the QR code (``ABCD-EFGH-JKLM``), however its groups were
    separated (hyphens, dashes, dots, spaces or nothing). Text that is not 12 characters of the code's
    alphabet comes back compacted, and ``verification_code_is_valid`` says no to it."""
    compact = _plain(value).replace("-", "").replace(".", "")
    if len(compact) == 12 and all(char in CODE_ALPHABET for char in compact):
        return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}"
    return compact


def verification_code_is_valid(code: str) -> bool:
    """``code`` (normalised) could be a verification code: only those are looked up or put in a link."""
    return VERIFICATION_CODE.fullmatch(code) is not None
