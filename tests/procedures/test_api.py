from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from procedures.constants import AgencyLevel
from procedures.services import procedure_unpublish
from tests.factories import AgencyFactory, FieldFactory, published_procedure

pytestmark = pytest.mark.django_db


def test_the_list_searches_without_diacritics_and_filters(client):
    civil = FieldFactory(code="ho-tich", name="Hộ tịch")
    published_procedure(code="1.000894", name="Thủ tục đăng ký kết hôn", field=civil)
    published_procedure(code="1.000656", name="Thủ tục đăng ký khai tử", field=civil)
    published_procedure(code="2.000575", name="Đăng ký thành lập hộ kinh doanh", agency_level=AgencyLevel.DISTRICT)

    body = client.get(reverse("api:procedure-list"), {"q": "ket hon"}).json()
    assert [item["code"] for item in body["results"]] == ["1.000894"]
    assert body["results"][0]["field"] == {"code": "ho-tich", "name": "Hộ tịch"}
    assert body["results"][0]["fees"] == [{"label": "Lệ phí", "amount": 8000, "note": ""}]

    body = client.get(reverse("api:procedure-list"), {"field": "ho-tich"}).json()
    assert {item["code"] for item in body["results"]} == {"1.000894", "1.000656"}
    body = client.get(reverse("api:procedure-list"), {"agency_level": "district"}).json()
    assert [item["code"] for item in body["results"]] == ["2.000575"]


def test_filtering_by_the_agency_that_offers_it(client):
    xuan_du, can_khe = AgencyFactory(code="000.12.22.H56"), AgencyFactory(code="000.11.22.H56")
    published_procedure(code="1.001193", agencies=[xuan_du])
    published_procedure(code="1.000656", agencies=[can_khe])
    body = client.get(reverse("api:procedure-list"), {"agency": "000.12.22.H56"}).json()
    assert [item["code"] for item in body["results"]] == ["1.001193"]
    assert client.get(reverse("api:procedure-list"), {"agency": "000.99.99.H99"}).json()["count"] == 0


def test_a_bad_filter_is_refused_with_the_parameter_named(client):
    response = client.get(reverse("api:procedure-list"), {"service_level": "7"})
    assert response.status_code == 400
    assert "service_level" in response.json()


def test_the_detail_carries_documents_route_and_form(client):
    published_procedure(code="1.001193", name="Thủ tục đăng ký khai sinh")
    body = client.get(reverse("api:procedure-detail", args=["1.001193"])).json()
    assert body["name"] == "Thủ tục đăng ký khai sinh"
    assert body["documents"][0]["name"] == "Tờ khai đăng ký khai sinh"
    assert [step["role"] for step in body["steps"]] == ["clerk", "specialist", "leader"]
    assert body["form_schema"][0]["name"] == "ho_ten"
    assert body["processing_days"] == "3.0"


def test_unpublished_procedures_are_absent_from_the_api(client):
    version = published_procedure(code="1.000656")
    procedure_unpublish(procedure=version.procedure)
    assert client.get(reverse("api:procedure-detail", args=["1.000656"])).status_code == 404
    assert client.get(reverse("api:procedure-list")).json()["count"] == 0


def test_fields_and_agencies_are_listed(client):
    FieldFactory(code="ho-tich", name="Hộ tịch")
    district = AgencyFactory(district=True, code="000.00.22.H56", name="UBND huyện Như Thanh")
    AgencyFactory(code="000.10.22.H56", parent=district, name="UBND thị trấn Bến Sung")
    assert client.get(reverse("api:field-list")).json() == [{"code": "ho-tich", "name": "Hộ tịch"}]
    body = client.get(reverse("api:agency-list"), {"parent": "000.00.22.H56"}).json()
    assert [(a["code"], a["parent"]) for a in body["results"]] == [("000.10.22.H56", "000.00.22.H56")]


def test_the_openapi_schema_documents_the_catalogue_endpoints_and_filters(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    assert {"/api/v1/procedures/", "/api/v1/procedures/{code}/", "/api/v1/fields/", "/api/v1/agencies/"} <= set(paths)
    parameters = {p["name"] for p in paths["/api/v1/procedures/"]["get"]["parameters"]}
    assert {"q", "field", "agency_level", "service_level", "agency", "page"} <= parameters


def test_the_list_uses_the_same_number_of_queries_for_5_and_50_procedures(client):
    agency = AgencyFactory()

    def count():
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("api:procedure-list"), {"q": "khai sinh"})
        return len(queries)

    for _ in range(5):
        published_procedure(name="Thủ tục đăng ký khai sinh", agencies=[agency])
    with_5 = count()
    for _ in range(45):
        published_procedure(name="Thủ tục đăng ký khai sinh", agencies=[agency])
    assert count() == with_5
