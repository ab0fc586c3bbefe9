"""A service's refusal shown on the form that asked for it."""

from django.core.exceptions import ValidationError


def form_add_service_errors(form, error: ValidationError) -> None:
    """Put ``error`` (raised by a service) on ``form``: messages naming one of its fields under that
    field, the rest (other names, or no name at all) above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
