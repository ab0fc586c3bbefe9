"""Every HTML page of the portal is served with its Content-Security-Policy: scripts, styles, images,
fonts and connections only from the portal itself, no inline script (the Swagger UI initialiser of the
API documentation alone carries the page's nonce), no style attribute, no framing, forms sent only to
the portal and the payment gateway. The pages' markup holds nothing the policy would refuse.

This module is also the URL configuration of the tests that need an error page on demand (a fault, a
request the portal cannot understand, a rate limit): ``settings.ROOT_URLCONF = "tests.test_csp"``."""

import io
import json
import os
import subprocess
import sys
from html.parser import HTMLParser

from django.conf import settings as django_settings
from django.core.exceptions import SuspiciousOperation
from django.core.management import call_command
from django.test import Client
from django.urls import include, path

import pytest
from django_ratelimit.exceptions import Ratelimited

from accounts.models import User
from dossiers.services import dossier_receive, dossier_start
from onestop import urls as portal_urls
from procedures.models import Procedure


def _server_error(request):
    raise RuntimeError("a fault, for the error page")


def _bad_request(request):
    raise SuspiciousOperation("a request the portal cannot understand")


def _rate_limited(request):
    raise Ratelimited()


urlpatterns = [
    path("thu-loi/500/", _server_error),
    path("thu-loi/400/", _bad_request),
    path("thu-loi/429/", _rate_limited),
    path("", include("onestop.urls")),
]
handler400 = getattr(portal_urls, "handler400", "django.views.defaults.bad_request")
handler403 = getattr(portal_urls, "handler403", "django.views.defaults.permission_denied")
handler404 = getattr(portal_urls, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(portal_urls, "handler500", "django.views.defaults.server_error")

LEVEL_4 = "1.004873"
CITIZEN, CLERK, LEADER = "congdan@demo.vn", "motcua.bensung@demo.vn", "lanhdao.huyen@demo.vn"
PROVINCE_LEADER, ADMIN = "lanhdao.tinh@demo.vn", "admin@demo.vn"


def policy_of(header: str) -> dict[str, list[str]]:
    """The directives of a Content-Security-Policy header, each with its sources."""
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split() or [""]
        if name:
            directives[name] = sources
    return directives


def policy_faults(header: str | None) -> list[str]:
    """What is missing or too lax in a page's policy (empty: the portal's policy, as it should be)."""
    if not header:
        return ["no Content-Security-Policy header"]
    policy, faults = policy_of(header), []
    expected = {
        "default-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    faults += [f"{name} is {policy.get(name)}" for name, sources in expected.items() if policy.get(name) != sources]
    scripts = policy.get("script-src", [])
    if scripts[:1] != ["'self'"] or any(not source.startswith("'nonce-") for source in scripts[1:]):
        faults.append(f"script-src is {scripts}")
    if policy.get("form-action", [])[:1] != ["'self'"]:
        faults.append(f"form-action is {policy.get('form-action')}")
    return faults


class _Markup(HTMLParser):
    """What in a page's markup the policy refuses: style attributes, event-handler attributes, inline
    scripts without the page's nonce, and <style> blocks."""

    def __init__(self, nonce: str):
        super().__init__()
        self.nonce, self.refused, self._in_script = nonce, [], False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        self.refused += [f"<{tag} {name}=…>" for name, _value in attrs if name == "style" or name.startswith("on")]
        if tag == "style":
            self.refused.append("<style> block")
        inline = tag == "script" and "src" not in names and names.get("type") != "application/json"
        if inline and (not self.nonce or names.get("nonce") != self.nonce):
            self.refused.append("<script> without the page's nonce")


def markup_faults(response) -> list[str]:
    scripts = policy_of(response["Content-Security-Policy"]).get("script-src", [])
    parser = _Markup(next((s[len("'nonce-") : -1] for s in scripts if s.startswith("'nonce-")), ""))
    parser.feed(response.content.decode())
    return parser.refused


@pytest.fixture
def demo(db):
    """The demo, a level-4 dossier submitted by the demo citizen and received at Bến Sung (so its fee is
    due), and a draft of the same procedure."""
    from tests.e2e.conftest import demo_level4_submitted

    call_command("seed_demo", stdout=io.StringIO())
    received = dossier_receive(dossier=demo_level4_submitted(), by=User.objects.get(email=CLERK)).dossier
    draft = dossier_start(applicant=received.applicant, version=received.procedure_version, agency=received.agency)
    return received, draft


def _as(email: str | None) -> Client:
    client = Client(raise_request_exception=False)
    if email:
        client.force_login(User.objects.get(email=email))
    return client


def test_every_page_is_served_with_the_policy_and_holds_nothing_it_would_refuse(demo, settings):
    settings.ROOT_URLCONF = "tests.test_csp"
    received, draft = demo
    wizard = f"/ho-so/{draft.reference}"
    procedure = Procedure.objects.get(code=LEVEL_4)
    pages = {
        None: [
            ("/", 200),
            ("/thu-tuc/", 200),
            (f"/thu-tuc/{LEVEL_4}/", 200),
            ("/tra-cuu/", 200),
            ("/xac-thuc/", 200),
            ("/dang-nhap/", 200),
            ("/dang-ky/", 200),
            ("/quen-mat-khau/", 200),
            ("/api/docs/", 200),
            ("/api/v1/procedures/", 200),  # the browsable API, as a browser asks for it
            ("/admin/login/", 200),
            ("/khong-co-trang-nay/", 404),
            ("/thu-loi/400/", 400),
            ("/thu-loi/500/", 500),
            ("/thu-loi/429/", 429),
            ("/mo-phong/vnpay/", 400),  # the gateway simulator, asked without the portal's signature
        ],
        CITIZEN: [
            ("/ho-so-cua-toi/", 200),
            ("/tai-khoan/", 200),
            ("/thong-bao/", 200),
            (received.get_absolute_url(), 200),
            (f"/thu-tuc/{LEVEL_4}/nop-truc-tuyen/", 200),
            (f"{wizard}/nguoi-nop/", 200),
            (f"{wizard}/to-khai/", 200),
            (f"{wizard}/giay-to/", 200),
            (f"{wizard}/nhan-ket-qua/", 200),
            (f"{wizard}/xem-lai/", 200),
            ("/mot-cua/ho-so/", 403),
        ],
        CLERK: [
            ("/mot-cua/ho-so/", 200),
            (received.get_absolute_url(), 200),
            ("/mot-cua/so-theo-doi/", 200),
            ("/mot-cua/tiep-nhan/", 200),
            ("/mot-cua/tin-nhan-loi/", 200),
        ],
        LEADER: [("/bao-cao/", 200), ("/bao-cao/06a/", 200), ("/bao-cao/truc-tuyen/", 200)],
        PROVINCE_LEADER: [("/bao-cao/chi-tieu/", 200), ("/bao-cao/chi-tieu/them/", 200)],
        ADMIN: [
            ("/admin/", 200),
            ("/admin/procedures/procedure/", 200),
            (f"/admin/procedures/procedure/{procedure.pk}/change/", 200),
        ],
    }
    faults = {}
    for who, urls in pages.items():
        client = _as(who)
        for url, status in urls:
            response = client.get(url, HTTP_ACCEPT="text/html,application/xhtml+xml")
            assert response.status_code == status, (who, url, response.status_code)
            found = policy_faults(response.get("Content-Security-Policy")) or markup_faults(response)
            if found:
                faults[f"{who or 'anonymous'} {url}"] = found

    # The payment gateway simulator, reached as the citizen is sent there from the pay button.
    client = _as(CITIZEN)
    gateway = client.post(f"/ho-so/{received.reference}/thanh-toan/")
    assert gateway.status_code == 302 and "/mo-phong/vnpay/?" in gateway["Location"]
    simulator = client.get(gateway["Location"])
    assert simulator.status_code == 200 and 'data-testid="simulator-amount"' in simulator.content.decode()
    if found := policy_faults(simulator.get("Content-Security-Policy")) or markup_faults(simulator):
        faults["citizen: payment simulator"] = found

    # A form sent from an expired page: the portal's own 403.
    expired = Client(enforce_csrf_checks=True).post("/dang-nhap/", {"username": "x", "password": "y"})
    assert expired.status_code == 403
    if found := policy_faults(expired.get("Content-Security-Policy")) or markup_faults(expired):
        faults["anonymous: expired form"] = found

    assert faults == {}


def test_only_the_api_documentation_carries_a_nonce_and_its_initialiser_uses_it(demo):
    docs = _as(None).get("/api/docs/")
    scripts = policy_of(docs["Content-Security-Policy"])["script-src"]
    assert scripts[0] == "'self'" and scripts[1].startswith("'nonce-") and len(scripts) == 2
    nonce = scripts[1][len("'nonce-") : -1]
    page = docs.content.decode()
    assert f'<script nonce="{nonce}">' in page and "SwaggerUIBundle(" in page
    assert "<style>" not in page  # the page's own rules are a file now
    # Another request, another nonce; the portal's own pages carry none.
    assert nonce not in _as(None).get("/api/docs/")["Content-Security-Policy"]
    assert policy_of(_as(None).get("/")["Content-Security-Policy"])["script-src"] == ["'self'"]


def _settings_in_a_fresh_process(**environ) -> dict:
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'onestop.settings'; "
        "from django.conf import settings; "
        "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))"
    )
    leaks = ("DATABASE_URL", "REDIS_URL", "VNPAY_URL", "PORTAL_URL")
    clean = {key: value for key, value in os.environ.items() if key not in leaks}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env={**clean, **environ},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_forms_may_go_to_the_configured_payment_gateway_and_nowhere_else():
    # The redirect from the pay button to VNPAY is checked by browsers against form-action too.
    production = _settings_in_a_fresh_process(
        PORTAL_URL="https://motcua.nhuthanh.gov.vn", VNPAY_URL="https://pay.vnpay.vn/vpcpay.html"
    )
    assert production == ["'self'", "https://motcua.nhuthanh.gov.vn", "https://pay.vnpay.vn"]
    # The embedded default: the portal's own simulator, at the portal's address.
    assert _settings_in_a_fresh_process() == ["'self'", "http://127.0.0.1:8000"]
