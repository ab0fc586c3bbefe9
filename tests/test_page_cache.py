"""The public pages (front page, catalogue, procedure page, status lookup) served to anonymous visitors
from the cache: never stale after a catalogue write, never in the wrong language, never someone else's,
with a working CSRF token of the visitor's own, and without filling the cache from junk query strings."""

import re
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from onestop import page_cache
from onestop.page_cache import public_pages_changed
from procedures.services import (
    procedure_unpublish,
    procedure_version_new_draft,
    procedure_version_publish,
)
from tests.factories import AgencyFactory, UserFactory, published_procedure

pytestmark = pytest.mark.django_db

CATALOGUE = "/thu-tuc/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def get(client, url, params=None) -> tuple[str, int]:
    """The page's HTML and how many queries it cost."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode(), len(queries)


@pytest.fixture
def district():
    province = AgencyFactory(province=True, name="UBND tỉnh Thanh Hóa")
    district = AgencyFactory(district=True, name="UBND huyện Như Thanh", parent=province)
    desk = AgencyFactory(desk=True, name="Bộ phận Một cửa huyện Như Thanh", parent=district, phone="0237 3848 100")
    commune = AgencyFactory(name="UBND xã Cán Khê", parent=district)
    return {"district": district, "desk": desk, "commune": commune}


def public_urls(code: str) -> list[str]:
    return [reverse("home"), CATALOGUE, f"/thu-tuc/{code}/", reverse("dossiers:lookup")]


def test_a_warm_public_page_costs_no_query(client, district):
    version = published_procedure(code="1.001193", agencies=[district["commune"]])
    for url in public_urls(version.procedure.code):
        first, queries_first = get(client, url)
        again, queries_again = get(client, url)
        assert queries_first > 0, url
        assert queries_again == 0, url
        assert TOKEN.sub("", again) == TOKEN.sub("", first), url


def test_publishing_a_procedure_shows_at_once_on_the_cached_catalogue(client, district):
    published_procedure(name="Thủ tục đăng ký khai sinh", agencies=[district["commune"]])
    get(client, CATALOGUE)
    assert "Thủ tục đăng ký kết hôn" not in get(client, CATALOGUE)[0]

    published_procedure(code="1.000894", name="Thủ tục đăng ký kết hôn", agencies=[district["commune"]])

    page, _ = get(client, CATALOGUE)
    assert "Thủ tục đăng ký kết hôn" in page
    assert "Thủ tục đăng ký kết hôn" in get(client, reverse("home"))[0]  # most used, topped up from the catalogue
    assert "Thủ tục đăng ký kết hôn" in get(client, CATALOGUE, {"q": "ket hon"})[0]


def test_withdrawing_a_procedure_takes_it_off_the_cached_pages_at_once(client, district):
    version = published_procedure(code="1.000894", name="Thủ tục đăng ký kết hôn", agencies=[district["commune"]])
    detail = f"/thu-tuc/{version.procedure.code}/"
    assert "Thủ tục đăng ký kết hôn" in get(client, CATALOGUE)[0]
    assert "Thủ tục đăng ký kết hôn" in get(client, detail)[0]

    procedure_unpublish(procedure=version.procedure)  # a queryset update: no save signal

    assert "Thủ tục đăng ký kết hôn" not in get(client, CATALOGUE)[0]
    assert client.get(detail).status_code == 404


def test_a_new_version_and_an_edited_fee_show_at_once_on_the_cached_procedure_page(client, district):
    version = published_procedure(code="1.001193", name="Thủ tục đăng ký khai sinh", agencies=[district["commune"]])
    detail = f"/thu-tuc/{version.procedure.code}/"
    assert "8.000 đồng" in get(client, detail)[0]

    draft = procedure_version_new_draft(procedure=version.procedure)
    draft.name = "Thủ tục đăng ký khai sinh lưu động"
    draft.save()
    assert "lưu động" not in get(client, detail)[0]  # a draft is not public
    procedure_version_publish(version=draft, effective_from=date(2022, 1, 1))
    assert "Thủ tục đăng ký khai sinh lưu động" in get(client, detail)[0]

    fee = draft.fees.get()  # the admin edits a fee row by row
    fee.amount = 15000
    fee.save()
    page, _ = get(client, detail)
    assert "15.000 đồng" in page
    assert "15.000 đồng" in get(client, CATALOGUE)[0]


def test_an_agency_renamed_shows_at_once_in_every_cached_footer(client, district):
    version = published_procedure(agencies=[district["commune"]])
    for url in public_urls(version.procedure.code):
        assert "Bộ phận Một cửa huyện Như Thanh" in get(client, url)[0]
    district["desk"].name = "Trung tâm Phục vụ hành chính công huyện Như Thanh"
    district["desk"].save()
    for url in public_urls(version.procedure.code):
        assert "Trung tâm Phục vụ hành chính công huyện Như Thanh" in get(client, url)[0], url


def test_a_copy_rendered_before_the_commit_is_not_kept_after_it(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        published_procedure(name="Thủ tục đăng ký khai sinh")
        public_pages_changed()  # many rows, one transaction: one callback
        # Another worker renders the page before the writer commits: from the rows it can see then.
        _, queries = get(client, CATALOGUE)
        assert queries > 0
        assert get(client, CATALOGUE)[1] == 0
    assert len(callbacks) == 1
    assert get(client, CATALOGUE)[1] > 0  # the commit dropped that copy


def test_a_version_in_force_from_tomorrow_shows_tomorrow_without_a_write(client, district, monkeypatch):
    today = timezone.localdate()
    published_procedure(
        name="Thủ tục đăng ký kết hôn", agencies=[district["commune"]], effective_from=today + timedelta(days=1)
    )
    assert "Thủ tục đăng ký kết hôn" not in get(client, CATALOGUE)[0]
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today + timedelta(days=1))
    assert "Thủ tục đăng ký kết hôn" in get(client, CATALOGUE)[0]


def test_the_english_page_is_never_served_to_a_vietnamese_visitor(district):
    version = published_procedure(code="1.001193", agencies=[district["commune"]])
    english = Client()
    english.cookies["django_language"] = "en"
    vietnamese = Client()
    for url in public_urls(version.procedure.code):
        for _round in range(2):  # the second round is served from the cache
            en, _ = get(english, url)
            vi, _ = get(vietnamese, url)
            assert '<html lang="en">' in en and "Look up" in en, url
            assert '<html lang="vi">' in vi and "Tra cứu" in vi, url
            assert "Tra cứu" not in en


def test_a_logged_in_citizen_sees_their_menu_not_the_cached_anonymous_one(client, district):
    version = published_procedure(code="1.001193", agencies=[district["commune"]])
    citizen = UserFactory(full_name="Lê Thị Hoa")
    signed_in = Client()
    signed_in.force_login(citizen)
    for url in public_urls(version.procedure.code):
        get(client, url)
        anonymous, queries = get(client, url)
        assert queries == 0 and "Lê Thị Hoa" not in anonymous
        own, _ = get(signed_in, url)
        assert "Lê Thị Hoa" in own, url
        assert "Hồ sơ của tôi" in own and "Đăng xuất" in own, url
        assert 'data-testid="register"' not in own and 'data-testid="login"' not in own, url
        assert "Lê Thị Hoa" not in get(client, url)[0], url  # and their page is not kept for others


def test_a_visitor_with_a_message_waiting_gets_it_on_a_cached_page(client, district):
    get(client, CATALOGUE)
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(messages.SUCCESS, "Bạn đã đăng xuất.")
    response = HttpResponse()
    storage.update(response)
    client.cookies[CookieStorage.cookie_name] = response.cookies[CookieStorage.cookie_name].value
    assert "Bạn đã đăng xuất." in get(client, CATALOGUE)[0]


def test_the_csrf_token_of_a_cached_form_is_the_visitors_own_and_works():
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    lookup = reverse("dossiers:lookup")
    first_page, _ = get(first, lookup)
    second_page, queries = get(second, lookup)
    assert queries == 0  # the second visitor got the cached copy
    first_token, second_token = TOKEN.search(first_page).group(1), TOKEN.search(second_page).group(1)
    assert first_token != second_token
    assert page_cache.CSRF_PLACEHOLDER not in second_page

    form = {"code": "000.00.22.H56-210101-0001", "secret": "1234"}
    answer = second.post(lookup, {**form, "csrfmiddlewaretoken": second_token})
    assert answer.status_code == 200
    assert "Không có hồ sơ nào" in answer.content.decode()  # the lookup ran: the token was accepted
    language = second.post(
        reverse("set_language"), {"language": "en", "next": lookup, "csrfmiddlewaretoken": second_token}
    )
    assert language.status_code == 302

    # A token lifted from another visitor's page is refused: it belongs to their cookie.
    assert first.post(lookup, {**form, "csrfmiddlewaretoken": second_token}).status_code == 403


def test_junk_query_strings_do_not_grow_the_cache_beyond_its_cap(client, district, monkeypatch):
    published_procedure(name="Thủ tục đăng ký khai sinh", agencies=[district["commune"]])
    monkeypatch.setattr(page_cache, "MAX_VARIANTS", 3)
    searches = [{"q": f"tu khoa {n}"} for n in range(8)]
    for params in searches:
        get(client, CATALOGUE, params)
    served_from_cache = [params for params in searches if get(client, CATALOGUE, params)[1] == 0]
    assert len(served_from_cache) == 3
    get(client, CATALOGUE)
    assert get(client, CATALOGUE)[1] == 0  # the page without a query string is kept all the same

    # A parameter the page does not read is never kept: every visit renders the page.
    for n in range(3):
        get(client, CATALOGUE, {"utm_source": f"zalo{n}"})
        assert get(client, CATALOGUE, {"utm_source": f"zalo{n}"})[1] > 0


def test_the_front_page_says_when_its_figures_were_counted_and_recounts_them_within_minutes(
    client, district, monkeypatch
):
    import time

    from onestop.views import FRONT_PAGE_MAX_AGE

    before = timezone.localtime()
    page, _ = get(client, reverse("home"))
    after = timezone.localtime()  # the minute may turn meanwhile
    assert any(f"Số liệu tính đến {at:%H:%M} ngày {at:%d/%m/%Y}." in page for at in (before, after))
    assert get(client, reverse("home"))[1] == 0
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + FRONT_PAGE_MAX_AGE - 30)
    assert get(client, reverse("home"))[1] == 0
    monkeypatch.setattr(time, "time", lambda: real() + FRONT_PAGE_MAX_AGE + 1)
    assert get(client, reverse("home"))[1] > 0
