"""Following a feedback on the public lookup page (``/tra-cuu/``, the dossiers app's), named there by
``settings.LOOKUP_PROVIDERS``: the dossiers app asks every provider in turn for a code that is not a
dossier's and never imports this app.

A provider has ``hint`` (a sentence shown under the form) and ``find(*, code, secret)``, which returns
None or ``{"template": ..., "result": ...}``, the result being rendered by ``template`` on the page.
The same rate limits apply as for dossiers: they are the page's, keyed on the code as it is read."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.codes import dossier_code_normalize, lookup_digits_normalize

from .constants import FeedbackEventKind
from .models import Feedback, FeedbackEvent
from .selectors import overdue_expression

# What the public sees of a history: when, what happened, at which unit (never a note or a person).
PUBLIC_EVENT_KINDS = (FeedbackEventKind.SENT, FeedbackEventKind.MOVED, FeedbackEventKind.ANSWERED)


def feedback_lookup(*, code: str, secret: str, now=None) -> Feedback | None:
    """The feedback with ``code`` whose sender's confirmed phone number or citizen ID ends with the 4
    digits ``secret``, with ``overdue`` at ``now``; None otherwise (one answer for "no such code" and
    "wrong digits"). The code is read as the dossier lookup reads its codes (case, spaces and dashes of
    any kind do not count)."""
    code, secret = dossier_code_normalize(code), lookup_digits_normalize(secret)
    if len(secret) != 4 or not secret.isdigit() or not code.startswith("PA-"):
        return None
    events = FeedbackEvent.objects.filter(kind__in=PUBLIC_EVENT_KINDS).select_related("agency")
    feedback = (
        Feedback.objects.select_related("agency", "sender")
        .annotate(overdue=overdue_expression(now=now or timezone.now()))
        .prefetch_related(Prefetch("events", queryset=events.order_by("created_at", "pk")))
        .filter(code=code)
        .first()
    )
    if feedback is None:
        return None
    candidates = [feedback.sender.confirmed_phone, feedback.sender.citizen_id]
    return feedback if any(value and value.endswith(secret) for value in candidates) else None


def feedback_lookup_result(*, feedback: Feedback) -> dict:
    """What the lookup shows of ``feedback`` (as ``feedback_lookup`` reads it): its code, subject,
    status, the unit holding it, its due time (and whether it has passed) and the history (when, what,
    which unit). Not the sender, not their text, and not the answer: a code and 4 digits can be guessed,
    and the answer is a letter to the sender that may hold personal data (the sender reads it after
    logging in; a published answer is on the page of published answers)."""
    return {
        "code": feedback.code,
        "subject": feedback.get_subject_display(),
        "status": feedback.status,
        "status_label": feedback.get_status_display(),
        "agency": feedback.agency.name,
        "due_at": feedback.due_at,
        "overdue": feedback.overdue,
        "answered_at": feedback.answered_at,
        "answered_on_time": feedback.answered_on_time,
        "timeline": [
            {"created_at": event.created_at, "what": event.get_kind_display(), "agency": event.agency.name}
            for event in feedback.events.all()
        ],
    }


class FeedbackLookupProvider:
    """The feedback app's part of the lookup page (``settings.LOOKUP_PROVIDERS``)."""

    hint = _(
        "To follow feedback or a petition, type its code (PA-…) and the last 4 digits of the sender's phone "
        "number or citizen ID."
    )
    template = "feedback/lookup_result.html"

    def find(self, *, code: str, secret: str) -> dict | None:
        feedback = feedback_lookup(code=code, secret=secret)
        if feedback is None:
            return None
        return {"template": self.template, "result": feedback_lookup_result(feedback=feedback)}


provider = FeedbackLookupProvider()
