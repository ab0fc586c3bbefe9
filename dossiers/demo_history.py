"""A realistic history of dossiers for the demo district, made through the same services as real work
(online submission and desk reception, completion requests, hand-overs along each procedure's route,
supplements, apologies, results, returns, withdrawals and stops) with the clock set to each moment, so
the dashboard and the reports show something true to life.

The history is planned first, then played:

- **Plan.** Each half-year, each unit (the district desk and every commune) receives dossiers online at
  level 3 and level 4 and at the desk, on working days, at office hours: bigger communes more. For the
  first half of 2021 the online dossiers *received* (reception time, Asia/Ho_Chi_Minh) are the
  province's figures exactly: the district desk 179 at level 3 and 48 at level 4, the communes together
  962 and 1,230 (``H1_2021_ONLINE``). Other half-years keep a similar pace, pro rata for a part of one.
  Every unit keeps an online share well above 30 % and about 2 % late (on-time rate ≥ 95 %): a few
  online dossiers get a completion request before reception, some a supplement request during
  processing (always within their time, so the clock pauses and restarts), a few are withdrawn or
  stopped, the late ones get the apology with a new appointment. Deterministic with the seed.
- **Play.** Each dossier is one transaction through the services. What does not change while the
  history runs is looked up once: the working calendar, each version's route, who holds which role
  where; messages are written in each transaction as always and delivered together at the end
  (``outbox.delivery_batched``). On PostgreSQL the units are shared among worker processes.

The history's citizens chose no email or SMS, so the generation sends nothing.
"""

import io
import logging
import multiprocessing
import random
import threading
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from accounts.constants import AgencyKind, Role
from accounts.demo import DISTRICT_DESK, commune_code
from accounts.models import Agency, StaffMembership, User
from procedures.calendar import WorkingCalendar
from procedures.constants import ServiceLevel
from procedures.form_schema import answers_to_storage, form_class_for
from procedures.models import ProcedureVersion

from . import permissions
from .constants import ResultDelivery
from .outbox import delivery_batched
from .services import (
    attachment_add,
    dossier_apologise,
    dossier_complete,
    dossier_hand_over,
    dossier_receive,
    dossier_register_at_desk,
    dossier_request_completion,
    dossier_resubmit,
    dossier_return,
    dossier_save_applicant,
    dossier_save_delivery,
    dossier_save_form,
    dossier_start,
    dossier_stop,
    dossier_submit,
    dossier_withdraw,
    routing,
)
from .services.routing import route_ahead, step_unit_id
from .services.submission import online_documents

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SAMPLE = {
    "text": "Nguyễn Văn An",
    "number": "1",
    "date": "2020-05-01",
    "yesno": "no",
    "citizen_id": "038190001234",
    "phone": "0912345678",
    "address": "Thôn 1, thị trấn Bến Sung, huyện Như Thanh",
}

# Online dossiers received in the first half of 2021 (level 3, level 4): the district desk's, and the
# communes' together, shared among them by their weight below.
H1_2021_ONLINE = {"desk": (179, 48), "communes": (962, 1230)}
# Relative size of each commune (in the order of accounts.demo.COMMUNES: Bến Sung, the district town,
# first), the share of level 4 among its online dossiers, and its online share (of all received).
COMMUNE_WEIGHTS = [1.7, 1.0, 1.1, 0.85, 1.0, 1.25, 1.15, 1.35, 0.7, 0.8, 1.0, 0.95, 0.85, 0.75]
COMMUNE_LEVEL4 = [0.50, 0.58, 0.55, 0.60, 0.52, 0.57, 0.54, 0.59, 0.56, 0.53, 0.61, 0.55, 0.58, 0.51]
COMMUNE_ONLINE = [0.62, 0.55, 0.58, 0.52, 0.60, 0.57, 0.54, 0.63, 0.50, 0.53, 0.59, 0.56, 0.51, 0.55]
DESK_ONLINE = 0.56
GROWTH_PER_HALF = 0.03  # the pace of later half-years, relative to the first half of 2021
# How often a dossier meets each event (late: of the dossiers a unit receives in a half-year).
COMPLETION_BEFORE_RECEPTION = 0.05  # of online dossiers
SUPPLEMENT = 0.05
WITHDRAWN = 0.015
STOPPED = 0.008
LATE = 0.02
# How often each procedure is asked for, by code (the rest: 1).
POPULARITY = {
    "2.000815": 4,  # certified copies
    "1.001193": 3,  # birth registration
    "2.000884": 2,
    "1.004873": 2,
    "1.000894": 1.5,
    "1.000656": 1.5,
    "2.000575": 1,
    "2.000720": 1,
    "1.003583": 0.3,
    "1.001776": 0.6,
    "1.001731": 0.3,
}
SAMPLE_PHONE_PREFIX = "0987"
CITIZENS = 60
ROLE_TITLES = {Role.CLERK: "Cán bộ một cửa", Role.SPECIALIST: "Chuyên viên", Role.LEADER: "Lãnh đạo"}


# ---- the clock and the lookups that do not change while the history runs ------------------------

_clock = threading.local()


@contextmanager
def clock(moment: datetime):
    """Run the services as if it were ``moment`` (inside ``_history_mode``, or on its own)."""
    if getattr(_clock, "patched", False):
        previous, _clock.moment = getattr(_clock, "moment", None), moment
        try:
            yield
        finally:
            _clock.moment = previous
        return
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


@contextmanager
def _history_mode():
    """The services as they are, with what cannot change while the history runs looked up once: the
    clock patched once (``clock`` only moves it), one working calendar, who holds which role where
    (each version's route is kept on the version, which every dossier of the history shares); messages
    delivered together at the end. Nothing here changes a rule."""
    real_now = timezone.now
    calendar = WorkingCalendar.current()
    roles, desks, holds = {}, {}, {}
    holds_role = routing._holds_role
    desk_clerk, holding = permissions._desk_clerk, permissions._holds

    def now():
        return getattr(_clock, "moment", None) or real_now()

    def cached_holds_role(user, agency_id, role):
        key = (user.pk, agency_id, role)
        if key not in roles:
            roles[key] = holds_role(user, agency_id, role)
        return roles[key]

    def cached_desk_clerk(user, dossier):
        key = (user.pk, dossier.agency_id)
        if key not in desks:
            desks[key] = desk_clerk(user, dossier)
        return desks[key]

    def cached_holds(user, dossier):
        if dossier.current_assignee_id and dossier.current_assignee_id == user.pk:
            return True
        key = (user.pk, dossier.current_agency_id or dossier.agency_id)
        if key not in holds:
            holds[key] = holding(user, dossier)
        return holds[key]

    _clock.patched, _clock.moment = True, None
    try:
        with (
            mock.patch.object(timezone, "now", now),
            mock.patch.object(WorkingCalendar, "current", staticmethod(lambda: calendar)),
            mock.patch.object(routing, "_holds_role", cached_holds_role),
            mock.patch.object(permissions, "_desk_clerk", cached_desk_clerk),
            mock.patch.object(permissions, "_holds", cached_holds),
            delivery_batched(),
        ):
            yield
            _clock.moment = None  # the batch is delivered now, not at the history's last moment
    finally:
        _clock.patched, _clock.moment = False, None


# ---- sample data -----------------------------------------------------------------------------------


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


_SCAN = None


def _scan(name: str) -> SimpleUploadedFile:
    """A result as a scanned image: issued with a verification code, not signed (signing a history of
    thousands of results would make the demo slow to load)."""
    global _SCAN
    if _SCAN is None:
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("L", (8, 8), 255).save(buffer, format="PNG")
        _SCAN = buffer.getvalue()
    return SimpleUploadedFile(name, _SCAN, content_type="image/png")


def _answers(version: ProcedureVersion) -> dict:
    raw = {}
    for spec in version.form_schema:
        raw[spec["name"]] = spec["choices"][0] if spec["type"] == "choice" else SAMPLE.get(spec["type"], "1")
    form = form_class_for(version.form_schema)(data=raw)
    if not form.is_valid():
        raise ValueError(f"sample answers do not fit {version}: {form.errors}")
    return form.cleaned_data


def history_exists() -> bool:
    """Whether a history was made already (its sample citizens have dossiers)."""
    from .models import Dossier

    return Dossier.objects.filter(applicant__phone__startswith=SAMPLE_PHONE_PREFIX).exists()


def _citizens(count: int) -> list[User]:
    people = []
    for n in range(count):
        phone = f"{SAMPLE_PHONE_PREFIX}{n:06d}"
        user = User.objects.filter(phone=phone).first()
        if user is None:
            user = User.objects.create_user(
                phone=phone, password=None, full_name=f"Công dân mẫu {n + 1}", notify_email=False, notify_sms=False
            )
        people.append(user)
    return people


def _staff(unit: Agency, role: str, cache: dict) -> User:
    """Someone holding ``role`` at ``unit``: the demo's own staff where there is one, else a history
    member of staff made for it (every route step of the demo's procedures has its person)."""
    key = (unit.pk, role)
    if key not in cache:
        membership = (
            StaffMembership.objects.filter(agency=unit, role=role, is_active=True).select_related("user").first()
        )
        if membership is None:
            user = User.objects.create_user(
                email=f"{role}.{unit.code.lower()}@demo.vn",
                password=None,
                full_name=f"{ROLE_TITLES[role]} {unit.name}",
            )
            membership = StaffMembership.objects.create(user=user, agency=unit, role=role)
        cache[key] = membership.user
    return cache[key]


# ---- the plan --------------------------------------------------------------------------------------


@dataclass
class Planned:
    """One dossier of the plan: where, what, how it comes in and what becomes of it."""

    unit: int
    version: int
    online: bool
    received: datetime  # the reception (online: by the desk; at the desk: the registration)
    submitted: datetime | None  # online only
    citizen: int
    seed: int
    completion: bool = False  # online: asked to complete before reception, then resubmitted
    supplement: bool = False  # a supplement request during processing, then the complete dossier
    ending: str = ""  # "withdrawn", "stopped", "late" or "" (resolved early or on time)


def split(total: int, weights: list[float]) -> list[int]:
    """``total`` shared by ``weights`` in whole numbers that add up to it (largest remainders)."""
    raw = [total * weight / sum(weights) for weight in weights]
    parts = [int(value) for value in raw]
    for index in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[index] += 1
    return parts


def unit_volumes() -> dict[str, tuple[int, int, float]]:
    """Per unit code: online dossiers received in a half-year at level 3 and level 4 (the first half of
    2021 exactly), and its online share."""
    desk3, desk4 = H1_2021_ONLINE["desk"]
    level3, level4 = H1_2021_ONLINE["communes"]
    threes = split(level3, [w * (1 - s) for w, s in zip(COMMUNE_WEIGHTS, COMMUNE_LEVEL4, strict=True)])
    fours = split(level4, [w * s for w, s in zip(COMMUNE_WEIGHTS, COMMUNE_LEVEL4, strict=True)])
    volumes = {DISTRICT_DESK: (desk3, desk4, DESK_ONLINE)}
    for number, share in enumerate(COMMUNE_ONLINE):
        volumes[commune_code(number)] = (threes[number], fours[number], share)
    return volumes


def _halves(since: date, until: date):
    """(first day, last day, whole half's first day, last day, halves since H1 2021) of each half-year
    that [since, until] touches, clipped to it."""
    year, half = since.year, 1 if since.month <= 6 else 2
    while True:
        first = date(year, 1 if half == 1 else 7, 1)
        last = date(year, 6, 30) if half == 1 else date(year, 12, 31)
        if first > until:
            return
        yield max(first, since), min(last, until), first, last, (year - 2021) * 2 + half - 1
        year, half = (year, 2) if half == 1 else (year + 1, 1)


def _working_days(calendar: WorkingCalendar, first: date, last: date) -> list[date]:
    return [
        first + timedelta(n) for n in range((last - first).days + 1) if calendar.is_working_day(first + timedelta(n))
    ]


def plan_history(
    *,
    units: list[Agency],
    offered: dict[int, list[ProcedureVersion]],
    since: date,
    until: date,
    seed: int,
    per_week: float | None = None,
) -> list[Planned]:
    """Every dossier of the history from ``since`` to ``until`` (reception days), in order of reception;
    about ``per_week`` dossiers a unit and week instead of the usual pace when given."""
    rng = random.Random(seed)  # noqa: S311 - sample data, not secrets
    calendar = WorkingCalendar.current()
    zone = ZoneInfo(settings.TIME_ZONE)
    volumes = unit_volumes()
    plan: list[Planned] = []
    for first, last, whole_first, whole_last, index in _halves(since, until):
        days = _working_days(calendar, first, last)
        if not days:
            continue
        fraction = len(days) / len(_working_days(calendar, whole_first, whole_last))
        growth = 1 + GROWTH_PER_HALF * index
        for unit in units:
            level3, level4, share = volumes.get(unit.code, (0, 0, 0.5))
            by_level = {
                level: [v for v in offered[unit.pk] if v.service_level == level]
                for level in (ServiceLevel.PARTIAL, ServiceLevel.FULL)
            }
            counts = {}
            for level, count in ((ServiceLevel.PARTIAL, level3), (ServiceLevel.FULL, level4)):
                scale = 1 if index == 0 else growth * rng.uniform(0.95, 1.05)
                counts[level] = round(count * scale * fraction) if by_level[level] else 0
            online = sum(counts.values())
            direct = round(online * (1 - share) / share * rng.uniform(0.95, 1.05)) if online else 0
            if per_week is not None and online + direct:  # a lighter history (tests): not the figures
                factor = per_week * len(days) / 5 / (online + direct)
                counts = {level: round(count * factor) for level, count in counts.items()}
                direct = round(direct * factor)
            items = []
            for level, count in counts.items():
                for _ in range(count):
                    items.append((True, _pick(rng, by_level[level])))
            for _ in range(direct):
                items.append((False, _pick(rng, offered[unit.pk])))
            unit_plan = [
                _timing(rng, calendar, zone, unit, version, online, rng.choice(days), since)
                for online, version in items
            ]
            _outcomes(rng, unit_plan)
            plan.extend(unit_plan)
    plan.sort(key=lambda item: (item.received, item.unit))
    return plan


def _pick(rng: random.Random, versions: list[ProcedureVersion]) -> ProcedureVersion:
    return rng.choices(versions, weights=[POPULARITY.get(v.procedure.code, 1) for v in versions])[0]


def _timing(rng, calendar, zone, unit, version, online, day, since) -> Planned:
    """When the dossier comes in on ``day``: a walk-in at office hours; an online one submitted at
    office hours or the evening before, and received by the desk within the same working day."""
    minutes = rng.choice([rng.randrange(7 * 60 + 30, 11 * 60), rng.randrange(13 * 60 + 30, 16 * 60 + 30)])
    moment = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    item = Planned(
        unit=unit.pk,
        version=version.pk,
        online=online,
        received=moment,
        submitted=None,
        citizen=rng.randrange(CITIZENS),
        seed=rng.randrange(2**31),
    )
    if not online:
        return item
    evening = datetime.combine(day - timedelta(days=1), time(rng.randrange(18, 23), rng.randrange(60)), tzinfo=zone)
    submitted = evening if rng.random() < 0.3 and evening.date() >= since else moment
    start = calendar.next_working_start(submitted)  # the clock of an evening submission: the next morning
    # The desk receives it within the first tenth of its time (and the same day), so it is never late
    # because the reception waited.
    delay = min(Decimal(rng.choice(["0.05", "0.1", "0.2"])), version.processing_days / 10)
    received = calendar.add_working_days(start, delay)
    if received.date() != day:
        received = start
    item.submitted, item.received = submitted, received
    return item


def _outcomes(rng: random.Random, items: list[Planned]) -> None:
    """What becomes of each dossier of one unit and half-year; ``LATE`` of them exactly are late."""
    for item in items:
        item.completion = item.online and rng.random() < COMPLETION_BEFORE_RECEPTION
        roll = rng.random()
        if roll < WITHDRAWN:
            item.ending = "withdrawn"
        elif roll < WITHDRAWN + STOPPED:
            item.ending = "stopped"
        item.supplement = not item.ending and rng.random() < SUPPLEMENT
    plain = [item for item in items if not item.ending and not item.supplement]
    expected = LATE * len(items)  # rounded up or down at random, so small units get their share too
    late = int(expected) + (rng.random() < expected - int(expected))
    for item in rng.sample(plain, min(len(plain), late)):
        item.ending = "late"


# ---- playing it ------------------------------------------------------------------------------------


@dataclass
class Context:
    units: dict
    versions: dict
    documents: dict
    answers: dict
    citizens: list
    staff: dict
    leader: User
    calendar: WorkingCalendar
    start: datetime  # nothing is submitted before the history's first day
    limit: datetime


def district_offer(district: Agency) -> tuple[list[Agency], dict[int, list[ProcedureVersion]]]:
    """The receiving units of ``district`` (by code) and what each offers, in the order the plan reads
    them (the plan is deterministic for a seed only in this order)."""
    units = list(
        Agency.objects.filter(path__startswith=district.path, kind__in=[AgencyKind.DESK, AgencyKind.COMMUNE]).order_by(
            "code"
        )
    )
    offered = {
        unit.pk: list(
            ProcedureVersion.objects.filter(agencies=unit, status="published")
            .select_related("procedure")
            .prefetch_related("documents")
            .order_by("procedure__code")
        )
        for unit in units
    }
    return units, offered


def generate_history(
    *,
    since: date,
    until: date | None = None,
    seed: int = 2026,
    settle: bool = False,
    workers: int = 1,
    per_week: float | None = None,
) -> dict:
    """Dossiers received by every unit of the demo district from ``since`` to ``until`` (default today),
    through the services; returns counts by outcome. Nothing happens after the end of ``until`` (nor
    after now), unless ``settle``: then the dossiers still open are carried on to their end (up to now),
    so a past year leaves nothing stranded. ``workers`` processes share the units (PostgreSQL only).
    ``per_week`` makes a lighter history (about that many dossiers a unit and week, not the figures)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    until = min(until or today, today)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)
    limit = timezone.now() if settle else min(end, timezone.now())
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # one line per in-process task otherwise
    district = Agency.objects.get(code="000.00.22.H56")
    units, offered = district_offer(district)
    plan = plan_history(units=units, offered=offered, since=since, until=until, seed=seed, per_week=per_week)
    agencies = {agency.pk: agency for agency in Agency.objects.filter(path__startswith=district.path)}
    versions = {version.pk: version for versions in offered.values() for version in versions}
    # A published version's documents and fees never change: read once for every dossier of the history.
    prefetch_related_objects(list(versions.values()), "documents", "fees")
    staff: dict = {}
    with transaction.atomic():  # everyone each dossier meets exists before the work is shared out
        for unit in units:
            _staff(unit, Role.CLERK, staff)
        for version in versions.values():
            for step in version.steps.all():
                for unit in units if step.agency_id is None else [agencies[step.agency_id]]:
                    if step.agency_id is not None or version in offered[unit.pk]:
                        _staff(unit, step.role, staff)
        citizens = _citizens(CITIZENS)
    context = Context(
        units=agencies,
        versions=versions,
        # What a citizen uploads online: the mandatory documents that are neither replaced by the online
        # form nor shown in person at the desk.
        documents={pk: [d for d in online_documents(v).uploads if d.mandatory] for pk, v in versions.items()},
        answers={pk: _answers(version) for pk, version in versions.items()},
        citizens=citizens,
        staff=staff,
        leader=StaffMembership.objects.filter(agency=district, role=Role.LEADER, is_active=True).first().user,
        calendar=WorkingCalendar.current(),
        start=datetime.combine(since, time.min, tzinfo=zone),
        limit=limit,
    )
    if workers > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _in_workers(plan, context, workers)
    return _play(plan, context)


def _play(plan: list[Planned], context: Context) -> dict:
    outcomes: Counter = Counter()
    with _own_transactions(), _history_mode():
        for item in plan:
            outcomes[_one(item, context)] += 1
    return dict(outcomes)


@contextmanager
def _own_transactions():
    """Each dossier is one transaction of its own (when the history is not itself inside one): on
    PostgreSQL its commit need not wait for the disk (a crash loses at most the last dossiers, never
    leaves a half-made one), and the services' nested blocks set no savepoints (nothing in a dossier
    is undone alone: an error undoes the whole dossier). Its thousands of queries are not kept for
    debugging either (``DEBUG`` keeps every query of a request)."""
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
    own = connections[DEFAULT_DB_ALIAS]
    own._savepoint_allowed = lambda: False  # what every backend asks before it sets one
    debug, settings.DEBUG = settings.DEBUG, False
    try:
        yield
    finally:
        settings.DEBUG = debug
        del own._savepoint_allowed  # the backend's own rule again
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO DEFAULT")


def _in_workers(plan: list[Planned], context: Context, workers: int) -> dict:
    """The plan played by ``workers`` processes, a unit at a time (a unit's codes and counters stay in
    one process, in order of reception): the largest units first, each to the next process free, so
    the processes end together."""
    by_unit: dict[int, list[Planned]] = {}
    for item in plan:
        by_unit.setdefault(item.unit, []).append(item)
    shares = sorted(by_unit.values(), key=len, reverse=True)
    for share in shares:
        share.sort(key=lambda item: item.received)
    connections.close_all()  # each process opens its own
    forked = multiprocessing.get_context("fork")
    total: Counter = Counter()
    with forked.Pool(workers) as pool:
        for result in pool.imap_unordered(_play_share, [(share, context) for share in shares]):
            total.update(result)
    return dict(total)


def _play_share(work: tuple[list[Planned], Context]) -> dict:
    return _play(*work)


@transaction.atomic
def _one(item: Planned, context: Context) -> str:
    """One dossier through the services, from its submission or registration to its end (or to the
    limit); returns what became of it."""
    rng = random.Random(item.seed)  # noqa: S311 - sample data, not secrets
    calendar, limit = context.calendar, context.limit
    unit, version = context.units[item.unit], context.versions[item.version]
    citizen = context.citizens[item.citizen]
    clerk = context.staff[(unit.pk, Role.CLERK)]
    applicant = {"full_name": citizen.full_name, "phone": citizen.phone, "email": ""}
    answers = context.answers[version.pk]
    if item.online:
        # Asked to complete: first sent incomplete a few working days earlier; the planned submission
        # is then the complete one, so the reception and its clock stay as planned.
        submitted = _working_days_before(calendar, item.submitted, rng.choice([2, 3])) if item.completion else None
        if submitted is None or submitted < context.start:
            submitted = item.submitted
        if submitted > limit:
            return "planned"
        with clock(submitted):
            dossier = dossier_start(applicant=citizen, version=version, agency=unit)
            dossier_save_applicant(dossier=dossier, data=applicant)
            dossier_save_form(dossier=dossier, data=answers)
            for document in context.documents[version.pk]:
                attachment_add(dossier=dossier, required_document=document, upload=_pdf("giay-to.pdf"), by=citizen)
            dossier_save_delivery(dossier=dossier, delivery=ResultDelivery.DESK)
            dossier = dossier_submit(dossier=dossier, by=citizen, submission_key=uuid.uuid4())
        if submitted != item.submitted:
            asked = calendar.add_working_days(submitted, Decimal("0.25"))
            if asked > limit:
                return "submitted"
            with clock(asked):
                dossier = dossier_request_completion(
                    dossier=dossier, by=clerk, missing=["Bản chụp giấy tờ tùy thân rõ nét"], reason="Ảnh chụp bị mờ"
                ).dossier
            if item.submitted > limit:
                return "completion requested"
            with clock(item.submitted):
                dossier = dossier_resubmit(
                    dossier=dossier, by=citizen, uploads=[(None, _pdf("bo-sung.pdf"))], note="Đã chụp lại giấy tờ"
                ).dossier
        if item.received > limit:
            return "submitted"
        with clock(item.received):
            dossier = dossier_receive(dossier=dossier, by=clerk).dossier
    else:
        if item.received > limit:
            return "planned"
        with clock(item.received):
            dossier = dossier_register_at_desk(
                clerk=clerk,
                agency=unit,
                version=version,
                applicant=citizen,
                applicant_data=applicant,
                form_data=answers_to_storage(version.form_schema, answers),
                result_delivery=ResultDelivery.DESK,
                submission_key=uuid.uuid4(),
            )
    late = item.ending == "late"
    start, due = dossier.received_at, dossier.due_at
    ahead = route_ahead(dossier=dossier)
    holder = clerk
    finish, moments = _schedule(rng, calendar, start, due, late, len(ahead))
    for hops, step in enumerate(ahead, start=1):
        unit_id = step_unit_id(step, dossier)
        to_user = context.staff[(unit_id, step.role)]
        moment = moments[hops - 1]
        if moment > limit:
            return "in progress"
        with clock(moment):
            dossier = dossier_hand_over(
                dossier=dossier, by=holder, to_agency=context.units[unit_id], to_user=to_user
            ).dossier
        holder = to_user
        if hops > 1:
            continue
        if item.ending in ("withdrawn", "stopped"):  # once processing has started
            if item.ending == "withdrawn":
                return _close(dossier_withdraw, dossier, citizen, calendar.add_working_days(moment, 0.25), limit)
            return _close(dossier_stop, dossier, context.leader, calendar.add_working_days(moment, 0.5), limit)
        if item.supplement:
            asked = calendar.add_working_days(moment, Decimal("0.1"))
            if asked >= due:  # only within its time: the clock then pauses and restarts in full
                continue
            if asked > limit:
                return "in progress"
            with clock(asked):
                dossier = dossier_request_completion(
                    dossier=dossier, by=holder, missing=["Giấy tờ chứng minh nơi cư trú"], reason="Cần bổ sung"
                ).dossier
            back = calendar.add_working_days(asked, rng.choice([1, 2, 3]))
            if back > limit:
                return "supplement requested"
            by, uploads = (citizen, [(None, _pdf("bo-sung.pdf"))]) if item.online else (clerk, [])
            with clock(back):
                dossier = dossier_resubmit(
                    dossier=dossier, by=by, uploads=uploads, note="Nộp bổ sung tại Bộ phận Một cửa"
                ).dossier
            start, due = back, dossier.due_at
            finish, rest = _schedule(rng, calendar, start, due, late, len(ahead) - hops)
            moments[hops:] = rest
    if late:
        apology = calendar.next_working_start(due - timedelta(hours=2))
        if apology <= limit:
            with clock(max(apology, moments[-1] if moments else start)):
                dossier = dossier_apologise(
                    dossier=dossier,
                    by=clerk,
                    reason="Cần xác minh thêm thông tin",
                    new_appointment=finish + timedelta(days=1),
                ).dossier
    if finish > limit:
        return "in progress"
    with clock(finish):
        dossier = dossier_complete(dossier=dossier, by=holder, results=[_scan("ket-qua.png")]).dossier
    handed = calendar.add_working_days(finish, Decimal(rng.choice(["0.1", "1", "2"])))
    if handed > limit:
        return "late" if late else "done"
    with clock(handed):
        dossier_return(dossier=dossier, by=clerk, delivery=ResultDelivery.DESK)
    return "late" if late else "returned"


def _working_days_before(calendar, moment: datetime, days: int) -> datetime:
    """The same time of day ``days`` working days before ``moment``'s day (at office hours)."""
    day = moment.date()
    while days:
        day -= timedelta(days=1)
        days -= calendar.is_working_day(day)
    local = timezone.localtime(moment, calendar.tz)
    hour = local.time() if time(7, 30) <= local.time() < time(16, 30) else time(9, 0)
    return calendar.next_working_start(datetime.combine(day, hour, tzinfo=calendar.tz))


def _schedule(rng, calendar, start, due, late, hops) -> tuple[datetime, list[datetime]]:
    """The result's moment (within the time left before ``due``, or some days after it when ``late``)
    and ``hops`` hand-overs spread over the first part of the time up to it."""
    left = calendar.working_hours_between(start, due) / 8
    if late:
        finish = calendar.next_working_start(due + timedelta(days=rng.choice([1, 2, 4])))
    else:
        finish = calendar.add_working_days(start, (left * Decimal(str(round(rng.uniform(0.35, 0.95), 2)))))
        finish = min(finish, due)
    finish = max(finish, calendar.add_working_days(start, Decimal("0.02")))
    span = calendar.working_hours_between(start, finish) / 8
    moments = [
        calendar.add_working_days(start, (span * Decimal("0.9") * n / (hops + 1)).quantize(Decimal("0.001")))
        for n in range(1, hops + 1)
    ]
    return finish, moments


def _close(action, dossier, by, moment, limit) -> str:
    name = "withdrawn" if action is dossier_withdraw else "stopped"
    if moment > limit:
        return "in progress"
    with clock(moment):
        action(
            dossier=dossier, by=by, reason="Theo đề nghị của người nộp" if name == "withdrawn" else "Không đủ điều kiện"
        )
    return name
