"""Diacritic- and case-insensitive matching for Vietnamese: "Khai tử", "khai tu" and "KHAI TỬ" fold
to the same text, so a citizen typing without a Vietnamese keyboard finds the same procedures."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[^\w\s.]", re.UNICODE)


def fold(text: str) -> str:
    """Lower case, without diacritics (đ → d), punctuation as spaces, single spaces."""
    text = (text or "").lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", stripped)).strip()


# Every procedure's name starts with "Thủ tục": words that tell procedures apart come after it.
_GENERIC = re.compile(r"(^| )thu tuc( |$)")


def search_words(text: str) -> str:
    """``fold(text)`` without the generic words "thủ tục", for names and queries alike."""
    return _SPACES.sub(" ", _GENERIC.sub(" ", fold(text))).strip()


def padded(text: str) -> str:
    """``search_words(text)`` between spaces, so " token" matches at the start of a word only."""
    return f" {search_words(text)} "


def has_diacritics(text: str) -> bool:
    return fold(text) != _SPACES.sub(" ", _PUNCTUATION.sub(" ", (text or "").lower())).strip()
