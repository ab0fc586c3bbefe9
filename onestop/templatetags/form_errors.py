"""The error summary at the top of a form (templates/_form_errors.html): every error of one form, or
of several forms on one page, as a link to its field."""

from dataclasses import dataclass

from django import forms as django_forms
from django import template

register = template.Library()


@dataclass(frozen=True)
class ErrorItem:
    message: str
    label: str = ""
    href: str = ""  # "#id_<prefix>-<name>", empty for an error of the whole form


def _target(bound_field) -> str:
    """The element a link to ``bound_field`` should move to: its input, or a choice list's first input."""
    target = bound_field.id_for_label
    if not target and bound_field.auto_id:
        widget = bound_field.field.widget
        multiple = isinstance(widget, django_forms.RadioSelect | django_forms.CheckboxSelectMultiple)
        target = f"{bound_field.auto_id}_0" if multiple else bound_field.auto_id
    return f"#{target}" if target else ""


def _items(form) -> list[ErrorItem]:
    if not hasattr(form, "non_field_errors") or not form.errors:  # an unbound form has none
        return []
    # An error of the whole form (a login that failed) leads to its first field, where putting it right starts.
    first = next((form[name] for name, field in form.fields.items() if not field.widget.is_hidden), None)
    first_href = _target(first) if first is not None else ""
    items = [ErrorItem(message=str(message), href=first_href) for message in form.non_field_errors()]
    for name, field in form.fields.items():
        if name not in form.errors:
            continue
        bound = form[name]
        href = "" if field.widget.is_hidden else _target(bound)
        label = "" if field.widget.is_hidden else str(bound.label or "")
        items.extend(ErrorItem(message=str(message), label=label, href=href) for message in form.errors[name])
    return items


@register.simple_tag
def form_error_items(form=None, forms=None) -> list[ErrorItem]:
    """The errors of ``form`` and of each of ``forms`` (a list or a dict's values), in page order."""
    candidates = [form] if form is not None and form != "" else []
    if forms:
        candidates.extend(forms.values() if isinstance(forms, dict) else forms)
    return [item for candidate in candidates if candidate for item in _items(candidate)]


@register.simple_tag
def forms_have_errors(*forms) -> bool:
    """True when any of ``forms`` (forms, lists or dicts of forms) is bound and has an error: the page
    title then starts with "Lỗi:"."""
    return bool(form_error_items(forms=[f for group in forms for f in _flatten(group)]))


def _flatten(group):
    if isinstance(group, dict):
        return list(group.values())
    if isinstance(group, list | tuple):
        return list(group)
    return [group] if group not in (None, "") else []
