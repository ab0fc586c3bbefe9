"""The online form of a procedure: a list of typed fields stored as JSON, validated before it is saved,
and turned into a real Django form for the dossier wizard.

A field is ``{"name": "ho_ten_tre", "label": "Họ, chữ đệm, tên của trẻ", "type": "text",
"required": true, "help": "...", "choices": [...]}``; ``choices`` only for ``choice``. A ``number``
may also say ``"integer": true`` (whole numbers only) and give ``"min"`` and ``"max"`` (inclusive),
e.g. ``{"name": "so_ban", "label": "Số bản", "type": "number", "integer": true, "min": 1, "max": 50}``.
A field may say ``"prefill": "address"`` (or ``full_name``, ``citizen_id``, ``phone``, ``email``) to
start filled with that detail of the applicant. Whatever the schema says, a number is at most
``MAX_NUMBER_CHARS`` characters long and written in plain digits (no exponent), so ``1e1000000``
never reaches the database.
"""

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.validators import validate_citizen_id, validate_phone
from onestop.choose import CHOOSE
from onestop.widgets import DAY_FORMATS, DayInput

from .constants import FormFieldType
from .money import dong

NAME_PATTERN = r"^[a-z][a-z0-9_]{0,49}$"
ALLOWED_KEYS = {"name", "label", "type", "required", "help", "choices", "integer", "min", "max", "prefill"}
# A field may start filled with one of the applicant's details, so nothing is typed twice.
PREFILL_SOURCES = ("full_name", "citizen_id", "phone", "email", "address")
NUMBER_KEYS = ("integer", "min", "max")
MAX_NUMBER_CHARS = 20  # what a person types, separators included: 18 digits are more than any count or sum
MAX_DIGITS = 18
DECIMAL_PLACES = 4
# 1.000.000 or 1 000 000: thousands grouped as Vietnamese texts write them (a decimal comma after).
_GROUPED = re.compile(r"^(-?[0-9]{1,3})((?:([. ])[0-9]{3})(?:\3[0-9]{3})*)(,[0-9]+)?$")
_INTEGER = re.compile(r"^-?[0-9]+$")
_DECIMAL = re.compile(r"^-?[0-9]+(?:[.,][0-9]+)?$")


def _plain_digits(text: str, *, integer: bool) -> str | None:
    """``text`` as plain digits with an optional ``-`` and ``.`` decimal point, or None if it is not a
    number written in one of the ways people write them. For a whole number every dot or space groups
    thousands (1.000 is a thousand); for a decimal a lone dot is the decimal point, as stored answers
    and foreign keyboards write it, and a comma always is."""
    grouped = _GROUPED.match(text)
    if grouped and (integer or grouped.group(3) == " " or grouped.group(4) or text.count(".") > 1):
        text = text.replace(".", "").replace(" ", "")
    if integer:
        return text if _INTEGER.match(text) else None
    return text.replace(",", ".") if _DECIMAL.match(text) else None


def validate_form_schema(schema) -> None:
    """Raise ``ValidationError`` listing every problem, each naming the field by position and name."""
    if not isinstance(schema, list):
        raise ValidationError(_("The online form must be a list of fields."), code="form_not_list")
    problems = []
    seen = set()
    types = set(FormFieldType.values)
    for index, field in enumerate(schema, start=1):
        if not isinstance(field, dict):
            problems.append(_("Field %(index)s: must be an object with name, label and type.") % {"index": index})
            continue
        label = field.get("name") if isinstance(field.get("name"), str) else "?"
        where = _("Field %(index)s (“%(name)s”)") % {"index": index, "name": label}
        unknown = sorted(set(field) - ALLOWED_KEYS)
        if unknown:
            problems.append(_("%(where)s: unknown keys %(keys)s.") % {"where": where, "keys": ", ".join(unknown)})
        name = field.get("name")
        if not isinstance(name, str) or not re.match(NAME_PATTERN, name):
            problems.append(
                _("%(where)s: the name must be lower-case letters, digits and _ and start with a letter.")
                % {"where": where}
            )
        elif name in seen:
            problems.append(_("%(where)s: the name is used twice.") % {"where": where})
        else:
            seen.add(name)
        if not isinstance(field.get("label"), str) or not field["label"].strip():
            problems.append(_("%(where)s: the label is missing.") % {"where": where})
        kind = field.get("type")
        if not isinstance(kind, str) or kind not in types:
            problems.append(
                _("%(where)s: the type “%(type)s” is not one of %(types)s.")
                % {"where": where, "type": kind if isinstance(kind, str) else "?", "types": ", ".join(sorted(types))}
            )
        if "required" in field and not isinstance(field["required"], bool):
            problems.append(_("%(where)s: “required” must be true or false.") % {"where": where})
        if "help" in field and not isinstance(field["help"], str):
            problems.append(_("%(where)s: the help text must be text.") % {"where": where})
        choices = field.get("choices")
        if kind == FormFieldType.CHOICE:
            if not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, str) and c for c in choices):
                problems.append(_("%(where)s: a choice field needs at least two choices.") % {"where": where})
        elif choices is not None:
            problems.append(_("%(where)s: only a choice field has choices.") % {"where": where})
        problems.extend(_number_problems(field, kind, where))
        if "prefill" in field and field["prefill"] not in PREFILL_SOURCES:
            problems.append(
                _("%(where)s: “prefill” must be one of %(sources)s.")
                % {"where": where, "sources": ", ".join(PREFILL_SOURCES)}
            )
    if problems:
        raise ValidationError(problems, code="invalid_form_schema")


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number_problems(field: dict, kind, where: str) -> list[str]:
    """What is wrong with the ``integer``, ``min`` and ``max`` keys of one field."""
    given = [key for key in NUMBER_KEYS if key in field]
    if not given:
        return []
    if kind != FormFieldType.NUMBER:
        return [_("%(where)s: only a number field has %(keys)s.") % {"where": where, "keys": ", ".join(given)}]
    problems = []
    integer = field.get("integer", False)
    if not isinstance(integer, bool):
        problems.append(_("%(where)s: “integer” must be true or false.") % {"where": where})
        integer = False
    bounds = {}
    for key in ("min", "max"):
        if key not in field:
            continue
        value = field[key]
        if not _is_number(value) or value != value or abs(value) >= 10**MAX_DIGITS:  # NaN differs from itself
            problems.append(_("%(where)s: “%(key)s” must be a number.") % {"where": where, "key": key})
        elif integer and value != int(value):
            problems.append(
                _("%(where)s: “%(key)s” must be a whole number for a whole-number field.")
                % {"where": where, "key": key}
            )
        else:
            bounds[key] = value
    if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
        problems.append(_("%(where)s: “min” is larger than “max”.") % {"where": where})
    return problems


def _plain(value) -> str:
    """``5.0`` as ``5``, ``1000000`` as ``1.000.000``, ``0.5`` as ``0,5``: a bound as Vietnamese texts
    write it."""
    number = Decimal(str(value))
    if number == number.to_integral():
        return dong(int(number))  # grouped by thousands: 1.000.000
    return format(number, "f").replace(".", ",")


def _number_message(spec: dict) -> str:
    """One clear sentence for every way a number can be wrong: it names what is accepted."""
    whole = spec.get("integer", False)
    low, high = spec.get("min"), spec.get("max")
    values = {"min": _plain(low) if low is not None else "", "max": _plain(high) if high is not None else ""}
    if low is not None and high is not None:
        text = (
            _("Enter a whole number from %(min)s to %(max)s.")
            if whole
            else _("Enter a number from %(min)s to %(max)s.")
        )
    elif low is not None:
        text = _("Enter a whole number of at least %(min)s.") if whole else _("Enter a number of at least %(min)s.")
    elif high is not None:
        text = _("Enter a whole number of at most %(max)s.") if whole else _("Enter a number of at most %(max)s.")
    else:
        text = _("Enter a whole number, e.g. 2.") if whole else _("Enter a number, e.g. 2 or 2,5.")
    return text % values


class NumberField(forms.Field):
    """A number typed as a person types it: digits, a minus sign, thousands grouped by dots or spaces
    (1.000.000) and, unless whole, a decimal comma or point. Nothing longer than ``MAX_NUMBER_CHARS``
    characters and no exponent: ``1e1000000`` is refused, never stored. Cleans to ``int`` or
    ``Decimal``."""

    def __init__(self, *, integer=False, min_value=None, max_value=None, message="", **kwargs):
        self.integer, self.min_value, self.max_value = integer, min_value, max_value
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "inputmode": "numeric" if integer else "decimal",
                    "maxlength": MAX_NUMBER_CHARS,
                    "autocomplete": "off",
                }
            ),
        )
        super().__init__(**kwargs)
        self.message = message or _("Enter a number, e.g. 2 or 2,5.")

    def to_python(self, value):
        text = str(value if value is not None else "").strip()
        if text in self.empty_values:
            return None
        if len(text) > MAX_NUMBER_CHARS:
            raise ValidationError(self.message, code="too_long")
        plain = _plain_digits(text, integer=self.integer)
        if plain is None:
            raise ValidationError(self.message, code="invalid")
        if self.integer:
            return int(plain)
        number = Decimal(plain)
        if -number.as_tuple().exponent > DECIMAL_PLACES or len(number.as_tuple().digits) > MAX_DIGITS:
            raise ValidationError(self.message, code="invalid")
        return number

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if (self.min_value is not None and value < self.min_value) or (
            self.max_value is not None and value > self.max_value
        ):
            raise ValidationError(self.message, code="out_of_range")


def _form_field(spec: dict) -> forms.Field:
    common = {"label": spec["label"], "required": spec.get("required", False), "help_text": spec.get("help", "")}
    kind = spec["type"]
    if kind == FormFieldType.NUMBER:
        message = _number_message(spec)
        if not common["help_text"] and ("min" in spec or "max" in spec):
            common["help_text"] = message  # the range is said before the citizen types, not only after
        return NumberField(
            integer=spec.get("integer", False),
            min_value=Decimal(str(spec["min"])) if "min" in spec else None,
            max_value=Decimal(str(spec["max"])) if "max" in spec else None,
            message=message,
            **common,
        )
    if kind == FormFieldType.DATE:
        return forms.DateField(
            input_formats=DAY_FORMATS,
            widget=DayInput(),
            error_messages={"invalid": _("Enter a day as dd/mm/yyyy.")},
            **common,
        )
    if kind == FormFieldType.CHOICE:
        return forms.ChoiceField(choices=[("", CHOOSE), *((c, c) for c in spec["choices"])], **common)
    if kind == FormFieldType.YES_NO:
        return forms.TypedChoiceField(
            choices=[("yes", _("Yes")), ("no", _("No"))],
            coerce=lambda value: value == "yes",
            widget=forms.RadioSelect,
            **common,
        )
    if kind == FormFieldType.CITIZEN_ID:
        return forms.CharField(
            max_length=12,
            validators=[validate_citizen_id],
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            **common,
        )
    if kind == FormFieldType.PHONE:
        return forms.CharField(
            max_length=20, validators=[validate_phone], widget=forms.TextInput(attrs={"type": "tel"}), **common
        )
    if kind == FormFieldType.ADDRESS:
        return forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}), **common)
    return forms.CharField(max_length=500, **common)


def form_class_for(schema: list[dict]) -> type[forms.Form]:
    """A form class with one field per entry of a validated ``schema``, in order."""
    validate_form_schema(schema)
    return type("ProcedureForm", (forms.Form,), {spec["name"]: _form_field(spec) for spec in schema})


def answers_with_prefill(schema: list[dict], answers: dict, applicant: dict) -> dict:
    """``answers`` with every field that names a ``prefill`` source and has no answer yet filled from
    the applicant's details (e.g. the place of residence from the applicant's address)."""
    filled = dict(answers or {})
    for spec in schema:
        source = spec.get("prefill")
        if source and not filled.get(spec["name"]) and (applicant or {}).get(source):
            filled[spec["name"]] = applicant[source]
    return filled


def answer_for_display(spec: dict, value) -> str:
    """A stored answer as a person reads it: a date day first, yes/no in words, a decimal with a comma;
    anything else as stored."""
    text = str(value or "")
    if not text:
        return ""
    kind = spec.get("type")
    if kind == FormFieldType.YES_NO:
        return str(_("Yes")) if text == "yes" else str(_("No")) if text == "no" else text
    if kind == FormFieldType.DATE:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return text
        return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
    if kind == FormFieldType.NUMBER:
        return text.replace(".", ",")
    return text


def answers_to_storage(schema: list[dict], cleaned: dict) -> dict:
    """Cleaned form values as JSON text that the same form accepts again: yes/no as "yes"/"no", dates
    as ISO dates, numbers as plain decimals, empty as ""."""
    kinds = {spec["name"]: spec["type"] for spec in schema}
    stored = {}
    for name, value in cleaned.items():
        if name not in kinds:
            continue
        if value is None or value == "":
            stored[name] = ""
        elif kinds[name] == FormFieldType.YES_NO:
            stored[name] = "yes" if value else "no"
        elif kinds[name] == FormFieldType.DATE:
            stored[name] = value.isoformat()
        elif kinds[name] == FormFieldType.NUMBER:
            stored[name] = str(value) if isinstance(value, int) else format(value.normalize(), "f")
        else:
            stored[name] = str(value)
    return stored
