from .permissions import feedback_units_handled


def feedback_handler(request):
    """Whether the user handles some unit's feedback, for the navigation (asked only when a template
    reads it; the answer is kept on the user for the rest of the request)."""
    user = getattr(request, "user", None)  # absent when a request is refused before authentication
    return {"handles_feedback": lambda: bool(user is not None and feedback_units_handled(user=user))}
