"""The demo's feedback: a few months of it made through the services beside the dossier history
(``seed_demo --history-months``), with the figures it was designed with. (The demo's feedback handlers
are in tests/accounts/test_seed_demo.py.)"""

import re
from io import StringIO

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.models import Agency, User
from dossiers.constants import NotificationChannel, NotificationKind
from dossiers.models import Dossier, Notification
from feedback.constants import FeedbackEventKind, FeedbackStatus, Subject
from feedback.demo.history import generate_feedback_history
from feedback.models import Feedback, FeedbackEvent
from feedback.permissions import can_handle
from procedures.calendar import WorkingCalendar

pytestmark = pytest.mark.django_db

DISTRICT, BEN_SUNG = "000.00.22.H56", "000.10.22.H56"
CITIZEN = "congdan@demo.vn"
DIACRITICS = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)


def _seed() -> str:
    out = StringIO()
    # A light dossier history (about one dossier a unit and month) is enough to speak of.
    call_command("seed_demo", history_months=3, per_week=0.25, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """``seed_demo`` with its history, made once for the tests of this module (each test's own changes
    are undone after it, the whole at the end); returns what it printed."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _seed()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def answer_times(demo):
    """The demo's own answer times, loaded by ``seed_demo``, in place of the feedback tests' usual ones."""


def test_the_history_has_the_feedback_it_was_designed_with(demo):
    output = demo
    now = timezone.now()
    soon = WorkingCalendar.current().add_working_days(now, 1)
    feedback = Feedback.objects.all()
    assert "Feedback: 60 in " in output
    assert feedback.count() == 60
    assert {subject: feedback.filter(subject=subject).count() for subject in Subject.values} == {
        Subject.DOSSIER: 16,
        Subject.PROCEDURE: 16,
        Subject.CONDUCT: 15,
        Subject.REGULATION: 13,
    }
    answered = feedback.filter(status=FeedbackStatus.ANSWERED)
    waiting = feedback.filter(status=FeedbackStatus.RECEIVED)
    assert answered.count() == 46 and waiting.count() == 14
    assert answered.filter(answered_at__lte=F("due_at")).count() == 40
    assert answered.filter(answered_at__gt=F("due_at")).count() == 6
    assert waiting.filter(due_at__lt=now).count() == 4  # overdue
    assert waiting.filter(due_at__gte=now, due_at__lte=soon).count() == 4  # due within a working day
    assert waiting.filter(due_at__gt=soon).count() == 6
    assert FeedbackEvent.objects.filter(kind=FeedbackEventKind.MOVED).count() == 8
    assert answered.filter(may_publish=True).exclude(public_summary="").count() == 20  # published
    assert waiting.filter(may_publish=True).count() == 4
    assert feedback.filter(resolved=True).count() == 14
    assert feedback.filter(resolved=False).count() == 5
    # The months before this one have their feedback too, not only the last weeks.
    months = {timezone.localtime(moment).strftime("%Y-%m") for moment in feedback.values_list("received_at", flat=True)}
    assert len(months) >= 3
    # Every dossier item is about a dossier of its sender; the units are the district and several communes.
    for item in feedback.filter(subject=Subject.DOSSIER).select_related("dossier"):
        assert item.dossier.applicant_id == item.sender_id and item.dossier.code in item.text
    assert feedback.filter(subject=Subject.PROCEDURE, procedure__isnull=True).count() == 0
    assert feedback.filter(agency__code=DISTRICT).exists() and feedback.filter(agency__code=BEN_SUNG).exists()
    assert feedback.values("agency").distinct().count() >= 6


def test_every_feedback_has_its_history_in_order_from_the_people_who_may_act(demo):
    now = timezone.now()
    calendar = WorkingCalendar.current()
    district = Agency.objects.get(code=DISTRICT)
    district_handler = User.objects.get(email="phananh.huyen@demo.vn")
    items = Feedback.objects.select_related("agency", "sender", "answered_by").prefetch_related("events")
    for feedback in items:
        events = list(feedback.events.all())
        kinds = [event.kind for event in events]
        expected = ["sent"]
        if feedback.events.filter(kind=FeedbackEventKind.MOVED).exists():
            expected.append("moved")
        if feedback.status == FeedbackStatus.ANSWERED:
            expected.append("answered")
        if feedback.resolved is not None:
            expected.append("rated")
        assert kinds == expected, feedback.code
        times = [event.created_at for event in events]
        assert times == sorted(times) and times[-1] <= now
        sent = events[0]
        assert sent.actor == feedback.sender and sent.created_at == feedback.received_at
        assert feedback.code.startswith(f"PA-{sent.agency.code}-{timezone.localtime(feedback.received_at):%y%m%d}-")
        assert feedback.due_at == calendar.add_working_days(feedback.received_at, feedback.working_days)
        if "moved" in kinds:
            moved = events[1]
            assert moved.from_agency == district and sent.agency == district
            assert moved.agency == feedback.agency and feedback.agency.parent == district
            assert moved.actor == district_handler and moved.note
        else:
            assert sent.agency == feedback.agency
        if feedback.status == FeedbackStatus.ANSWERED:
            answer = events[kinds.index("answered")]
            assert answer.created_at == feedback.answered_at and answer.actor == feedback.answered_by
            assert can_handle(user=feedback.answered_by, feedback=feedback)
            assert feedback.answer and bool(feedback.public_summary) == feedback.may_publish
        else:
            assert feedback.answered_at is None and not feedback.answer
        if feedback.resolved is not None:
            rated = events[-1]
            assert rated.actor == feedback.sender and rated.created_at == feedback.rated_at > feedback.answered_at
    # Who answers: the demo's feedback handlers at the district and at Bến Sung.
    assert Feedback.objects.filter(agency__code=DISTRICT, answered_by=district_handler).exists()
    assert Feedback.objects.filter(agency__code=BEN_SUNG, answered_by__email="phananh.bensung@demo.vn").exists()


def test_the_texts_are_vietnamese_and_varied_with_no_blank_left_to_fill(demo):
    texts = list(Feedback.objects.values_list("text", "answer", "public_summary"))
    for text, answer, summary in texts:
        for words in filter(None, (text, answer, summary)):
            assert DIACRITICS.search(words) and "{" not in words and "}" not in words
    assert len({text[:30] for text, _answer, _summary in texts}) >= 30
    assert len({answer[:60] for _text, answer, _summary in texts if answer}) >= 25
    # The procedures are named as people say them.
    assert not Feedback.objects.filter(text__contains="«Thủ tục").exists()


def test_the_past_goes_to_the_portal_lists_only_dated_when_it_happened(demo):
    messages = Notification.objects.filter(kind=NotificationKind.FEEDBACK)
    assert not messages.exclude(channel=NotificationChannel.IN_APP).exists()  # no email, no SMS written
    # One message per arrival or move to the unit's handler, and one per answer to its sender.
    events = FeedbackEvent.objects.exclude(kind=FeedbackEventKind.RATED)
    assert messages.count() == events.count() == 60 + 8 + 46
    citizen = User.objects.get(email=CITIZEN)
    answered = Feedback.objects.filter(sender=citizen, status=FeedbackStatus.ANSWERED)
    assert sorted(messages.filter(recipient=citizen).values_list("created_at", flat=True)) == sorted(
        answered.values_list("answered_at", flat=True)
    )
    handler = User.objects.get(email="phananh.bensung@demo.vn")
    assert messages.filter(recipient=handler).exists()
    assert all(at < timezone.now() for at in messages.values_list("created_at", flat=True))


def test_the_demo_citizen_has_a_published_answer_to_rate_and_feedback_waiting_at_ben_sung(demo, client):
    citizen = User.objects.get(email=CITIZEN)
    mine = Feedback.objects.filter(sender=citizen)
    published = mine.get(status=FeedbackStatus.ANSWERED, may_publish=True)
    waiting = mine.get(status=FeedbackStatus.RECEIVED)
    assert published.resolved is None and published.answered_at <= published.due_at
    assert mine.filter(resolved=True).count() == 1
    assert waiting.agency.code == BEN_SUNG

    client.force_login(citizen)
    page = client.get(reverse("feedback:mine")).content.decode()
    assert published.code in page and waiting.code in page
    page = client.get(reverse("feedback:mine_detail", args=[published.reference])).content.decode()
    assert published.answer[-40:] in page
    client.logout()
    page = client.get(reverse("feedback:published")).content.decode()
    assert published.public_summary in page and published.text not in page

    client.force_login(User.objects.get(email="phananh.bensung@demo.vn"))
    page = client.get(reverse("feedback:staff_inbox")).content.decode()
    assert waiting.code in page


def test_running_it_again_adds_nothing(demo):
    counts = (
        Feedback.objects.count(),
        FeedbackEvent.objects.count(),
        Notification.objects.count(),
        Dossier.objects.count(),
        User.objects.count(),
    )

    output = _seed()

    assert "The demo feedback is there already: kept." in output
    assert (
        Feedback.objects.count(),
        FeedbackEvent.objects.count(),
        Notification.objects.count(),
        Dossier.objects.count(),
        User.objects.count(),
    ) == counts


def test_the_same_database_gives_the_same_feedback(demo):
    now = timezone.now()

    def made() -> list[tuple]:
        """The feedback as if it had not been there, made again (and undone)."""
        with transaction.atomic():
            if connection.vendor == "postgresql":  # the history's trigger, off for this rolled-back block
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            Notification.objects.filter(kind=NotificationKind.FEEDBACK).delete()
            FeedbackEvent.objects.all().delete()
            Feedback.objects.all().delete()
            generate_feedback_history(now=now)
            rows = list(
                Feedback.objects.order_by("received_at", "pk").values_list(
                    "subject", "status", "agency__code", "sender__phone", "received_at", "answered_at", "text", "answer"
                )
            )
            transaction.set_rollback(True)
        return rows

    first = made()
    assert len(first) == 60 and made() == first
