"""Reads of the feedback app."""

from .constants import Subject
from .models import AnswerTime


def subject_choices_received() -> list[tuple[str, str]]:
    """The subjects feedback is received about: those with an answer time set."""
    received = set(AnswerTime.objects.values_list("subject", flat=True))
    return [(value, label) for value, label in Subject.choices if value in received]
