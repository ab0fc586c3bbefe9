"""A few months of feedback for the demo district, made through the feedback services with the clock
set to each moment, beside the dossier history (``seed_demo --history-months``): every subject, about
the history's dossiers, the catalogue's procedures and the units; some passed from the district down to
a commune; answered mostly on time, some late, some still waiting (a few overdue, a few due soon); some
published, some rated by their sender. The demo citizen (congdan@demo.vn) has answered feedback (one
published, still to rate) and feedback waiting at Bến Sung.

The figures are fixed by design (``PLAN``); where each item falls, whom it concerns and its words come
from a seeded random generator, so the same database gives the same history. Everything is one
transaction: a second run finds it there and adds nothing.

Messages are written as the services write them, dated at their moment, to the people's lists in the
portal only: like the dossier history, whose citizens chose neither, the past sends no email or SMS."""

import random
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from unittest import mock

from django.db import transaction
from django.utils import timezone

from accounts.constants import AgencyKind
from accounts.demo import DISTRICT, DISTRICT_DESK, commune_code
from accounts.models import Agency, User
from accounts.selectors import agency_administrative_unit
from dossiers.constants import Channel, EventKind, Status
from dossiers.demo_history import SAMPLE_PHONE_PREFIX, clock
from dossiers.models import Dossier, DossierEvent
from dossiers.outbox import delivery_batched
from procedures.calendar import WorkingCalendar
from procedures.models import ProcedureVersion
from procedures.selectors import version_list_current

from .. import notices
from ..constants import Subject
from ..models import AnswerTime, Feedback
from ..services import feedback_answer, feedback_move, feedback_rate, feedback_send
from .texts import CLOSINGS, DOSSIER_TEXTS, LATE_OPENING, MOVE_NOTES, OPENINGS, TEXTS

DEMO_CITIZEN = "congdan@demo.vn"
MONTHS = 3  # the current month and the three before it
# What becomes of the feedback (the demo citizen's three included): answered by the due time or after
# it; still waiting, past its due time, due within one working day (the staff inbox's "soon"), or later.
ON_TIME, LATE, OVERDUE, DUE_SOON, OPEN = "on time", "late", "overdue", "due soon", "open"
PLAN = {
    "outcomes": {ON_TIME: 40, LATE: 6, OVERDUE: 4, DUE_SOON: 4, OPEN: 6},
    "subjects": {Subject.DOSSIER: 16, Subject.PROCEDURE: 16, Subject.CONDUCT: 15, Subject.REGULATION: 13},
    "moved": 8,  # from the district to a commune, then handled there
    "published": 20,  # answered, with the sender's consent
    "consent_waiting": 4,  # still waiting, the sender consented to publication
    "resolved": 14,
    "not_resolved": 5,
}
ANSWERED = (ON_TIME, LATE)
WAITING = (OVERDUE, DUE_SOON, OPEN)
HOURS = [time(7, 45), time(8, 20), time(9, 10), time(9, 50), time(10, 30), time(13, 45), time(14, 30), time(15, 40)]


@dataclass
class Item:
    """One feedback of the plan."""

    subject: str
    outcome: str
    sender: User | None = None
    unit: Agency | None = None  # named by the sender (the district for one passed down)
    moved_to: Agency | None = None
    procedure: ProcedureVersion | None = None
    dossier: Dossier | None = None
    may_publish: bool = False
    rating: bool | None = None
    received: datetime | None = None
    situation: str = ""  # what had happened to the dossier, for a dossier item (``DOSSIER_TEXTS``)


def history_exists() -> bool:
    """Whether the feedback history was made already (the history's citizens have sent feedback)."""
    return Feedback.objects.filter(sender__phone__startswith=SAMPLE_PHONE_PREFIX).exists()


def generate_feedback_history(*, since: date | None = None, seed: int = 2026, now: datetime | None = None) -> Counter:
    """Feedback received from ``since`` (at the earliest the first day of the month ``MONTHS`` months
    ago) to ``now``, through the services; returns counts by outcome (empty when there are no history
    citizens to send it, i.e. no dossier history)."""
    citizens = list(User.objects.filter(phone__startswith=SAMPLE_PHONE_PREFIX).order_by("phone"))
    demo_citizen = User.objects.filter(email=DEMO_CITIZEN).first()
    now = now or timezone.now()
    calendar = WorkingCalendar.current()
    today = timezone.localdate(now)
    index = today.year * 12 + today.month - 1 - MONTHS
    start = max(since or date.min, date(index // 12, index % 12 + 1, 1))
    start = datetime.combine(start, time.min, tzinfo=calendar.tz)
    dossiers = _dossier_facts(since=start - timedelta(days=60))
    if not citizens or not dossiers or demo_citizen is None:
        return Counter()
    rng = random.Random(seed)  # noqa: S311 - sample data, not secrets
    days = {row.subject: row.working_days for row in AnswerTime.objects.all()}
    items = _plan(rng, citizens=citizens, demo_citizen=demo_citizen)
    _place(rng, items, dossiers=dossiers, calendar=calendar, start=start, now=now, days=days)
    outcomes: Counter = Counter()
    used: Counter = Counter()  # texts said so far
    with delivery_batched(in_app_only=True), _history_mode(calendar), transaction.atomic():
        for item in sorted(items, key=lambda item: item.received):
            _play(rng, item, calendar=calendar, now=now, used=used)
            outcomes[item.outcome] += 1
    return outcomes


# ---- the plan ----------------------------------------------------------------------------------------


def _units() -> dict:
    district = Agency.objects.get(code=DISTRICT[0])
    communes = list(Agency.objects.filter(parent=district, kind=AgencyKind.COMMUNE, is_active=True).order_by("code"))
    return {"district": district, "ben_sung": Agency.objects.get(code=commune_code(0)), "communes": communes}


def _plan(rng: random.Random, *, citizens: list[User], demo_citizen: User) -> list[Item]:
    """The items with their subject, outcome, sender, unit, procedure, consent and rating (dossiers
    and moments come later, from the history as it is)."""
    units = _units()
    district, ben_sung, communes = units["district"], units["ben_sung"], units["communes"]
    offered = _offered()
    # The demo citizen's own: a published answer still to rate, an answer rated "resolved", and one
    # waiting at Bến Sung for its feedback handler.
    mine = [
        Item(Subject.PROCEDURE, ON_TIME, demo_citizen, ben_sung, may_publish=True),
        Item(Subject.CONDUCT, ON_TIME, demo_citizen, ben_sung, rating=True),
        Item(Subject.PROCEDURE, OPEN, demo_citizen, ben_sung),
    ]
    outcomes = Counter(PLAN["outcomes"]) - Counter(item.outcome for item in mine)
    subjects = Counter(PLAN["subjects"]) - Counter(item.subject for item in mine)
    outcome_list = [outcome for outcome, count in sorted(outcomes.items()) for _n in range(count)]
    subject_list = [subject for subject, count in sorted(subjects.items()) for _n in range(count)]
    rng.shuffle(outcome_list)
    rng.shuffle(subject_list)
    others = [Item(subject, outcome) for subject, outcome in zip(subject_list, outcome_list, strict=True)]

    movable = [item for item in others if item.subject in (Subject.CONDUCT, Subject.REGULATION)]
    for item in rng.sample([item for item in movable if item.outcome in (*ANSWERED, OVERDUE)], PLAN["moved"]):
        item.unit, item.moved_to = district, rng.choice(communes)
    answered = [item for item in others if item.outcome in ANSWERED]
    waiting = [item for item in others if item.outcome in WAITING]
    for item in rng.sample(answered, PLAN["published"] - sum(i.may_publish for i in mine)):
        item.may_publish = True
    for item in rng.sample(waiting, PLAN["consent_waiting"]):
        item.may_publish = True
    rated = rng.sample(answered, PLAN["resolved"] - 1 + PLAN["not_resolved"])
    for n, item in enumerate(rated):
        item.rating = n < PLAN["resolved"] - 1
    # Whom the rest concerns: the district (its desk's procedures), Bến Sung, or another commune; what
    # waits goes round the three, so both demo feedback handlers have some.
    places = ["district", "ben_sung", "other"]
    for n, item in enumerate(others):
        item.sender = rng.choice(citizens)
        if item.unit is not None or item.subject == Subject.DOSSIER:
            continue
        place = places[n % 3] if item.outcome in WAITING else rng.choices(places, weights=[4, 3, 3])[0]
        item.unit = {"district": district, "ben_sung": ben_sung}.get(place) or rng.choice(communes[1:])
    for item in [*mine, *others]:
        if item.subject == Subject.PROCEDURE:
            item.procedure = rng.choice(offered[item.unit.pk])
    return [*mine, *others]


def _offered() -> dict[int, list[ProcedureVersion]]:
    """Per administrative unit, the procedure versions in force that it offers (the district: its desk's)."""
    offered: dict[int, list[ProcedureVersion]] = {}
    versions = version_list_current().select_related("procedure")
    for version in versions.prefetch_related("agencies").order_by("procedure__code"):
        for agency in version.agencies.all():
            offered.setdefault(agency_administrative_unit(agency=agency).pk, []).append(version)
    return offered


# ---- the moments ------------------------------------------------------------------------------------


def _place(rng, items: list[Item], *, dossiers: list, calendar, start: datetime, now: datetime, days: dict) -> None:
    """When each item is received, and for a dossier item which of the history's dossiers it is about
    and what had happened to it. What was answered (and rated) came in time for it before now; what
    waits, at the time that puts its due time where the plan says against now."""
    used: Counter = Counter()
    for item in items:
        working_days = int(days[item.subject])
        if item.outcome in ANSWERED:
            # Room for the answer (late: up to three working days after the due time) and the rating.
            room = working_days + (5 if item.outcome == LATE else 2)
            latest = _working_days_back(calendar, now, room, time(7, 30))
            moment = start + timedelta(days=1) + (latest - start - timedelta(days=1)) * rng.uniform(0, 1)
            day = timezone.localtime(moment, calendar.tz).date()
            minutes = rng.randint(6 * 60 + 30, 21 * 60 + 30)  # sent online, at any hour of the day
            item.received = datetime.combine(day, time.min, tzinfo=calendar.tz) + timedelta(minutes=minutes)
        else:
            back = {
                OVERDUE: working_days + rng.randint(1, 4),
                DUE_SOON: working_days - 1,
                OPEN: rng.randint(0, max(0, working_days - 3)),
            }[item.outcome]
            item.received = _working_days_back(calendar, now, back, rng.choice(HOURS))
        if item.subject == Subject.DOSSIER:
            item.dossier, item.situation = _dossier(rng, dossiers, at=item.received, used=used)
            item.sender = item.dossier.applicant


def _working_days_back(calendar, now: datetime, count: int, at: time) -> datetime:
    """``at`` o'clock on the ``count``-th working day before the last working day whose ``at`` has passed."""
    day = timezone.localtime(now, calendar.tz).date()
    while True:
        moment = datetime.combine(day, at, tzinfo=calendar.tz)
        if calendar.is_working_day(day) and moment < now:
            if count == 0:
                return moment
            count -= 1
        day -= timedelta(days=1)


@dataclass
class Facts:
    """What happened to one of the history's dossiers, and when."""

    dossier: Dossier
    online: bool
    received: datetime
    due: datetime | None
    asked: list  # supplement requests during processing
    back: list  # supplements received
    done: datetime | None = None
    returned: datetime | None = None
    closed: datetime | None = None  # withdrawn or stopped


def _dossier_facts(*, since: datetime) -> list[Facts]:
    """The history's dossiers received from ``since`` (else all of them), with their events' times."""
    history = (
        Dossier.objects.filter(applicant__phone__startswith=SAMPLE_PHONE_PREFIX, received_at__isnull=False)
        .exclude(status=Status.DRAFT)
        .select_related("applicant", "agency")
        .order_by("received_at", "pk")
    )
    dossiers = list(history.filter(received_at__gte=since)) or list(history)
    facts = {
        dossier.pk: Facts(dossier, dossier.channel == Channel.ONLINE, dossier.received_at, dossier.due_at, [], [])
        for dossier in dossiers
    }
    events = DossierEvent.objects.filter(dossier__in=list(facts), kind=EventKind.STATUS).order_by("created_at", "pk")
    for pk, before, after, at in events.values_list("dossier_id", "from_status", "to_status", "created_at"):
        fact = facts[pk]
        if after == Status.SUPPLEMENT_REQUESTED and before == Status.PROCESSING:
            fact.asked.append(at)
        elif before == Status.SUPPLEMENT_REQUESTED and after == Status.PROCESSING:
            fact.back.append(at)
        elif after == Status.DONE:
            fact.done = at
        elif after == Status.RETURNED:
            fact.returned = at
        elif after in (Status.WITHDRAWN, Status.STOPPED):
            fact.closed = at
    return list(facts.values())


def _within(moments, at: datetime, days: int) -> bool:
    return any(at - timedelta(days=days) <= moment < at for moment in moments if moment)


def _open(fact: Facts, at: datetime) -> bool:
    """Received, and neither finished nor closed, at ``at``."""
    return fact.received < at and not any(moment and moment < at for moment in (fact.done, fact.closed))


# What a citizen may write about a dossier at a moment (``DOSSIER_TEXTS``), from what had happened to it.
SITUATIONS = {
    "overdue": lambda f, at: _open(f, at) and f.due and f.due < at - timedelta(days=1),
    "supplement_back": lambda f, at: _within(f.back, at, 7),
    "supplement_asked": lambda f, at: _within(f.asked, at, 7) and not _within(f.back, at, 7),
    "result_wrong": lambda f, at: _within([f.returned], at, 20),
    "lookup": lambda f, at: _open(f, at - timedelta(days=1)),
    "by_post": lambda f, at: _within([f.done], at, 10) and not (f.returned and f.returned < at),
    "paper_asked": lambda f, at: f.online and _within([f.received], at, 10) and _open(f, at),
    "copy": lambda f, at: _within([f.returned], at, 45),
}


def _dossier(rng, dossiers: list[Facts], *, at: datetime, used: Counter) -> tuple[Dossier, str]:
    """One of the history's dossiers not spoken of yet and a situation it was in at ``at`` (the situations
    said least so far first, in a random order among equals; the first dossier and "lookup" when none
    fits)."""
    situations = list(SITUATIONS)
    rng.shuffle(situations)
    for situation in sorted(situations, key=lambda situation: used[situation]):
        fitting = [
            f.dossier for f in dossiers if ("dossier", f.dossier.pk) not in used and SITUATIONS[situation](f, at)
        ]
        if fitting:
            dossier = rng.choice(fitting)
            used[situation] += 1
            used["dossier", dossier.pk] += 1
            return dossier, situation
    return dossiers[0].dossier, "lookup"


# ---- playing it --------------------------------------------------------------------------------------


def _play(rng, item: Item, *, calendar, now: datetime, used: Counter) -> Feedback:
    """One feedback through the services: sent, perhaps passed down, answered and rated."""
    limit = now - timedelta(minutes=5)
    text, summary, answer = _words(rng, item, used)
    agency = item.unit
    if item.subject == Subject.PROCEDURE and agency.kind == AgencyKind.DISTRICT:
        agency = Agency.objects.get(code=DISTRICT_DESK)  # its procedures are offered at the district's desk
    received = min(item.received, limit)
    with clock(received):
        feedback = feedback_send(
            sender=item.sender,
            subject=item.subject,
            text=text,
            agency=None if item.subject == Subject.DOSSIER else agency,
            procedure=item.procedure,
            dossier=item.dossier,
            may_publish=item.may_publish,
            now=received,
        )
    after = received
    if item.moved_to is not None:
        after = min(calendar.add_working_days(received, Decimal(rng.choice(["0.25", "0.5", "1"]))), limit)
        note = rng.choice(MOVE_NOTES).format(unit=item.moved_to.name)
        with clock(after):
            feedback = feedback_move(
                feedback=feedback, by=_handler(feedback.agency), to_agency=item.moved_to, note=note, now=after
            )
    if item.outcome not in ANSWERED:
        return feedback
    if item.outcome == ON_TIME:
        share = Decimal(str(round(rng.uniform(0.3, 0.95), 2)))
        answered = calendar.add_working_days(received, feedback.working_days * share)
        answered = max(answered, calendar.add_working_days(after, Decimal("0.25")))
        answered = min(answered, feedback.due_at - timedelta(minutes=10))
    else:
        answered = calendar.add_working_days(feedback.due_at, Decimal(rng.choice(["0.5", "1", "2", "3"])))
        answer = LATE_OPENING + answer
    answered = min(answered, limit)
    with clock(answered):
        feedback = feedback_answer(
            feedback=feedback,
            by=_handler(feedback.agency),
            answer=answer,
            public_summary=summary,
            # the demo's answers name nobody: published as written when the sender allowed it
            public_answer=answer if feedback.may_publish else "",
            now=answered,
        )
    if item.rating is not None:
        rated = min(answered + timedelta(hours=rng.uniform(3, 72)), limit)
        with clock(rated):
            feedback = feedback_rate(feedback=feedback, by=item.sender, resolved=item.rating, now=rated)
    return feedback


def _words(rng, item: Item, used: Counter) -> tuple[str, str, str]:
    """The sender's text, the question as published (when consented) and the answer (the texts said
    least so far first)."""
    if item.subject == Subject.DOSSIER:
        text, summary, answer = DOSSIER_TEXTS[item.situation]
    else:
        entries = TEXTS[item.subject]
        if item.moved_to is not None:  # it names the commune where it happened
            entries = [entry for entry in entries if "{unit}" in entry[0]]
        fewest = min(used[entry] for entry in entries)
        text, summary, answer = entry = rng.choice([entry for entry in entries if used[entry] == fewest])
        used[entry] += 1
    where = item.moved_to or item.unit
    values = {
        "unit": where.name if where else "",
        "procedure": _short_name(item.procedure) if item.procedure else "",
        "code": item.dossier.code if item.dossier else "",
    }
    answer = rng.choice(OPENINGS) + answer + rng.choice(CLOSINGS)
    return text.format(**values), summary if item.may_publish else "", answer


def _short_name(version: ProcedureVersion) -> str:
    """The procedure's name as a citizen says it: "Đăng ký khai sinh", not "Thủ tục đăng ký khai sinh (…)"."""
    name = version.name.split(" (")[0]
    name = name.removeprefix("Thủ tục ")
    return name[:1].upper() + name[1:]


def _handler(unit: Agency) -> User:
    """The first of the unit's feedback handlers (its leader where it has none)."""
    return notices.handlers_of(unit)[0]


@contextmanager
def _history_mode(calendar: WorkingCalendar):
    """The services as they are, with what cannot change while the history runs looked up once (the
    working calendar, each unit's handlers)."""
    handlers_of, handlers = notices.handlers_of, {}

    def cached_handlers_of(agency: Agency) -> list[User]:
        if agency.pk not in handlers:
            handlers[agency.pk] = handlers_of(agency)
        return handlers[agency.pk]

    with (
        mock.patch.object(notices, "handlers_of", cached_handlers_of),
        mock.patch.object(WorkingCalendar, "current", staticmethod(lambda: calendar)),
    ):
        yield
