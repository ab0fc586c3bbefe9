"""Validators and normalisers for Vietnamese identifiers: phone numbers, citizen ID, agency codes."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Province codes that open a 12-digit citizen ID number (Circular 07/2016/TT-BCA, Annex I).
CITIZEN_ID_PROVINCE_CODES = frozenset(
    [
        "001",
        "002",
        "004",
        "006",
        "008",
        "010",
        "011",
        "012",
        "014",
        "015",
        "017",
        "019",
        "020",
        "022",
        "024",
        "025",
        "026",
        "027",
        "030",
        "031",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "040",
        "042",
        "044",
        "045",
        "046",
        "048",
        "049",
        "051",
        "052",
        "054",
        "056",
        "058",
        "060",
        "062",
        "064",
        "066",
        "067",
        "068",
        "070",
        "072",
        "074",
        "075",
        "077",
        "079",
        "080",
        "082",
        "083",
        "084",
        "086",
        "087",
        "089",
        "091",
        "092",
        "093",
        "094",
        "095",
        "096",
    ]
)

_PHONE_RE = re.compile(r"^0\d{9,10}$")
# Electronic ID code of an agency (QCVN 102:2016/BTTTT, QĐ 20/2020/QĐ-TTg): "H56" for a level-1 unit,
# "V1V2V3.Z1Z2.Y1Y2.H56" below it.
_AGENCY_CODE_RE = re.compile(r"^([A-Z]\d{2}|\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})$")


def normalize_phone(value: str) -> str:
    """``+84 912 345 678``, ``84912345678`` and ``0912.345.678`` all become ``0912345678``."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits


def validate_phone(value: str) -> None:
    if not _PHONE_RE.match(normalize_phone(value)):
        raise ValidationError(
            _("Enter a Vietnamese phone number of 10 or 11 digits starting with 0, e.g. 0912345678."),
            code="invalid_phone",
        )


def validate_citizen_id(value: str) -> None:
    if not re.fullmatch(r"\d{12}", value or ""):
        raise ValidationError(_("A citizen ID number has exactly 12 digits."), code="invalid_citizen_id")
    if value[:3] not in CITIZEN_ID_PROVINCE_CODES:
        raise ValidationError(
            _("The first three digits of a citizen ID number must be a province code."),
            code="invalid_citizen_id_province",
        )


def validate_agency_code(value: str) -> None:
    if not _AGENCY_CODE_RE.match(value or ""):
        raise ValidationError(
            _("An agency code looks like H56 or 000.17.22.H56."),
            code="invalid_agency_code",
        )
