"""A realistic history of dossiers for the demo district, made through the same services as real work
(submission, reception, completion, return, withdrawal, stop, apology) with the clock set to each
moment, so the dashboard and the reports show something true to life.

Every unit (the district desk and each commune) receives a few dossiers each working week; the share
submitted online grows over the year; most are resolved early or on time, some late (with the apology
and a new appointment), a few withdrawn or stopped, the most recent still in progress. The history's
citizens chose no email or SMS, so the generation sends nothing.
"""

import io
import logging
import random
import uuid
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.constants import AgencyKind, Role
from accounts.models import Agency, StaffMembership, User
from procedures.calendar import WorkingCalendar
from procedures.constants import ServiceLevel
from procedures.form_schema import answers_to_storage, form_class_for
from procedures.models import ProcedureVersion

from .constants import ResultDelivery
from .services import (
    attachment_add,
    dossier_apologise,
    dossier_complete,
    dossier_hand_over,
    dossier_receive,
    dossier_register_at_desk,
    dossier_return,
    dossier_save_applicant,
    dossier_save_delivery,
    dossier_save_form,
    dossier_start,
    dossier_stop,
    dossier_submit,
    dossier_withdraw,
)
from .services.routing import route_ahead, step_unit_id

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


@contextmanager
def clock(moment: datetime):
    """Run the services as if it were ``moment``."""
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _scan(name: str) -> SimpleUploadedFile:
    """A result as a scanned image: issued with a verification code, not signed (signing a history of
    hundreds of results would make the demo slow to load)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (8, 8), 255).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _answers(version: ProcedureVersion) -> dict:
    raw = {}
    for spec in version.form_schema:
        raw[spec["name"]] = spec["choices"][0] if spec["type"] == "choice" else SAMPLE.get(spec["type"], "1")
    form = form_class_for(version.form_schema)(data=raw)
    if not form.is_valid():
        raise ValueError(f"sample answers do not fit {version}: {form.errors}")
    return form.cleaned_data


SAMPLE_PHONE_PREFIX = "0987"


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


ROLE_TITLES = {Role.CLERK: "Cán bộ một cửa", Role.SPECIALIST: "Chuyên viên", Role.LEADER: "Lãnh đạo"}


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


def _working_moment(rng: random.Random, day: date) -> datetime:
    zone = ZoneInfo(settings.TIME_ZONE)
    minutes = rng.choice([rng.randrange(7 * 60 + 30, 11 * 60 + 30), rng.randrange(13 * 60 + 30, 16 * 60 + 30)])
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)


def generate_history(*, since: date, until: date | None = None, per_week: int = 2, seed: int = 2026) -> dict:
    """Dossiers for every unit of the demo district from ``since`` to ``until`` (today); returns counts
    by outcome."""
    rng = random.Random(seed)  # noqa: S311 - sample data, not secrets
    until = until or timezone.localdate()
    # Nothing happens after the end of ``until``, nor after this moment: a history, not a forecast.
    zone = ZoneInfo(settings.TIME_ZONE)
    limit = min(datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone), timezone.now())
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # one line per in-process task otherwise
    district = Agency.objects.get(code="000.00.22.H56")
    units = list(Agency.objects.filter(path__startswith=district.path, kind__in=[AgencyKind.DESK, AgencyKind.COMMUNE]))
    staff: dict = {}
    agencies = {agency.pk: agency for agency in Agency.objects.filter(path__startswith=district.path)}
    leader = StaffMembership.objects.filter(agency=district, role=Role.LEADER, is_active=True).first().user
    citizens = _citizens(60)
    offered = {
        unit.pk: list(ProcedureVersion.objects.filter(agencies=unit, status="published").select_related("procedure"))
        for unit in units
    }
    answers: dict[int, dict] = {}
    calendar = WorkingCalendar.current()
    outcomes: dict[str, int] = {}
    day = since
    while day <= until:
        if calendar.is_working_day(day):
            for unit in units:
                if offered[unit.pk] and rng.random() < per_week / 5:
                    received = _working_moment(rng, day)
                    if received >= limit:
                        continue
                    version = rng.choice(offered[unit.pk])
                    if version.pk not in answers:
                        answers[version.pk] = _answers(version)
                    outcome = _one(
                        rng=rng,
                        unit=unit,
                        version=version,
                        answers=answers[version.pk],
                        clerk=_staff(unit, Role.CLERK, staff),
                        staff=staff,
                        units=agencies,
                        leader=leader,
                        citizen=rng.choice(citizens),
                        received=received,
                        until=limit,
                        online_share=0.3 + 0.4 * (day - since).days / max((until - since).days, 1),
                    )
                    outcomes[outcome] = outcomes.get(outcome, 0) + 1
        day += timedelta(days=1)
    return outcomes


@transaction.atomic
def _one(*, rng, unit, version, answers, clerk, staff, units, leader, citizen, received, until, online_share) -> str:
    online = version.service_level >= ServiceLevel.PARTIAL and rng.random() < online_share
    applicant = {"full_name": citizen.full_name, "phone": citizen.phone, "email": ""}
    with clock(received):
        if online:
            dossier = dossier_start(applicant=citizen, version=version, agency=unit)
            dossier_save_applicant(dossier=dossier, data=applicant)
            dossier_save_form(dossier=dossier, data=answers)
            for document in version.documents.filter(mandatory=True):
                attachment_add(dossier=dossier, required_document=document, upload=_pdf("giay-to.pdf"), by=citizen)
            dossier_save_delivery(dossier=dossier, delivery=ResultDelivery.DESK)
            dossier = dossier_submit(dossier=dossier, by=citizen, submission_key=uuid.uuid4())
        else:
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
    if online:
        moment = received + timedelta(hours=rng.choice([1, 2, 4, 20]))
        if moment > until:
            return "submitted"
        with clock(moment):
            dossier = dossier_receive(dossier=dossier, by=clerk).dossier
    due = dossier.due_at
    roll = rng.random()
    late = roll > 0.9
    # Everything happens in office hours: the result within its time (or some days late), and each
    # hand-over at an even share of the working time up to it.
    calendar = WorkingCalendar.current()
    if late:
        finish = calendar.next_working_start(due + timedelta(days=rng.choice([1, 2, 4])))
    else:
        days = Decimal(str(round(float(version.processing_days) * rng.uniform(0.3, 0.98), 2)))
        finish = min(calendar.add_working_days(dossier.received_at, days), due)
    finish = max(finish, calendar.add_working_days(dossier.received_at, Decimal("0.1")))
    working_days = calendar.working_hours_between(dossier.received_at, finish) / 8
    # Along the procedure's route: each step's unit and a person holding its role there, the hand-overs
    # spread over the first part of the time, the last holder recording the result.
    holder = clerk
    ahead = route_ahead(dossier=dossier)
    for hops, step in enumerate(ahead, start=1):
        unit_id = step_unit_id(step, dossier)
        if unit_id not in units:
            units[unit_id] = Agency.objects.get(pk=unit_id)
        to_user = _staff(units[unit_id], step.role, staff)
        share = (working_days * Decimal("0.9") * hops / (len(ahead) + 1)).quantize(Decimal("0.01"))
        moment = calendar.add_working_days(dossier.received_at, share)
        if moment > until:
            return "in progress"
        with clock(moment):
            dossier = dossier_hand_over(dossier=dossier, by=holder, to_agency=units[unit_id], to_user=to_user).dossier
        holder = to_user
        if hops == 1 and roll < 0.06:  # a few are withdrawn or stopped once processing started
            if roll < 0.04:
                when = calendar.add_working_days(moment, Decimal("0.25"))
                return _close(dossier_withdraw, dossier, citizen, when, until, "withdrawn")
            return _close(dossier_stop, dossier, leader, calendar.add_working_days(moment, 1), until, "stopped")
    apology = calendar.next_working_start(due - timedelta(hours=2))
    if late and apology <= until:
        with clock(apology):
            dossier = dossier_apologise(
                dossier=dossier,
                by=clerk,
                reason="Cần xác minh thêm thông tin",
                new_appointment=finish + timedelta(days=1),
            ).dossier
    if finish > until:
        return "in progress"
    with clock(finish):
        dossier = dossier_complete(dossier=dossier, by=holder, results=[_scan("ket-qua.png")]).dossier
    handed = calendar.add_working_days(finish, Decimal(rng.choice(["0.1", "1", "2"])))
    if handed > until:
        return "late" if late else "done"
    with clock(handed):
        dossier_return(dossier=dossier, by=clerk, delivery=ResultDelivery.DESK)
    return "late" if late else "returned"


def _close(action, dossier, by, moment, until, name) -> str:
    if moment > until:
        return "in progress"
    with clock(moment):
        action(dossier=dossier, by=by, reason="Theo đề nghị" if name == "withdrawn" else "Không đủ điều kiện")
    return name
