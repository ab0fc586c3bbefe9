from django import template
from django.utils.html import format_html

from dossiers.constants import NATIONAL_CODES, Status, Timeliness

register = template.Library()

_STATUS_CSS = {
    Status.DRAFT: "text-bg-light border",
    Status.SUBMITTED: "text-bg-info",
    Status.RECEIVED: "text-bg-primary",
    Status.PROCESSING: "text-bg-primary",
    Status.SUPPLEMENT_REQUESTED: "text-bg-warning",
    Status.AWAITING_PAYMENT: "text-bg-warning",
    Status.DONE: "text-bg-success",
    Status.RETURNED: "text-bg-success",
}


@register.filter
def field_for_document(form, document):
    return form[f"doc_{document.pk}"]


@register.simple_tag
def status_badge(status: str) -> str:
    """The status as a badge with its national code in a tooltip-free, readable form."""
    code = NATIONAL_CODES.get(status)
    label = Status(status).label
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>',
        _STATUS_CSS.get(status, "text-bg-secondary"),
        code if code is not None else "",
        label,
    )


@register.filter
def timeliness_label(value: str | None) -> str:
    return Timeliness(value).label if value else ""
