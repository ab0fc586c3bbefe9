"""The public pages (front page, catalogue, procedure page, status lookup) served to anonymous visitors
from Redis: never stale after a catalogue write (committed, rolled back, restored, with Redis refusing
writes), never in the wrong language, never someone else's, with a working CSRF token of the visitor's
own and nowhere else, without filling Redis from junk query strings, and never at the cost of the rate
limits' counters.

The pages' cache is Redis, as in production: ``REDIS_URL``, else 127.0.0.1:6379, under a key prefix of
each test's own, removed after it. Without Redis these tests are skipped (in CI they fail)."""

import os
import re
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCacheClient
from django.core.management import call_command
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest
import redis

from onestop import page_cache
from onestop.cache import FailOpenPagesCache
from operations.backup import Restored
from procedures.models import ProcedureVersion
from procedures.services import (
    procedure_unpublish,
    procedure_version_new_draft,
    procedure_version_publish,
)
from tests.factories import AgencyFactory, UserFactory, published_procedure

pytestmark = pytest.mark.django_db

CATALOGUE = "/thu-tuc/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
FROM_CACHE = 1  # queries of a page served from its copy: the token's, by primary key


@dataclass
class PagesRedis:
    client: redis.Redis
    prefix: str

    def keys(self) -> list[bytes]:
        return list(self.client.scan_iter(f"{self.prefix}:*", count=1000))

    def copies(self) -> dict[str, tuple]:
        """Every stored copy, by its key as page_cache names it."""
        found = {}
        for key in self.keys():
            name = key.decode().split(":", 2)[2]  # <prefix>:<version>:<key>
            if not name.startswith("public-page:variants:"):
                found[name] = caches["pages"].get(name)
        return found


@pytest.fixture(autouse=True)
def pages(settings) -> PagesRedis:
    """The pages' cache on Redis beside the in-process default (the rate limits' counters), as
    ``PAGE_CACHE_URL`` makes it."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the page cache's tests need Redis at {REDIS_URL}: {error}")
        pytest.skip(f"needs Redis for the pages' cache at {REDIS_URL} (set REDIS_URL): {error}")
    prefix = f"test-pages-{uuid.uuid4().hex}"
    FailOpenPagesCache._down_until = FailOpenPagesCache._last_logged = 0.0
    settings.CACHES = {
        **settings.CACHES,
        "pages": {"BACKEND": "onestop.cache.FailOpenPagesCache", "LOCATION": REDIS_URL, "KEY_PREFIX": prefix},
    }
    store = PagesRedis(client=client, prefix=prefix)
    yield store
    keys = store.keys()
    if keys:
        client.delete(*keys)
    client.close()


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


def test_a_warm_public_page_costs_one_query_by_primary_key(client, district):
    version = published_procedure(code="1.001193", agencies=[district["commune"]])
    for url in public_urls(version.procedure.code):
        first, queries_first = get(client, url)
        again, queries_again = get(client, url)
        assert queries_first > FROM_CACHE, url
        assert queries_again == FROM_CACHE, url
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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_copy_rendered_before_the_commit_is_not_served_after_it(district):
    version = published_procedure(name="Thủ tục đăng ký kết hôn", agencies=[district["commune"]])
    visitor = Client()

    def another_worker_visits() -> str:
        """The catalogue as another worker renders it: its own connection, seeing only what is committed."""
        pages = []

        def visit():
            try:
                pages.append(get(visitor, CATALOGUE))
            finally:
                connection.close()

        worker = threading.Thread(target=visit)
        worker.start()
        worker.join(60)
        return pages[0]

    with transaction.atomic():
        procedure_unpublish(procedure=version.procedure)
        page, queries = another_worker_visits()  # not blocked by the writer, and keeps its copy
        assert "Thủ tục đăng ký kết hôn" in page and queries > FROM_CACHE
        assert another_worker_visits()[1] == FROM_CACHE
    assert "Thủ tục đăng ký kết hôn" not in another_worker_visits()[0]  # the commit made that copy old


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
        assert queries == FROM_CACHE and "Lê Thị Hoa" not in anonymous
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


def test_the_csrf_token_of_a_cached_form_is_the_visitors_own_and_works(district, pages):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    lookup = reverse("dossiers:lookup")
    first_page, _ = get(first, lookup)
    second_page, queries = get(second, lookup)
    assert queries == FROM_CACHE  # the second visitor got the cached copy
    first_token, second_token = TOKEN.search(first_page).group(1), TOKEN.search(second_page).group(1)
    assert first_token != second_token
    ((_token, _type, body, placeholder),) = pages.copies().values()
    assert placeholder not in second_page and placeholder.encode() in body

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


def test_each_copy_has_its_own_placeholder_and_only_the_hidden_fields_hold_it(client, district, pages):
    version = published_procedure(agencies=[district["commune"]])
    for url in public_urls(version.procedure.code):
        get(client, url)
    copies = pages.copies()
    assert len(copies) == 4
    placeholders = {placeholder for _token, _type, _body, placeholder in copies.values()}
    assert len(placeholders) == 4
    for _token, _type, body, placeholder in copies.values():
        field = page_cache.CSRF_FIELD.format(placeholder).encode()
        assert body.count(field) >= 1
        assert body.count(placeholder.encode()) == body.count(field)


@pytest.mark.parametrize("typed", ["PublicPageCsrfTokenPlaceholder", "csrfmiddlewaretoken"])
def test_a_search_for_the_placeholder_never_puts_the_visitors_token_in_the_page(client, district, typed):
    published_procedure(name="Thủ tục đăng ký khai sinh", agencies=[district["commune"]])
    for _round in range(2):  # rendered, then from the cache
        page, _ = get(client, CATALOGUE, {"q": typed})
        tokens = TOKEN.findall(page)
        assert tokens
        assert page.count(tokens[0]) == len(tokens)  # in the hidden fields, not in links or the search box
        assert f'value="{typed}"' in page  # the search box holds what was typed


def test_junk_query_strings_do_not_grow_the_cache_beyond_its_cap(client, district, monkeypatch):
    published_procedure(name="Thủ tục đăng ký khai sinh", agencies=[district["commune"]])
    monkeypatch.setattr(page_cache, "MAX_VARIANTS", 3)
    searches = [{"q": f"tu khoa {n}"} for n in range(8)]
    for params in searches:
        get(client, CATALOGUE, params)
    served_from_cache = [params for params in searches if get(client, CATALOGUE, params)[1] == FROM_CACHE]
    assert len(served_from_cache) == 3
    get(client, CATALOGUE)
    assert get(client, CATALOGUE)[1] == FROM_CACHE  # the page without a query string is kept all the same

    # A parameter the page does not read is never kept: every visit renders the page.
    for n in range(3):
        get(client, CATALOGUE, {"utm_source": f"zalo{n}"})
        assert get(client, CATALOGUE, {"utm_source": f"zalo{n}"})[1] > FROM_CACHE


def test_the_front_page_says_when_its_figures_were_counted_and_recounts_them_within_minutes(client, district, pages):
    from onestop.views import FRONT_PAGE_MAX_AGE

    before = timezone.localtime()
    page, _ = get(client, reverse("home"))
    after = timezone.localtime()  # the minute may turn meanwhile
    assert any(f"Số liệu tính đến {at:%H:%M} ngày {at:%d/%m/%Y}." in page for at in (before, after))
    assert get(client, reverse("home"))[1] == FROM_CACHE
    (key,) = pages.keys()  # only the front page's copy: Redis drops it within FRONT_PAGE_MAX_AGE
    assert FRONT_PAGE_MAX_AGE - 30 < pages.client.ttl(key) <= FRONT_PAGE_MAX_AGE
    pages.client.delete(key)  # as Redis does when the time is up
    assert get(client, reverse("home"))[1] > FROM_CACHE


@pytest.mark.parametrize("pages_cache", ["none, as embedded", "redis"])
def test_junk_searches_never_push_the_rate_limits_counters_out(client, settings, district, pages_cache):
    """The counters stay in the in-process default cache, here one of 30 entries: the copies never go there."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 30}},
    }
    if pages_cache != "redis":
        settings.CACHES = {"default": settings.CACHES["default"]}
    settings.LOOKUP_RATE_PER_CODE = "3/h"
    lookup = reverse("dossiers:lookup")
    guess = {"code": "000.00.22.H56-210101-0001"}
    answers = [client.post(lookup, {**guess, "secret": f"{n:04d}"}).status_code for n in range(4)]
    assert answers == [200, 200, 200, 429]

    published_procedure(name="Thủ tục đăng ký khai sinh", agencies=[district["commune"]])
    for n in range(40):
        get(client, CATALOGUE, {"q": f"junk{n}"})

    assert client.post(lookup, {**guess, "secret": "5678"}).status_code == 429  # still counted
    if pages_cache != "redis":  # no shared Redis: every visitor gets a page rendered for them
        assert get(client, CATALOGUE, {"q": "junk1"})[1] > FROM_CACHE


def test_a_withdrawal_while_the_pages_redis_takes_no_writes_shows_once_it_answers(client, district, pages, monkeypatch):
    version = published_procedure(code="1.000894", name="Thủ tục đăng ký kết hôn", agencies=[district["commune"]])
    detail = f"/thu-tuc/{version.procedure.code}/"
    for url in (CATALOGUE, detail, CATALOGUE, detail):
        assert "Thủ tục đăng ký kết hôn" in get(client, url)[0]

    def unreachable(*args, **kwargs):
        raise redis.ConnectionError("Redis does not answer")

    with monkeypatch.context() as outage:  # Redis takes no write while the procedure is withdrawn
        for operation in ("set", "add", "incr", "delete", "set_many", "delete_many", "touch", "clear"):
            outage.setattr(RedisCacheClient, operation, unreachable)
        procedure_unpublish(procedure=version.procedure)
    FailOpenPagesCache._down_until = 0.0  # and answers again at once

    assert len(pages.copies()) == 2  # the copies from before the withdrawal are still there
    assert "Thủ tục đăng ký kết hôn" not in get(client, CATALOGUE)[0]
    assert client.get(detail).status_code == 404


def test_a_rolled_back_write_never_makes_its_copies_current_later(client, district):
    version = published_procedure(name="Thủ tục đăng ký khai sinh", agencies=[district["commune"]])
    for url in (reverse("home"), CATALOGUE):
        get(client, url)

    class Mistake(Exception):
        pass

    with pytest.raises(Mistake), transaction.atomic():
        district["desk"].name = "Tên gõ nhầm"
        district["desk"].save()
        for url in (reverse("home"), CATALOGUE):  # copies made under the rolled-back token
            assert "Tên gõ nhầm" in get(client, url)[0]
        raise Mistake

    assert "Tên gõ nhầm" not in get(client, CATALOGUE)[0]
    procedure_unpublish(procedure=version.procedure)  # the next write, one UPDATE of the token
    front_page, _ = get(client, reverse("home"))
    assert "Tên gõ nhầm" not in front_page and "Bộ phận Một cửa huyện Như Thanh" in front_page
    assert "Thủ tục đăng ký khai sinh" not in front_page


def test_no_copy_made_before_a_restore_is_served_after_it(client, district, monkeypatch, tmp_path):
    version = published_procedure(name="Thủ tục đăng ký khai sinh", agencies=[district["commune"]])
    get(client, CATALOGUE)
    assert get(client, CATALOGUE)[1] == FROM_CACHE

    def put_back(folder, *, force):  # pg_restore writes the backup's rows, sending no signal
        ProcedureVersion.objects.filter(pk=version.pk).update(name="Thủ tục đăng ký khai sinh (bản sao lưu)")
        return Restored(rows={"procedures_procedureversion": 1})

    monkeypatch.setattr("operations.management.commands.restore.backup_restore", put_back)
    call_command("restore", str(tmp_path), "--force", stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert "Thủ tục đăng ký khai sinh (bản sao lưu)" in get(client, CATALOGUE)[0]


def test_a_migration_drops_every_copy(client, district):
    version = published_procedure(name="Thủ tục đăng ký khai sinh", agencies=[district["commune"]])
    get(client, CATALOGUE)
    ProcedureVersion.objects.filter(pk=version.pk).update(name="Thủ tục đăng ký khai sinh (đã chuyển đổi)")
    page_cache.migrated(sender=None, using="default")  # what migrate sends once it is done
    assert "Thủ tục đăng ký khai sinh (đã chuyển đổi)" in get(client, CATALOGUE)[0]


def test_a_changed_setting_that_pages_show_is_on_them_at_once(client, district, settings):
    version = published_procedure(agencies=[district["commune"]])
    for url in public_urls(version.procedure.code):
        get(client, url)
        assert '<meta name="upload-max-bytes" content="10485760"' in get(client, url)[0]
    settings.DOSSIER_MAX_FILE_BYTES = 4 * 1024 * 1024
    for url in public_urls(version.procedure.code):
        assert '<meta name="upload-max-bytes" content="4194304"' in get(client, url)[0], url


def test_a_new_version_of_a_package_that_renders_the_pages_is_a_new_release(monkeypatch):
    before = page_cache.release()
    real = page_cache.metadata.version
    monkeypatch.setattr(
        page_cache.metadata, "version", lambda name: "99.0" if name == "crispy-bootstrap5" else real(name)
    )
    page_cache._files_and_packages.cache_clear()
    try:
        assert page_cache.release() != before
    finally:
        monkeypatch.undo()
        page_cache._files_and_packages.cache_clear()
    assert page_cache.release() == before


def test_every_worker_of_one_release_shares_the_copies():
    """The release is the same in every process, whatever language its first visitor asked for (lazy
    texts in the settings) and however Python orders sets, so gunicorn's workers serve each other's copies."""
    code = (
        "import sys, django; django.setup(); from django.utils import translation; "
        "translation.activate(sys.argv[1]); from onestop.page_cache import release; print(release())"
    )
    releases = set()
    for seed, language in (("1", "vi"), ("2", "en")):
        environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "onestop.settings", "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", code, language],
            cwd=Path(django_settings.BASE_DIR),
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        releases.add(result.stdout.strip())
    assert len(releases) == 1


def test_one_copy_for_the_same_search_however_it_is_written(client, district, pages):
    published_procedure(name="Thủ tục đăng ký khai sinh", agencies=[district["commune"]])
    _page, queries = get(client, "/thu-tuc/?q=a&level=")
    assert queries > FROM_CACHE
    for spelling in ("/thu-tuc/?q=%61&level=", "/thu-tuc/?level=&q=a", "/thu-tuc/?level=&q=%61"):
        again, queries = get(client, spelling)
        assert queries == FROM_CACHE, spelling
        assert 'value="a"' in again
    assert len(pages.copies()) == 1


@pytest.mark.parametrize(
    "query",
    [
        "page=01",  # the first page, spelt another way
        "page=0",
        "page=abc",
        "q=" + "khai+sinh+" * 25 + "ho+tich",  # a query string over MAX_QUERY_STRING
        "level=district+",  # a filter with a space around: not the filter, the form drops it
    ],
    ids=["leading zero", "page zero", "page not a number", "long", "space around"],
)
def test_a_query_string_the_page_would_not_take_as_it_is_is_rendered_and_not_kept(client, district, pages, query):
    published_procedure(name="Thủ tục đăng ký khai sinh", agencies=[district["commune"]])
    for _round in range(2):
        assert get(client, f"{CATALOGUE}?{query}")[1] > FROM_CACHE
    assert pages.copies() == {}


def test_a_full_pages_redis_costs_the_visitor_nothing(client, district, pages, monkeypatch, caplog):
    """Under ``maxmemory`` with ``noeviction`` Redis refuses writes with an error, not a timeout."""

    def full(*args, **kwargs):
        raise redis.ResponseError("OOM command not allowed when used memory > 'maxmemory'.")

    monkeypatch.setattr(RedisCacheClient, "set", full)
    caplog.set_level("WARNING", logger="onestop.page_cache")
    version = published_procedure(name="Thủ tục đăng ký khai sinh", agencies=[district["commune"]])
    for url in public_urls(version.procedure.code):
        assert get(client, url)[1] > FROM_CACHE  # rendered, not kept
    assert pages.copies() == {}
    assert "public page not kept (ResponseError: OOM" in caplog.text
