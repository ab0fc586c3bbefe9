"""The public verification page (/xac-thuc/): a code read as printed however it is typed, its limits
(per code in every spelling, per address, for all addresses together, GET and POST alike), and a
code no result can have answered as not found, never as an error."""

import socket
from urllib.parse import quote

from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

import pytest

from dossiers.models import Attachment
from onestop.cache import FailOpenRedisCache
from tests.dossiers.conftest import submit_online

pytestmark = pytest.mark.django_db

CODE = "ABCD-EFGH-JKLM"
START = reverse("dossiers:verify_start")


@pytest.fixture
def issued(citizen, birth, commune):
    """A result issued on paper by the commune with the verification code ``CODE``."""
    dossier = submit_online(citizen=citizen, version=birth, agency=commune)
    return Attachment.objects.create(
        dossier=dossier,
        file=ContentFile(b"%PDF-1.4 scan", name="ban-chup.pdf"),
        original_name="ban-chup.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
        is_result=True,
        verification_code=CODE,
        issuing_agency=commune,
        issued_at=timezone.now(),
        issued_on_paper=True,
        uploaded_by=citizen,
    )


SPELLINGS = {
    "lower case": "abcd-efgh-jklm",
    "space before": " ABCD-EFGH-JKLM",
    "space after": "ABCD-EFGH-JKLM ",
    "tab": "ABCD-EFGH-JKLM\t",
    "carriage return": "ABCD-EFGH-JKLM\r",
    "line feed": "\nABCD-EFGH-JKLM",
    "non-breaking spaces": "\u00a0ABCD\u00a0EFGH\u00a0JKLM\u00a0",
    "spaces for hyphens": "ABCD EFGH JKLM",
    "dots for hyphens": "abcd.efgh.jklm",
    "no separators": "ABCDEFGHJKLM",
    "en and em dash": "ABCD\u2013EFGH\u2014JKLM",
    "minus sign and full-width hyphen": "ABCD\u2212EFGH\uff0dJKLM",
    "full-width letters": "\uff21\uff22\uff23\uff24-\uff25\uff26\uff27\uff28-\uff2a\uff2b\uff2c\uff2d",
    "zero-width space and BOM": "\ufeffABCD-\u200bEFGH-JKLM",
}


def _page(code: str) -> str:
    return f"/xac-thuc/{quote(code, safe='')}/"


def _get(client, code, address):
    return client.get(_page(code), REMOTE_ADDR=address)


@pytest.mark.parametrize("typed", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_every_spelling_of_a_code_shows_the_document_and_spends_the_same_budget_of_ten_an_hour(client, issued, typed):
    found = _get(client, typed, "10.5.0.1")
    assert found.status_code == 200 and 'data-testid="verify-issued"' in found.content.decode()
    assert issued.dossier.code in found.content.decode()
    for attempt in range(2, 11):  # the other nine of the hour, as printed, each from its own address
        assert _get(client, CODE, f"10.5.0.{attempt}").status_code == 200
    limited = _get(client, typed, "10.5.1.1")
    assert limited.status_code == 429 and "Quá nhiều lần thử" in limited.content.decode()


@pytest.mark.parametrize("typed", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_the_code_typed_on_the_start_page_leads_to_the_code_as_printed(client, issued, typed):
    response = client.get(START, {"code": typed})
    assert response.status_code == 302 and response["Location"] == reverse("dossiers:verify", args=[CODE])


def test_checking_a_file_counts_with_the_views_of_the_same_code(client, issued):
    for attempt in range(1, 6):
        assert _get(client, CODE.lower(), f"10.6.0.{attempt}").status_code == 200
        posted = client.post(_page(f" {CODE} "), {}, REMOTE_ADDR=f"10.6.1.{attempt}")
        assert posted.status_code == 400  # no file chosen: the page says so
    assert client.post(_page(CODE), {}, REMOTE_ADDR="10.6.2.1").status_code == 429
    assert _get(client, CODE, "10.6.2.2").status_code == 429


def test_the_start_page_has_its_own_budget_per_code(client, issued):
    for attempt in range(1, 11):
        assert (
            client.get(START, {"code": SPELLINGS["dots for hyphens"]}, REMOTE_ADDR=f"10.7.0.{attempt}").status_code
            == 302
        )
    assert client.get(START, {"code": f"{CODE}\t"}, REMOTE_ADDR="10.7.1.1").status_code == 429


def test_one_address_has_its_own_budget_whatever_codes_it_asks_for(client, issued, settings):
    settings.VERIFY_RATE_PER_ADDRESS = "3/h"
    for unknown in ["AAAA-BBBB-CCCC", "AAAA-BBBB-CCCD", "AAAA-BBBB-CCCE"]:
        assert _get(client, unknown, "10.8.0.1").status_code == 404
    assert _get(client, CODE, "10.8.0.1").status_code == 429
    assert client.post(_page(CODE), {}, REMOTE_ADDR="10.8.0.1").status_code == 429
    assert _get(client, CODE, "10.8.0.2").status_code == 200  # another address is served
    for unknown in ["AAAA-BBBB-CCCC", "AAAA-BBBB-CCCD", "AAAA-BBBB-CCCE"]:
        assert client.get(START, {"code": unknown}, REMOTE_ADDR="10.8.1.1").status_code == 302
    assert client.get(START, {"code": CODE}, REMOTE_ADDR="10.8.1.1").status_code == 429


def test_all_addresses_together_have_one_budget(client, issued, settings):
    settings.VERIFY_RATE_ALL = "5/h"
    for number in range(1, 6):  # five codes from five addresses: no address or code is over its own
        assert _get(client, f"AAAA-BBBB-CCC{number + 1}", f"10.9.0.{number}").status_code == 404
    assert _get(client, CODE, "10.9.0.6").status_code == 429
    settings.VERIFY_RATE_ALL = "3/h"
    for number in range(1, 4):
        assert (
            client.get(START, {"code": f"AAAA-BBBB-CCC{number + 1}"}, REMOTE_ADDR=f"10.9.1.{number}").status_code == 302
        )
    assert client.get(START, {"code": CODE}, REMOTE_ADDR="10.9.1.9").status_code == 429


@pytest.mark.parametrize(
    "typed",
    [
        "a/b",
        "ABCD/EFGH/JKLM",
        "../../etc/passwd",
        "<b>x</b>",
        "ABCD-EFGH-JKL0",
        "ABCD-EFGH-JKLMN",
        "KHONG-CO",
        "%2F",
        "Đ",
    ],
)
def test_a_code_no_result_can_have_is_not_found_never_an_error(client, issued, typed):
    response = client.get(START, {"code": typed})
    page = response.content.decode()
    assert response.status_code == 404 and 'data-testid="verify-unknown"' in page
    assert "Cổng không ban hành giấy tờ nào có mã" in page and "<b>x</b>" not in page
    assert 'data-testid="verify-again"' in page  # a way to type it again
    if "/" not in typed:
        assert client.get(_page(typed)).status_code == 404
        assert client.post(_page(typed), {}).status_code == 404
    else:
        assert client.get(f"/xac-thuc/{typed}/").status_code == 404  # no such address


@pytest.mark.parametrize("typed", ["", "   ", "\t\r\n", "\u200b"])
def test_an_empty_code_shows_the_start_page(client, typed):
    response = client.get(START, {"code": typed})
    assert response.status_code == 200 and 'name="code"' in response.content.decode()


def test_with_the_cache_down_the_page_answers_beyond_every_budget(client, issued):
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = {"default": {"BACKEND": "onestop.cache.FailOpenRedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}}
    budgets = {
        f"{page}_RATE_{kind}": "2/h" for page in ("VERIFY", "LOOKUP") for kind in ("PER_ADDRESS", "PER_CODE", "ALL")
    }
    FailOpenRedisCache._down_until = FailOpenRedisCache._last_logged = 0.0
    with override_settings(CACHES=down, **budgets):
        for _attempt in range(4):
            assert _get(client, CODE, "10.10.0.1").status_code == 200
            assert client.get(START, {"code": CODE}, REMOTE_ADDR="10.10.0.1").status_code == 302
            looked = client.post(
                reverse("dossiers:lookup"), {"code": issued.dossier.code, "secret": "5678"}, REMOTE_ADDR="10.10.0.1"
            )
            assert looked.status_code == 200 and 'data-testid="lookup-result"' in looked.content.decode()
    FailOpenRedisCache._down_until = 0.0
