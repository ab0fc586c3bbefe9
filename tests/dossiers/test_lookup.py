import uuid

from django.urls import reverse

import pytest

from dossiers.services import (
    attachment_add,
    dossier_save_applicant,
    dossier_save_delivery,
    dossier_save_form,
    dossier_start,
    dossier_submit,
)
from tests.dossiers.conftest import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(citizen, birth, commune):
    dossier = dossier_start(applicant=citizen, version=birth, agency=commune)
    dossier_save_applicant(
        dossier=dossier,
        data={"full_name": "Lê Thị Hoa", "phone": "0912345678", "citizen_id": "038190001234", "address": "Thôn 1"},
    )
    dossier_save_form(dossier=dossier, data={"ho_ten": "Nguyễn Minh An"})
    attachment_add(dossier=dossier, required_document=birth.documents.get(), upload=pdf_upload(), by=citizen)
    dossier_save_delivery(dossier=dossier, delivery="desk")
    return dossier_submit(dossier=dossier, by=citizen, submission_key=uuid.uuid4())


@pytest.mark.parametrize("secret", ["5678", "1234"], ids=["phone", "citizen ID"])
def test_anyone_with_the_code_and_4_digits_sees_status_and_timeline_without_personal_data(client, submitted, secret):
    page = client.post(reverse("dossiers:lookup"), {"code": submitted.code, "secret": secret}).content.decode()
    assert submitted.code in page
    assert "Mới đăng ký" in page
    assert "Thủ tục đăng ký khai sinh" in page
    for personal in ["Lê Thị Hoa", "0912345678", "038190001234", "Thôn 1", "Nguyễn Minh An"]:
        assert personal not in page


@pytest.mark.parametrize(("code", "secret"), [("wrong", "5678"), (None, "0000"), (None, "12")])
def test_a_wrong_code_or_wrong_digits_get_the_same_answer(client, submitted, code, secret):
    page = client.post(reverse("dossiers:lookup"), {"code": code or submitted.code, "secret": secret}).content.decode()
    assert 'data-testid="lookup-result"' not in page
    assert "Mới đăng ký" not in page


def test_the_public_timeline_shows_no_note(client, submitted):
    from dossiers.models import DossierEvent

    DossierEvent.objects.create(
        dossier=submitted, to_status=submitted.status, kind="note", note="Bà Lê Thị Hoa, thôn 1, gọi lại sau"
    )
    page = client.post(reverse("dossiers:lookup"), {"code": submitted.code, "secret": "5678"}).content.decode()
    assert 'data-testid="lookup-result"' in page
    assert "gọi lại sau" not in page


def test_guessing_digits_is_rate_limited(client, submitted):
    for secret in range(20):
        client.post(reverse("dossiers:lookup"), {"code": submitted.code, "secret": f"{secret:04d}"})
    response = client.post(reverse("dossiers:lookup"), {"code": submitted.code, "secret": "5678"})
    assert response.status_code == 429
    assert "Vui lòng chờ một lúc (tối đa một giờ)" in response.content.decode()


def test_the_citizen_page_shows_the_timeline(client, citizen, submitted):
    client.force_login(citizen)
    page = client.get(reverse("dossiers:detail", args=[submitted.reference])).content.decode()
    assert submitted.code in page
    assert "Quá trình xử lý" in page
    assert "Mới đăng ký" in page


@pytest.mark.parametrize(
    "typed",
    ["{code}", "{lower} ", "  {lower}", "{spaced}", "{lower}\t"],
    ids=["as printed", "lower case, space after", "spaces before", "spaces inside", "tab after"],
)
def test_the_code_is_found_whatever_its_case_and_stray_spaces(client, submitted, typed):
    code = submitted.code
    text = typed.format(code=code, lower=code.lower(), spaced=code.replace("-", " - ", 1).lower())
    page = client.post(reverse("dossiers:lookup"), {"code": text, "secret": " 5678 "}).content.decode()
    assert 'data-testid="lookup-result"' in page and "Mới đăng ký" in page
    assert f'value="{code}"' in page  # the field shows the code as printed


def test_the_page_says_where_the_code_is_printed_and_the_field_upper_cases_as_typed(client, submitted):
    page = client.get(reverse("dossiers:lookup"), {"code": submitted.code.lower() + " "}).content.decode()
    assert "Mã hồ sơ in trên Giấy tiếp nhận, trong tin nhắn SMS hoặc email xác nhận" in page
    field = page.split('name="code"')[0].rsplit("<input", 1)[1] + page.split('name="code"')[1].split(">", 1)[0]
    assert "text-uppercase" in field and 'autocapitalize="characters"' in field
    assert f'value="{submitted.code}"' in page  # the link of an SMS, read as printed


def test_one_codes_rate_limit_counts_every_spelling_of_it(client, submitted):
    code = submitted.code
    spellings = [code, code.lower(), f"{code} ", f" {code.lower()}", code.replace("-", " -")]
    for attempt in range(10):  # from ten addresses, so only the limit per code can stop them
        response = client.post(
            reverse("dossiers:lookup"),
            {"code": spellings[attempt % len(spellings)], "secret": f"{attempt:04d}"},
            REMOTE_ADDR=f"10.0.0.{attempt + 1}",
        )
        assert response.status_code == 200
    response = client.post(
        reverse("dossiers:lookup"), {"code": f"{code.lower()}  ", "secret": "5678"}, REMOTE_ADDR="10.0.1.1"
    )
    assert response.status_code == 429


def test_the_public_timeline_names_each_status_once(client, citizen, network, allowance):
    from dossiers.services import dossier_hand_over, dossier_receive
    from tests.dossiers.conftest import submit_online

    clerk, specialist = network["clerk"], network["specialist"]
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier_receive(dossier=dossier, by=clerk)
    dossier_hand_over(dossier=dossier, by=clerk, to_agency=network["department"], to_user=specialist)
    dossier_hand_over(dossier=dossier, by=specialist, to_agency=network["district"], to_user=network["leader"])
    page = client.post(reverse("dossiers:lookup"), {"code": dossier.code, "secret": "5678"}).content.decode()
    timeline = page.split('data-testid="lookup-result"')[1].split("<ol", 1)[1]
    assert timeline.count("Đang giải quyết") == 1
    assert timeline.count("Chuyển xử lý") == 1  # the second hand-over, named by what happened


def test_a_ready_result_gets_a_banner_at_the_top_with_the_fee_to_pay_then_the_download(
    client, citizen, network, allowance
):
    from urllib.parse import parse_qsl, urlsplit

    from dossiers.services import dossier_complete, dossier_hand_over, dossier_receive
    from tests.dossiers.conftest import submit_online

    clerk = network["clerk"]
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier_receive(dossier=dossier, by=clerk)
    client.force_login(citizen)
    assert 'data-testid="result-banner"' not in client.get(dossier.get_absolute_url()).content.decode()

    dossier_hand_over(dossier=dossier, by=clerk, to_agency=network["commune"], to_user=clerk, reason="xong sớm")
    dossier_complete(dossier=dossier, by=clerk, results=[pdf_upload("quyet-dinh.pdf")])
    page = client.get(dossier.get_absolute_url()).content.decode()
    banner = page.split('data-testid="result-banner"')[1].split("</div>")[0]
    assert page.index('data-testid="result-banner"') < page.index('id="fee-title"')  # at the top
    assert 'role="status"' in page.split('data-testid="result-banner"')[0].rsplit("<div", 1)[1]
    assert "Kết quả đã có</strong> — nộp 8.000 đồng để tải" in banner
    assert 'data-testid="pay-online"' in banner and "banner-download" not in banner
    assert page.count('data-testid="pay-online"') == 1  # one pay button, in the banner

    gateway = urlsplit(client.post(reverse("dossiers:pay", args=[dossier.reference]))["Location"])
    client.post(gateway.path, {**dict(parse_qsl(gateway.query)), "choice": "pay"})
    banner = client.get(dossier.get_absolute_url()).content.decode().split('data-testid="result-banner"')[1]
    banner = banner.split("</div>")[0]
    assert "Kết quả đã có" in banner and "để tải" not in banner and "pay-online" not in banner
    assert "Tải kết quả: quyet-dinh" in banner and "Nhận tại Bộ phận Một cửa" in banner

    client.force_login(clerk)  # staff read the dossier, not a banner meant for the applicant
    assert 'data-testid="result-banner"' not in client.get(dossier.get_absolute_url()).content.decode()


# ---- the limits: one bucket per code however it is spelled, per address, and for everyone --------

LOOKUP_SPELLINGS = {
    "space after": lambda code: f"{code} ",
    "space before": lambda code: f" {code}",
    "tab": lambda code: f"{code}\t",
    "carriage return": lambda code: f"{code}\r",
    "line feed": lambda code: f"\n{code}",
    "CR LF inside": lambda code: code.replace("-", "\r\n-", 1),
    "non-breaking spaces": lambda code: f"\u00a0{code.replace('-', chr(0xA0) + '-', 1)}\u00a0",
    "ideographic and thin spaces": lambda code: f"\u3000{code}\u2009",
    "zero-width space and BOM": lambda code: f"\ufeff{code[:5]}\u200b{code[5:]}",
    "lower case": lambda code: code.lower(),
    "full-width dots": lambda code: code.replace(".", "\uff0e"),
    "spaces around the dots": lambda code: code.replace(".", " . "),
    "en dash": lambda code: code.replace("-", "\u2013"),
    "non-breaking hyphen and minus sign": lambda code: code.replace("-", "\u2011", 1).replace("-", "\u2212"),
    "full-width letters and digits": lambda code: code.translate({c: c + 0xFEE0 for c in range(0x30, 0x5B)}),
}


def _look(client, code, secret, address):
    return client.post(reverse("dossiers:lookup"), {"code": code, "secret": secret}, REMOTE_ADDR=address)


@pytest.mark.parametrize("spell", LOOKUP_SPELLINGS.values(), ids=LOOKUP_SPELLINGS.keys())
def test_every_spelling_of_a_code_finds_it_and_spends_the_same_budget_of_ten_tries_an_hour(client, submitted, spell):
    code, typed = submitted.code, spell(submitted.code)
    assert typed != code
    found = _look(client, typed, "5678", "10.1.0.1").content.decode()
    assert 'data-testid="lookup-result"' in found and "Mới đăng ký" in found  # the lookup reads it as the code
    for attempt in range(2, 11):  # the other nine of the hour, as printed, each from its own address
        assert _look(client, code, f"{attempt:04d}", f"10.1.0.{attempt}").status_code == 200
    limited = _look(client, typed, "5678", "10.1.1.1")  # the 11th, right digits, a fresh address
    assert limited.status_code == 429
    assert "Quá nhiều lần thử" in limited.content.decode()
    assert _look(client, code, "5678", "10.1.1.2").status_code == 429  # and as printed too


def test_one_address_has_its_own_budget_whatever_codes_it_tries(client, submitted, settings):
    settings.LOOKUP_RATE_PER_ADDRESS = "3/h"
    for number in range(1, 4):
        assert _look(client, f"000.12.22.H56-261127-000{number}", "1111", "10.2.0.1").status_code == 200
    assert _look(client, submitted.code, "5678", "10.2.0.1").status_code == 429
    found = _look(client, submitted.code, "5678", "10.2.0.2").content.decode()  # another address is served
    assert 'data-testid="lookup-result"' in found


def test_all_addresses_together_have_one_budget(client, submitted, settings):
    settings.LOOKUP_RATE_ALL = "5/h"
    for number in range(1, 6):  # five codes from five addresses: no address or code is over its own
        assert _look(client, f"000.12.22.H56-261127-000{number}", "1111", f"10.3.0.{number}").status_code == 200
    assert _look(client, submitted.code, "5678", "10.3.0.6").status_code == 429


@pytest.mark.parametrize("typed", ["a/b", "../../etc", "%2F", "<b>x</b>", "?code=1#x", "\\", "x" * 61])
def test_a_code_with_characters_no_code_has_gets_the_lookups_answer_never_an_error(client, submitted, typed):
    response = client.post(reverse("dossiers:lookup"), {"code": typed, "secret": "5678"})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="lookup-result"' not in page
    assert "Không có hồ sơ nào khớp" in page or "tối đa 60 kí tự" in page
    assert "<b>x</b>" not in page
    assert client.get(reverse("dossiers:lookup"), {"code": typed}).status_code == 200


def test_the_digits_are_read_whatever_spaces_or_width_they_are_typed_in(client, submitted):
    for secret in ["5 678", "\u00a05678\t", "\uff15\uff16\uff17\uff18"]:
        page = client.post(reverse("dossiers:lookup"), {"code": submitted.code, "secret": secret}).content.decode()
        assert 'data-testid="lookup-result"' in page, secret
