"""A character no text column can store (NUL, which PostgreSQL refuses in any text; a lone UTF-16
surrogate, which no UTF-8 text can hold) is refused once for the whole portal: a 400 with the portal's
own page, a JSON error under /api/, the gateway's own answer at the payment notification address, and
never a 500. Walked over every URL pattern of the portal as an anonymous visitor, a citizen and a desk
clerk, then the points the outside tester found one by one."""

import base64
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import pytest

from dossiers.models import Attachment, Dossier
from tests.dossiers.conftest import PDF
from tests.robustness.url_walk import sample_path, string_parts, url_patterns

pytestmark = pytest.mark.django_db

NUL = "\x00"
ROLES = ("anonymous", "citizen", "clerk")
ROUTES = [route for route, _pattern in url_patterns()]
# Every query parameter and form field the portal reads somewhere, each sent with a NUL in its value.
NAMES = [
    "q", "code", "kind", "parent", "page", "status", "procedure", "due", "mine", "agency", "field", "level",
    "service_level", "year", "number", "first_day", "last_day", "cutoff", "grouping", "unit", "key", "column",
    "indicator", "period_kind", "next", "username", "password", "full_name", "email", "phone", "address",
    "citizen_id", "note", "reason", "vnp_TxnRef", "vnp_Amount", "vnp_SecureHash",
]  # fmt: skip
PAGE_SAYS = "Cổng không hiểu được yêu cầu này"  # the portal's 400 page, in Vietnamese


def _values(portal) -> dict[str, str]:
    """Real values for the parts of the portal's addresses."""
    return {
        "reference": str(portal.received.reference),
        "code": portal.procedure.procedure.code,
        "pk": str(portal.attachment.pk),
        "citizen_id": str(portal.citizen.pk),
        "unit": str(portal.commune.pk),
        "object_id": str(portal.commune.pk),
        "id": str(portal.citizen.pk),
        "token": "abc",
        "uidb64": "MQ",
        "fmt": "csv",
        "action": "receive",
        "app_label": "accounts",
        "url": "khong-co/",
        "content_type_id": "1",
    }


def _nul_in_path(route: str, values: dict[str, str]) -> str:
    """The route's address with a NUL inside one of its segments: in a part that takes any text where
    it has one (it reaches the view), else in its first fixed segment."""
    parts = string_parts(route)
    if parts:
        return sample_path(route, {**values, parts[0]: values.get(parts[0], "x") + NUL + "x"})
    path = sample_path(route, values)
    first, _, rest = path[1:].partition("/")
    return f"/{first[:1]}{NUL}{first[1:]}/{rest}" if first else "/" + NUL


def _refused(response) -> bool:
    """Whether ``response`` is the portal's refusal of the request it answers."""
    path = response.wsgi_request.path
    if path.startswith("/thanh-toan/vnpay/ipn/"):
        return response.status_code == 200 and response.json()["RspCode"] == "99"
    if path.startswith("/api/"):
        return response.status_code == 400 and response["Content-Type"] == "application/json" and response.json()
    return response.status_code == 400 and PAGE_SAYS in response.content.decode()


def _client(portal, role) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(portal, role))
    return client


def _not_refused(responses) -> list[str]:
    return [
        f"{r.wsgi_request.method} {r.wsgi_request.get_full_path()!r}: {r.status_code}"
        for r in responses
        if not _refused(r)
    ]


@pytest.mark.parametrize("role", ROLES)
def test_a_nul_in_any_address_is_refused_with_the_portals_400(portal, role):
    client, values = _client(portal, role), _values(portal)
    responses = [client.get(_nul_in_path(route, values)) for route in ROUTES]
    assert len(responses) > 150
    assert _not_refused(responses) == []


@pytest.mark.parametrize("role", ROLES)
def test_a_nul_in_any_query_value_is_refused_with_the_portals_400(portal, role):
    client, values = _client(portal, role), _values(portal)
    query = dict.fromkeys(NAMES, f"a{NUL}b")
    responses = [client.get(sample_path(route, values), query) for route in ROUTES]
    assert _not_refused(responses) == []


@pytest.mark.parametrize("role", ROLES)
def test_a_nul_in_any_form_field_or_json_body_is_refused_with_the_portals_400(portal, role):
    client, values = _client(portal, role), _values(portal)
    form = dict.fromkeys(NAMES, f"a{NUL}b")
    responses = [client.post(sample_path(route, values), form) for route in ROUTES]
    responses += [
        client.post(sample_path(route, values), json.dumps(form), content_type="application/json")
        for route in ROUTES
        if route.startswith("api/")
    ]
    assert _not_refused(responses) == []
    assert Dossier.objects.count() == 3  # the fixture's: nothing was started or saved


@pytest.mark.parametrize("role", ROLES)
def test_every_address_with_real_values_answers_without_a_server_error(portal, role):
    """The walk reaches the portal's views: every address, filled with real values, answers below 500
    (so the refusals above are the guard's, on addresses that lead somewhere)."""
    client, values = _client(portal, role), _values(portal)
    failed = []
    for route in ROUTES:
        response = client.get(sample_path(route, values))
        if response.status_code >= 500:
            failed.append(f"{route}: {response.status_code}")
    assert failed == []


# ---- the outside tester's points, and the other ways such characters arrive --------------------------


@pytest.mark.parametrize(
    "address",
    [
        "/xac-thuc/AB%00CD/",
        "/tra-cuu/?code=000.12.22.H56-210531-0001%00",
        "/thu-tuc/1.001193%00/",
        "/thu-tuc/1.001193%00/mau/1/",
        "/thu-tuc/?q=khai%00sinh",
        "/dat-mat-khau/MQ%00/abc/",
        "/xac-nhan-email/abc%00/",
        "/mot-cua/ho-so/?q=%00",
        "/bao-cao/06a/?agency=%00",
    ],
)
def test_a_page_address_with_a_nul_is_the_portals_400_in_vietnamese(client, portal, address):
    response = client.get(address)
    assert response.status_code == 400
    page = response.content.decode()
    assert PAGE_SAYS in page and '<html lang="vi">' in page and 'href="/"' in page


@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/agencies/?kind=%00",
        "/api/v1/agencies/?parent=%00",
        "/api/v1/procedures/?q=%00",
        "/api/v1/procedures/?agency=%00",
        "/api/v1/procedures/1.001193%00/",
        "/api/v1/staff/queue/?procedure=%00",
        "/api/v1/reports/06a/?agency=%00",
    ],
)
def test_an_api_address_with_a_nul_is_a_json_400(client, portal, address):
    client.force_login(portal.clerk)
    response = client.get(address)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Yêu cầu có một ký tự mà Cổng không chấp nhận."}


def test_the_payment_notification_with_a_nul_gets_the_gateways_answer_99(client, portal):
    response = client.get("/thanh-toan/vnpay/ipn/", {"vnp_TxnRef": f"MC{NUL}1", "vnp_Amount": "800000"})
    assert response.status_code == 200
    assert response.json()["RspCode"] == "99"


def test_json_bodies_with_a_nul_or_a_lone_surrogate_start_nothing(client, portal):
    client.force_login(portal.citizen)
    create = {"procedure": portal.procedure.procedure.code, "agency": portal.commune.code, "form_data": {}}
    for form_data in ({"ho_ten": f"Nguyễn{NUL}An"}, {f"ho{NUL}ten": "An"}, {"ho_ten": ["An", {"x": NUL}]}):
        response = client.post("/api/v1/dossiers/", {**create, "form_data": form_data}, content_type="application/json")
        assert response.status_code == 400, form_data
    surrogate = json.dumps({**create, "form_data": {"ho_ten": "An"}}).replace('"An"', '"\\ud800"')
    response = client.post("/api/v1/dossiers/", surrogate, content_type="application/json")
    assert response.status_code == 400
    paired = json.dumps({**create, "form_data": {"ho_ten": "An 😀"}}, ensure_ascii=True)  # a surrogate pair is fine
    assert client.post("/api/v1/dossiers/", paired, content_type="application/json").status_code == 201
    assert Dossier.objects.filter(form_data__ho_ten="An 😀").count() == 1
    assert Dossier.objects.count() == 4


def test_json_nested_deeper_than_python_reads_is_a_400(client, portal):
    client.force_login(portal.citizen)
    response = client.post("/api/v1/dossiers/", "[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert response.status_code == 400


def test_a_wizard_form_with_a_nul_saves_nothing(client, portal):
    client.force_login(portal.citizen)
    address = f"/ho-so/{portal.draft.reference}/nguoi-nop/"
    response = client.post(address, {"full_name": f"Lê{NUL}Hoa", "phone": "0912345678", "address": "Thôn 1"})
    assert response.status_code == 400 and PAGE_SAYS in response.content.decode()
    portal.draft.refresh_from_db()
    assert NUL not in json.dumps(portal.draft.applicant_data)


def test_a_nul_in_an_uploaded_file_name_never_reaches_the_database(client, portal):
    client.force_login(portal.citizen)
    document = portal.procedure.documents.first()
    upload = SimpleUploadedFile(f"giay{NUL}to.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"/api/v1/dossiers/{portal.draft.reference}/attachments/", {"document": document.pk, "file": upload}
    )
    assert response.status_code == 201
    assert response.json()["original_name"] == "giayto.pdf"  # the file is kept, its name without the NUL
    assert all(NUL not in name for name in Attachment.objects.values_list("original_name", flat=True))


def test_a_nul_in_a_cookie_a_header_or_basic_credentials_is_refused_before_anything_reads_them(portal):
    with_cookie = Client()
    with_cookie.cookies["sessionid"] = f"abcdefgh{NUL}ijkl"
    assert with_cookie.get("/").status_code == 400
    with_header = Client(HTTP_USER_AGENT=f"Mozilla{NUL}")
    response = with_header.post("/dang-nhap/", {"username": "0912345678", "password": "sai-mat-khau"})
    assert response.status_code == 400 and PAGE_SAYS in response.content.decode()
    credentials = base64.b64encode(f"hoa{NUL}@example.vn:mat-khau".encode()).decode()
    response = Client().post("/api/v1/dossiers/", {}, HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert response.status_code == 400 and "detail" in response.json()
