"""Numbers out of range (amounts of 2^63 and more, 1e1000000, NaN, Infinity, negatives) and text longer
than its column are a clear error on the field that holds them, in the pages and in the API, and change
nothing: never a 500 and never a database error."""

import json

from django.test import Client

import pytest

from dossiers.constants import Status
from dossiers.models import Dossier
from dossiers.services import dossier_hand_over

pytestmark = pytest.mark.django_db

# As a program sends them in JSON: 1e1000000 as a JSON number is Infinity to Python.
NUMBERS = ["9223372036854775808", "-9223372036854775809", "1e1000000", "NaN", "Infinity", "-1", "99999999999999999999"]


def _create(client, portal, **extra):
    body = {"procedure": portal.procedure.procedure.code, "agency": portal.commune.code, **extra}
    return client.post("/api/v1/dossiers/", body, content_type="application/json")


@pytest.mark.parametrize("typed", NUMBERS)
def test_a_number_out_of_range_in_the_online_form_is_a_field_error_through_the_api(client, portal, typed):
    client.force_login(portal.citizen)
    raw = json.dumps({"ho_ten": "Nguyễn Minh An", "so_ban": "X", "dien_tich": "X"}).replace('"X"', typed)
    body = json.dumps({"procedure": portal.procedure.procedure.code, "agency": portal.commune.code})
    response = client.post("/api/v1/dossiers/", body[:-1] + f', "form_data": {raw}}}', content_type="application/json")
    assert response.status_code == 400  # NaN and Infinity are not JSON at all: the body is refused whole
    assert {"so_ban", "dien_tich"} <= set(response.json().get("form_data", {"so_ban", "dien_tich"}))
    as_text = _create(client, portal, form_data={"ho_ten": "Nguyễn Minh An", "so_ban": typed, "dien_tich": typed})
    assert as_text.status_code == 400
    assert "Nhập một số nguyên từ 1 đến 20." in as_text.json()["form_data"]["so_ban"]
    assert Dossier.objects.count() == 3  # the fixture's: no draft was left behind


@pytest.fixture
def processing(portal):
    """The received dossier handed to the clerk's own unit: in processing, where a fee can be asked."""
    return dossier_hand_over(
        dossier=portal.received, by=portal.clerk, to_agency=portal.commune, to_user=portal.clerk, reason="Xử lý tại chỗ"
    ).dossier


@pytest.mark.parametrize("amount", [*NUMBERS, "0", "1000000000001", 2**63, 10**30])
def test_a_fee_amount_out_of_range_is_a_field_error_and_asks_for_nothing(client, portal, processing, amount):
    client.force_login(portal.clerk)
    dossier = Dossier.objects.get(pk=processing.pk)
    fee = dossier.fee_amount  # the procedure's fee, 8.000 đồng
    api = client.post(
        f"/api/v1/dossiers/{dossier.reference}/actions/request_payment/",
        {"expected_version": dossier.version, "amount": amount},
        content_type="application/json",
    )
    assert api.status_code == 400 and "amount" in api.json()
    page = client.post(f"/mot-cua/ho-so/{dossier.reference}/request_payment/", {"request_payment-amount": amount})
    assert page.status_code < 500
    dossier.refresh_from_db()
    assert (dossier.status, dossier.fee_amount) == (Status.PROCESSING, fee)


def test_a_fee_amount_in_range_is_asked(client, portal, processing):
    client.force_login(portal.clerk)
    dossier = Dossier.objects.get(pk=processing.pk)
    response = client.post(
        f"/api/v1/dossiers/{dossier.reference}/actions/request_payment/",
        {"expected_version": dossier.version, "amount": 1_000_000_000_000},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["status"], Dossier.objects.get(pk=dossier.pk).fee_amount) == (
        Status.AWAITING_PAYMENT,
        1_000_000_000_000,
    )


@pytest.mark.parametrize("page", [*NUMBERS, "0", "abc"])
def test_a_page_number_out_of_range_is_a_json_404_in_every_api_list(client, portal, page):
    client.force_login(portal.clerk)
    for address in ("/api/v1/procedures/", "/api/v1/agencies/", "/api/v1/dossiers/", "/api/v1/staff/queue/"):
        response = client.get(address, {"page": page})
        assert response.status_code == 404, address
        assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("address", "query", "field"),
    [
        ("/api/v1/agencies/", {"kind": "hanh-tinh"}, "kind"),
        ("/api/v1/agencies/", {"parent": "0" * 21}, "parent"),
        ("/api/v1/procedures/", {"service_level": "1e1000000"}, "service_level"),
        ("/api/v1/procedures/", {"agency_level": "NaN"}, "agency_level"),
        ("/api/v1/procedures/", {"agency": "0" * 21}, "agency"),
        ("/api/v1/staff/queue/", {"status": "Infinity"}, "status"),
        ("/api/v1/staff/queue/", {"due": "-1"}, "due"),
        ("/api/v1/staff/queue/", {"mine": "9223372036854775808"}, "mine"),
        ("/api/v1/staff/queue/", {"q": "x" * 101}, "q"),
        ("/api/v1/reports/06a/", {"agency": "000.00.22.H56", "kind": "year", "year": "9223372036854775808"}, "year"),
    ],
)
def test_an_api_filter_out_of_range_is_a_field_error(client, portal, address, query, field):
    client.force_login(portal.leader if "reports" in address else portal.clerk)
    response = client.get(address, query)
    assert response.status_code == 400
    assert field in response.json()


def test_an_empty_api_filter_filters_nothing(client, portal):
    client.force_login(portal.clerk)
    assert client.get("/api/v1/agencies/", {"kind": "", "parent": ""}).json()["count"] == 2
    assert client.get("/api/v1/staff/queue/", {"status": "", "due": "", "q": ""}).json()["count"] == 2


def test_an_api_address_that_leads_nowhere_is_a_json_404(client, portal):
    client.force_login(portal.citizen)
    for address in ("/api/v1/dossiers/khong-phai-uuid/", "/api/v1/khong-co/", "/api/v1/attachments/1e1000000/file/"):
        response = client.get(address)
        assert response.status_code == 404
        assert response.json() == {"detail": "Không tìm thấy."}


def test_an_overlong_delivery_address_is_a_field_error_not_a_database_error(client, portal):
    client.force_login(portal.citizen)
    response = _create(client, portal, result_delivery="post", delivery_address="Thôn 1, " + "x" * 500)
    assert response.status_code == 400
    assert "delivery_address" in response.json()
    assert _create(client, portal, result_delivery="post", delivery_address="x" * 500).status_code == 201
    assert Dossier.objects.count() == 4


@pytest.mark.parametrize("body", ["[null, null]", '"receive"', "42", '{"expected_version": VERSION, "target": {}}'])
def test_an_action_sent_as_anything_but_an_object_of_fields_is_a_400_and_changes_nothing(client, portal, body):
    client.force_login(portal.clerk)
    dossier = portal.submitted
    body = body.replace("VERSION", str(dossier.version))
    response = client.post(
        f"/api/v1/dossiers/{dossier.reference}/actions/receive/", body, content_type="application/json"
    )
    assert response.status_code == 400
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


@pytest.mark.parametrize("typed", NUMBERS)
def test_numbers_out_of_range_in_the_pages_filters_answer_the_page(portal, typed):
    leader, clerk, citizen = Client(), Client(), Client()
    leader.force_login(portal.leader)
    clerk.force_login(portal.clerk)
    citizen.force_login(portal.citizen)
    probes = [
        (citizen, "/thu-tuc/", {"page": typed, "service_level": typed, "field": typed}),
        (citizen, "/ho-so-cua-toi/", {"page": typed}),
        (clerk, "/mot-cua/ho-so/", {"page": typed}),
        (clerk, "/mot-cua/so-theo-doi/", {"page": typed, "year": typed}),
        (leader, "/bao-cao/", {"year": typed, "agency": portal.district.code}),
        (leader, "/bao-cao/06a/", {"agency": portal.district.code, "kind": "month", "year": typed, "number": typed}),
        (
            leader,
            "/bao-cao/06a/ho-so/",
            {"agency": portal.district.code, "kind": "year", "year": "2026", "unit": typed},
        ),
        (leader, "/bao-cao/chi-tieu/", {"year": typed}),
    ]
    answers = {address: who.get(address, query).status_code for who, address, query in probes}
    assert all(status < 500 for status in answers.values()), answers
