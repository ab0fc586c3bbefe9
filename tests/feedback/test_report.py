"""The leaders' report of feedback and petitions (received, answered on time / late, pending within time /
overdue at the end, the rate handled on time), the feedback behind each number, its files, and the
indicator on the dashboard against its target."""

import csv
import io
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from html import unescape
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest
from openpyxl import load_workbook

from accounts.constants import AgencyKind, Role
from accounts.models import Agency
from feedback.constants import FeedbackEventKind, FeedbackStatus, Subject
from feedback.models import Feedback, FeedbackEvent
from reports.models import Indicator, Target
from tests.factories import AgencyFactory, StaffMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = {"kind": "month", "year": 2026, "number": 3, "grouping": "unit"}  # calendar month: 01/03 to 31/03
APRIL = {"kind": "month", "year": 2026, "number": 4, "grouping": "unit"}
SOURCE = "Kế hoạch thử nghiệm số 1/KH-UBND"
COLUMNS = ["received", "answered_on_time", "answered_late", "pending_within_time", "pending_overdue"]


def at(*parts):
    return datetime(*parts, tzinfo=TZ)


@pytest.fixture
def units(network):
    return {
        "district": network["district"],
        "commune": network["commune"],
        "other": Agency.objects.get(code="000.13.22.H56"),
        "elsewhere": AgencyFactory(district=True, code="000.00.23.H56", name="UBND huyện Khác"),
    }


@pytest.fixture
def make(citizen):
    counter = iter(range(1, 10**6))

    def make(unit, *, received, due, answered=None, moved_to=None, moved_at=None, subject=Subject.PROCEDURE):
        """A feedback held by ``unit`` (then by ``moved_to`` from ``moved_at``), with its history rows."""
        holder = moved_to or unit
        feedback = Feedback.objects.create(
            code=f"PA-{holder.code}-T{next(counter):05d}",
            subject=subject,
            text="Phản ánh thử nghiệm",
            sender=citizen,
            agency=holder,
            received_at=received,
            due_at=due,
            working_days=Decimal("5"),
            legal_basis="Quy chế thử nghiệm",
            answered_at=answered,
            status=FeedbackStatus.ANSWERED if answered else FeedbackStatus.RECEIVED,
            answer="Đã trả lời" if answered else "",
        )
        FeedbackEvent.objects.create(feedback=feedback, kind=FeedbackEventKind.SENT, agency=unit, created_at=received)
        if moved_to:
            FeedbackEvent.objects.create(
                feedback=feedback, kind=FeedbackEventKind.MOVED, agency=moved_to, from_agency=unit, created_at=moved_at
            )
        if answered:
            FeedbackEvent.objects.create(
                feedback=feedback, kind=FeedbackEventKind.ANSWERED, agency=holder, created_at=answered
            )
        return feedback

    return make


@pytest.fixture
def history(units, make):
    """Each case is written down as (unit, received, due, answered, moved to, moved at): the expected
    numbers are counted from these by ``expected`` below, not by the report's code."""
    district, commune, other = units["district"], units["commune"], units["other"]
    cases = [
        (district, at(2026, 3, 2, 9), at(2026, 3, 9, 17), at(2026, 3, 5, 10), None, None),  # on time
        # Answered at 23:59 on the last day of March (16:59 UTC): late, and in March.
        (district, at(2026, 3, 10, 9), at(2026, 3, 17, 17), at(2026, 3, 31, 23, 59), None, None),
        # Received in March, answered in April on time: pending within time at the end of March.
        (district, at(2026, 3, 25, 9), at(2026, 4, 8, 17), at(2026, 4, 2, 9), None, None),
        # Answered at 00:30 on 1 April (still 31 March in UTC): in April.
        (district, at(2026, 3, 20, 9), at(2026, 3, 27, 17), at(2026, 4, 1, 0, 30), None, None),
        (district, at(2026, 2, 20, 9), at(2026, 2, 27, 17), None, None, None),  # carried over, overdue
        (district, at(2026, 3, 31, 23, 59), at(2026, 4, 14, 17), None, None, None),  # received on the last minute
        (district, at(2026, 4, 1, 0, 0), at(2026, 4, 8, 17), None, None, None),  # April's
        (district, at(2026, 2, 10, 9), at(2026, 2, 17, 17), at(2026, 2, 15, 9), None, None),  # done before March
        (commune, at(2026, 3, 3, 9), at(2026, 3, 10, 17), at(2026, 3, 10, 17), None, None),  # at the due minute
        (commune, at(2026, 3, 4, 9), at(2026, 3, 11, 17), None, None, None),  # overdue
        # Held by the district at the end of March, passed to the commune on 3 April.
        (district, at(2026, 3, 20, 9), at(2026, 4, 3, 17), None, commune, at(2026, 4, 3, 8)),
        (other, at(2026, 3, 5, 9), at(2026, 3, 12, 17), at(2026, 3, 12, 10), None, None),
        (units["elsewhere"], at(2026, 3, 5, 9), at(2026, 3, 12, 17), None, None, None),  # another district
    ]
    for unit, received, due, answered, moved_to, moved_at in cases:
        make(unit, received=received, due=due, answered=answered, moved_to=moved_to, moved_at=moved_at)
    return cases


def expected(cases, unit_ids, *, first, last):
    """Count the cases by hand: the holder at the end of the period, and the report's rules."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=TZ)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=TZ)
    counts = dict.fromkeys(COLUMNS, 0)
    for unit, received, due, answered, moved_to, moved_at in cases:
        holder = moved_to if moved_to and moved_at < end else unit
        if holder.pk not in unit_ids or received >= end or (answered is not None and answered < start):
            continue
        if received >= start:
            counts["received"] += 1
        if answered is not None and start <= answered < end:
            counts["answered_on_time" if answered <= due else "answered_late"] += 1
        elif answered is None or answered >= end:
            counts["pending_within_time" if due >= end else "pending_overdue"] += 1
    return counts


def rate(counts):
    judged = counts["answered_on_time"] + counts["answered_late"] + counts["pending_overdue"]
    if not judged:
        return None
    return (Decimal(100 * counts["answered_on_time"]) / judged).quantize(Decimal("0.1"), ROUND_HALF_UP)


@pytest.fixture
def leader(network):
    return network["leader"]  # the district's


def params(units, period=MARCH, **extra):
    return {"agency": units["district"].code, **period, **extra}


def table(page):
    """The report's table as {row label: [numbers..., rate]} (the rate as shown, "—" for none)."""
    body = page[page.index('data-testid="feedback-report"') :]
    body = body[: body.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)[2:]:
        label = unescape(re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1))).strip()
        cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[label] = cells[1:]  # without the row number
    return rows


def shown(counts):
    """A row's numbers as the page shows them (a rate with a decimal comma)."""
    value = rate(counts)
    return [str(counts[key]) for key in COLUMNS] + ["—" if value is None else str(value).replace(".", ",")]


def test_the_report_counts_each_unit_and_the_total_by_the_rules(client, leader, units, history):
    client.force_login(leader)
    response = client.get(reverse("feedback:report"), params(units))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tháng 3/2026 (01/03/2026 – 31/03/2026)" in page
    rows = table(page)
    first, last = datetime(2026, 3, 1).date(), datetime(2026, 3, 31).date()
    district, commune, other = units["district"], units["commune"], units["other"]
    for unit in (district, commune, other):
        assert rows[unit.name] == shown(expected(history, {unit.pk}, first=first, last=last)), unit.name
    # The units below are counted in the district's total (not the other district's feedback).
    everything = expected(history, {district.pk, commune.pk, other.pk}, first=first, last=last)
    assert rows["Tổng cộng"] == shown(everything)
    # By hand, to be sure the helper above says what we think: 23:59 on 31/03 is March's, late;
    # 00:30 on 01/04 is April's; the feedback passed down in April is still the district's in March.
    assert rows[district.name] == ["6", "1", "1", "3", "2", "25,0"]
    assert rows[commune.name] == ["2", "1", "0", "0", "1", "50,0"]
    assert everything == {
        "received": 9,
        "answered_on_time": 3,
        "answered_late": 1,
        "pending_within_time": 3,
        "pending_overdue": 3,
    }
    assert rows["Tổng cộng"][-1] == "42,9"  # 3 / (4 + 3)
    # The rate is defined under the table.
    note = unescape(page[page.index('data-testid="rate-note"') :])
    assert "Tỷ lệ xử lý đúng hạn (%) = số đã trả lời đúng hạn / (số đã trả lời trong kỳ + số đang xử lý quá hạn" in note


def test_a_feedback_received_in_one_month_and_answered_in_the_next(client, leader, units, history):
    client.force_login(leader)
    rows = table(client.get(reverse("feedback:report"), params(units, APRIL)).content.decode())
    first, last = datetime(2026, 4, 1).date(), datetime(2026, 4, 30).date()
    for unit in (units["district"], units["commune"]):
        assert rows[unit.name] == shown(expected(history, {unit.pk}, first=first, last=last)), unit.name
    # In April the district answered two of March's (one on time on 02/04, one late at 00:30 on 01/04) and
    # received one; the feedback passed down on 3 April is the commune's, overdue at the end of April.
    assert rows[units["district"].name][:3] == ["1", "1", "1"]
    assert rows[units["commune"].name][4] == "2"


def test_the_official_cutoff_moves_the_edges(client, leader, units, make):
    """A quarter by the cut-off runs from 15/12 to 14/03: a feedback received on 14/03 is in it, one of
    the 15/03 is not."""
    make(units["commune"], received=at(2026, 3, 14, 20), due=at(2026, 3, 21, 17))
    make(units["commune"], received=at(2026, 3, 15, 8), due=at(2026, 3, 22, 17))
    make(units["commune"], received=at(2025, 12, 15, 0, 0), due=at(2025, 12, 22, 17), answered=at(2025, 12, 16, 9))
    make(
        units["commune"], received=at(2025, 12, 14, 23, 59), due=at(2025, 12, 22, 17), answered=at(2025, 12, 14, 23, 59)
    )
    client.force_login(leader)
    quarter = {"kind": "quarter", "year": 2026, "number": 1, "cutoff": "on", "grouping": "unit"}
    page = client.get(reverse("feedback:report"), params(units, quarter)).content.decode()
    assert "Quý 1/2026 (15/12/2025 – 14/03/2026)" in page
    # Received on 15/12 (answered on time) and on 14/03 (pending within time on the 14th): 1 of 1 judged.
    assert table(page)[units["commune"].name] == ["2", "1", "0", "1", "0", "100,0"]


def links(page):
    """Every (number, link) of the report's table."""
    found = re.findall(r'<a href="(/bao-cao/phan-anh/muc/\?[^"]+)"[^>]*>([^<]+)</a>', page)
    return [(unescape(href), text) for href, text in found]


def test_every_number_opens_to_exactly_that_many_feedback(client, leader, units, history):
    client.force_login(leader)
    page = client.get(reverse("feedback:report"), params(units)).content.decode()
    opened = links(page)
    assert len(opened) >= 15
    for href, text in opened:
        listing = client.get(href)
        assert listing.status_code == 200, href
        body = listing.content.decode()
        count = body.count('class="cell-row"')
        if "col=judged" in href:  # the rate opens to the feedback it judges: answered, or pending overdue
            unit = re.search(r"unit=(\d+)", href)
            ids = {int(unit[1])} if unit else {u.pk for u in (units["district"], units["commune"], units["other"])}
            counts = expected(history, ids, first=datetime(2026, 3, 1).date(), last=datetime(2026, 3, 31).date())
            assert count == counts["answered_on_time"] + counts["answered_late"] + counts["pending_overdue"], href
            assert "đang xử lý, trong hạn" not in body
        else:
            assert count == int(text), href
            assert f"{count} phản ánh, kiến nghị" in body


def test_a_cell_lists_codes_with_subject_dates_and_state(client, leader, units, history):
    client.force_login(leader)
    response = client.get(
        reverse("feedback:report_cell"), {**params(units), "unit": units["district"].pk, "col": "answered_late"}
    )
    body = response.content.decode()
    assert body.count('class="cell-row"') == 1
    late = Feedback.objects.get(answered_at=at(2026, 3, 31, 23, 59))
    assert late.code in body and "23:59 31/03/2026" in body and "17:00 17/03/2026" in body
    assert "Một thủ tục trong danh mục" in body  # what it is about
    assert "đã trả lời quá hạn" in body  # its state at the end of the period


def test_a_commune_leader_reads_their_commune_only_and_a_citizen_nothing(client, units, history, citizen):
    commune_leader = StaffMembershipFactory(agency=units["commune"], role=Role.LEADER).user
    client.force_login(commune_leader)
    own = client.get(reverse("feedback:report"), params(units, agency=units["commune"].code))
    assert own.status_code == 200
    rows = table(own.content.decode())
    assert units["other"].name not in rows and units["district"].name not in rows
    # Another commune, or the district above: not among the units they may choose.
    for code in (units["other"].code, units["district"].code):
        refused = client.get(reverse("feedback:report"), params(units, agency=code))
        assert refused.status_code == 400
        assert client.get(reverse("feedback:report_csv"), params(units, agency=code)).status_code == 400
    # Another commune's row under their own unit: refused.
    cell = client.get(
        reverse("feedback:report_cell"),
        {**params(units, agency=units["commune"].code), "unit": units["other"].pk, "col": "received"},
    )
    assert cell.status_code == 403
    client.force_login(citizen)
    for name in ("feedback:report", "feedback:report_cell", "feedback:report_xlsx", "feedback:report_pdf"):
        assert client.get(reverse(name), {**params(units), "col": "received"}).status_code == 403
    client.logout()
    assert client.get(reverse("feedback:report"), params(units)).status_code == 302


def test_bad_choices_are_explained_and_never_a_500(client, leader, units, history):
    client.force_login(leader)
    bad = client.get(reverse("feedback:report"), params(units, number=13))
    assert bad.status_code == 400 and "Tháng" in bad.content.decode()
    assert client.get(reverse("feedback:report_cell"), {**params(units), "col": "nothing"}).status_code == 400
    assert (
        client.get(reverse("feedback:report_cell"), {**params(units), "col": "received", "unit": "x"}).status_code
        == 400
    )
    far = client.get(reverse("feedback:report_cell"), {**params(units), "col": "received", "unit": 10**9})
    assert far.status_code == 403
    huge = client.get(reverse("feedback:report_cell"), {**params(units), "col": "received", "unit": 10**30})
    assert huge.status_code == 400
    assert (
        client.get(reverse("feedback:report_cell"), {**params(units), "col": "received", "page": "zz"}).status_code
        == 200
    )


def test_the_csv_gives_the_header_and_the_numbers(client, leader, units, history):
    client.force_login(leader)
    response = client.get(reverse("feedback:report_csv"), params(units))
    assert response["Content-Disposition"] == 'attachment; filename="phananh-000.00.22.H56-20260301-20260331.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    flat = [v for row in rows for v in row]
    assert "UBND huyện Như Thanh" in flat and any("01/03/2026" in v for v in flat)
    assert rows[-1] == ["", "Tổng cộng", "9", "3", "1", "3", "3", "42.9"]
    commune = next(row for row in rows if len(row) > 1 and row[1] == units["commune"].name)
    assert commune[2:] == ["2", "1", "0", "0", "1", "50.0"]


def test_the_xlsx_opens_with_values_and_no_formulas(client, leader, units, history):
    units["commune"].name = '=HYPERLINK("http://x")'  # a name a spreadsheet would run
    units["commune"].save()
    client.force_login(leader)
    response = client.get(reverse("feedback:report_xlsx"), params(units))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Phản ánh, kiến nghị"
    total = next(row for row in values if row[1] == "Tổng cộng")
    assert total[2:] == [9, 3, 1, 3, 3, 42.9]
    district = next(row for row in values if row[1] == units["district"].name and isinstance(row[0], int))
    assert district[2:] == [6, 1, 1, 3, 2, 25.0]
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    assert any(row[1] == '\'=HYPERLINK("http://x")' for row in values if len(row) > 1)


def test_the_pdf_carries_the_header_and_the_total(client, leader, units, history):
    client.force_login(leader)
    response = client.get(reverse("feedback:report_pdf"), params(units))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        from pypdf import PdfReader

        assert len(PdfReader(io.BytesIO(response.content)).pages) >= 1
        return
    text = subprocess.run(
        [shutil.which("pdftotext"), "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Phản ánh, kiến nghị" in text and "UBND huyện Như Thanh" in text and "01/03/2026" in text
    assert re.search(r"Tổng cộng\s+9\s+3\s+1\s+3\s+3\s+42,9", text)


def test_the_dashboard_shows_the_indicator_against_its_target_and_opens_to_its_feedback(client, leader, units, history):
    Target.objects.create(
        indicator=Indicator.FEEDBACK_ON_TIME_RATE,
        period_kind="month",
        year=2026,
        number=3,
        agency=units["district"],
        value=Decimal("80"),
        note=SOURCE,
    )
    Target.objects.create(
        indicator=Indicator.FEEDBACK_ON_TIME_RATE,
        period_kind="month",
        year=2026,
        number=3,
        agency_kind=AgencyKind.COMMUNE,
        value=Decimal("40"),
        note=SOURCE,
    )
    client.force_login(leader)
    page = client.get(reverse("reports:dashboard"), params(units)).content.decode()
    cards = page[page.index('data-testid="indicators"') : page.index('data-testid="ranking"')]
    card = cards[cards.index("Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn (%)") :]
    card = card[: card.index("</div></div>")]
    assert "42,9 %" in card and "chỉ tiêu giao 80,0 %" in card and 'data-testid="behind"' in card
    assert SOURCE in page[page.index('data-testid="target-sources"') :]
    assert "Phản ánh, kiến nghị" in page[page.index('data-testid="indicators"') :] and "đúng hạn /" in page
    # The commune's line: 1 of 2, against the communes' 40 %: met.
    ranking = page[page.index('data-testid="ranking"') :]
    commune_row = next(r for r in ranking.split('class="ranking-row"')[1:] if units["commune"].name in r)
    assert "50,0 %" in commune_row and "chỉ tiêu giao 40,0 %" in commune_row
    # The value opens to the feedback it judges: the report's cell, as many as it judged.
    href = unescape(
        re.search(r'data-testid="indicators".*?<a href="([^"]+)" data-testid="measure-link"', page, re.S)[1]
    )
    assert href.startswith(reverse("feedback:report_cell")) and "col=judged" in href
    listing = client.get(href).content.decode()
    assert listing.count('class="cell-row"') == 7  # 4 answered in March + 3 pending overdue at its end
    assert f'href="{reverse("feedback:report")}?' in page  # the report is linked from the dashboard


def feedback_by_line(page) -> dict[str, str]:
    """The dashboard's ranking as {unit name: the feedback indicator as shown} (its last column)."""
    ranking = page[page.index('data-testid="ranking"') :]
    ranking = ranking[: ranking.index("</table>")]
    lines = {}
    for row in ranking.split('class="ranking-row"')[1:]:
        name = unescape(re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1))).strip()
        last = re.findall(r"<td>(.*?)</td>", row, re.S)[-1]
        lines[name] = unescape(re.sub(r"<[^>]+>", "", last)).strip()
    return lines


def dashboard_total(page) -> str:
    """The feedback indicator's card on the dashboard, as shown."""
    cards = page[page.index('data-testid="indicators"') : page.index('data-testid="ranking"')]
    card = cards[cards.index("Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn (%)") :]
    return unescape(re.sub(r"<[^>]+>", " ", card[: card.index("</div></div>")]))


def test_a_desks_line_shows_its_districts_own_feedback_and_the_communes_theirs(client, leader, units, make):
    district, commune = units["district"], units["commune"]
    desk = AgencyFactory(desk=True, parent=district, code="000.30.22.H56", name="Bộ phận Một cửa huyện Như Thanh")
    # The district answers two late, the commune one on time (March).
    make(district, received=at(2026, 3, 2, 9), due=at(2026, 3, 9, 17), answered=at(2026, 3, 10, 9))
    make(district, received=at(2026, 3, 3, 9), due=at(2026, 3, 10, 17), answered=at(2026, 3, 12, 9))
    make(commune, received=at(2026, 3, 4, 9), due=at(2026, 3, 11, 17), answered=at(2026, 3, 6, 9))
    client.force_login(leader)
    page = client.get(reverse("reports:dashboard"), params(units)).content.decode()

    # Counted by hand: the commune 1 of 1, the district (on its desk's line) 0 of 2, together 1 of 3.
    lines = feedback_by_line(page)
    assert lines[commune.name] == "100,0 %"
    assert lines[desk.name] == "0,0 %"
    assert lines[units["other"].name] == "—"  # nothing to judge
    assert "33,3 %" in dashboard_total(page)
    assert "dòng của bộ phận một cửa tính phản ánh, kiến nghị do chính UBND huyện" in page
    # The desk's value opens to the district's own feedback: its two.
    ranking = page[page.index('data-testid="ranking"') :]
    desk_row = next(row for row in ranking.split('class="ranking-row"')[1:] if desk.name in row)
    href = unescape(re.findall(r'<a href="([^"]+)" data-testid="measure-link"', desk_row)[-1])
    assert f"unit={district.pk}" in href
    assert client.get(href).content.decode().count('class="cell-row"') == 2


def test_a_province_dashboard_puts_each_units_own_feedback_on_its_line(client, units, make):
    province = AgencyFactory(province=True, code="000.00.00.H56", name="UBND tỉnh Thanh Hóa")
    district_a, commune_a, other_a = units["district"], units["commune"], units["other"]
    district_b = units["elsewhere"]
    for district in (district_a, district_b):
        district.parent = province
        district.save()
    commune_b = AgencyFactory(parent=district_b, code="000.31.23.H56", name="UBND xã Bên Kia")
    desks = {
        unit.pk: AgencyFactory(desk=True, parent=unit, name=f"Bộ phận Một cửa {unit.name}")
        for unit in (province, district_a, district_b)
    }
    on_time = {"due": at(2026, 3, 12, 17), "answered": at(2026, 3, 10, 9)}
    late = {"due": at(2026, 3, 12, 17), "answered": at(2026, 3, 13, 9)}
    overdue = {"due": at(2026, 3, 12, 17)}  # not answered by the end of March
    for unit, outcome in [
        (province, on_time),
        (district_a, late),
        (commune_a, on_time),
        (district_b, on_time),
        (district_b, overdue),
    ]:
        make(unit, received=at(2026, 3, 5, 9), **outcome)
    boss = StaffMembershipFactory(agency=province, role=Role.LEADER).user
    client.force_login(boss)
    page = client.get(reverse("reports:dashboard"), {**params(units), "agency": province.code}).content.decode()

    # By hand: each desk shows its own unit's feedback (province 1/1, district A 0/1, district B 1/2), each
    # commune its own (A: 1/1, the others none); the total is 3 on time of the 5 judged.
    assert feedback_by_line(page) == {
        desks[province.pk].name: "100,0 %",
        desks[district_a.pk].name: "0,0 %",
        desks[district_b.pk].name: "50,0 %",
        commune_a.name: "100,0 %",
        other_a.name: "—",
        commune_b.name: "—",
    }
    assert "60,0 %" in dashboard_total(page)


def test_the_province_sets_a_target_for_the_indicator(client, units):
    province = AgencyFactory(province=True, code="000.00.00.H56")
    units["district"].parent = province
    units["district"].save()
    boss = StaffMembershipFactory(agency=province, role=Role.LEADER).user
    client.force_login(boss)
    form = client.get(reverse("reports:target_create")).content.decode()
    assert "Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn (%)" in form
    response = client.post(
        reverse("reports:target_create"),
        {
            "indicator": Indicator.FEEDBACK_ON_TIME_RATE,
            "period_kind": "quarter",
            "year": 2026,
            "number": 1,
            "agency_kind": AgencyKind.COMMUNE,
            "value": "95",
            "note": SOURCE,
        },
    )
    assert response.status_code == 302
    assert Target.objects.get(indicator=Indicator.FEEDBACK_ON_TIME_RATE).value == 95


@pytest.mark.parametrize("view", ["feedback:report", "feedback:report_cell"])
def test_the_pages_make_as_many_queries_for_5_feedback_as_for_50(client, leader, units, make, view):
    client.force_login(leader)
    query = {**params(units), "col": "received"}

    def queries(count):
        for n in range(count):
            unit = (units["district"], units["commune"], units["other"])[n % 3]
            answered = at(2026, 3, 12, 9) if n % 2 else None
            make(unit, received=at(2026, 3, 2 + n % 20, 9), due=at(2026, 3, 10, 17), answered=answered)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(view), query).status_code == 200
        return len(captured)

    assert queries(5) == queries(45)
    assert Feedback.objects.count() == 50


def test_nobody_without_a_unit_to_lead_sees_it(client, units):
    clerk = StaffMembershipFactory(agency=units["commune"], role=Role.FEEDBACK).user
    client.force_login(clerk)
    assert client.get(reverse("feedback:report"), params(units)).status_code == 403
    client.force_login(UserFactory())
    assert client.get(reverse("feedback:report_csv"), params(units)).status_code == 403


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_leader_reads_the_report_on_a_phone_and_opens_a_number(live_server, browser, units, history, leader):
    from tests.e2e.conftest import PHONE_390, log_in
    from tests.factories import PASSWORD

    context = browser.new_context(viewport=PHONE_390, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    blocked = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    try:
        log_in(page, live_server.url, leader.email, PASSWORD)
        query = "&".join(f"{key}={value}" for key, value in params(units).items())
        page.goto(f"{live_server.url}{reverse('feedback:report')}?{query}")
        assert page.get_by_role("heading", level=1).inner_text() == "Tình hình tiếp nhận, xử lý phản ánh, kiến nghị"
        # The page does not scroll sideways at 390 px; the table scrolls inside its own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        total = page.get_by_test_id("total-received")
        assert total.inner_text() == "9"
        total.click()
        assert page.locator(".cell-row").count() == 9
        assert page.get_by_test_id("cell-count").inner_text() == "9 phản ánh, kiến nghị"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not blocked
    finally:
        context.close()
