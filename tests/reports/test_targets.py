"""The province's targets in the portal: a province's leader sets, changes and deletes them, every
change kept with who and when; district and commune leaders read them; the demo's targets."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.constants import AgencyKind, Role
from reports.demo import load_targets
from reports.models import DEMO_SOURCE, Indicator, Target, TargetChange
from reports.targets import target_save
from tests.factories import AgencyFactory, StaffMembershipFactory
from tests.reports.conftest import NOW

pytestmark = pytest.mark.django_db
SOURCE = "Văn bản dùng trong kiểm thử"


@pytest.fixture
def province(district):
    province = AgencyFactory(province=True, code="000.00.00.H56", name="UBND tỉnh Thanh Hóa")
    district["district"].parent = province
    district["district"].save()
    for unit in [district["desk"], *district["communes"]]:
        unit.refresh_from_db()
    return province


@pytest.fixture
def province_leader(province):
    return StaffMembershipFactory(agency=province, role=Role.LEADER, user__full_name="Lê Văn Tỉnh").user


@pytest.fixture
def district_leader(district, province):
    return StaffMembershipFactory(agency=district["district"], role=Role.LEADER).user


def form_data(**overrides):
    data = {
        "indicator": Indicator.ON_TIME_RATE,
        "period_kind": "quarter",
        "year": "2026",
        "number": "4",
        "agency": "",
        "agency_kind": AgencyKind.COMMUNE,
        "value": "95",
        "note": "Kế hoạch thử nghiệm của tỉnh",
    }
    return {**data, **overrides}


def test_a_province_leader_sets_changes_and_deletes_a_target_and_the_history_shows_who_and_when(
    client, province_leader
):
    client.force_login(province_leader)
    page = client.get(reverse("reports:targets"), {"year": 2026}).content.decode()
    assert 'data-testid="target-create"' in page

    response = client.post(reverse("reports:target_create"), form_data())
    assert response.status_code == 302
    target = Target.objects.get()
    assert (target.value, target.agency_kind, target.number) == (Decimal("95.0"), "commune", 4)

    listing = client.get(response["Location"]).content.decode()
    assert listing.count('class="target-row"') == 1
    assert "Kế hoạch thử nghiệm của tỉnh" in listing and 'data-testid="target-edit"' in listing

    # Changed with a comma for the decimals, as Vietnamese write it, and a new source.
    edit = reverse("reports:target_edit", args=[target.pk])
    response = client.post(edit, form_data(value="97,5", note="Kế hoạch thử nghiệm, sửa đổi"))
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.value, target.note) == (Decimal("97.5"), "Kế hoạch thử nghiệm, sửa đổi")

    detail = client.get(reverse("reports:target_detail", args=[target.pk])).content.decode()
    history = detail[detail.index('data-testid="target-history"') :]
    assert history.count('class="change-row"') == 2
    set_at = timezone.localtime(TargetChange.objects.get(action="created").at)
    assert "Lê Văn Tỉnh" in history and f"{set_at:%H:%M %d/%m/%Y}" in history  # who set it, and when
    assert "95,0" in history and "97,5" in history and "Kế hoạch thử nghiệm, sửa đổi" in history

    response = client.post(reverse("reports:target_delete", args=[target.pk]))
    assert response.status_code == 302 and not Target.objects.exists()
    changes = list(TargetChange.objects.order_by("at", "pk"))
    assert [c.action for c in changes] == ["created", "changed", "deleted"]
    assert all(c.actor == province_leader for c in changes)
    deleted = changes[-1]
    assert (deleted.old_value, deleted.new_value, deleted.indicator, deleted.year) == (
        Decimal("97.5"),
        None,
        "on_time_rate",
        2026,
    )
    # The deleted target's history stays on the list, with what it was for.
    listing = client.get(reverse("reports:targets"), {"year": 2026}).content.decode()
    latest = listing[listing.index('data-testid="target-history"') :]
    assert latest.count('class="change-row"') == 3 and "Tỷ lệ giải quyết đúng hạn (%)" in latest


def test_a_district_leader_reads_the_targets_but_cannot_change_them(client, district, district_leader):
    target = target_save(
        by=None,
        indicator=Indicator.ONLINE_SHARE,
        period_kind="year",
        year=2026,
        number=None,
        agency=district["communes"][0],
        agency_kind="",
        value=Decimal("50"),
        note=SOURCE,
    )
    client.force_login(district_leader)
    page = client.get(reverse("reports:targets"), {"year": 2026}).content.decode()
    assert page.count('class="target-row"') == 1 and SOURCE in page
    assert "target-edit" not in page and "target-delete" not in page and "target-create" not in page
    detail = client.get(reverse("reports:target_detail", args=[target.pk])).content.decode()
    assert "target-edit" not in detail
    assert client.post(reverse("reports:target_create"), form_data()).status_code == 403
    assert client.post(reverse("reports:target_edit", args=[target.pk]), form_data()).status_code == 403
    assert client.post(reverse("reports:target_delete", args=[target.pk])).status_code == 403
    assert client.get(reverse("reports:target_create")).status_code == 403
    target.refresh_from_db()
    assert target.value == Decimal("50.0") and TargetChange.objects.count() == 1


def test_a_clerk_reads_no_targets(client, district, province):
    clerk = StaffMembershipFactory(agency=district["desk"], role=Role.CLERK).user
    client.force_login(clerk)
    assert client.get(reverse("reports:targets")).status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"value": "120"}, "value", "0 đến 100"),
        ({"agency_kind": AgencyKind.COMMUNE, "agency": "UNIT"}, None, "một đơn vị hoặc một cấp"),
        ({"note": ""}, "note", ""),
    ],
)
def test_a_wrong_target_comes_back_with_its_errors_and_what_was_typed(
    client, district, province_leader, overrides, field, message
):
    client.force_login(province_leader)
    if overrides.get("agency") == "UNIT":
        overrides = {**overrides, "agency": str(district["communes"][1].pk)}
    data = form_data(**{"note": "Kế hoạch đã gõ", "value": "96,5", **overrides})
    response = client.post(reverse("reports:target_create"), data)
    page = response.content.decode()
    assert response.status_code == 400 and not Target.objects.exists()
    assert 'data-testid="error-summary"' in page
    if field:
        assert f'href="#id_{field}"' in page
    assert message in page
    # Nothing typed is lost.
    assert f'value="{data["value"]}"' in page
    if data["note"]:
        assert 'value="Kế hoạch đã gõ"' in page
    assert '<option value="on_time_rate" selected>' in page


def test_a_second_target_for_the_same_period_and_level_is_refused(client, province_leader):
    client.force_login(province_leader)
    data = form_data(period_kind="year", number="")
    assert client.post(reverse("reports:target_create"), data).status_code == 302
    response = client.post(reverse("reports:target_create"), {**data, "value": "90"})
    assert response.status_code == 400 and 'data-testid="error-summary"' in response.content.decode()
    assert Target.objects.count() == 1


def test_the_demo_targets_are_loaded_once_and_say_they_are_demo_targets(district):
    today = NOW.date()
    first = load_targets(today=today)
    assert first == 3 * 2 * 2 + 3 * 7 * 6  # 2021: 3 levels, half and year, 2 indicators; 2026: 6 indicators
    Target.objects.filter(year=2026, period_kind="quarter", number=4, indicator="on_time_rate").update(value=99)
    assert load_targets(today=today) == 0
    assert Target.objects.count() == first and TargetChange.objects.count() == first
    assert Target.objects.filter(value=99).count() == 3  # a leader's change is kept
    assert all(target.is_demo for target in Target.objects.all())
    q4 = Target.objects.get(year=2026, period_kind="quarter", number=4, indicator="online_share", agency_kind="desk")
    assert q4.value == Decimal("50.0") and q4.note.startswith(DEMO_SOURCE)
    half_2021 = Target.objects.get(year=2021, period_kind="half", indicator="online_share", agency_kind="commune")
    assert half_2021.value == Decimal("30.0")


def test_the_list_costs_the_same_queries_for_5_and_50_targets(client, district, province_leader):
    from tests.conftest import query_count

    units = [district["desk"], *district["communes"], district["district"]]

    def make_targets(count):
        Target.objects.all().delete()
        for n in range(count):
            target_save(
                by=province_leader,
                indicator=list(Indicator)[n % 6],
                period_kind="month",
                year=2026,
                number=n // 6 % 12 + 1,
                agency=units[n // 72],
                agency_kind="",
                value=Decimal("10"),
                note=SOURCE,
            )

    client.force_login(province_leader)
    make_targets(5)
    few = query_count(client, reverse("reports:targets"), {"year": 2026})
    make_targets(50)
    many = query_count(client, reverse("reports:targets"), {"year": 2026})
    assert few == many


def test_a_deleted_targets_history_is_read_only_by_the_leaders_of_its_unit(client, province_leader, district):
    first, second = district["communes"][0], district["communes"][1]
    first_leader = StaffMembershipFactory(agency=first, role=Role.LEADER).user
    second_leader = StaffMembershipFactory(agency=second, role=Role.LEADER).user
    client.force_login(province_leader)
    client.post(reverse("reports:target_create"), form_data(agency=first.pk, agency_kind=""))
    target = Target.objects.get(agency=first)
    assert client.post(reverse("reports:target_delete", args=[target.pk])).status_code == 302
    assert TargetChange.objects.filter(agency=first).count() == 2  # set, then deleted

    client.force_login(first_leader)
    assert first.name in client.get(reverse("reports:targets"), {"year": 2026}).content.decode()
    client.force_login(second_leader)
    assert first.name not in client.get(reverse("reports:targets"), {"year": 2026}).content.decode()


def test_a_change_keeps_what_the_target_is_for(client, province_leader, district):
    client.force_login(province_leader)
    client.post(reverse("reports:target_create"), form_data())
    target = Target.objects.get()
    # The form offers the value and the source only; a unit posted anyway is ignored.
    other = district["communes"][0]
    response = client.post(
        reverse("reports:target_edit", args=[target.pk]), form_data(value="96", agency=other.pk, agency_kind="")
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.value, target.agency_id, target.agency_kind) == (Decimal("96.0"), None, "commune")
    with pytest.raises(ValidationError):
        target_save(
            target=target, by=province_leader, indicator=target.indicator, period_kind="year", year=2026,
            number=None, agency=None, agency_kind="commune", value=Decimal("96"), note=SOURCE,
        )  # fmt: skip


def test_a_second_target_for_the_same_half_year_and_level_is_refused_by_the_model_too(province_leader):
    fields = {"indicator": Indicator.ONLINE_SHARE, "period_kind": "half", "year": 2021, "number": None}
    Target.objects.create(**fields, agency_kind=AgencyKind.COMMUNE, value=Decimal("30"), note=SOURCE)
    with pytest.raises(ValidationError):
        Target(**fields, agency_kind=AgencyKind.COMMUNE, value=Decimal("31"), note=SOURCE).full_clean()


def test_a_demo_target_a_leader_deleted_is_not_set_again(client, province_leader, province, settings):
    from reports.targets import target_delete

    load_targets()
    target = Target.objects.filter(agency__isnull=True).first()
    target_delete(target=target, by=province_leader)
    assert load_targets() == 0
    assert not Target.objects.filter(
        indicator=target.indicator, period_kind=target.period_kind, year=target.year, number=target.number,
        agency_kind=target.agency_kind, agency__isnull=True,
    ).exists()  # fmt: skip
