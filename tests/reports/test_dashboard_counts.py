"""The dashboard's numbers, counted one class per dossier (``reports.selectors.counting``), against a
count written apart: plain Python over the dossiers and their history, by the rules of the 06a report
and the indicators (docs/reports.md). Dossiers are drawn at random (a fixed seed) around every edge
the rules have: the period's bounds, the due time and its local day, the end of the period, paused
clocks, requests made once overdue."""

import random
import re
import uuid
from datetime import timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.constants import Role
from dossiers.constants import Channel, Status
from dossiers.deadlines import pausing_statuses
from dossiers.models import Dossier, DossierEvent, Rating
from reports.dashboard import dashboard
from reports.periods import QUARTER, period_for
from reports.selectors import cell_dossiers, report_06a
from tests.factories import StaffMembershipFactory
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PERIOD = period_for(QUARTER, 2026, 3)  # 1/7/2026 - 30/9/2026
START, END = PERIOD.bounds()
NOW_RUNNING = at(2026, 8, 20, 10)  # the period is not over: judged now
NOW_OVER = at(2026, 11, 27, 9)  # the period is over: judged at its end


def _random_dossiers(make, units, count, seed):
    """``count`` dossiers of every kind, their times near the edges that decide their columns."""
    rng = random.Random(seed)
    edges = [START, END, NOW_RUNNING, at(2026, 8, 1), at(2026, 9, 1)]
    for _ in range(count):
        received = rng.choice(edges) + timedelta(hours=rng.uniform(-24 * 40, 24 * 40))
        # Due on the same local day as the finish, a day before or after, or far apart.
        due = received + timedelta(hours=rng.choice([1, 8, 23, 30, 47, 49, 72, 240]) + rng.uniform(-2, 2))
        kind = rng.random()
        fields = {
            "channel": rng.choice([Channel.ONLINE, Channel.DIRECT, Channel.POSTAL]),
            "fee_amount": rng.choice([0, 0, 15000]),
            "result_electronic": rng.random() < 0.5,
        }
        if fields["fee_amount"] and rng.random() < 0.7:
            fields["fee_paid_at"] = received + timedelta(hours=1)
            fields["fee_paid_online"] = rng.random() < 0.5
        if kind < 0.55:  # finished: early, on time or late, inside the period or not
            finished = due + timedelta(hours=rng.choice([-50, -30, -20, -5, -0.5, 0, 0.5, 5, 20, 50]))
            finished = max(finished, received + timedelta(minutes=5))
            status = rng.choice([Status.DONE, Status.RETURNED, Status.WITHDRAWN, Status.STOPPED])
            dossier = make(rng.choice(units), received=received, due=due, status=status, finished=finished, **fields)
            if status in (Status.DONE, Status.RETURNED) and rng.random() < 0.5:
                level = rng.choice(list(Rating.Level))
                Rating.objects.create(dossier=dossier, level=level, channel=Rating.Where.ONLINE)
        else:  # still open, perhaps waiting on the applicant since a request within or after its time
            status = rng.choice([Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT])
            history = []
            if status != Status.PROCESSING:
                asked = due + timedelta(hours=rng.choice([-10, -1, 1, 10]))
                history.append((max(asked, received + timedelta(minutes=1)), status))
                if rng.random() < 0.3:  # and resumed since
                    history.append((history[0][0] + timedelta(hours=rng.uniform(1, 500)), Status.PROCESSING))
            finished = None
            if rng.random() < 0.15:  # closed after the end of the period
                finished, status = END + timedelta(days=rng.uniform(0, 20)), Status.DONE
            make(
                rng.choice(units),
                received=received,
                due=due,
                status=status,
                finished=finished,
                history=history,
                **fields,
            )


def _edge_dossiers(make, unit):
    """Finished on the due day long before the due time, the day before just before it, or just after
    it: early and on time decided by the local day, not by the hours between."""
    for day in (at(2026, 7, 15), at(2026, 8, 12), at(2026, 9, 9)):
        for due_after, finished_after in [
            ((23, 30), (0, 30)),  # same local day, 23 hours before: on time
            ((0, 30), (-1, 23, 30)),  # the day before, 1 hour before: early
            ((23, 59), (-1, 0, 1)),  # the day before, almost 48 hours before: early
            ((0, 30), (1, 0)),  # half an hour late
        ]:
            due = day + timedelta(hours=due_after[0], minutes=due_after[1])
            days, hours, minutes = finished_after if len(finished_after) == 3 else (0, *finished_after)
            finished = day + timedelta(days=days, hours=hours, minutes=minutes)
            make(unit, received=day - timedelta(days=5), due=due, status=Status.DONE, finished=finished)


def _day(moment):
    return moment.astimezone(TZ).date()


def _paused(dossier, events, moment) -> bool:
    """The clock was paused at ``moment``: the last status change before it was a pausing request,
    made within the dossier's time (the rule of docs/reports.md, written out)."""
    changes = [e for e in events if e.to_status and e.created_at < moment]
    pausing = pausing_statuses()
    return any(
        event.to_status in pausing
        and event.created_at <= dossier.due_at
        and not any(e.created_at > event.created_at and e.to_status not in pausing for e in changes)
        for event in changes
    )


def _status_then(events, moment):
    changes = sorted((e for e in events if e.to_status and e.created_at < moment), key=lambda e: (e.created_at, e.pk))
    return changes[-1].to_status if changes else None


def _expected(units, now) -> dict[int, dict[str, int]]:
    """Every column, per unit, counted in Python over all dossiers and their events."""
    moment = min(END, now)
    events: dict[int, list] = {}
    for event in DossierEvent.objects.order_by("created_at", "pk"):
        events.setdefault(event.dossier_id, []).append(event)
    ratings = dict(Rating.objects.values_list("dossier_id", "level"))
    counts = {unit.pk: {} for unit in units}

    def add(unit, key):
        counts[unit][key] = counts[unit].get(key, 0) + 1

    for d in Dossier.objects.filter(agency__in=units):
        if d.received_at is None or d.received_at >= END or (d.finished_at and d.finished_at < START):
            continue  # not covered by the period
        mine = events.get(d.pk, [])
        unit = d.agency_id
        add(unit, "received")
        new = d.received_at >= START
        if new:
            add(unit, "online" if d.channel == Channel.ONLINE else "direct")
            local = d.received_at.astimezone(TZ)
            add(unit, f"m{local.year}_{local.month}_{'online' if d.channel == Channel.ONLINE else 'direct'}")
            if d.fee_amount > 0 and d.fee_paid_at:
                add(unit, "fee_paid")
                if d.fee_paid_online:
                    add(unit, "paid_online")
        else:
            add(unit, "carried_over")
        if d.finished_at is None or d.finished_at >= END:
            add(unit, "in_progress")
            if d.due_at >= moment or _paused(d, mine, moment):
                add(unit, "within_time")
            else:
                add(unit, "overdue")
            then = _status_then(mine, moment)
            if then == Status.SUPPLEMENT_REQUESTED:
                add(unit, "waiting_supplement")
            if then == Status.AWAITING_PAYMENT:
                add(unit, "waiting_payment")
        elif d.status in (Status.DONE, Status.RETURNED):
            add(unit, "resolved")
            if _day(d.finished_at) < _day(d.due_at):
                add(unit, "early")
            elif d.finished_at <= d.due_at:
                add(unit, "on_time")
            else:
                add(unit, "late")
            if d.result_electronic:
                add(unit, "resolved_electronic")
            if d.pk in ratings:
                add(unit, "rated")
                if ratings[d.pk] in (Rating.Level.VERY_SATISFIED, Rating.Level.SATISFIED):
                    add(unit, "satisfied")
        elif d.status == Status.WITHDRAWN:
            add(unit, "withdrawn")
        elif d.status == Status.STOPPED:
            add(unit, "stopped")
    return counts


DASHBOARD_KEYS = [
    "received",
    "online",
    "direct",
    "resolved",
    "early",
    "on_time",
    "in_progress",
    "within_time",
    "overdue",
    "resolved_electronic",
    "fee_paid",
    "paid_online",
    "rated",
    "satisfied",
    "waiting_supplement",
    "waiting_payment",
]
MONTHS = [f"m2026_{month}_{channel}" for month in (7, 8, 9) for channel in ("online", "direct")]


@pytest.mark.parametrize("now", [NOW_RUNNING, NOW_OVER], ids=["period running", "period over"])
def test_every_number_of_the_dashboard_and_the_06a_equals_a_count_written_apart(district, make, now):
    units = [district["desk"], *district["communes"]]
    _random_dossiers(make, units, 160, seed=7)
    _edge_dossiers(make, district["communes"][2])
    expected = _expected(units, now)

    board = dashboard(agency=district["district"], period=PERIOD, now=now)
    lines = {line.unit.pk: line.counts for line in board["lines"]}
    for unit in units:
        for key in [*DASHBOARD_KEYS, *MONTHS]:
            assert lines[unit.pk].get(key, 0) == expected[unit.pk].get(key, 0), (unit.name, key)
    trend = {(month["month"], channel): month[channel] for month in board["trend"] for channel in ("online", "direct")}
    for month in (7, 8, 9):
        for channel in ("online", "direct"):
            key = f"m2026_{month}_{channel}"
            assert trend[(month, channel)] == sum(expected[unit.pk].get(key, 0) for unit in units)

    report = report_06a(agency=district["district"], period=PERIOD, now=now)
    for row in report.rows:
        for key, value in row.counts.items():
            assert value == expected[row.key].get(key, 0), (row.label, key)
    # And the list behind each number of the total has exactly that many dossiers.
    for key, value in report.total.counts.items():
        listed = cell_dossiers(agency=district["district"], period=PERIOD, column=key, now=now).count()
        assert listed == value, key


def test_the_random_dossiers_reach_every_column(district, make):
    """The data above is worth its name: no column of the comparison is left at zero."""
    units = [district["desk"], *district["communes"]]
    _random_dossiers(make, units, 160, seed=7)
    expected = _expected(units, NOW_RUNNING)
    total = {key: sum(line.get(key, 0) for line in expected.values()) for key in [*DASHBOARD_KEYS, *MONTHS]}
    assert all(total.values()), total
    # Paused clocks and late requests are both there: within time past the due time, and overdue.
    assert sum(1 for d in Dossier.objects.filter(status=Status.SUPPLEMENT_REQUESTED, due_at__lt=NOW_RUNNING)) > 3


def _page_queries(client, district):
    leader = StaffMembershipFactory(agency=district["district"], role=Role.LEADER).user
    client.force_login(leader)
    query = {"agency": district["district"].code, "kind": "quarter", "year": 2026, "number": 3, "grouping": "unit"}
    client.get(reverse("reports:dashboard"), query)  # the session and caches settled
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:dashboard"), query)
    assert response.status_code == 200
    return len(queries), response


def test_the_dashboard_runs_as_many_queries_for_many_dossiers_as_for_few(client, district, make):
    units = [district["desk"], *district["communes"]]
    _random_dossiers(make, units, 10, seed=1)
    few, _response = _page_queries(client, district)
    _random_dossiers(make, units, 120, seed=2)
    many, response = _page_queries(client, district)
    assert many == few
    assert sum(line.counts["received"] for line in response.context["lines"]) > 60


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_the_dossiers_of_a_period_are_found_through_the_index_of_when_they_closed(district, make):
    """``NEVER_CLOSED`` is the index's own value: otherwise PostgreSQL reads the whole table."""
    from reports.selectors import cell_filters, cell_groups, counting, receiving_units

    _random_dossiers(make, [district["desk"]], 5, seed=3)
    # Many more, closed years ago, of the same units: the closing time is what finds the period's few.
    old = make(district["desk"], received=at(2020, 1, 6), due=at(2020, 1, 20), status=Status.DONE)
    Dossier.objects.filter(pk=old.pk).update(finished_at=at(2020, 1, 10))
    old.refresh_from_db()
    fields = {f.attname: getattr(old, f.attname) for f in Dossier._meta.concrete_fields if not f.primary_key}
    clones = [{**fields, "reference": uuid.uuid4(), "code": f"OLD-{n}"} for n in range(2000)]
    Dossier.objects.bulk_create([Dossier(**clone) for clone in clones])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dossiers_dossier")
        # Whether the range can be an index condition, not the planner's guess of how much of the
        # table is all-visible (it moves with autovacuum): a plain scan is off the table.
        cursor.execute("SET LOCAL enable_seqscan = off")
    queries = counting(
        units=receiving_units(agency=district["district"]),
        period=PERIOD,
        filters=cell_filters(period=PERIOD, now=NOW_OVER),
        now=NOW_OVER,
        groups=cell_groups(period=PERIOD, now=NOW_OVER),
    )
    for plan in (queries.main.explain(), queries.open.explain()):
        # The condition on the closing time is one of the index's, not a filter on every row read.
        assert re.search(r"using dossier_alive .*\n\s*Index Cond: .*COALESCE\(finished_at", plan), plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_the_reception_queue_reads_only_the_index_of_the_open_dossiers_it_does_not_count(district, make):
    """The queue's dossiers (online, neither received nor closed) are picked from ``dossier_alive``,
    which holds the channel and the reception time: the open dossiers received already are not
    fetched from the table one by one."""
    from reports.reception import reception_scope
    from reports.selectors import receiving_units

    waiting = make(district["desk"], received=None, due=at(2026, 8, 30), submitted=at(2026, 8, 18), status="submitted")
    fields = {f.attname: getattr(waiting, f.attname) for f in Dossier._meta.concrete_fields if not f.primary_key}
    # As in a unit's table: many dossiers closed long ago, some received and in progress.
    received = {**fields, "received_at": at(2026, 8, 1), "status": Status.PROCESSING}
    closed = {**received, "finished_at": at(2025, 8, 10), "status": Status.DONE}
    clones = [{**(closed if n % 10 else received), "reference": uuid.uuid4(), "code": f"C-{n}"} for n in range(3000)]
    Dossier.objects.bulk_create([Dossier(**clone) for clone in clones])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dossiers_dossier")
        # Whether the range can be an index condition, not the planner's guess of how much of the
        # table is all-visible (it moves with autovacuum): a plain scan is off the table.
        cursor.execute("SET LOCAL enable_seqscan = off")
    scope = reception_scope(units=receiving_units(agency=district["district"]), moment=NOW_RUNNING)
    assert list(scope.values_list("pk", flat=True)) == [waiting.pk]
    plan = scope.explain()  # (index-only once vacuumed, which a test's transaction cannot do)
    assert re.search(r"(using|on) dossier_alive .*\n\s*Index Cond: .*COALESCE\(finished_at", plan), plan


def _as_at(make, now):
    """``make`` for dossiers as they can be at ``now``: received before it, nothing recorded or
    finished after it, and an open dossier in the status of its last change (the services write both)."""

    def made(unit, *, received, status, finished=None, history=(), **fields):
        received = min(received, now - timedelta(hours=1))
        history = [(moment, to_status) for moment, to_status in history if moment < now]
        if finished is None or finished >= now:
            finished, status = None, history[-1][1] if history else Status.PROCESSING
        return make(unit, received=received, status=status, finished=finished, history=history, **fields)

    return made


def test_a_running_period_judged_now_reads_the_status_of_the_dossiers_not_their_history(district, make):
    """For the period running now, what a dossier in progress waits for is its status: the numbers are
    those counted from the history, and the history is read only for the paused clocks past their due
    time (not once per dossier in progress)."""
    units = [district["desk"], *district["communes"]]
    _random_dossiers(_as_at(make, NOW_RUNNING), units, 160, seed=11)
    expected = _expected(units, NOW_RUNNING)
    with mock.patch.object(timezone, "now", return_value=NOW_RUNNING):
        with CaptureQueriesContext(connection) as queries:
            board = dashboard(agency=district["district"], period=PERIOD)
        report = report_06a(agency=district["district"], period=PERIOD)
        listed = {key: cell_dossiers(agency=district["district"], period=PERIOD, column=key).count() for key in WAITING}
    lines = {line.unit.pk: line.counts for line in board["lines"]}
    for unit in units:
        for key in DASHBOARD_KEYS:
            assert lines[unit.pk].get(key, 0) == expected[unit.pk].get(key, 0), (unit.name, key)
    for row in report.rows:
        for key, value in row.counts.items():
            assert value == expected[row.key].get(key, 0), (row.label, key)
    for key in WAITING:
        assert listed[key] == report.total.counts[key] == sum(line[key] for line in lines.values()) > 0, key
    # The status then of every dossier in progress is not looked up in its history.
    assert not [q["sql"] for q in queries if STATUS_THEN in q["sql"]]


WAITING = ["waiting_supplement", "waiting_payment", "within_time", "overdue"]
# The history's lookup of a dossier's last status (``reports.selectors.status_then``).
STATUS_THEN = 'SELECT U0."to_status" AS "to_status" FROM "dossiers_dossierevent"'
