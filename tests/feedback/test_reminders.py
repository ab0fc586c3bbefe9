"""Scheduled messages about feedback: handlers reminded before it falls due, leaders told when it is
late, and each unit's daily digest; each once for its day, never about an answered feedback."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from accounts.constants import Role
from dossiers.constants import NotificationChannel, NotificationKind
from dossiers.models import Notification
from feedback.constants import Subject
from feedback.models import Feedback
from feedback.reminders import feedback_digests_send, feedback_escalations_send, feedback_reminders_send
from feedback.services import feedback_answer, feedback_move, feedback_send
from onestop.beat import catch_up
from procedures.models import CalendarDay
from tests.factories import AgencyFactory, StaffMembershipFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

THURSDAY = datetime(2026, 12, 3, 7, 15, tzinfo=TZ)
FRIDAY = datetime(2026, 12, 4, 7, 15, tzinfo=TZ)
SATURDAY = datetime(2026, 12, 5, 7, 15, tzinfo=TZ)
LONG_AGO = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)


def _feedback(citizen, agency, *, due, received=LONG_AGO):
    """A feedback about ``agency``'s conduct, received and due when the test says."""
    feedback = feedback_send(sender=citizen, subject=Subject.CONDUCT, text="Cán bộ hẹn nhiều lần", agency=agency)
    Feedback.objects.filter(pk=feedback.pk).update(received_at=received, due_at=due)
    feedback.refresh_from_db()
    return feedback


def _mails(kind):
    return Notification.objects.filter(kind=kind, channel=NotificationChannel.EMAIL)


def _recipients(kind):
    return set(_mails(kind).values_list("recipient__full_name", flat=True))


def test_a_feedback_due_tomorrow_reminds_its_handlers_once_a_day(citizen, network, handlers):
    due = datetime(2026, 12, 4, 10, 0, tzinfo=TZ)  # Friday 10:00
    feedback = _feedback(citizen, network["commune"], due=due)
    later = _feedback(citizen, network["commune"], due=datetime(2026, 12, 8, 10, 0, tzinfo=TZ))  # Tuesday

    assert feedback_reminders_send(now=THURSDAY) == 1
    assert feedback_reminders_send(now=THURSDAY.replace(hour=9)) == 1  # the beat restarted: same key
    mail = _mails(NotificationKind.FEEDBACK_DUE).get()
    assert mail.recipient == handlers["commune"]  # the commune's feedback officer, not its clerk
    assert mail.subject == f"Trả lời trước 10:00 04/12/2026: phản ánh, kiến nghị {feedback.code}"
    assert mail.body.startswith("Kính gửi Lê Văn Cường,")
    assert (
        f"Phản ánh, kiến nghị {feedback.code} do UBND xã Xuân Du đang giữ phải được trả lời trước 10:00 04/12/2026"
        in mail.body
    )
    assert f"/mot-cua/phan-anh/{feedback.reference}/" in mail.body
    assert later.code not in mail.body
    in_app = Notification.objects.get(kind=NotificationKind.FEEDBACK_DUE, channel=NotificationChannel.IN_APP)
    assert in_app.recipient == handlers["commune"]

    assert feedback_reminders_send(now=FRIDAY) == 1  # the day it falls due: once more
    assert _mails(NotificationKind.FEEDBACK_DUE).count() == 2


def test_a_friday_feedback_due_monday_is_reminded_on_friday_and_days_off_are_skipped(citizen, network, handlers):
    monday = _feedback(citizen, network["commune"], due=datetime(2026, 12, 7, 10, 0, tzinfo=TZ))
    tuesday = _feedback(citizen, network["commune"], due=datetime(2026, 12, 8, 10, 0, tzinfo=TZ))
    assert feedback_reminders_send(now=FRIDAY) == 1
    assert monday.code in _mails(NotificationKind.FEEDBACK_DUE).get().subject
    assert feedback_reminders_send(now=SATURDAY) == 0  # a day off: Friday's message said it

    CalendarDay.objects.create(date=date(2026, 12, 7), is_working_day=False, note="Nghỉ bù")  # Monday off
    assert feedback_reminders_send(now=FRIDAY.replace(hour=8)) == 2  # Tuesday is now the next working day
    subjects = list(_mails(NotificationKind.FEEDBACK_DUE).values_list("subject", flat=True))
    assert [sum(code in subject for subject in subjects) for code in (monday.code, tuesday.code)] == [1, 1]


def test_a_moved_feedback_reminds_its_new_unit(citizen, network, handlers):
    feedback = _feedback(citizen, network["district"], due=datetime(2026, 12, 4, 10, 0, tzinfo=TZ))
    assert feedback_reminders_send(now=THURSDAY) == 1
    assert _recipients(NotificationKind.FEEDBACK_DUE) == {"Phạm Thu Hà"}  # the district's officer
    feedback_move(feedback=feedback, by=handlers["district"], to_agency=network["commune"], note="Việc của xã")
    assert feedback_reminders_send(now=FRIDAY) == 1
    friday = _mails(NotificationKind.FEEDBACK_DUE).filter(key__contains=":2026-12-04:")
    assert {mail.recipient for mail in friday} == {handlers["commune"]}
    assert "do UBND xã Xuân Du đang giữ" in friday.get().body


def test_an_overdue_feedback_is_escalated_to_the_units_leaders_once_per_due_time(citizen, network, handlers):
    feedback = _feedback(citizen, network["commune"], due=datetime(2026, 12, 2, 16, 0, tzinfo=TZ))
    on_time = _feedback(citizen, network["commune"], due=datetime(2026, 12, 3, 16, 0, tzinfo=TZ))
    assert feedback_escalations_send(now=THURSDAY) == 1
    mail = _mails(NotificationKind.FEEDBACK_LATE).get()
    assert mail.recipient == network["leader"]  # the commune has no leader: the district's answers for it
    assert mail.subject == f"Quá hạn: phản ánh, kiến nghị {feedback.code}"
    assert "đã đến hạn trả lời lúc 16:00 02/12/2026 nhưng chưa được trả lời" in mail.body
    assert "Phản ánh đang ở UBND xã Xuân Du." in mail.body and on_time.code not in mail.body

    feedback_escalations_send(now=FRIDAY)  # the next days: nothing again for the same due time
    assert _mails(NotificationKind.FEEDBACK_LATE).filter(subject__contains=feedback.code).count() == 1
    Feedback.objects.filter(pk=feedback.pk).update(due_at=datetime(2026, 12, 4, 9, 0, tzinfo=TZ))
    chairman = StaffMembershipFactory(agency=network["commune"], role=Role.LEADER, user__full_name="Hà Văn Tú").user
    feedback_escalations_send(now=SATURDAY)  # a new due time, missed too; the commune has a leader now
    late = _mails(NotificationKind.FEEDBACK_LATE).filter(subject__contains=feedback.code)
    assert [m.recipient for m in late.order_by("pk")] == [network["leader"], chairman]


def test_answered_feedback_is_never_reminded_escalated_or_listed(citizen, network, handlers):
    for due in (datetime(2026, 12, 2, 16, 0, tzinfo=TZ), datetime(2026, 12, 3, 16, 0, tzinfo=TZ)):
        feedback = _feedback(citizen, network["commune"], due=due, received=datetime(2026, 12, 2, 9, 0, tzinfo=TZ))
        feedback_answer(feedback=feedback, by=handlers["commune"], answer="Xã đã chấn chỉnh cán bộ.")
    assert feedback_reminders_send(now=THURSDAY) == 0
    assert feedback_escalations_send(now=THURSDAY) == 0
    assert feedback_digests_send(now=THURSDAY) == 0
    kinds = (NotificationKind.FEEDBACK_DUE, NotificationKind.FEEDBACK_LATE, NotificationKind.FEEDBACK_DIGEST)
    assert not Notification.objects.filter(kind__in=kinds).exists()


def _section(body: str, heading: str) -> str:
    """The part of the digest under ``heading`` (up to the next blank line)."""
    match = re.search(rf"^{heading}: \d+$(.*?)(?:\n\n|\Z)", body, flags=re.M | re.S)
    return match.group(0) if match else ""


def test_the_daily_digest_lists_each_units_overdue_due_today_and_new_feedback_once_a_day(citizen, network, handlers):
    now = THURSDAY.replace(minute=25)
    district, commune = network["district"], network["commune"]
    next_week = datetime(2026, 12, 10, 10, 0, tzinfo=TZ)
    rows = {  # name: (unit, received, due)
        "late_old": (district, LONG_AGO, datetime(2026, 12, 1, 10, 0, tzinfo=TZ)),
        "late_this_morning": (district, LONG_AGO, datetime(2026, 12, 3, 7, 0, tzinfo=TZ)),
        "late_and_new": (district, datetime(2026, 12, 2, 8, 0, tzinfo=TZ), datetime(2026, 12, 2, 16, 0, tzinfo=TZ)),
        "today": (district, LONG_AGO, datetime(2026, 12, 3, 16, 0, tzinfo=TZ)),
        # New: received in the 24 hours before the run, after 07:25 yesterday (yesterday's digest had the rest).
        "yesterday_at_midnight": (district, datetime(2026, 12, 2, 0, 0, tzinfo=TZ), next_week),
        "yesterday_at_the_last_digest": (district, datetime(2026, 12, 2, 7, 25, tzinfo=TZ), next_week),
        "yesterday_just_after": (district, datetime(2026, 12, 2, 7, 26, tzinfo=TZ), next_week),
        "yesterday_evening": (district, datetime(2026, 12, 2, 20, 0, tzinfo=TZ), next_week),
        "new_this_morning": (district, datetime(2026, 12, 3, 6, 50, tzinfo=TZ), next_week),
        "before_yesterday": (district, datetime(2026, 12, 1, 23, 59, tzinfo=TZ), next_week),
        "due_tomorrow_midnight": (district, LONG_AGO, datetime(2026, 12, 4, 0, 0, tzinfo=TZ)),
        "after_now": (district, datetime(2026, 12, 3, 9, 0, tzinfo=TZ), next_week),
        "commune_late": (commune, LONG_AGO, datetime(2026, 12, 2, 10, 0, tzinfo=TZ)),
    }
    made = {name: _feedback(citizen, unit, due=due, received=received) for name, (unit, received, due) in rows.items()}
    answered = _feedback(citizen, district, due=datetime(2026, 12, 1, 10, 0, tzinfo=TZ))
    feedback_answer(feedback=answered, by=handlers["district"], answer="Đã trả lời.")

    # What the district's leader should read, worked out here from the rows above (local times).
    def held(unit):
        return [f for f in made.values() if f.agency == unit and f.received_at <= now]

    overdue = [f for f in held(district) if f.due_at < now]
    due_today = [f for f in held(district) if f not in overdue and f.due_at < datetime(2026, 12, 4, tzinfo=TZ)]
    new = [f for f in held(district) if f not in overdue + due_today and f.received_at > now - timedelta(days=1)]
    assert (len(overdue), len(due_today), len(new)) == (3, 1, 3)
    assert {made[name] for name in ("yesterday_just_after", "yesterday_evening", "new_this_morning")} == set(new)

    assert feedback_digests_send(now=now) == 2  # the district's and the commune's, both to the district leader
    mails = _mails(NotificationKind.FEEDBACK_DIGEST)
    assert {m.recipient for m in mails} == {network["leader"]}
    mail = mails.get(subject__startswith="UBND huyện Như Thanh")
    assert mail.subject == "UBND huyện Như Thanh, phản ánh cần trả lời: 3 quá hạn, 1 đến hạn hôm nay, 3 mới"
    body = mail.body
    assert "Phản ánh, kiến nghị UBND huyện Như Thanh đang giữ và chưa trả lời, tính đến 07:25 03/12/2026" in body
    for heading, expected in (("Quá hạn", overdue), ("Đến hạn hôm nay", due_today), ("Mới trong 24 giờ qua", new)):
        section = _section(body, heading)
        assert section.startswith(f"{heading}: {len(expected)}")
        assert set(re.findall(r"PA-[\d.A-Z]+-\d{6}-\d{5}", section)) == {f.code for f in expected}
    listed = set(re.findall(r"PA-[\d.A-Z]+-\d{6}-\d{5}", body))
    assert listed == {f.code for f in overdue + due_today + new}  # each once, nothing else
    assert body.count(made["late_and_new"].code) == 1 and answered.code not in body
    assert "/mot-cua/phan-anh/?due=overdue" in body and "/mot-cua/phan-anh/?due=today" in body
    commune_mail = mails.get(subject__startswith="UBND xã Xuân Du")
    assert commune_mail.subject.endswith("1 quá hạn, 0 đến hạn hôm nay, 0 mới")
    assert made["commune_late"].code in commune_mail.body and "Đến hạn hôm nay" not in commune_mail.body
    sms = Notification.objects.filter(kind=NotificationKind.FEEDBACK_DIGEST, channel=NotificationChannel.SMS)
    assert all(row.body.endswith("/mot-cua/phan-anh/?due=overdue") for row in sms)

    feedback_digests_send(now=now.replace(hour=9))  # run again the same day: nothing more
    assert _mails(NotificationKind.FEEDBACK_DIGEST).count() == 2
    feedback_digests_send(now=now.replace(day=4))  # the next morning: a new one
    assert _mails(NotificationKind.FEEDBACK_DIGEST).count() == 4


def test_a_feedback_is_new_in_one_daily_digest_only(citizen, network, handlers):
    wednesday, thursday = THURSDAY.replace(day=2, minute=25), THURSDAY.replace(minute=25)
    next_week = datetime(2026, 12, 10, 10, 0, tzinfo=TZ)
    night = _feedback(citizen, network["district"], due=next_week, received=datetime(2026, 12, 2, 3, 0, tzinfo=TZ))
    morning = _feedback(citizen, network["district"], due=next_week, received=datetime(2026, 12, 2, 8, 0, tzinfo=TZ))

    assert feedback_digests_send(now=wednesday) == 1
    assert feedback_digests_send(now=thursday) == 1
    wednesdays, thursdays = (
        mail.body for mail in _mails(NotificationKind.FEEDBACK_DIGEST).order_by("created_at", "pk")
    )
    # Received at 03:00 on Wednesday: new in Wednesday's digest, not again on Thursday; 08:00: Thursday's.
    assert night.code in _section(wednesdays, "Mới trong 24 giờ qua") and morning.code not in wednesdays
    assert morning.code in _section(thursdays, "Mới trong 24 giờ qua") and night.code not in thursdays
    assert "Mới trong 24 giờ qua: 1" in wednesdays and "Mới trong 24 giờ qua: 1" in thursdays
    assert feedback_digests_send(now=THURSDAY.replace(day=4, minute=25)) == 0  # Friday: nothing new, none due


def test_no_digest_when_nothing_is_new_due_today_or_overdue(citizen, network, handlers):
    _feedback(citizen, network["district"], due=datetime(2026, 12, 10, 10, 0, tzinfo=TZ))  # received long ago
    assert feedback_digests_send(now=THURSDAY) == 0
    assert feedback_reminders_send(now=THURSDAY) == 0
    assert feedback_escalations_send(now=THURSDAY) == 0
    assert not Notification.objects.exclude(kind=NotificationKind.FEEDBACK).exists()


def test_a_long_digest_is_cut_at_200_lines_saying_how_many_more(citizen, network):
    now = THURSDAY.replace(minute=25)
    common = {"subject": Subject.CONDUCT, "text": "…", "sender": citizen, "agency": network["district"]}
    extra = {"working_days": Decimal("10"), "legal_basis": "Điều 9", "received_at": LONG_AGO}
    Feedback.objects.bulk_create(
        [
            Feedback(code=f"PA-L-{n:05d}", due_at=datetime(2026, 12, 1, 10, tzinfo=TZ), **common, **extra)
            for n in range(203)
        ]
        + [Feedback(code="PA-T-00001", due_at=datetime(2026, 12, 3, 15, tzinfo=TZ), **common, **extra)]
    )
    assert feedback_digests_send(now=now) == 1
    body = _mails(NotificationKind.FEEDBACK_DIGEST).get().body
    assert len(re.findall(r"^- PA-", body, flags=re.M)) == 200
    assert "Quá hạn: 203" in body and "… và 3 phản ánh khác." in body
    assert "Đến hạn hôm nay: 1" in body and "… và 1 phản ánh khác." in body and "PA-T-00001" not in body


def _reads(job, now) -> int:
    """Queries ``job`` makes, apart from writing its messages (one batch per message, by design)."""
    with CaptureQueriesContext(connection) as queries:
        job(now=now)
    return len(
        [
            q
            for q in queries.captured_queries
            if "dossiers_notification" not in q["sql"] and not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
        ]
    )


@pytest.mark.parametrize(
    "job, now",
    [
        (feedback_reminders_send, THURSDAY),
        (feedback_escalations_send, THURSDAY),
        (feedback_digests_send, THURSDAY),
    ],
)
def test_each_job_reads_in_a_constant_number_of_queries(citizen, network, handlers, job, now):
    second = AgencyFactory(parent=network["district"], name="UBND xã Hải Long")

    def add(count):
        for unit in (network["commune"], second):
            for _n in range(count):
                _feedback(citizen, unit, due=datetime(2026, 12, 2, 16, 0, tzinfo=TZ))
                _feedback(citizen, unit, due=datetime(2026, 12, 4, 10, 0, tzinfo=TZ))

    add(1)
    small = _reads(job, now)
    add(5)
    Notification.objects.exclude(kind=NotificationKind.FEEDBACK).delete()
    assert _reads(job, now) == small


def test_beat_catches_up_the_feedback_jobs_when_it_starts():
    from onestop.celery import app

    sent = []
    catch_up(now=datetime(2026, 11, 25, 8, 0, tzinfo=TZ), send=sent.append)  # a Wednesday after 07:25
    feedback_jobs = [
        "feedback.tasks.feedback_reminders_send_task",
        "feedback.tasks.feedback_escalations_send_task",
        "feedback.tasks.feedback_digests_send_task",
        "feedback.tasks.pending_files_sweep_task",  # 07:30
    ]
    assert [name for name in sent if name.startswith("feedback.")] == feedback_jobs
    early = []
    catch_up(now=datetime(2026, 11, 25, 7, 16, tzinfo=TZ), send=early.append)
    assert [name for name in early if name.startswith("feedback.")] == feedback_jobs[:1]
    app.loader.import_default_modules()
    assert all(name in app.tasks for name in feedback_jobs)  # each name is a task a worker runs
