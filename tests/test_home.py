"""The front page a citizen lands on: whose portal it is, search, the procedures people use most, the
status lookup, the units' results for the year, and where and when the desks receive."""

import re
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.constants import AgencyKind
from dossiers.constants import Channel, Status
from dossiers.models import Dossier
from procedures.models import OfficeHours
from tests.factories import AgencyFactory, FieldFactory, UserFactory, published_procedure

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def this_year(month, day, hour=9, minute=0):
    return datetime(timezone.localdate().year, month, day, hour, minute, tzinfo=TZ)


def home(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    """The page's words, tags removed and spaces collapsed, as a person reads them."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def district():
    province = AgencyFactory(province=True, code="000.00.00.H56", name="UBND tỉnh Thanh Hóa")
    district = AgencyFactory(district=True, code="000.00.22.H56", name="UBND huyện Như Thanh", parent=province)
    desk = AgencyFactory(
        desk=True,
        code="000.01.22.H56",
        name="Bộ phận Một cửa huyện Như Thanh",
        parent=district,
        address="Thị trấn Bến Sung, huyện Như Thanh",
        phone="0237 3848 100",
        email="motcua@nhuthanh.example.vn",
    )
    communes = [
        AgencyFactory(code="000.10.22.H56", name="UBND thị trấn Bến Sung", parent=district, phone="0237 3848 101"),
        AgencyFactory(code="000.11.22.H56", name="UBND xã Cán Khê", parent=district),
    ]
    return {"province": province, "district": district, "desk": desk, "communes": communes}


@pytest.fixture
def make(district):
    """A dossier in any state at any time (the page reads states; the services are tested elsewhere)."""
    version = published_procedure(name="Thủ tục đăng ký khai sinh", agencies=district["communes"])
    citizen = UserFactory()

    def make(unit, *, received, due=None, status=Status.PROCESSING, finished=None, version=version):
        return Dossier.objects.create(
            code=f"{unit.code}-{uuid.uuid4().hex[:8]}",
            procedure_version=version,
            agency=unit,
            current_agency=unit,
            applicant=citizen,
            created_by=citizen,
            status=status,
            channel=Channel.ONLINE,
            service_level=version.service_level,
            submitted_at=received,
            received_at=received,
            due_at=due or received + timedelta(days=5),
            finished_at=finished,
        )

    return make


def test_the_front_page_names_the_district_it_serves_in_the_heading_and_every_pages_header(client, district):
    page = home(client)
    assert "Dịch vụ công trực tuyến, tại một nơi" in page
    assert 'data-testid="home-unit">UBND huyện Như Thanh · UBND tỉnh Thanh Hóa<' in page
    catalogue = client.get(reverse("procedures:catalogue")).content.decode()
    assert 'data-testid="brand-unit">UBND huyện Như Thanh<' in catalogue


def test_without_districts_the_province_whose_communes_receive_is_named(client):
    province = AgencyFactory(province=True, code="000.00.00.H56", name="UBND tỉnh Thanh Hóa")
    AgencyFactory(code="000.10.00.H56", name="UBND xã Như Thanh", parent=province)
    assert 'data-testid="brand-unit">UBND tỉnh Thanh Hóa<' in home(client)


def test_communes_under_two_districts_make_the_province_the_portals_unit(client, district):
    other = AgencyFactory(district=True, code="000.00.23.H56", name="UBND huyện Như Xuân", parent=district["province"])
    AgencyFactory(code="000.10.23.H56", name="UBND xã Bãi Trành", parent=other)
    assert 'data-testid="brand-unit">UBND tỉnh Thanh Hóa<' in home(client)


def test_an_empty_agency_tree_still_gives_a_front_page(client):
    page = home(client)
    assert "Dịch vụ công trực tuyến, tại một nơi" in page
    assert "brand-unit" not in page


def test_the_search_box_sends_the_words_to_the_catalogue_search(client, district):
    published_procedure(name="Thủ tục đăng ký kết hôn")
    page = home(client)
    form = re.search(r'<form[^>]*data-testid="home-search".*?</form>', page, re.S).group(0)
    assert 'action="/thu-tuc/"' in form and 'method="get"' in form and 'name="q"' in form
    found = client.get("/thu-tuc/", {"q": "ket hon"}).content.decode()
    assert "Thủ tục đăng ký kết hôn" in found


def test_the_lookup_box_opens_the_lookup_page_with_the_code_filled_in(client, district):
    form = re.search(r'<form[^>]*data-testid="home-lookup".*?</form>', home(client), re.S).group(0)
    assert 'action="/tra-cuu/"' in form and 'method="get"' in form and 'name="code"' in form
    assert "giấy tiếp nhận" in form  # where the code is printed
    lookup = client.get("/tra-cuu/", {"code": "000.10.22.H56-260105-0001"}).content.decode()
    assert 'value="000.10.22.H56-260105-0001"' in lookup


def test_the_most_used_procedures_are_those_with_most_dossiers_in_the_last_90_days(client, district, make):
    unit = district["communes"][0]
    field = FieldFactory(order=1)
    first, second, old = (
        published_procedure(name=name, field=field, agencies=[unit])
        for name in ("Thủ tục chứng thực chữ ký", "Thủ tục đăng ký khai tử", "Thủ tục cấp bản sao trích lục")
    )
    now = timezone.now()
    for _ in range(3):
        make(unit, received=now - timedelta(days=3), version=first)
    make(unit, received=now - timedelta(days=89), version=second)
    for _ in range(5):  # many, but before the 90 days
        make(unit, received=now - timedelta(days=91), version=old)

    names = re.findall(r'data-testid="popular-procedure">([^<]+)<', home(client))

    assert names[:2] == ["Thủ tục chứng thực chữ ký", "Thủ tục đăng ký khai tử"]
    assert f'href="/thu-tuc/{first.procedure.code}/" data-testid="popular-procedure"' in home(client)


def test_without_history_the_front_page_offers_the_catalogues_first_eight_procedures(client, district):
    field = FieldFactory(order=1)
    for letter in "JIHGFEDCBA":
        published_procedure(name=f"Thủ tục {letter}", field=field)

    names = re.findall(r'data-testid="popular-procedure">([^<]+)<', home(client))

    assert names == [f"Thủ tục {letter}" for letter in "ABCDEFGH"]


def test_anonymous_visitors_find_register_and_log_in_in_the_header(client):
    header = re.search(r"<header.*?</header>", home(client), re.S).group(0)
    assert re.search(r'href="/dang-ky/"[^>]*>Đăng ký<', header)
    assert re.search(r'href="/dang-nhap/"[^>]*>Đăng nhập<', header)
    # The menu folds into a <details> on phones: it works without JavaScript.
    assert '<details class="site-menu">' in header

    client.force_login(UserFactory(full_name="Lê Thị Hoa"))
    header = re.search(r"<header.*?</header>", home(client), re.S).group(0)
    assert "/dang-ky/" not in header and "/dang-nhap/" not in header
    assert "Lê Thị Hoa" in header and "Đăng xuất" in header


def test_the_units_results_count_this_years_dossiers_and_early_as_on_time(client, district, make):
    unit, idle = district["communes"]
    due = this_year(1, 10, 17)
    make(unit, received=this_year(1, 5), due=due, status=Status.DONE, finished=this_year(1, 8))  # early
    make(unit, received=this_year(1, 5), due=due, status=Status.RETURNED, finished=this_year(1, 10, 16))  # on time
    make(unit, received=this_year(1, 5), due=due, status=Status.DONE, finished=this_year(1, 12))  # late
    make(unit, received=this_year(1, 5), due=due)  # still in progress
    make(unit, received=this_year(1, 5), due=due, status=Status.WITHDRAWN, finished=this_year(1, 6))
    # Received last year, resolved on time this year: resolved this year, not received this year.
    last_december = this_year(1, 1) - timedelta(days=10)
    make(unit, received=last_december, due=this_year(1, 8, 17), status=Status.DONE, finished=this_year(1, 6))

    page = text(home(client))

    assert f"Công khai kết quả giải quyết hồ sơ năm {timezone.localdate().year}" in page
    # received 5 this year; resolved 4 this year (the withdrawn one is not); 3 of 4 on time.
    assert "UBND thị trấn Bến Sung 5 4 75,0 %" in page
    assert f"{idle.name} 0 0 —" in page
    assert "Bộ phận Một cửa huyện Như Thanh 0 0 —" in page
    assert "Tổng cộng 5 4 75,0 %" in page
    assert "Tỷ lệ đúng hạn = số hồ sơ giải quyết trước hạn hoặc đúng hạn ÷ tổng số hồ sơ đã giải quyết" in page


def test_every_page_ends_with_the_desks_address_hotline_email_and_office_hours(client, district):
    for url in (reverse("home"), reverse("procedures:catalogue"), reverse("accounts:login")):
        footer = text(re.search(r"<footer.*?</footer>", client.get(url).content.decode(), re.S).group(0))
        assert "Bộ phận Một cửa huyện Như Thanh" in footer
        assert "Địa chỉ: Thị trấn Bến Sung, huyện Như Thanh" in footer
        assert "Đường dây nóng: 0237 3848 100" in footer
        assert "motcua@nhuthanh.example.vn" in footer
        assert "Thứ 2 – Thứ 6: 7:30–11:30, 13:30–17:30" in footer
    # The front page lists every unit that receives, with its phone.
    footer = text(re.search(r"<footer.*?</footer>", home(client), re.S).group(0))
    assert "Nơi nộp hồ sơ trực tiếp: 3 đơn vị" in footer
    assert "UBND thị trấn Bến Sung Điện thoại: 0237 3848 101" in footer
    assert 'href="tel:02373848100"' in home(client)


def test_the_footer_shows_the_office_hours_staff_set(client, district):
    for weekday in range(5):
        OfficeHours.objects.create(
            weekday=weekday,
            morning_start=time(7, 0),
            morning_end=time(11, 0),
            afternoon_start=time(13, 0) if weekday < 4 else time(14, 0),
            afternoon_end=time(17, 0) if weekday < 4 else time(18, 0),
        )
    footer = text(re.search(r"<footer.*?</footer>", home(client), re.S).group(0))
    assert "Thứ 2 – Thứ 5: 7:00–11:00, 13:00–17:00" in footer
    assert "Thứ 6: 7:00–11:00, 14:00–18:00" in footer


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_the_front_page_costs_six_queries_however_many_units_procedures_and_dossiers(client, district, make):
    for n in range(2):
        published_procedure(name=f"Thủ tục {n}")
    make(district["communes"][0], received=timezone.now() - timedelta(days=1))
    # The portal's unit; its desks and communes; their results this year; the most used procedures
    # (counted, then read); the office hours.
    assert _queries(client) == 6

    for n in range(20):
        AgencyFactory(code=f"000.{30 + n}.22.H56", parent=district["district"], kind=AgencyKind.COMMUNE)
        published_procedure(name=f"Thủ tục thêm {n}")
    for _ in range(50):
        make(district["communes"][1], received=timezone.now() - timedelta(days=2), status=Status.DONE)
    assert _queries(client) == 6
