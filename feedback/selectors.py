"""Reads of the feedback app, and the expressions its selectors share."""

from datetime import datetime

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery

from procedures.selectors import version_list_current

from .constants import Subject
from .models import AnswerTime


def subject_choices_received() -> list[tuple[str, str]]:
    """The subjects feedback is received about: those with an answer time set."""
    received = set(AnswerTime.objects.values_list("subject", flat=True))
    return [(value, label) for value, label in Subject.choices if value in received]


def procedure_name(procedure: OuterRef) -> Subquery:
    """The name of the version in force of the procedure ``procedure`` points to (a procedure's name
    lives on its versions; ``version_list_current``), None when none is: annotate it as
    ``procedure_name=procedure_name(OuterRef("procedure"))``."""
    # One version is in force at most; no ordering, so no join to the procedure for its code.
    return Subquery(version_list_current().filter(procedure=procedure).order_by().values("name")[:1])


def overdue_condition(*, now: datetime) -> Q:
    """The overdue rule: not answered, and past its due time at ``now``."""
    return Q(answered_at__isnull=True, due_at__lt=now)


def overdue_expression(*, now: datetime) -> ExpressionWrapper:
    """``overdue_condition`` as a value, annotated as ``overdue`` on the lists and pages that show it."""
    return ExpressionWrapper(overdue_condition(now=now), output_field=BooleanField())
