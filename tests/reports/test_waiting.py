"""Every dossier counted: online dossiers waiting for reception (the online-service table, the dashboard,
the API), dossiers in progress waiting on the applicant (06a "of which" columns), each against a count
by hand; the official labels in every output; the chart's axis; the header's link keeping the choice."""

import csv
import io
import random
import re
from datetime import timedelta
from decimal import Decimal
from unittest import mock

from django.urls import reverse
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from accounts.constants import Role
from dossiers.constants import Channel, Status
from dossiers.models import Dossier
from procedures.calendar import WorkingCalendar
from reports.dashboard import axis_top, nice_step, trend_axis
from reports.indicators import indicator_table
from reports.periods import MONTH, QUARTER, YEAR, period_for, period_range
from reports.reception import RECEPTION_KEYS, reception_dossiers, reception_queue, working_moment_before
from reports.selectors import cell_dossiers, report_06a
from tests.factories import StaffMembershipFactory
from tests.reports.conftest import NOW, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def submit(make):
    """An online dossier submitted at ``submitted`` (a SUBMITTED event then), then each (moment, status)
    of ``history`` recorded as an event; ``fields`` set on the row as the services would have."""

    def submit(unit, *, submitted, history=(), received_at=None, due_at=None, finished_at=None, **fields):
        dossier = make(
            unit,
            received=received_at,
            due=due_at,
            finished=finished_at,
            submitted=submitted,
            history=[(submitted, Status.SUBMITTED), *history],
            **{"status": Status.SUBMITTED, "current_agency": None, **fields},
        )
        Dossier.objects.filter(pk=dossier.pk).update(created_at=submitted - timedelta(minutes=30))
        return dossier

    return submit


def working_days(since, moment):
    hours = WorkingCalendar.current().working_hours_between(since, moment)
    return (hours / 8).quantize(Decimal("0.1"))


# ---- waiting for reception -----------------------------------------------------------------------


def test_online_dossiers_not_yet_received_are_counted_with_their_wait(district, submit, make):
    desk, commune = district["desk"], district["communes"][0]
    oldest = submit(desk, submitted=at(2026, 11, 2, 9))  # Monday 2/11: still waiting on Friday 27/11
    submit(desk, submitted=at(2026, 11, 27, 8, 30))  # this morning: waiting, not yet a working day
    submit(desk, submitted=at(2026, 11, 3, 9), received_at=at(2026, 11, 4, 9), status=Status.RECEIVED)
    submit(
        desk,
        submitted=at(2026, 11, 5, 9),
        history=[(at(2026, 11, 6, 9), Status.REFUSED)],
        status=Status.REFUSED,
        finished_at=at(2026, 11, 6, 9),
    )
    # Sent back for completion before reception: waits on the applicant, counted apart.
    submit(commune, submitted=at(2026, 11, 9, 9), history=[(at(2026, 11, 10, 9), Status.SUPPLEMENT_REQUESTED)])
    # Sent back, then submitted again on 20/11: queues from the new submission.
    again = submit(
        commune,
        submitted=at(2026, 11, 12, 9),
        history=[(at(2026, 11, 13, 9), Status.SUPPLEMENT_REQUESTED), (at(2026, 11, 20, 9), Status.SUBMITTED)],
    )
    Dossier.objects.filter(pk=again.pk).update(submitted_at=at(2026, 11, 20, 9))
    make(commune, received=at(2026, 11, 3, 9), due=at(2026, 11, 30, 17), channel=Channel.DIRECT)  # a walk-in

    november = period_for(MONTH, 2026, 11)
    queues = reception_queue(units=[desk, *district["communes"]], period=november, now=NOW)
    assert queues[desk.pk].counts == {"waiting_reception": 2, "waiting_reception_late": 1, "waiting_completion": 0}
    assert queues[desk.pk].oldest_days == working_days(oldest.submitted_at, NOW) > 15
    assert queues[commune.pk].counts == {"waiting_reception": 1, "waiting_reception_late": 1, "waiting_completion": 1}
    assert queues[commune.pk].oldest_days == working_days(at(2026, 11, 20, 9), NOW)
    assert queues[None].counts == {"waiting_reception": 3, "waiting_reception_late": 2, "waiting_completion": 1}

    # A closed period keeps its numbers: at the end of 4/11 (Wednesday), read from the history.
    early = period_range(at(2026, 11, 1).date(), at(2026, 11, 4).date())
    queues = reception_queue(units=[desk, *district["communes"]], period=early, now=NOW)
    assert queues[desk.pk].counts["waiting_reception"] == 1  # received on 4/11 at 9:00: no longer waiting
    early = period_range(at(2026, 11, 1).date(), at(2026, 11, 12).date())
    queues = reception_queue(units=[desk, *district["communes"]], period=early, now=NOW)
    # On 12/11 the resubmitted one was at the desk since 9:00, though its submission time moved since.
    assert queues[commune.pk].counts == {"waiting_reception": 1, "waiting_reception_late": 0, "waiting_completion": 1}
    # Every number opens to as many dossiers.
    for key in RECEPTION_KEYS:
        assert (
            reception_dossiers(units=[commune], period=early, column=key, now=NOW).count()
            == (queues[commune.pk].counts[key])
        )


def test_one_working_day_is_counted_in_office_hours():
    calendar = WorkingCalendar()  # the default hours, no days off but the national ones
    friday_9 = at(2026, 11, 27, 9, 0)
    limit = working_moment_before(calendar, friday_9, 8)
    assert calendar.working_hours_between(limit, friday_9) == 8
    # A minute earlier is more than a working day; a Saturday submission has not waited one by Monday 17:00.
    assert calendar.working_hours_between(limit - timedelta(minutes=1), friday_9) > 8
    monday_end = at(2026, 11, 30, 17, 0)
    limit = working_moment_before(calendar, monday_end, 8)
    assert not at(2026, 11, 28, 10) < limit  # Saturday: 8 working hours by Monday 17:00, not more
    assert at(2026, 11, 27, 16, 59) < limit


def reference_queue(dossiers, moment, calendar):
    """Waiting for reception at ``moment``, one dossier at a time from the rows and their history."""
    late_after = Decimal(8)
    counts = {}
    for d in dossiers:
        if d.channel != Channel.ONLINE:
            continue
        changes = sorted(
            (e for e in d.events.all() if e.to_status and e.created_at < moment), key=lambda e: e.created_at
        )
        submissions = [e.created_at for e in changes if e.to_status == Status.SUBMITTED]
        if not submissions:
            continue
        if (d.received_at and d.received_at < moment) or (d.finished_at and d.finished_at < moment):
            continue
        row = counts.setdefault(d.agency_id, dict.fromkeys(RECEPTION_KEYS, 0))
        if changes[-1].to_status == Status.SUPPLEMENT_REQUESTED:
            row["waiting_completion"] += 1
        else:
            row["waiting_reception"] += 1
            if calendar.working_hours_between(submissions[-1], moment) > late_after:
                row["waiting_reception_late"] += 1
    return counts


def test_generated_online_submissions_against_a_count_by_hand(district, submit):
    rng = random.Random(5)
    units = [district["desk"], *district["communes"]]
    for _ in range(160):
        submitted = at(2026, 9, 1, 7) + timedelta(minutes=rng.randrange(0, 60 * 24 * 85))
        fate = rng.choice(["waiting", "received", "refused", "withdrawn", "sent_back", "resubmitted"])
        later = submitted + timedelta(hours=rng.choice([1, 5, 20, 50, 200]))
        fields, history, status = {}, [], Status.SUBMITTED
        if fate == "received":
            fields, history, status = {"received_at": later}, [(later, Status.RECEIVED)], Status.RECEIVED
        elif fate in ("refused", "withdrawn"):
            status = Status.REFUSED if fate == "refused" else Status.WITHDRAWN
            fields, history = {"finished_at": later}, [(later, status)]
        elif fate in ("sent_back", "resubmitted"):
            history, status = [(later, Status.SUPPLEMENT_REQUESTED)], Status.SUPPLEMENT_REQUESTED
            if fate == "resubmitted":
                again = later + timedelta(hours=rng.choice([3, 30, 100]))
                history.append((again, Status.SUBMITTED))
                status = Status.SUBMITTED
        dossier = submit(rng.choice(units), submitted=submitted, history=history, status=status, **fields)
        if fate == "resubmitted":  # as the service records a new submission
            Dossier.objects.filter(pk=dossier.pk).update(submitted_at=history[-1][0])
    dossiers = list(Dossier.objects.prefetch_related("events"))
    calendar = WorkingCalendar.current()
    periods = [period_for(MONTH, 2026, 9), period_for(MONTH, 2026, 10), period_for(QUARTER, 2026, 4)]
    periods.append(period_range(at(2026, 9, 1).date(), at(2026, 9, 14).date()))
    for period in periods:
        moment = min(period.bounds()[1], NOW)
        expected = reference_queue(dossiers, moment, calendar)
        queues = reception_queue(units=units, period=period, now=NOW)
        for unit in units:
            assert queues[unit.pk].counts == expected.get(unit.pk, dict.fromkeys(RECEPTION_KEYS, 0)), period.label
        assert sum(queues[None].counts.values()) > 0
        for key in RECEPTION_KEYS:
            assert (
                reception_dossiers(units=units, period=period, column=key, now=NOW).count()
                == (queues[None].counts[key])
            )


# ---- waiting on the applicant, in the 06a ------------------------------------------------------


def test_in_progress_dossiers_waiting_on_the_applicant_are_shown_apart_as_subsets(district, make):
    unit = district["communes"][1]
    make(unit, received=at(2026, 11, 2, 9), due=at(2026, 12, 20, 17), status=Status.SUPPLEMENT_REQUESTED)
    make(
        unit,
        received=at(2026, 11, 2, 9),
        due=at(2026, 12, 20, 17),
        status=Status.AWAITING_PAYMENT,
        history=[(at(2026, 11, 3, 9), Status.PROCESSING), (at(2026, 11, 10, 9), Status.AWAITING_PAYMENT)],
    )
    # Asked for a supplement on 5/11, complete again on 16/11: waiting then, not now.
    make(
        unit,
        received=at(2026, 11, 2, 9),
        due=at(2026, 12, 20, 17),
        history=[(at(2026, 11, 5, 9), Status.SUPPLEMENT_REQUESTED), (at(2026, 11, 16, 9), Status.PROCESSING)],
    )
    make(unit, received=at(2026, 11, 2, 9), due=at(2026, 12, 20, 17))  # processing all along
    district_ = district["district"]
    now = report_06a(agency=district_, period=period_for(MONTH, 2026, 11), now=NOW)
    row = next(r for r in now.rows if r.key == unit.pk).counts
    assert (row["in_progress"], row["waiting_supplement"], row["waiting_payment"]) == (4, 1, 1)
    closed = report_06a(agency=district_, period=period_range(at(2026, 11, 1).date(), at(2026, 11, 12).date()), now=NOW)
    row = next(r for r in closed.rows if r.key == unit.pk).counts
    assert (row["in_progress"], row["waiting_supplement"], row["waiting_payment"]) == (4, 2, 1)
    assert row["in_progress"] == row["within_time"] + row["overdue"]
    for column in ("waiting_supplement", "waiting_payment"):
        assert (
            cell_dossiers(agency=district_, period=closed.period, column=column, unit=unit, now=NOW).count()
            == closed.total.counts[column]
        )
    # By field and by procedure: the same totals.
    grouped = report_06a(agency=district_, period=closed.period, grouping="field", now=NOW)
    assert grouped.total.counts == closed.total.counts


# ---- the outputs: page, API, XLSX, CSV, PDF ----------------------------------------------------


@pytest.fixture
def leader(district):
    return StaffMembershipFactory(agency=district["district"], role=Role.LEADER).user


Q4 = {"kind": "quarter", "year": 2026, "number": 4, "cutoff": "on", "grouping": "unit"}


@pytest.fixture
def mixed(district, make, submit):
    desk, commune = district["desk"], district["communes"][0]
    make(
        desk,
        received=at(2026, 10, 5, 9),
        due=at(2026, 10, 20, 17),
        status=Status.WITHDRAWN,
        finished=at(2026, 10, 6, 9),
    )
    make(desk, received=at(2026, 10, 5, 9), due=at(2026, 12, 20, 17), status=Status.SUPPLEMENT_REQUESTED)
    submit(commune, submitted=at(2026, 11, 2, 9))
    submit(commune, submitted=at(2026, 11, 26, 15))
    return district


def params(district, **extra):
    return {"agency": district["district"].code, **Q4, **extra}


def get(client, name, query):
    with mock.patch.object(timezone, "now", return_value=NOW):
        return client.get(reverse(name), query)


def pdf_text(content) -> str:
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", " ", text)


def test_the_06a_headers_read_the_official_words_in_every_output(client, leader, mixed):
    client.force_login(leader)
    page = get(client, "reports:report_06a", params(mixed)).content.decode()
    header = page[page.index('data-testid="report-06a"') : page.index("</thead>")]
    assert '<th scope="col" rowspan="2">Rút hồ sơ</th>' in header and "Dừng xử lý" in header
    assert "Trong đó: chờ bổ sung hồ sơ" in header and "Trong đó: chờ thực hiện nghĩa vụ tài chính" in header
    assert "Ngừng công bố" not in page

    sheet = load_workbook(io.BytesIO(get(client, "reports:report_06a_xlsx", params(mixed)).content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    headings = next(row for row in rows if row[0] == "STT")
    assert headings[2:] == [
        "Tiếp nhận: tổng số",
        "Tiếp nhận trực tuyến trong kỳ",
        "Tiếp nhận trực tiếp hoặc qua bưu chính trong kỳ",
        "Từ kỳ trước chuyển sang",
        "Đã giải quyết: tổng số",
        "Giải quyết trước hạn",
        "Giải quyết đúng hạn",
        "Giải quyết quá hạn",
        "Đang giải quyết: tổng số",
        "Đang giải quyết trong hạn",
        "Đang giải quyết quá hạn",
        "Đang giải quyết: trong đó chờ bổ sung hồ sơ",
        "Đang giải quyết: trong đó chờ thực hiện nghĩa vụ tài chính",
        "Rút hồ sơ",
        "Dừng xử lý",
    ]
    total = next(row for row in rows if row[1] == "Tổng cộng")
    assert total[2:] == [2, 2, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 1, 0]
    assert not any("Ngừng công bố" in str(v) for row in rows for v in row)

    content = get(client, "reports:report_06a_csv", params(mixed)).content.decode("utf-8-sig")
    csv_rows = list(csv.reader(io.StringIO(content)))
    assert next(row for row in csv_rows if row and row[0] == "STT")[2:] == headings[2:]
    assert "Ngừng công bố" not in content

    text = pdf_text(get(client, "reports:report_06a_pdf", params(mixed)).content)
    assert "Rút hồ sơ" in text and "Dừng xử lý" in text and "Ngừng công bố" not in text
    assert "chờ bổ sung hồ sơ" in text and "2 2 0 0 0 0 0 0 1 1 0 1 0 1 0" in text

    answer = get(client, "api:report-06a", params(mixed)).json()
    assert answer["total"]["counts"]["waiting_supplement"] == 1 and answer["total"]["counts"]["withdrawn"] == 1


def test_the_online_table_counts_the_dossiers_waiting_for_reception_in_every_output(client, leader, mixed):
    client.force_login(leader)
    commune = mixed["communes"][0]
    page = get(client, "reports:online", params(mixed)).content.decode()
    table = page[page.index('data-testid="online-table"') :]
    assert "Hồ sơ trực tuyến chờ tiếp nhận" in table and "Chờ tiếp nhận quá 1 ngày làm việc" in table
    assert "Ngừng công bố" not in page
    # The count opens to the list of those dossiers, each with its wait in working days.
    link = f"unit={commune.pk}&amp;column=waiting_reception"
    assert link in table
    listing = get(
        client, "reports:report_06a_cell", {**params(mixed), "unit": commune.pk, "column": "waiting_reception"}
    ).content.decode()
    assert listing.count('class="cell-row"') == 2 and "Thời gian chờ (ngày làm việc)" in listing
    waits = re.findall(r'data-testid="waited">([^<]+)<', listing)
    expected = [working_days(at(2026, 11, 2, 9), NOW), working_days(at(2026, 11, 26, 15), NOW)]
    assert waits == [str(days).replace(".", ",") for days in expected] and expected[1] < 1

    sheet = load_workbook(
        io.BytesIO(get(client, "reports:report_06a_xlsx", {**params(mixed), "table": "online"}).content)
    ).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    headings = next(row for row in rows if row[0] == "STT")
    assert headings[4:8] == [
        "Hồ sơ trực tuyến chờ tiếp nhận",
        "Chờ tiếp nhận lâu nhất (ngày làm việc)",
        "Chờ tiếp nhận quá 1 ngày làm việc",
        "Chờ người nộp bổ sung trước khi tiếp nhận",
    ]
    line = next(row for row in rows if row[1] == commune.name)
    assert line[4:8] == [2, float(working_days(at(2026, 11, 2, 9), NOW)), 1, 0]
    assert not any("Ngừng công bố" in str(v) for row in rows for v in row)

    content = get(client, "reports:report_06a_csv", {**params(mixed), "table": "online"}).content.decode("utf-8-sig")
    assert "Hồ sơ trực tuyến chờ tiếp nhận" in content and "Ngừng công bố" not in content
    text = pdf_text(get(client, "reports:report_06a_pdf", {**params(mixed), "table": "online"}).content)
    assert "chờ tiếp nhận" in text and "Ngừng công bố" not in text

    answer = get(client, "api:report-indicators", params(mixed)).json()
    row = next(r for r in answer["rows"] if r["key"] == commune.pk)
    assert row["counts"]["waiting_reception"] == 2 and row["counts"]["waiting_reception_late"] == 1
    assert row["oldest_waiting_for_reception_days"] == float(working_days(at(2026, 11, 2, 9), NOW))
    assert answer["total"]["counts"]["waiting_supplement"] == 1


def test_the_dashboard_shows_the_waiting_dossiers_and_opens_each_number(client, leader, mixed):
    client.force_login(leader)
    page = get(client, "reports:dashboard", params(mixed)).content.decode()
    waiting = page[page.index('data-testid="waiting"') : page.index('aria-labelledby="trend"')]
    total = waiting[waiting.index('data-testid="waiting-total"') :]
    cells = re.findall(r'<td class="text-end">(?:<a href="[^"]*">)?([^<]+)', total)
    assert cells[0] == "2" and cells[2:] == ["1", "0", "1", "0"]
    assert "column=waiting_supplement" in total and "column=waiting_reception_late" in total
    listing = get(client, "reports:report_06a_cell", {**params(mixed), "column": "waiting_supplement"}).content.decode()
    assert listing.count('class="cell-row"') == 1


def test_indicator_table_adds_the_queue_to_each_row(mixed):
    table = indicator_table(agency=mixed["district"], period=period_for(YEAR, 2026), now=NOW)
    assert table.report.total.counts["waiting_reception"] == 2
    assert table.queue(table.report.total).counts["waiting_reception_late"] == 1


# ---- the chart and the header's link ------------------------------------------------------------


def test_round_steps_for_the_axis():
    assert [nice_step(n) for n in (0, 3, 7, 23, 100, 980, 1234)] == [1, 1, 2, 5, 20, 200, 500]
    assert [axis_top(n) for n in (0, 3, 7, 23, 100, 980, 1234)] == [1, 3, 8, 25, 100, 1000, 1500]
    ticks = trend_axis([{"online": 5, "direct": 2}, {"online": 1, "direct": 0}])
    assert [t["value"] for t in ticks] == [0, 2, 4, 6, 8]
    assert ticks[0]["y"] > ticks[-1]["y"]  # upwards from the base line


def test_the_chart_shows_its_axis_values_and_month_labels(client, leader, district, make):
    desk = district["desk"]
    for day in range(5, 12):  # seven in October: five online, two at the desk
        make(
            desk,
            received=at(2026, 10, day, 9),
            due=at(2026, 12, 20, 17),
            channel=Channel.DIRECT if day > 9 else Channel.ONLINE,
        )
    make(desk, received=at(2026, 11, 3, 9), due=at(2026, 12, 20, 17))
    client.force_login(leader)
    calendar_q4 = {**params(district), "cutoff": ""}
    page = get(client, "reports:dashboard", calendar_q4).content.decode()
    start = page.index('data-testid="trend-chart"')
    chart = page[start : page.index("</svg>", start)]
    assert re.findall(r'class="y-tick">(\d+)<', chart) == ["0", "2", "4", "6", "8"]
    assert re.findall(r'class="x-tick">([^<]+)<', chart) == ["T10", "T11", "T12"]
    assert ">2026</text>" in chart
    table = page[page.index('data-testid="trend-table"') :]
    assert "<td>10/2026</td><td>5</td><td>2</td>" in table  # the same numbers in the table


def test_the_headers_reports_link_keeps_the_chosen_unit_and_period(client, leader, district):
    client.force_login(leader)
    commune = district["communes"][1]
    chosen = {"agency": commune.code, "kind": "month", "year": 2026, "number": 7, "grouping": "unit"}
    assert get(client, "reports:report_06a", chosen).status_code == 200
    page = get(client, "reports:report_06a", {}).content.decode()
    assert 'href="/bao-cao/"' in page  # the header's link, without a query string
    dashboard = get(client, "reports:dashboard", {}).content.decode()
    heading = dashboard[dashboard.index("<strong>") :]
    assert heading.startswith(f"<strong>{commune.name}</strong> · Tháng 7/2026")
    assert f'value="{commune.code}" selected' in dashboard
    # An invalid choice is not remembered.
    get(client, "reports:report_06a", {**chosen, "number": 13})
    again = get(client, "reports:dashboard", {}).content.decode()
    assert "Tháng 7/2026" in again
