"""The submission wizard asks once: the unit chosen (or offered from the citizen's own address), the
address reused, numbers within the form's bounds, no upload for what the online form or a showing at
the desk stands for, the fee and the expected appointment before submitting, "continue" at the first
step with something missing, and every error announced at the top of the page."""

import re
from datetime import datetime
from decimal import Decimal
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

import pytest

from dossiers.models import Dossier
from dossiers.services import dossier_problems
from dossiers.services.submission import offering_unit_named_in
from procedures.calendar import WorkingCalendar
from procedures.constants import CopyType
from procedures.services import DocumentData, FeeData
from tests.dossiers.conftest import pdf_upload
from tests.factories import AgencyFactory, UserFactory, published_procedure

pytestmark = pytest.mark.django_db

DECLARATION = "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân"
IDENTITY = "Giấy tờ tùy thân (xuất trình)"
DIVORCE = "Giấy tờ chứng minh đã ly hôn"
SCHEMA = [
    {"name": "noi_cu_tru", "label": "Nơi cư trú hiện nay", "type": "address", "required": True, "prefill": "address"},
    {"name": "so_ban", "label": "Số bản đề nghị cấp", "type": "number", "required": True, "integer": True, "min": 1,
     "max": 20},
]  # fmt: skip


@pytest.fixture
def communes():
    return [
        AgencyFactory(code="000.10.22.H56", name="UBND thị trấn Bến Sung"),
        AgencyFactory(code="000.11.22.H56", name="UBND xã Cán Khê"),
        AgencyFactory(code="000.12.22.H56", name="UBND xã Xuân Du"),
    ]


@pytest.fixture
def status_certificate(communes):
    """Like the demo's marital status certificate: a declaration the e-form replaces, an identity
    document shown at the desk, a document only some need, a fee and a bounded number."""
    return published_procedure(
        code="1.004873",
        name="Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        agencies=communes,
        processing_days=Decimal("3"),
        fees=[FeeData(label="Lệ phí cấp Giấy xác nhận tình trạng hôn nhân", amount=15000)],
        form_schema=SCHEMA,
        documents=[
            DocumentData(name=DECLARATION, copy_type=CopyType.ORIGINAL, filled_online=True),
            DocumentData(name=DIVORCE, copy_type=CopyType.CERTIFIED_COPY, mandatory=False),
            DocumentData(name=IDENTITY, copy_type=CopyType.ORIGINAL, shown_in_person=True),
        ],
    )


def _start(client, version, agency):
    response = client.post(reverse("dossiers:start", args=[version.procedure.code]), {"agency": agency.pk})
    assert response.status_code == 302, response.content.decode()
    return Dossier.objects.latest("pk")


def _url(step, dossier):
    return reverse(f"dossiers:step_{step}", args=[dossier.reference])


def _selected_option(page: str) -> str | None:
    match = re.search(r'<option value="([^"]*)"[^>]*selected', page)
    return match.group(1) if match else None


# ---- the receiving unit ----------------------------------------------------------------------------


def test_the_receiving_unit_is_chosen_by_the_citizen_not_preselected(client, status_certificate, communes):
    citizen = UserFactory(address="")
    client.force_login(citizen)
    page = client.get(reverse("dossiers:start", args=["1.004873"])).content.decode()
    assert "— Chọn nơi nộp hồ sơ —" in page
    assert _selected_option(page) in (None, "")  # not the first of the list

    response = client.post(reverse("dossiers:start", args=["1.004873"]), {"agency": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Hãy chọn nơi nộp hồ sơ." in page
    assert 'href="#id_agency"' in page
    assert not Dossier.objects.exists()


def test_the_unit_the_citizens_own_address_names_is_offered_first(client, status_certificate, communes):
    client.force_login(UserFactory(address="Thôn Đồng Lạc, xa Xuan Du, huyện Như Thanh"))
    page = client.get(reverse("dossiers:start", args=["1.004873"])).content.decode()
    assert _selected_option(page) == str(communes[2].pk)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("Khu phố 2, thị trấn Bến Sung, Như Thanh", "UBND thị trấn Bến Sung"),
        ("Khu phố 2, TT Ben Sung", "UBND thị trấn Bến Sung"),
        ("Thôn Xuân Du 2, xã Cán Khê", "UBND xã Cán Khê"),  # the commune named as a commune wins
        ("Cán Khê", "UBND xã Cán Khê"),
        ("Xã Xuân Du hoặc xã Cán Khê", None),  # two communes: the citizen chooses
        ("Phường Điện Biên, TP Thanh Hóa", None),
        ("", None),
    ],
)
def test_an_address_names_an_offering_commune_only_when_it_names_one(status_certificate, address, expected):
    found = offering_unit_named_in(version=status_certificate, address=address)
    assert (found.name if found else None) == expected


def test_an_address_typed_in_the_wizard_is_kept_for_the_account_and_picks_the_unit_next_time(
    client, status_certificate, communes
):
    citizen = UserFactory(address="", phone="0912345678")
    client.force_login(citizen)
    dossier = _start(client, status_certificate, communes[1])
    client.post(
        _url("applicant", dossier),
        {"full_name": citizen.full_name, "phone": "0912345678", "address": "Thôn 3, xã Cán Khê"},
    )
    citizen.refresh_from_db()
    assert citizen.address == "Thôn 3, xã Cán Khê"
    page = client.get(reverse("dossiers:start", args=["1.004873"])).content.decode()
    assert _selected_option(page) == str(communes[1].pk)


def test_the_accounts_address_fills_the_applicant_step(client, status_certificate, communes):
    client.force_login(UserFactory(address="Khu phố 1, thị trấn Bến Sung"))
    dossier = _start(client, status_certificate, communes[0])
    assert dossier.applicant_data["address"] == "Khu phố 1, thị trấn Bến Sung"
    page = client.get(_url("applicant", dossier)).content.decode()
    assert "Khu phố 1, thị trấn Bến Sung</textarea>" in page


def test_a_form_field_the_applicants_address_answers_starts_filled_with_it(client, status_certificate, communes):
    client.force_login(UserFactory(address="Khu phố 1, thị trấn Bến Sung"))
    dossier = _start(client, status_certificate, communes[0])
    page = client.get(_url("form", dossier)).content.decode()
    assert re.search(r'name="noi_cu_tru"[^>]*>\s*Khu phố 1, thị trấn Bến Sung</textarea>', page)
    client.post(_url("form", dossier), {"noi_cu_tru": "Thôn 2, xã Cán Khê", "so_ban": "1"})
    page = client.get(_url("form", dossier)).content.decode()
    assert "Thôn 2, xã Cán Khê</textarea>" in page  # what the citizen typed wins over the address


# ---- numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["-2", "0", "21", "1e1000000", "1" * 5000, "2,5", "hai"])
def test_a_number_outside_the_forms_bounds_is_refused_clearly_and_nothing_is_stored(
    client, status_certificate, communes, typed
):
    client.force_login(UserFactory())
    dossier = _start(client, status_certificate, communes[0])
    response = client.post(_url("form", dossier), {"noi_cu_tru": "Thôn 1, xã Bến Sung", "so_ban": typed})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nhập một số nguyên từ 1 đến 20." in page
    assert 'href="#id_so_ban"' in page  # the summary leads to the field
    assert "Thôn 1, xã Bến Sung" in page  # what was typed is kept
    dossier.refresh_from_db()
    assert dossier.form_data == {}


def test_a_number_within_the_bounds_is_stored_as_typed_digits(client, status_certificate, communes):
    client.force_login(UserFactory())
    dossier = _start(client, status_certificate, communes[0])
    response = client.post(_url("form", dossier), {"noi_cu_tru": "Thôn 1", "so_ban": " 3 "})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.form_data == {"noi_cu_tru": "Thôn 1", "so_ban": "3"}
    page = client.get(_url("form", dossier)).content.decode()
    assert 'inputmode="numeric"' in page
    assert 'value="3"' in page


# ---- documents -------------------------------------------------------------------------------------


def test_the_declaration_is_not_asked_for_as_a_file_once_the_online_form_is_filled(
    client, status_certificate, communes
):
    client.force_login(UserFactory())
    dossier = _start(client, status_certificate, communes[0])
    declaration = status_certificate.documents.get(name=DECLARATION)
    page = client.get(_url("documents", dossier)).content.decode()
    assert f'name="doc_{declaration.pk}"' not in page
    assert "Đã khai trực tuyến: không cần tải tệp" in page

    client.post(_url("form", dossier), {"noi_cu_tru": "Thôn 1", "so_ban": "2"})
    client.post(_url("delivery", dossier), {"result_delivery": "desk"})
    assert dossier_problems(dossier=Dossier.objects.get(pk=dossier.pk)) == []
    review = client.get(_url("review", dossier)).content.decode()
    assert 'name="submission_key"' in review
    key = re.search(r'name="submission_key" value="([^"]+)"', review).group(1)
    assert client.post(_url("review", dossier), {"submission_key": key}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.code
    assert not dossier.attachments.exists()


def test_without_an_online_form_the_declaration_is_still_a_file_to_upload(client, communes):
    version = published_procedure(
        agencies=communes[:1],
        form_schema=[],
        documents=[DocumentData(name="Tờ khai theo mẫu", copy_type=CopyType.ORIGINAL, filled_online=True)],
    )
    client.force_login(UserFactory())
    dossier = _start(client, version, communes[0])
    declaration = version.documents.get()
    assert f'name="doc_{declaration.pk}"' in client.get(_url("documents", dossier)).content.decode()
    assert "Thiếu giấy tờ: Tờ khai theo mẫu" in [str(p) for p in dossier_problems(dossier=dossier)]


def test_documents_shown_in_person_are_listed_to_bring_not_uploaded(client, status_certificate, communes):
    client.force_login(UserFactory())
    dossier = _start(client, status_certificate, communes[0])
    identity = status_certificate.documents.get(name=IDENTITY)
    page = client.get(_url("documents", dossier)).content.decode()
    assert f'name="doc_{identity.pk}"' not in page
    section = page[page.index('data-testid="shown-in-person"') :]
    assert "Mang theo khi nhận kết quả (xuất trình)" in section
    assert IDENTITY in section
    assert not any(IDENTITY in str(problem) for problem in dossier_problems(dossier=dossier))
    start = client.get(reverse("dossiers:start", args=["1.004873"])).content.decode()
    assert "Mang theo khi nhận kết quả (xuất trình):" in start


def test_mandatory_documents_are_marked_and_the_legend_says_so(client, communes):
    version = published_procedure(
        agencies=communes[:1],
        documents=[
            DocumentData(name="Giấy chứng sinh", copy_type=CopyType.ORIGINAL),
            DocumentData(name="Văn bản ủy quyền", copy_type=CopyType.ORIGINAL, mandatory=False),
        ],
    )
    client.force_login(UserFactory())
    dossier = _start(client, version, communes[0])
    page = client.get(_url("documents", dossier)).content.decode()
    mandatory, optional = version.documents.all()
    assert re.search(
        rf'<label[^>]*for="id_doc_{mandatory.pk}">Giấy chứng sinh <span[^>]*aria-hidden="true">\*</span>'
        r'<span class="visually-hidden">\(bắt buộc\)</span></label>',
        page,
    )
    assert re.search(rf'for="id_doc_{optional.pk}">Văn bản ủy quyền <span class="badge[^"]*">nếu có</span>', page)
    assert "Giấy tờ có dấu * là bắt buộc" in page


def test_a_blank_form_is_offered_where_the_procedure_has_one(client, communes):
    version = published_procedure(
        agencies=communes[:1],
        documents=[DocumentData(name="Đơn đề nghị theo mẫu", copy_type=CopyType.ORIGINAL)],
    )
    document = version.documents.get()
    document.template.save("mau-don.docx", SimpleUploadedFile("mau-don.docx", b"PK\x03\x04 mau"))
    client.force_login(UserFactory())
    dossier = _start(client, version, communes[0])
    link = reverse("procedures:document_template", args=[version.procedure.code, document.pk])
    assert f'href="{link}">Tải mẫu đơn, tờ khai (để trống)' in client.get(_url("documents", dossier)).content.decode()
    start = client.get(reverse("dossiers:start", args=[version.procedure.code])).content.decode()
    assert f'href="{link}"' in start
    assert client.get(link).status_code == 200


# ---- the review ------------------------------------------------------------------------------------


def test_the_review_shows_the_fee_and_the_appointment_from_the_working_calendar(client, status_certificate, communes):
    client.force_login(UserFactory())
    dossier = _start(client, status_certificate, communes[0])
    # Wednesday 29 April 2026, 10:00: 30/4 and 1/5 are holidays and 2-3/5 a weekend.
    now = datetime(2026, 4, 29, 10, 0, tzinfo=timezone.get_default_timezone())
    expected = WorkingCalendar.current().add_working_days(now, Decimal("3"))
    with mock.patch.object(timezone, "now", return_value=now):
        page = client.get(_url("review", dossier)).content.decode()
    section = page[page.index('data-testid="review-fee-appointment"') :]
    assert "Lệ phí cấp Giấy xác nhận tình trạng hôn nhân: <strong>15.000 đồng</strong>" in section
    shown = timezone.localtime(expected).strftime("%d/%m/%Y %H:%M")
    assert shown == "06/05/2026 10:00"
    assert f'data-testid="expected-due">{shown}</strong> (dự kiến)' in section


def test_each_missing_item_on_the_review_links_to_its_step_and_field(client, status_certificate, communes):
    version = published_procedure(
        agencies=communes[:1], documents=[DocumentData(name="Giấy chứng sinh", copy_type=CopyType.ORIGINAL)]
    )
    client.force_login(UserFactory())
    dossier = _start(client, version, communes[0])
    document = version.documents.get()
    page = client.get(_url("review", dossier)).content.decode()
    assert f'href="{_url("form", dossier)}#id_ho_ten">Tờ khai còn thông tin thiếu' in page
    assert f'href="{_url("documents", dossier)}#id_doc_{document.pk}">Thiếu giấy tờ: Giấy chứng sinh' in page
    assert f'href="{_url("delivery", dossier)}#id_result_delivery_0">' in page
    assert 'name="submission_key"' not in page


def test_the_step_indicator_says_which_step_of_how_many_with_touch_sized_links(client, status_certificate, communes):
    client.force_login(UserFactory())
    dossier = _start(client, status_certificate, communes[0])
    page = client.get(_url("form", dossier)).content.decode()
    assert "Bước 2/5" in page
    assert re.search(r"<title>Bước 2/5: Tờ khai · ", page)
    assert f'<a class="touch-link fw-semibold text-body" href="{_url("form", dossier)}" aria-current="step">' in page
    for step, title in [("applicant", "1. Người nộp"), ("documents", "3. Giấy tờ"), ("review", "5. Xem lại và nộp")]:
        assert f'<a class="touch-link" href="{_url(step, dossier)}">{title}</a>' in page
    review = client.get(_url("review", dossier)).content.decode()
    assert review.count('class="small fw-normal touch-link"') == 4  # the "sửa" links


# ---- continue --------------------------------------------------------------------------------------


def test_continue_lands_on_the_first_step_with_something_missing(client, status_certificate, communes):
    version = published_procedure(
        agencies=communes[:1], documents=[DocumentData(name="Giấy chứng sinh", copy_type=CopyType.ORIGINAL)]
    )
    citizen = UserFactory(phone="0912345678")
    client.force_login(citizen)
    dossier = _start(client, version, communes[0])

    def continue_link():
        mine = client.get(reverse("dossiers:mine")).content.decode()
        return re.search(r'href="([^"]+)">Tiếp tục hồ sơ đang soạn', mine).group(1)

    assert continue_link() == _url("form", dossier)
    page = client.get(reverse("dossiers:detail", args=[dossier.reference])).content.decode()
    assert f'href="{_url("form", dossier)}" data-testid="continue-draft"' in page  # the draft's own page too
    client.post(_url("form", dossier), {"ho_ten": "Nguyễn Minh An"})
    assert continue_link() == _url("documents", dossier)
    client.post(_url("documents", dossier), {f"doc_{version.documents.get().pk}": pdf_upload()})
    assert continue_link() == _url("delivery", dossier)
    client.post(_url("delivery", dossier), {"result_delivery": "desk"})
    assert continue_link() == _url("review", dossier)
    # The page of a submitted dossier, opened for a draft, goes on where it stopped too.
    response = client.get(reverse("dossiers:submitted", args=[dossier.reference]))
    assert response.url == _url("review", dossier)


# ---- errors announced ------------------------------------------------------------------------------


def test_a_step_with_errors_opens_on_an_announced_summary_linking_to_each_field(client, status_certificate, communes):
    client.force_login(UserFactory())
    dossier = _start(client, status_certificate, communes[0])
    response = client.post(
        _url("applicant", dossier), {"full_name": "", "citizen_id": "12345", "phone": "", "address": "Thôn 1"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    summary = re.search(r'<div class="alert alert-danger error-summary"([^>]*)>(.*?)</div>', page, re.S)
    assert summary, page
    attributes, body = summary.groups()
    assert 'role="alert"' in attributes
    assert 'tabindex="-1"' in attributes
    assert "autofocus" in attributes
    assert "Có 3 lỗi cần sửa" in body
    assert 'href="#id_full_name"' in body
    assert 'href="#id_citizen_id">Số định danh cá nhân: Số định danh cá nhân gồm đúng 12 chữ số.' in body
    assert 'href="#id_phone"' in body
    assert re.search(r"<title>Lỗi: Bước 1/5: Người nộp", page)
    assert page.index("error-summary") < page.index('<form method="post" enctype="multipart/form-data"')
    assert "Thôn 1" in page


def test_an_unbroken_page_has_no_summary_and_no_error_in_its_title(client, status_certificate, communes):
    client.force_login(UserFactory())
    dossier = _start(client, status_certificate, communes[0])
    page = client.get(_url("applicant", dossier)).content.decode()
    assert "error-summary" not in page
    assert "<title>Lỗi" not in page


def test_a_refused_file_is_announced_with_a_link_to_its_input(client, status_certificate, communes):
    client.force_login(UserFactory())
    dossier = _start(client, status_certificate, communes[0])
    divorce = status_certificate.documents.get(name=DIVORCE)
    fake = SimpleUploadedFile("ly-hon.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(_url("documents", dossier), {f"doc_{divorce.pk}": fake})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Có 1 lỗi cần sửa" in page
    assert f'href="#id_doc_{divorce.pk}">{DIVORCE}: ' in page
    assert re.search(r"<title>Lỗi: Bước 3/5", page)
