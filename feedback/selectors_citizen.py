"""Reads for the sender's pages and the public list of published answers. The sender reads only their
own feedback (anyone else's is absent, hence a 404); the public reads only answers the sender allowed to
publish, as the unit wrote them for publication (``public_summary``, ``public_answer``), and never the
sender, their words, the feedback's code or the answer sent to the sender."""

from datetime import datetime

from django.db.models import OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Agency, User
from procedures.models import Procedure

from .models import Feedback, FeedbackEvent
from .selectors import overdue_expression, procedure_name

# What the public list may read of a feedback: the question and the answer as the unit wrote them for
# publication; nothing about the sender, their text, the code, nor the answer sent to them (a letter).
PUBLIC_FIELDS = ("pk", "agency", "procedure", "subject", "public_summary", "public_answer", "answered_at")


def feedback_list_sent_by(*, user: User, now: datetime | None = None) -> QuerySet[Feedback]:
    """``user``'s own feedback, newest first, each with the unit holding it, the dossier and the
    procedure's name, and ``overdue``: unanswered and past its due time at ``now``."""
    now = now or timezone.now()
    return (
        Feedback.objects.filter(sender=user)
        .select_related("agency", "procedure", "dossier")
        .annotate(procedure_name=procedure_name(OuterRef("procedure")), overdue=overdue_expression(now=now))
        .order_by("-received_at", "-pk")
    )


def feedback_get_sent_by(*, user: User, reference, now: datetime | None = None) -> Feedback | None:
    """``user``'s feedback ``reference`` with what its follow page shows (the attachments, the history
    with its units), or None when there is none of theirs by that reference."""
    events = FeedbackEvent.objects.select_related("agency", "from_agency").order_by("created_at", "pk")
    return (
        feedback_list_sent_by(user=user, now=now)
        .select_related("dossier__procedure_version")
        .prefetch_related("attachments", Prefetch("events", queryset=events))
        .filter(reference=reference)
        .first()
    )


def _published() -> Q:
    """Answered, its sender allowed publication, and the unit wrote the answer as published (an answer
    without that text, given before it was asked for, is not published: its letter never is)."""
    return Q(may_publish=True, answered_at__isnull=False) & ~Q(public_answer="")


def feedback_list_published(*, procedure_id: int | None = None, agency_id: int | None = None) -> QuerySet[Feedback]:
    """The answers their senders allowed to publish, newest answer first, optionally of one procedure
    or one unit. Only ``PUBLIC_FIELDS`` are loaded."""
    published = Feedback.objects.filter(_published())
    if procedure_id is not None:
        published = published.filter(procedure_id=procedure_id)
    if agency_id is not None:
        published = published.filter(agency_id=agency_id)
    return (
        published.select_related("agency", "procedure")
        .only(*PUBLIC_FIELDS, "agency__name", "agency__code", "procedure__code")
        .annotate(procedure_name=procedure_name(OuterRef("procedure")))
        .order_by("-answered_at", "-pk")
    )


def published_filter_choices() -> dict[str, list[tuple[int, str]]]:
    """The procedures and units that have published answers, to filter the public list by."""
    published = Feedback.objects.filter(_published())
    procedures = (
        Procedure.objects.filter(pk__in=published.values("procedure_id"))
        .annotate(name=procedure_name(OuterRef("pk")))
        .values_list("pk", "code", "name")
    )
    units = Agency.objects.filter(pk__in=published.values("agency_id")).order_by("name").values_list("pk", "name")
    return {
        "procedures": sorted(((pk, f"{name or code} ({code})") for pk, code, name in procedures), key=_by_label),
        "units": list(units),
    }


def _by_label(choice: tuple[int, str]) -> str:
    return choice[1].casefold()
