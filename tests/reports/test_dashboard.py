"""The leaders' dashboard: indicators against targets, ranking, trend, overdue by holder, drill-down."""

from datetime import datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.constants import AgencyKind, Role
from dossiers.constants import Channel, Status
from dossiers.models import Attachment, Dossier
from reports.dashboard import dashboard
from reports.indicators import indicator_table
from reports.models import Indicator, Target
from reports.periods import QUARTER, YEAR, period_for
from tests.factories import StaffMembershipFactory
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def history(district, make):
    desk, first, second = district["desk"], district["communes"][0], district["communes"][1]
    done = make(
        first, received=at(2026, 7, 6, 9), due=at(2026, 7, 20, 17), status=Status.DONE, finished=at(2026, 7, 10, 9)
    )
    Attachment.objects.create(
        dossier=done,
        is_result=True,
        original_name="kq.pdf",
        size=1,
        sha256="0" * 64,
        content_type="application/pdf",
        uploaded_by=done.applicant,
    )
    Dossier.objects.filter(pk=done.pk).update(result_electronic=True)  # as dossier_complete records it
    make(first, received=at(2026, 7, 7, 9), due=at(2026, 7, 20, 17), status=Status.DONE, finished=at(2026, 7, 21, 9))
    make(
        first,
        received=at(2026, 8, 3, 9),
        due=at(2026, 8, 20, 17),
        channel=Channel.DIRECT,
        status=Status.DONE,
        finished=at(2026, 8, 10, 9),
    )
    make(second, received=at(2026, 8, 3, 9), due=at(2026, 8, 5, 17))  # overdue, still open
    make(desk, received=at(2026, 9, 1, 9), due=at(2026, 9, 20, 17), status=Status.DONE, finished=at(2026, 9, 2, 9))
    return district


def test_the_indicators_are_ratios_of_the_reports_counts(history):
    table = indicator_table(agency=history["district"], period=period_for(QUARTER, 2026, 3), now=NOW)
    total = table.rates(table.report.total)
    assert total == {
        "online_share": Decimal("80.0"),
        "on_time_rate": Decimal("60.0"),
        "digitisation_rate": Decimal("25.0"),
        "online_payment_rate": None,  # no fee was paid in this history
        "satisfaction_rate": None,  # and nobody rated
    }
    first = next(row for row in table.report.rows if row.key == history["communes"][0].pk)
    assert table.rates(first)["on_time_rate"] == Decimal("66.7")
    empty = next(row for row in table.report.rows if row.key == history["communes"][2].pk)
    assert set(table.rates(empty).values()) == {None}


def test_targets_of_a_unit_win_over_those_of_its_level_and_are_judged(history):
    period = period_for(QUARTER, 2026, 3)
    Target.objects.create(
        indicator=Indicator.ON_TIME_RATE,
        period_kind="quarter",
        year=2026,
        number=3,
        agency_kind=AgencyKind.COMMUNE,
        value=70,
    )
    Target.objects.create(
        indicator=Indicator.ON_TIME_RATE,
        period_kind="quarter",
        year=2026,
        number=3,
        agency=history["communes"][1],
        value=0,
    )
    Target.objects.create(
        indicator=Indicator.ONLINE_SHARE,
        period_kind="quarter",
        year=2026,
        number=3,
        agency=history["district"],
        value=75,
    )
    board = dashboard(agency=history["district"], period=period, now=NOW)
    online_share = next(m for m in board["totals"] if m.indicator == "online_share")
    assert (online_share.actual, online_share.target, online_share.met) == (Decimal("80.0"), 75, True)
    lines = {line.unit.pk: line for line in board["lines"]}
    first = next(m for m in lines[history["communes"][0].pk].measures if m.indicator == "on_time_rate")
    assert (first.target, first.met) == (70, False)  # 66.7 % against 70 %: behind
    second = next(m for m in lines[history["communes"][1].pk].measures if m.indicator == "on_time_rate")
    assert (second.target, second.met) == (0, True)  # its own target, not the level's
    desk = next(m for m in lines[history["desk"].pk].measures if m.indicator == "on_time_rate")
    assert desk.target is None


def test_the_current_period_is_judged_on_the_projection_at_the_present_pace(history):
    Target.objects.create(
        indicator=Indicator.ONLINE_COUNT, period_kind="year", year=2026, agency=history["district"], value=5
    )
    board = dashboard(agency=history["district"], period=period_for(YEAR, 2026), now=NOW)
    count = board["totals"][0]
    # 4 online dossiers by 27/11 (331 of 365 days): projected 4 * 365 / 331 = 4.4, rounded 4, behind the target of 5.
    assert board["running"] and (count.actual, count.projected, count.met) == (4, 4, False)


def test_a_target_must_name_one_unit_or_one_level_and_a_rate_is_a_percentage(history):
    with pytest.raises(ValidationError):
        Target(indicator=Indicator.ON_TIME_RATE, period_kind="year", year=2026, value=90).full_clean()
    with pytest.raises(ValidationError):
        Target(
            indicator=Indicator.ON_TIME_RATE, period_kind="year", year=2026, agency=history["district"], value=120
        ).full_clean()
    with pytest.raises(ValidationError):
        Target(
            indicator=Indicator.ONLINE_COUNT, period_kind="quarter", year=2026, agency=history["district"], value=10
        ).full_clean()


def test_the_dashboard_page_ranks_units_charts_months_and_opens_every_number(client, history):
    leader = StaffMembershipFactory(agency=history["district"], role=Role.LEADER).user
    client.force_login(leader)
    params = {"agency": history["district"].code, "kind": "quarter", "year": 2026, "number": 3, "grouping": "unit"}
    with mock.patch.object(timezone, "now", return_value=NOW):
        page = client.get(reverse("reports:dashboard"), params).content.decode()
    assert page.count('class="ranking-row"') == 4
    ranking = page[page.index('data-testid="ranking"') :]
    assert ranking.index(history["desk"].name) < ranking.index(history["communes"][0].name)  # 100 % on time first
    assert page.count("<rect ") == 6  # July, August, September: online and desk bars
    assert 'data-testid="trend-table"' in page
    overdue = page[page.index('data-testid="overdue"') :]
    assert f"{history['communes'][1].name}: 1" in overdue
    link = reverse("reports:overdue_held", args=[history["communes"][1].pk])
    with mock.patch.object(timezone, "now", return_value=NOW):
        listing = client.get(link, params).content.decode()
    assert listing.count('class="cell-row"') == 1
    # From the district to a commune: the commune's name opens its own dashboard.
    commune = history["communes"][0]
    assert f"agency={commune.code}" in ranking
    assert "Tỷ lệ hồ sơ tiếp nhận trực tuyến (%)" in page and "Tỷ lệ hài lòng (%)" in page


def test_the_dashboard_is_for_leaders(client, history):
    clerk = StaffMembershipFactory(agency=history["desk"], role=Role.CLERK).user
    client.force_login(clerk)
    assert client.get(reverse("reports:dashboard")).status_code == 403
