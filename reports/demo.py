"""The demo's targets, so the first ``make run`` judges every unit: Thanh Hóa's targets for 2021 (the
year of ``seed_demo --history 2021``) and for the current year, for every commune, every one-stop desk
and the district. Loaded by ``manage.py seed_demo``; idempotent (a target there already is kept, even
one a leader has changed since).

These are demo values, and their source says so: the province's published plans we found do not set
these indicators per unit (Kế hoạch số 257/KH-UBND ngày 22/12/2025, the province's administrative
reform plan for 2026, sets online payments at 55 % or more across the province). The 30 % of online
dossiers for 2021 is the national target of that year, as the Ministry of Information and
Communications reported it at the year's end. No document number here is made up.
"""

from decimal import Decimal

from django.utils import timezone

from accounts.constants import AgencyKind

from .models import DEMO_SOURCE, Indicator, Target, TargetChange, TargetPeriod
from .periods import QUARTER, period_current
from .targets import target_save

LEVELS = (AgencyKind.COMMUNE, AgencyKind.DESK, AgencyKind.DISTRICT)
FIRST_YEAR = 2021
FIRST_YEAR_PERIODS = ((TargetPeriod.HALF, None), (TargetPeriod.YEAR, None))
FIRST_YEAR_VALUES = {Indicator.ONLINE_SHARE: Decimal("30.0"), Indicator.ON_TIME_RATE: Decimal("95.0")}
YEAR_PERIODS = (
    *((TargetPeriod.QUARTER, number) for number in (1, 2, 3, 4)),
    (TargetPeriod.HALF, None),
    (TargetPeriod.NINE_MONTHS, None),
    (TargetPeriod.YEAR, None),
)
YEAR_VALUES = {
    Indicator.ONLINE_SHARE: Decimal("50.0"),
    Indicator.ON_TIME_RATE: Decimal("98.0"),
    Indicator.DIGITISATION_RATE: Decimal("80.0"),
    Indicator.ONLINE_PAYMENT_RATE: Decimal("30.0"),
    Indicator.SATISFACTION_RATE: Decimal("90.0"),
    Indicator.FEEDBACK_ON_TIME_RATE: Decimal("90.0"),
}
PLAN_2026 = "Kế hoạch số 257/KH-UBND ngày 22/12/2025 của UBND tỉnh Thanh Hóa"


def source(*, indicator: str, year: int) -> str:
    """The source written on a demo target: it says it is a demo, and names what we know is real."""
    if year == FIRST_YEAR and indicator == Indicator.ONLINE_SHARE:
        return f"{DEMO_SOURCE}; mức 30% là mục tiêu quốc gia năm 2021 về tỷ lệ hồ sơ TTHC xử lý trực tuyến"
    if indicator == Indicator.FEEDBACK_ON_TIME_RATE:
        return DEMO_SOURCE  # no plan we found sets it per unit
    if year == 2026 and indicator == Indicator.ONLINE_PAYMENT_RATE:
        return f"{DEMO_SOURCE}; {PLAN_2026} (CCHC năm 2026) đặt tỷ lệ thanh toán trực tuyến toàn tỉnh ≥ 55%"
    if year == 2026:
        return f"{DEMO_SOURCE}; kế hoạch CCHC năm 2026 của tỉnh: {PLAN_2026}"
    return DEMO_SOURCE


def demo_targets(*, today=None) -> list[dict]:
    """Every demo target as the arguments of ``target_save``."""
    today = today or timezone.localdate()
    plans = [(FIRST_YEAR, FIRST_YEAR_PERIODS, FIRST_YEAR_VALUES)]
    # The current year, and the next one in the last days of December, when the official cut-off
    # already counts the first quarter of the next year.
    for year in sorted({today.year, period_current(QUARTER, today=today, cutoff=True).year}):
        if year != FIRST_YEAR:
            plans.append((year, YEAR_PERIODS, YEAR_VALUES))
    found = []
    for year, periods, values in plans:
        for period_kind, number in periods:
            for indicator, value in values.items():
                for level in LEVELS:
                    found.append(
                        {
                            "indicator": indicator,
                            "period_kind": period_kind,
                            "year": year,
                            "number": number,
                            "agency": None,
                            "agency_kind": level,
                            "value": value,
                            "note": source(indicator=indicator, year=year),
                        }
                    )
    return found


def load_targets(*, today=None) -> int:
    """Set the demo targets that are missing; return how many were set. A target a leader deleted is
    not set again: the leader's choice stands."""
    key_fields = ("indicator", "period_kind", "year", "number", "agency_kind")
    existing = set(Target.objects.filter(agency__isnull=True).values_list(*key_fields))
    existing |= set(
        TargetChange.objects.filter(action=TargetChange.Action.DELETED, agency__isnull=True).values_list(*key_fields)
    )
    created = 0
    for target in demo_targets(today=today):
        key = (target["indicator"], target["period_kind"], target["year"], target["number"], target["agency_kind"])
        if key in existing:
            continue
        target_save(by=None, **target)
        created += 1
    return created
