"""The dashboard's indicators against the targets as files (XLSX, PDF), and the demo's targets judging
every unit on the first run."""

import io
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

import pytest
from openpyxl import load_workbook

from accounts.constants import AgencyKind, Role
from accounts.models import Agency, User
from dossiers.constants import Channel, Status
from reports.dashboard import dashboard
from reports.models import Indicator, Target
from reports.periods import QUARTER, period_current
from tests.factories import StaffMembershipFactory
from tests.reports.conftest import NOW, at

pytestmark = pytest.mark.django_db
SOURCE = "Văn bản dùng trong kiểm thử"
Q3 = {"kind": "quarter", "year": 2026, "number": 3, "grouping": "unit"}  # calendar quarter, over by NOW


@pytest.fixture
def history(district, make):
    first, desk = district["communes"][0], district["desk"]
    # The first commune: 2 online and 1 at the desk; 2 finished early, 1 late.
    make(first, received=at(2026, 7, 6, 9), due=at(2026, 7, 20, 17), status=Status.DONE, finished=at(2026, 7, 10, 9))
    make(first, received=at(2026, 7, 7, 9), due=at(2026, 7, 20, 17), status=Status.DONE, finished=at(2026, 7, 21, 9))
    make(
        first,
        received=at(2026, 8, 3, 9),
        due=at(2026, 8, 20, 17),
        channel=Channel.DIRECT,
        status=Status.DONE,
        finished=at(2026, 8, 10, 9),
    )
    make(desk, received=at(2026, 9, 1, 9), due=at(2026, 9, 20, 17), status=Status.DONE, finished=at(2026, 9, 2, 9))
    for indicator, value in ((Indicator.ONLINE_SHARE, 50), (Indicator.ON_TIME_RATE, 70)):
        Target.objects.create(
            indicator=indicator,
            period_kind="quarter",
            year=2026,
            number=3,
            agency_kind=AgencyKind.COMMUNE,
            value=value,
            note=SOURCE,
        )
    return district


@pytest.fixture
def leader(history):
    return StaffMembershipFactory(agency=history["district"], role=Role.LEADER).user


def fetch(client, name, params):
    with mock.patch.object(timezone, "now", return_value=NOW):
        return client.get(reverse(name), params)


def first_headings():
    with translation.override("vi"):
        return [gettext("No."), gettext("Unit")]


def heading(indicator, part):
    with translation.override("vi"):
        return f"{Indicator(indicator).label}: {gettext(part)}"


def test_the_xlsx_gives_each_units_indicators_against_its_targets(client, leader, history):
    client.force_login(leader)
    params = {"agency": history["district"].code, **Q3}
    page = fetch(client, "reports:dashboard", params).content.decode()
    assert 'data-testid="dashboard-xlsx"' in page and 'data-testid="dashboard-pdf"' in page
    assert SOURCE in page[page.index('data-testid="target-sources"') :]

    response = fetch(client, "reports:dashboard_xlsx", params)
    assert response["Content-Disposition"].startswith('attachment; filename="chiso-000.00.22.H56-20260701-20260930')
    rows = [[cell.value for cell in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    flat = [str(v) for row in rows for v in row if v is not None]
    assert "UBND huyện Như Thanh" in flat and any("01/07/2026" in v for v in flat)
    headings = next(row for row in rows if row[:2] == first_headings())
    assert heading("online_share", "projection") not in headings  # the quarter is over

    def cell(unit_name, indicator, part):
        row = next(r for r in rows if r[1] == unit_name)
        return row[headings.index(heading(indicator, part))]

    first = history["communes"][0].name
    # 2 of 3 received online; 2 of 3 finished on time (one late): counted from the dossiers above.
    assert cell(first, "online_share", "value") == pytest.approx(66.7)
    assert cell(first, "online_share", "target") == 50
    assert cell(first, "online_share", "state") == "đạt"
    assert cell(first, "online_share", "source") == SOURCE
    assert cell(first, "on_time_rate", "value") == pytest.approx(66.7)
    assert cell(first, "on_time_rate", "target") == 70
    assert cell(first, "on_time_rate", "state") == "chưa đạt"
    with translation.override("vi"):
        assert cell(history["desk"].name, "online_share", "state") == gettext("no target")
    # The unit itself: 3 of 4 online.
    whole = rows[-1]  # the unit itself comes last, as a total
    assert whole[1].startswith("UBND huyện Như Thanh")
    assert whole[headings.index(heading("online_share", "value"))] == pytest.approx(75.0)
    assert not any(isinstance(v, str) and v.startswith("=") for v in flat)  # values, no formulas


def test_a_period_in_progress_gets_the_projection(client, leader, history):
    Target.objects.create(
        indicator=Indicator.ONLINE_COUNT, period_kind="year", year=2026, agency=history["communes"][0], value=3
    )
    client.force_login(leader)
    params = {"agency": history["district"].code, "kind": "year", "year": 2026, "grouping": "unit"}
    rows = [
        [cell.value for cell in row]
        for row in load_workbook(io.BytesIO(fetch(client, "reports:dashboard_xlsx", params).content)).active.iter_rows()
    ]
    headings = next(row for row in rows if row[:2] == first_headings())
    first = next(r for r in rows if r[1] == history["communes"][0].name)
    # 2 online by 27/11 (331 of 365 days): 2 * 365 / 331 = 2.2, projected 2, behind the target of 3.
    assert first[headings.index(heading("online_count", "value"))] == 2
    assert first[headings.index(heading("online_count", "projection"))] == 2
    assert first[headings.index(heading("online_count", "state"))] == "chưa đạt"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")
def test_the_pdf_shows_the_units_their_targets_and_the_sources(client, leader, history):
    client.force_login(leader)
    response = fetch(client, "reports:dashboard_pdf", {"agency": history["district"].code, **Q3})
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        [shutil.which("pdftotext"), "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert history["communes"][0].name in text and "UBND huyện Như Thanh" in text
    assert "66,7" in text and "50,0 [1]" in text and "70,0 [1]" in text and "chưa đạt" in text
    assert f"1. {SOURCE}" in text.replace("\n", " ") or SOURCE in text


def test_after_the_demo_seed_every_unit_is_judged_in_the_current_quarter(client):
    call_command("seed_demo", history_months=3, per_week=1, stdout=StringIO())  # one a week: quicker
    district = Agency.objects.get(code="000.00.22.H56")
    period = period_current(QUARTER, today=timezone.localdate(), cutoff=True)
    board = dashboard(agency=district, period=period)
    assert board["running"] and len(board["lines"]) == 15  # the desk and 14 communes
    for line in [*board["lines"], None]:
        measures = board["totals"] if line is None else line.measures
        judged = {m.indicator: m for m in measures if m.indicator != Indicator.ONLINE_COUNT}
        assert all(m.target is not None and m.projected == m.actual for m in judged.values())
        # Everyone received and handled dossiers: online share and on-time rate are judged.
        assert judged["online_share"].met is not None and judged["on_time_rate"].met is not None
    leader = User.objects.get(email="lanhdao.tinh@demo.vn")
    client.force_login(leader)
    params = {"agency": district.code, "kind": "quarter", "year": period.year, "number": period.number, "cutoff": "on"}
    page = client.get(reverse("reports:dashboard"), params).content.decode()
    ranking = page[page.index('data-testid="ranking"') :]
    rows = ranking.split('class="ranking-row"')[1:]
    assert len(rows) == 15
    assert all('data-testid="met"' in row or 'data-testid="behind"' in row for row in rows)
    assert "Chỉ tiêu mẫu (demo)" in page
    assert date.today().year in {t.year for t in Target.objects.all()}
    assert Decimal("98.0") in {t.value for t in Target.objects.filter(indicator="on_time_rate")}
