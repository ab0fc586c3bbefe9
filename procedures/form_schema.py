"""The online form of a procedure: a list of typed fields stored as JSON, validated before it is saved,
and turned into a real Django form for the dossier wizard.

A field is ``{"name": "ho_ten_tre", "label": "Họ, chữ đệm, tên của trẻ", "type": "text",
"required": true, "help": "...", "choices": [...]}``; ``choices`` only for ``choice``.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.validators import validate_citizen_id, validate_phone

from .constants import FormFieldType

NAME_PATTERN = r"^[a-z][a-z0-9_]{0,49}$"
ALLOWED_KEYS = {"name", "label", "type", "required", "help", "choices"}


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
    if problems:
        raise ValidationError(problems, code="invalid_form_schema")


def _form_field(spec: dict) -> forms.Field:
    common = {"label": spec["label"], "required": spec.get("required", False), "help_text": spec.get("help", "")}
    kind = spec["type"]
    if kind == FormFieldType.NUMBER:
        return forms.DecimalField(**common)
    if kind == FormFieldType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == FormFieldType.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *((c, c) for c in spec["choices"])], **common)
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
            stored[name] = format(value.normalize(), "f")
        else:
            stored[name] = str(value)
    return stored
