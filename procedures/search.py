"""Diacritic- and case-insensitive matching for Vietnamese: "Khai tử", "khai tu" and "KHAI TỬ" fold
to the same text, so a citizen typing without a Vietnamese keyboard finds the same procedures."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[^\w\s.]", re.UNICODE)


# "ký" and "kí", "lý" and "lí", "mỹ" and "mĩ": both spellings are in everyday use after a consonant.
_FINAL_Y = re.compile(r"(?<=[bcdfghklmnpqrstvx])y\b")


def fold(text: str) -> str:
    """Lower case, without diacritics (đ → d), a syllable-final y after a consonant as i, punctuation
    as spaces, single spaces."""
    return _FINAL_Y.sub("i", _strip(text))


def _strip(text: str) -> str:
    text = (text or "").lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", stripped)).strip()


def exact(text: str) -> str:
    """Lower case with diacritics kept (NFC), for "spelled exactly so" comparisons that behave the
    same on SQLite (whose LIKE folds only ASCII letters) and PostgreSQL."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", (text or "").lower())).strip()


# Every procedure's name starts with "Thủ tục": words that tell procedures apart come after it.
_GENERIC = re.compile(r"(^| )thu tuc( |$)")


def search_words(text: str) -> str:
    """``fold(text)`` without the generic words "thủ tục", for names and queries alike."""
    return _SPACES.sub(" ", _GENERIC.sub(" ", fold(text))).strip()


def padded(text: str) -> str:
    """``search_words(text)`` between spaces, so " token" matches at the start of a word only."""
    return f" {search_words(text)} "


def has_diacritics(text: str) -> bool:
    return _strip(text) != _SPACES.sub(" ", _PUNCTUATION.sub(" ", (text or "").lower())).strip()
