from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from procedures.constants import ServiceLevel
from procedures.services import procedure_unpublish
from tests.factories import AgencyFactory, FieldFactory, published_procedure

pytestmark = pytest.mark.django_db


def test_the_catalogue_lists_published_procedures_with_time_fee_and_level(client):
    published_procedure(code="1.001193", name="Thủ tục đăng ký khai sinh")
    page = client.get(reverse("procedures:catalogue")).content.decode()
    assert "Thủ tục đăng ký khai sinh" in page
    assert "1.001193" in page
    assert "3 ngày làm việc" in page
    assert "8.000 đồng" in page
    assert "Toàn trình" in page


def test_the_search_box_works_without_javascript_and_keeps_the_query(client):
    published_procedure(name="Thủ tục đăng ký kết hôn")
    published_procedure(name="Thủ tục đăng ký khai tử")
    page = client.get(reverse("procedures:catalogue"), {"q": "dang ky ket hon"}).content.decode()
    assert "Thủ tục đăng ký kết hôn" in page
    assert "Thủ tục đăng ký khai tử" not in page
    assert 'value="dang ky ket hon"' in page
    assert "1 thủ tục" in page


def test_filters_narrow_the_list(client):
    civil = FieldFactory(code="ho-tich", name="Hộ tịch")
    published_procedure(name="Thủ tục đăng ký khai sinh", field=civil)
    published_procedure(name="Thủ tục chứng thực chữ ký", service_level=ServiceLevel.INFORMATION)
    page = client.get(reverse("procedures:catalogue"), {"field": "ho-tich"}).content.decode()
    assert "Thủ tục đăng ký khai sinh" in page
    assert "Thủ tục chứng thực chữ ký" not in page
    page = client.get(reverse("procedures:catalogue"), {"service_level": "2"}).content.decode()
    assert "Thủ tục chứng thực chữ ký" in page
    assert "Thủ tục đăng ký khai sinh" not in page


def test_an_unknown_filter_value_is_ignored_rather_than_failing(client):
    published_procedure(name="Thủ tục đăng ký khai sinh")
    response = client.get(reverse("procedures:catalogue"), {"service_level": "9", "page": "x"})
    assert response.status_code == 200


def test_the_procedure_page_shows_everything_needed_and_the_online_button(client):
    commune = AgencyFactory(name="UBND xã Xuân Du", address="Xã Xuân Du, huyện Như Thanh")
    version = published_procedure(code="1.001193", name="Thủ tục đăng ký khai sinh", agencies=[commune])
    page = client.get(reverse("procedures:detail", args=["1.001193"])).content.decode()
    for text in [
        "Thủ tục đăng ký khai sinh",
        "Tờ khai đăng ký khai sinh",
        "Bản chính: 1",
        "8.000 đồng",
        "3 ngày làm việc",
        "Luật Hộ tịch 2014",
        "UBND xã Xuân Du",
        "Họ và tên",
        "Nộp hồ sơ trực tuyến",
        "Tiếp nhận",
    ]:
        assert text in page, text
    assert reverse("dossiers:start", args=[version.procedure.code]) in page


def test_a_level_2_procedure_has_no_online_button(client):
    published_procedure(code="2.000884", service_level=ServiceLevel.INFORMATION)
    page = client.get(reverse("procedures:detail", args=["2.000884"])).content.decode()
    assert "Nộp hồ sơ trực tuyến" not in page
    assert "Bộ phận Một cửa" in page


def test_an_unpublished_procedure_is_not_found(client):
    version = published_procedure(code="1.000656")
    procedure_unpublish(procedure=version.procedure)
    assert client.get(reverse("procedures:detail", args=["1.000656"])).status_code == 404
    assert "1.000656" not in client.get(reverse("procedures:catalogue")).content.decode()


def test_the_blank_template_of_a_document_downloads_with_its_name(client):
    version = published_procedure(code="1.001193")
    document = version.documents.get()
    document.template.save("to-khai-khai-sinh.pdf", ContentFile(b"%PDF-1.4 mau"))
    response = client.get(reverse("procedures:document_template", args=["1.001193", document.pk]))
    assert response.status_code == 200
    assert 'filename="to-khai-khai-sinh.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 mau"
    other = published_procedure(code="1.000656").documents.get()
    assert client.get(reverse("procedures:document_template", args=["1.001193", other.pk])).status_code == 404


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"q": "dang ky"}, {"field": "ho-tich", "q": "khai"}])
def test_the_catalogue_uses_the_same_number_of_queries_for_5_and_50_procedures(client, params):
    field = FieldFactory(code="ho-tich", name="Hộ tịch")
    agency = AgencyFactory()
    for _ in range(5):
        published_procedure(name="Thủ tục đăng ký khai sinh", field=field, agencies=[agency])
    with_5 = _queries(client, reverse("procedures:catalogue"), params)
    for _ in range(45):
        published_procedure(name="Thủ tục đăng ký khai sinh", field=field, agencies=[agency])
    assert _queries(client, reverse("procedures:catalogue"), params) == with_5


def test_a_stale_filter_is_dropped_but_the_search_still_applies(client):
    published_procedure(name="Thủ tục đăng ký khai tử")
    published_procedure(name="Thủ tục đăng ký khai sinh")
    page = client.get(reverse("procedures:catalogue"), {"q": "khai tu", "field": "khong-co", "service_level": "9"})
    text = page.content.decode()
    assert "Thủ tục đăng ký khai tử" in text
    assert "Thủ tục đăng ký khai sinh" not in text


def test_no_result_under_filters_says_so_and_offers_to_drop_them(client):
    published_procedure(name="Thủ tục đăng ký khai tử")
    text = client.get(reverse("procedures:catalogue"), {"q": "khai tu", "level": "district"}).content.decode()
    assert "với các bộ lọc này" in text
    assert 'href="/thu-tuc/?q=khai%20tu"' in text


def test_a_procedure_free_in_the_usual_case_says_so(client):
    from procedures.services import FeeData

    published_procedure(
        code="1.001193",
        fees=[FeeData(label="Đúng hạn", amount=0), FeeData(label="Quá hạn", amount=8000)],
    )
    page = client.get(reverse("procedures:detail", args=["1.001193"])).content.decode()
    assert "Miễn phí, hoặc tối đa 8.000 đồng" in page
    assert "có hiệu lực từ 01/01/2021" in page
