"""Scheduled messages about feedback to staff (declared in ``CELERY_BEAT_SCHEDULE``), each idempotent
for its day, like the dossiers' (``dossiers/reminders.py``):

- ``feedback_reminders_send`` (daily, 07:15; nothing on a day off): each unanswered feedback due before
  the close of the next working day, to the handlers of the unit holding it. A feedback is thus
  recalled on the working day before it falls due (a Friday for a Monday) and on that day itself.
  Once per feedback, person and local day.
- ``feedback_escalations_send`` (daily, 07:20): each unanswered feedback past its due time, to the
  leaders of the unit holding it (the nearest unit up the tree that has leaders). Once per feedback,
  person and due time.
- ``feedback_digests_send`` (daily, 07:25): to the leaders of each unit holding unanswered feedback,
  its overdue ones, those due today and the new ones (received in the 24 hours before the run: run at
  the same time each day, a feedback is new in one digest only). Once per unit, leader and local day;
  nothing when the three lists are empty.

Only unanswered feedback is ever mentioned, always at the unit holding it now (a feedback passed on
reminds its new unit). Running a job twice on the same day (a beat restarted, a task redelivered)
writes nothing more.
"""

from datetime import timedelta

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.links import absolute
from accounts.models import Agency, User
from dossiers.constants import NotificationKind
from dossiers.outbox import notify
from dossiers.reminders import leaders_of
from procedures.calendar import WorkingCalendar

from .models import Feedback
from .notices import FOLDER, handlers_of, staff_link
from .selectors_staff import DUE_OVERDUE, due_condition
from .selectors_staff import DUE_TODAY as INBOX_DUE_TODAY

DIGEST_LINES = 200  # a longer digest is cut, each list saying how many more the inbox holds

# The digest's lists, the most urgent first, each with the inbox's filter showing it; a feedback is
# listed once, in the first that takes it.
OVERDUE, DUE_TODAY, NEW = 0, 1, 2
SECTIONS = (
    (OVERDUE, _("Overdue"), DUE_OVERDUE),
    (DUE_TODAY, _("Due today"), INBOX_DUE_TODAY),
    (NEW, _("New in the last 24 hours"), ""),
)


def inbox_link(due: str = "") -> str:
    """The staff inbox of feedback, filtered by due time (``overdue``, ``today``) when ``due`` is given."""
    return absolute(reverse("feedback:staff_inbox") + (f"?due={due}" if due else ""))


def _unanswered():
    return Feedback.objects.filter(answered_at__isnull=True).select_related("agency")


def _tell(person: User, feedback: Feedback, kind: str, template: str, *, key: str) -> None:
    with transaction.atomic():
        notify(
            recipient=person,
            key=key,
            kind=kind,
            template=f"{FOLDER}/{template}",
            context={"feedback": feedback},
            link=staff_link(feedback),
        )


def feedback_reminders_send(*, now=None) -> int:
    """On a working day, remind the handlers of every unanswered feedback due before the close of the
    next working day; returns how many reminders (already written ones count too: the keys keep them
    single)."""
    now = now or timezone.now()
    calendar = WorkingCalendar.current()
    today = timezone.localdate(now)
    if not calendar.is_working_day(today):
        return 0  # Friday's run already told them of Monday's
    horizon = calendar.add_working_days(calendar.sessions(today)[-1][1], 1)  # the next working day's close
    batch = _unanswered().filter(due_at__gt=now, due_at__lte=horizon, received_at__lte=now).order_by("due_at", "pk")
    handlers: dict[int, list[User]] = {}
    sent = 0
    for feedback in batch:
        if feedback.agency_id not in handlers:
            handlers[feedback.agency_id] = handlers_of(feedback.agency)
        for person in handlers[feedback.agency_id]:
            key = f"fb-due:{feedback.pk}:{today.isoformat()}:{person.pk}"
            _tell(person, feedback, NotificationKind.FEEDBACK_DUE, "due", key=key)
            sent += 1
    return sent


def feedback_escalations_send(*, now=None) -> int:
    """Tell the leaders of the unit holding every unanswered feedback past its due time; returns how
    many messages (already written ones count too)."""
    now = now or timezone.now()
    leaders: dict[int, list[User]] = {}
    sent = 0
    for feedback in _unanswered().filter(due_at__lt=now).order_by("due_at", "pk").iterator(chunk_size=500):
        if feedback.agency_id not in leaders:
            leaders[feedback.agency_id] = leaders_of(feedback.agency)
        for person in leaders[feedback.agency_id]:
            key = f"fb-late:{feedback.pk}:{int(feedback.due_at.timestamp())}:{person.pk}"
            _tell(person, feedback, NotificationKind.FEEDBACK_LATE, "late", key=key)
            sent += 1
    return sent


def feedback_digest_rows(*, now=None):
    """What the digest of ``now``'s local day lists: the unanswered feedback received by ``now`` that is
    overdue (due before ``now``), due today (by local midnight) or new (received in the 24 hours before
    ``now``, after ``now - 1 day``: digests a day apart have windows that meet without overlapping, so
    a feedback is new in one of them only), annotated with ``section`` (0, 1, 2: the first of the three
    that applies)."""
    now = now or timezone.now()
    since = now - timedelta(days=1)
    # Overdue and due today as the inbox's filters of the same names have them.
    overdue, due_today = due_condition(DUE_OVERDUE, now=now), due_condition(INBOX_DUE_TODAY, now=now)
    section = models.Case(
        models.When(overdue, then=models.Value(OVERDUE)),
        models.When(due_today, then=models.Value(DUE_TODAY)),
        default=models.Value(NEW),
    )
    return (
        Feedback.objects.filter(answered_at__isnull=True, received_at__lte=now)
        .filter(overdue | due_today | models.Q(received_at__gt=since))
        .annotate(section=section)
    )


def feedback_digests_send(*, now=None) -> int:
    """Each unit's daily digest of unanswered feedback to its leaders; returns how many digests."""
    now = now or timezone.now()
    day = timezone.localdate(now).isoformat()
    rows = feedback_digest_rows(now=now)
    totals: dict[int, dict[int, int]] = {}
    for row in rows.values("agency_id", "section").annotate(count=models.Count("pk")).order_by():
        totals.setdefault(row["agency_id"], {})[row["section"]] = row["count"]
    sent = 0
    for unit in Agency.objects.filter(pk__in=totals).order_by("path"):
        people = leaders_of(unit)
        if not people:
            continue
        lines = list(rows.filter(agency=unit).order_by("section", "due_at", "pk")[:DIGEST_LINES])
        counts = totals[unit.pk]
        sections = []
        for number, title, due in SECTIONS:
            shown = [feedback for feedback in lines if feedback.section == number]
            total = counts.get(number, 0)
            sections.append(
                {"title": title, "total": total, "lines": shown, "more": total - len(shown), "link": inbox_link(due)}
            )
        urgent = next((due for number, _title, due in SECTIONS if counts.get(number)), "")
        context = {
            "agency": unit,
            "now": now,
            "sections": sections,
            "overdue": counts.get(OVERDUE, 0),
            "today": counts.get(DUE_TODAY, 0),
            "new": counts.get(NEW, 0),
        }
        for person in people:
            with transaction.atomic():
                notify(
                    recipient=person,
                    key=f"fb-digest:{unit.pk}:{day}:{person.pk}",
                    kind=NotificationKind.FEEDBACK_DIGEST,
                    template=f"{FOLDER}/digest",
                    context=context,
                    link=inbox_link(urgent),
                )
            sent += 1
    return sent
