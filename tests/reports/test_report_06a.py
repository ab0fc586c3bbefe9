"""The 06a report: hand-built cases at each boundary, and generated histories read cell by cell against
a plain Python count of the same rules."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dossiers.constants import Channel, Status
from dossiers.models import Dossier
from reports.periods import MONTH, QUARTER, YEAR, period_for, period_range
from reports.selectors import COLUMN_KEYS, cell_dossiers, report_06a
from tests.factories import AgencyFactory
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=TZ)


def cells(report, unit):
    row = next(r for r in report.rows if r.key == unit.pk)
    return {key: value for key, value in row.counts.items() if value}


def test_received_on_the_14th_is_carried_over_and_on_the_15th_is_new_in_a_cutoff_quarter(district, make):
    desk = district["desk"]
    make(desk, received=at(2025, 12, 14, 16, 0), due=at(2026, 4, 1, 17, 0))
    make(desk, received=at(2025, 12, 15, 8, 0), due=at(2026, 4, 1, 17, 0), channel=Channel.DIRECT)
    official = report_06a(agency=district["district"], period=period_for(QUARTER, 2026, 1, cutoff=True), now=NOW)
    assert cells(official, desk) == {"received": 2, "carried_over": 1, "direct": 1, "in_progress": 2, "within_time": 2}
    calendar = report_06a(agency=district["district"], period=period_for(QUARTER, 2026, 1), now=NOW)
    assert cells(calendar, desk) == {"received": 2, "carried_over": 2, "in_progress": 2, "within_time": 2}
    december = report_06a(agency=district["district"], period=period_for(MONTH, 2025, 12), now=NOW)
    assert cells(december, desk) == {"received": 2, "online": 1, "direct": 1, "in_progress": 2, "within_time": 2}


def test_finished_on_the_due_date_at_1659_is_on_time_and_the_next_morning_late(district, make):
    unit = district["communes"][0]
    due = at(2026, 3, 10, 17, 0)
    make(unit, received=at(2026, 3, 2, 8), due=due, status=Status.DONE, finished=at(2026, 3, 10, 16, 59))
    make(unit, received=at(2026, 3, 2, 8), due=due, status=Status.RETURNED, finished=at(2026, 3, 11, 8, 0))
    make(unit, received=at(2026, 3, 2, 8), due=due, status=Status.DONE, finished=at(2026, 3, 9, 17, 30))
    make(unit, received=at(2026, 3, 2, 8), due=due, status=Status.DONE, finished=at(2026, 3, 10, 17, 1))
    report = report_06a(agency=district["district"], period=period_for(MONTH, 2026, 3), now=NOW)
    assert cells(report, unit) == {"received": 4, "online": 4, "resolved": 4, "early": 1, "on_time": 1, "late": 2}


def test_in_progress_is_judged_at_the_end_of_the_period(district, make):
    unit = district["communes"][1]
    # Due on 1/4 at 17:00, finished late on 2/4: within time at the end of March, resolved late in April.
    make(unit, received=at(2026, 3, 20, 9), due=at(2026, 4, 1, 17), status=Status.DONE, finished=at(2026, 4, 2, 9))
    # Due on 30/3, still open: overdue at the end of March.
    make(unit, received=at(2026, 3, 20, 9), due=at(2026, 3, 30, 17))
    march = report_06a(agency=district["district"], period=period_for(MONTH, 2026, 3), now=NOW)
    assert cells(march, unit) == {"received": 2, "online": 2, "in_progress": 2, "within_time": 1, "overdue": 1}
    april = report_06a(agency=district["district"], period=period_for(MONTH, 2026, 4), now=NOW)
    assert cells(april, unit) == {
        "received": 2,
        "carried_over": 2,
        "resolved": 1,
        "late": 1,
        "in_progress": 1,
        "overdue": 1,
    }


def test_withdrawn_and_stopped_are_shown_apart_and_closed_dossiers_leave_later_periods(district, make):
    unit = district["communes"][2]
    make(unit, received=at(2026, 5, 4, 9), due=at(2026, 5, 20, 17), status=Status.WITHDRAWN, finished=at(2026, 5, 6, 9))
    make(unit, received=at(2026, 5, 4, 9), due=at(2026, 5, 20, 17), status=Status.STOPPED, finished=at(2026, 5, 7, 9))
    may = report_06a(agency=district["district"], period=period_for(MONTH, 2026, 5), now=NOW)
    assert cells(may, unit) == {"received": 2, "online": 2, "withdrawn": 1, "stopped": 1}
    june = report_06a(agency=district["district"], period=period_for(MONTH, 2026, 6), now=NOW)
    assert cells(june, unit) == {}


def test_a_dossier_waiting_for_a_supplement_counts_within_time_while_its_clock_is_paused(district, make):
    unit = district["desk"]
    make(unit, received=at(2026, 11, 2, 9), due=at(2026, 11, 20, 17), status=Status.SUPPLEMENT_REQUESTED)
    # Paused on 5/11, complete again on 24/11 (a new due time was set then), still open now.
    make(
        unit,
        received=at(2026, 11, 2, 9),
        due=at(2026, 11, 20, 17),
        history=[(at(2026, 11, 5, 9), Status.SUPPLEMENT_REQUESTED), (at(2026, 11, 24, 9), Status.PROCESSING)],
    )
    current = report_06a(agency=district["district"], period=period_for(MONTH, 2026, 11), now=NOW)
    assert cells(current, unit)["within_time"] == 1 and cells(current, unit)["overdue"] == 1
    # A closed period keeps its numbers: on 21/11 both clocks were paused.
    past = report_06a(
        agency=district["district"], period=period_range(at(2026, 11, 1).date(), at(2026, 11, 21).date()), now=NOW
    )
    assert cells(past, unit)["within_time"] == 2 and "overdue" not in cells(past, unit)


def test_rows_are_the_desk_and_each_commune_with_a_total_and_another_district_is_not_counted(district, make):
    other = AgencyFactory(district=True, code="000.00.23.H56")
    other_commune = AgencyFactory(code="000.30.23.H56", parent=other)
    make(other_commune, received=at(2026, 3, 2, 8), due=at(2026, 3, 20, 17))
    make(district["desk"], received=at(2026, 3, 2, 8), due=at(2026, 3, 20, 17))
    report = report_06a(agency=district["district"], period=period_for(MONTH, 2026, 3), now=NOW)
    assert [row.key for row in report.rows] == [district["desk"].pk, *[c.pk for c in district["communes"]]]
    assert report.total.counts["received"] == 1


def reference_counts(dossiers, period, now):
    """The same rules, counted one dossier at a time in plain Python."""
    start, end = period.bounds()
    moment = min(end, now)
    counts = {}
    for d in dossiers:
        if d.received_at is None or d.received_at >= end or (d.finished_at and d.finished_at < start):
            continue
        row = counts.setdefault(d.agency_id, dict.fromkeys(COLUMN_KEYS, 0))
        row["received"] += 1
        if d.received_at < start:
            row["carried_over"] += 1
        elif d.channel == Channel.ONLINE:
            row["online"] += 1
        else:
            row["direct"] += 1
        if d.finished_at and d.finished_at < end:
            if d.status in (Status.DONE, Status.RETURNED):
                row["resolved"] += 1
                finished, due = d.finished_at.astimezone(TZ), d.due_at.astimezone(TZ)
                if finished.date() < due.date():
                    row["early"] += 1
                elif finished <= due:
                    row["on_time"] += 1
                else:
                    row["late"] += 1
            else:
                row[d.status] += 1
        else:
            row["in_progress"] += 1
            changes = sorted(
                (e for e in d.events.all() if e.to_status and e.created_at < moment), key=lambda e: (e.created_at, e.pk)
            )
            # Paused: the last changes were a supplement request, and the request went out within time.
            run = []
            while changes and changes[-1].to_status == Status.SUPPLEMENT_REQUESTED:
                run.append(changes.pop())
            paused = bool(run) and run[-1].created_at <= d.due_at
            row["within_time" if paused or d.due_at >= moment else "overdue"] += 1
            # Waiting on the applicant then: its last status change before the moment, a subset.
            before = [e for e in d.events.all() if e.to_status and e.created_at < moment]
            last = max(before, key=lambda e: (e.created_at, e.pk), default=None)
            waiting = {Status.SUPPLEMENT_REQUESTED: "waiting_supplement", Status.AWAITING_PAYMENT: "waiting_payment"}
            if last is not None and last.to_status in waiting:
                row[waiting[last.to_status]] += 1
    return counts


def generate(make, units, count, seed):
    rng = random.Random(seed)
    for _ in range(count):
        received = at(2025, 10, 1, 8) + timedelta(minutes=rng.randrange(0, 60 * 24 * 420))
        due = received + timedelta(hours=rng.choice([4, 24, 72, 240, 480]))
        status = rng.choice(
            [Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT]
            + [Status.DONE, Status.RETURNED] * 3
            + [Status.WITHDRAWN, Status.STOPPED]
        )
        finished = None
        if status in (Status.DONE, Status.RETURNED, Status.WITHDRAWN, Status.STOPPED):
            finished = received + timedelta(hours=rng.choice([1, 8, 30, 71, 72, 73, 200, 239.99, 240.01, 500]))
        channel = rng.choice([Channel.ONLINE, Channel.ONLINE, Channel.DIRECT, Channel.POSTAL])
        history = ()
        if status != Status.SUPPLEMENT_REQUESTED and rng.random() < 0.3:  # paused a while, then resumed
            paused = received + timedelta(hours=rng.choice([2, 30, 100]))
            history = [(paused, Status.SUPPLEMENT_REQUESTED), (paused + timedelta(days=rng.choice([1, 5, 20])), status)]
        make(
            rng.choice(units),
            received=received,
            due=due,
            status=status,
            finished=finished,
            channel=channel,
            history=history,
        )


@pytest.mark.parametrize("cutoff", [False, True])
def test_generated_history_cell_by_cell_with_identities_and_drill_down(district, make, cutoff):
    units = [district["desk"], *district["communes"]]
    generate(make, units, 400, seed=7 + cutoff)
    dossiers = list(Dossier.objects.prefetch_related("events"))
    periods = [period_for(MONTH, 2026, 1, cutoff=cutoff), period_for(QUARTER, 2026, 4, cutoff=cutoff)]
    periods += [period_for(YEAR, 2026, cutoff=cutoff), period_range(at(2025, 12, 31).date(), at(2026, 1, 1).date())]
    drilled = 0
    for period in periods:
        report = report_06a(agency=district["district"], period=period, now=NOW)
        expected = reference_counts(dossiers, period, NOW)
        for row in report.rows:
            c = {key: row.counts.get(key, 0) for key in COLUMN_KEYS}
            assert c == expected.get(row.key, dict.fromkeys(COLUMN_KEYS, 0)), (period.label, row.label)
            assert c["received"] == c["carried_over"] + c["online"] + c["direct"]
            assert c["received"] == c["resolved"] + c["withdrawn"] + c["stopped"] + c["in_progress"]
            assert c["resolved"] == c["early"] + c["on_time"] + c["late"]
            assert c["in_progress"] == c["within_time"] + c["overdue"]
            assert c["waiting_supplement"] + c["waiting_payment"] <= c["in_progress"]
        assert report.total.counts["received"] > 0
        for column in COLUMN_KEYS:  # every number of the total row and of one unit opens to as many dossiers
            behind = cell_dossiers(agency=district["district"], period=period, column=column, now=NOW)
            assert behind.count() == report.total.counts[column], (period.label, column)
            unit_row = report.rows[1]
            unit = district["communes"][0]
            assert cell_dossiers(
                agency=district["district"], period=period, column=column, unit=unit, now=NOW
            ).count() == unit_row.counts.get(column, 0)
            drilled += 1
    assert drilled == len(periods) * len(COLUMN_KEYS)


def test_by_field_and_by_procedure_add_up_to_the_same_total(district, make, version):
    generate(make, [district["desk"], *district["communes"]], 60, seed=3)
    period = period_for(YEAR, 2026)
    by_unit = report_06a(agency=district["district"], period=period, now=NOW)
    for grouping in ("field", "procedure"):
        grouped = report_06a(agency=district["district"], period=period, grouping=grouping, now=NOW)
        assert grouped.total.counts == by_unit.total.counts
        assert [row.key for row in grouped.rows] == [version.field_id if grouping == "field" else version.procedure_id]
