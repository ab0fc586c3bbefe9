"""The portal under its Content-Security-Policy, in Chromium at 390 px: every page a visitor, a citizen,
a desk clerk, a leader and the administrator meets loads with nothing refused (no
``securitypolicyviolation`` event, no "Content Security Policy" message in the console), and what
scripts do still works: the portal's own script, the Django admin's, the Swagger UI of the API
documentation. The pay button's redirect to a payment gateway at another address passes form-action."""

import io
import json
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

import pytest

from accounts.models import User
from dossiers.demo_history import generate_history
from dossiers.services import dossier_receive, dossier_start
from procedures.models import Procedure
from tests.conftest import artifacts_dir
from tests.e2e.conftest import LEVEL_4, demo_level4_submitted, log_in
from tests.test_csp import policy_faults, policy_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CITIZEN, CLERK, LEADER = "0912345678", "motcua.bensung@demo.vn", "lanhdao.huyen@demo.vn"
PROVINCE_LEADER, ADMIN = "lanhdao.tinh@demo.vn", "admin@demo.vn"

# Injected by the browser driver before any of the page's own scripts, so it is not under the page's
# policy: every page checks that it ran (``window.__csp`` exists) before reading what it saw.
WATCH = """(() => {
  const seen = [];
  Object.defineProperty(window, "__csp", { value: seen });
  window.addEventListener("securitypolicyviolation", (event) => seen.push({
    directive: event.effectiveDirective, blocked: event.blockedURI, sample: event.sample,
    source: event.sourceFile, line: event.lineNumber,
  }), true);
})();"""
SHOTS = artifacts_dir() / "csp"


class Tour:
    """Visits pages in one browser page, and keeps per page what the policy refused."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.refused: dict[str, list] = {}
        self.console: list[str] = []
        self.errors: list[str] = []
        self.faulty_headers: dict[str, list[str]] = {}
        page.context.add_init_script(WATCH)
        page.on("console", lambda message: self._console(message.text))
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))

    def _console(self, text: str) -> None:
        if "Content Security Policy" in text:
            self.console.append(f"{self.page.url}: {text}")

    def visit(self, name: str, path: str, *, ready: str | None = "html[data-js=ready]", status: int = 200):
        response = self.page.goto(self.base + path)
        assert response.status == status, (name, path, response.status)
        assert self.page.url == self.base + path, (name, self.page.url)
        self.check(name, response, ready=ready)
        return response

    def check(self, name: str, response=None, *, ready: str | None = "html[data-js=ready]") -> None:
        """Read what the current page's policy refused (after its scripts have run)."""
        self.page.wait_for_load_state("load")
        if ready:
            self.page.locator(ready).first.wait_for(state="attached")
        assert self.page.evaluate("Array.isArray(window.__csp)"), f"{name}: the watcher did not run"
        self.refused[name] = self.page.evaluate("window.__csp.slice()")
        if response is not None and (faults := policy_faults(response.headers.get("content-security-policy"))):
            self.faulty_headers[name] = faults

    def shoot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _demo(today):
    call_command("seed_demo", stdout=io.StringIO())
    generate_history(since=today - timedelta(days=40), until=today, per_week=2, seed=11)
    submitted = demo_level4_submitted()
    draft = dossier_start(applicant=submitted.applicant, version=submitted.procedure_version, agency=submitted.agency)
    return submitted, draft


def test_every_page_loads_under_the_policy_with_nothing_refused_and_its_scripts_still_work(
    live_server, page_390, settings
):
    settings.ROOT_URLCONF = "tests.test_csp"  # adds pages that fail on demand (400, 500, 429)
    settings.PORTAL_URL = live_server.url  # the payment simulator at the portal's own address
    settings.VNPAY_URL = ""
    settings.DOSSIER_MAX_FILE_BYTES = 4096  # the portal's script refuses a larger file before sending
    submitted, draft = _demo(timezone.localdate())
    tour, page, base = Tour(page_390, live_server.url), page_390, live_server.url

    # A visitor. The header's menu is folded at 390 px and opens from its toggle.
    tour.visit("home", "/")
    menu_link = page.locator(".site-menu .menu-links").get_by_role("link", name="Tra cứu", exact=True)
    assert not menu_link.is_visible()
    page.get_by_test_id("menu-toggle").click()
    assert menu_link.is_visible()
    tour.shoot("home-menu-open-390")
    for name, path in [
        ("catalogue", "/thu-tuc/"),
        ("procedure", f"/thu-tuc/{LEVEL_4}/"),
        ("verify", "/xac-thuc/"),
        ("register", "/dang-ky/"),
        ("password link", "/quen-mat-khau/"),
        ("lookup", "/tra-cuu/"),
    ]:
        tour.visit(name, path)
    page.locator("main form [name=code]").fill(submitted.code)
    page.locator("main form [name=secret]").fill("5678")
    page.locator("main form [type=submit]").first.click()
    page.get_by_test_id("lookup-result").wait_for()
    tour.check("lookup result")
    tour.visit("not found", "/khong-co-trang-nay/", status=404)
    tour.visit("bad request", "/thu-loi/400/", status=400, ready=None)
    tour.visit("server error", "/thu-loi/500/", status=500, ready=None)
    tour.visit("rate limited", "/thu-loi/429/", status=429)
    tour.visit("browsable API", "/api/v1/procedures/", ready=None)
    tour.visit("login", "/dang-nhap/")

    # The citizen: the wizard's steps, where the portal's script refuses a file over the limit at once.
    log_in(page, base, CITIZEN)
    tour.check("citizen: after log-in")
    wizard = f"/ho-so/{draft.reference}"
    for name, path in [
        ("citizen: my dossiers", "/ho-so-cua-toi/"),
        ("citizen: profile", "/tai-khoan/"),
        ("citizen: notifications", "/thong-bao/"),
        ("citizen: dossier", submitted.get_absolute_url()),
        ("citizen: wizard start", f"/thu-tuc/{LEVEL_4}/nop-truc-tuyen/"),
        ("citizen: wizard applicant", f"{wizard}/nguoi-nop/"),
        ("citizen: wizard form", f"{wizard}/to-khai/"),
        ("citizen: wizard documents", f"{wizard}/giay-to/"),
    ]:
        tour.visit(name, path)
    big = {"name": "ban-chup.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * 8192}
    page.locator("input[type=file]").first.set_input_files(big)
    assert "ban-chup.pdf" in page.locator("[data-size-error]").inner_text()
    tour.check("citizen: wizard documents, a file too large")
    for name, path in [
        ("citizen: wizard delivery", f"{wizard}/nhan-ket-qua/"),
        ("citizen: wizard review", f"{wizard}/xem-lai/"),
    ]:
        tour.visit(name, path)
    tour.visit("citizen: a desk page", "/mot-cua/ho-so/", status=403)

    # The desk clerk receives the dossier from its page's action form, then reads the register.
    log_in(page, base, CLERK)
    tour.check("clerk: after log-in")
    tour.visit("clerk: work queue", "/mot-cua/ho-so/")
    tour.visit("clerk: dossier", submitted.get_absolute_url())
    page.locator("button[data-action=receive]").click()
    assert "Đã thực hiện" in page.locator(".alert").first.inner_text()
    tour.check("clerk: dossier received")
    for name, path in [
        ("clerk: register", "/mot-cua/so-theo-doi/"),
        ("clerk: desk intake", "/mot-cua/tiep-nhan/"),
        ("clerk: undelivered messages", "/mot-cua/tin-nhan-loi/"),
    ]:
        tour.visit(name, path)
    tour.shoot("register-390")

    # The citizen pays the fee now due, through the gateway simulator.
    log_in(page, base, CITIZEN)
    tour.visit("citizen: dossier with a fee due", submitted.get_absolute_url())
    page.get_by_test_id("pay-online").first.click()
    page.get_by_test_id("simulator-amount").wait_for()
    tour.check("payment simulator")
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    assert "Đã thanh toán" in page.get_by_test_id("payment-result").inner_text()
    tour.check("payment result")

    # Leaders.
    log_in(page, base, LEADER)
    for name, path in [
        ("leader: report 06a", "/bao-cao/06a/"),
        ("leader: online services", "/bao-cao/truc-tuyen/"),
        ("leader: dashboard", "/bao-cao/"),
    ]:
        tour.visit(name, path)
    tour.shoot("dashboard-390")
    log_in(page, base, PROVINCE_LEADER)
    tour.visit("leader: targets", "/bao-cao/chi-tieu/")
    tour.visit("leader: new target", "/bao-cao/chi-tieu/them/")
    tour.shoot("new-target-390")

    # The Django admin, whose own script still switches its colour theme.
    log_in(page, base, ADMIN)
    tour.visit("admin: index", "/admin/", ready=None)
    theme = page.evaluate("document.documentElement.dataset.theme || 'auto'")
    page.locator("button.theme-toggle").first.click()
    assert page.evaluate("document.documentElement.dataset.theme") not in (None, theme)
    tour.check("admin: index, theme switched", ready=None)
    procedure = Procedure.objects.get(code=LEVEL_4)
    tour.visit("admin: procedures", "/admin/procedures/procedure/", ready=None)
    tour.visit("admin: a procedure", f"/admin/procedures/procedure/{procedure.pk}/change/", ready=None)

    # The API documentation: Swagger UI draws the operations and opens one.
    docs = tour.visit("API docs", "/api/docs/", ready=".swagger-ui .opblock")
    scripts = policy_of(docs.headers["content-security-policy"])["script-src"]
    assert any(source.startswith("'nonce-") for source in scripts)  # the Swagger UI initialiser's alone
    page.locator(".swagger-ui .opblock-summary").first.click()
    page.locator(".swagger-ui .try-out__btn").first.wait_for()
    tour.check("API docs, an operation open", ready=None)
    tour.shoot("api-docs-390")

    report = {name: len(seen) for name, seen in tour.refused.items()}
    (artifacts_dir() / "csp-violations.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(f"{len(report)} pages and states, violations: {sum(report.values())}")
    assert {name: seen for name, seen in tour.refused.items() if seen} == {}
    assert tour.console == []
    assert tour.errors == []
    assert tour.faulty_headers == {}
    assert len(report) == 48


def test_the_watcher_sees_what_the_policy_refuses(live_server, page_390):
    """The check above would pass on a page that refuses nothing because nothing is watched: here an
    injected script, event handler and style attribute are refused, and each is seen."""
    tour, page = Tour(page_390, live_server.url), page_390
    tour.visit("login", "/dang-nhap/")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.__injected = true";
        document.body.append(script);
        document.body.insertAdjacentHTML("beforeend",
            '<button id="injected" onclick="window.__clicked = true">x</button><p style="color: red">x</p>');
    }""")
    page.locator("#injected").click()
    tour.check("login, with injected markup")

    assert page.evaluate("[window.__injected, window.__clicked]") == [None, None]
    assert page.evaluate("getComputedStyle(document.querySelector('p[style]')).color") != "rgb(255, 0, 0)"
    refused = sorted(seen["directive"] for seen in tour.refused["login, with injected markup"])
    assert refused == ["script-src-attr", "script-src-elem", "style-src-attr"]
    assert len(tour.console) == 3


def test_the_pay_button_reaches_a_gateway_at_another_address_through_form_action(live_server, page_390, settings):
    """The pay button posts to the portal, which redirects to the gateway: Chromium checks that redirect
    against form-action as well, so the gateway's address must be in it (settings put VNPAY_URL's)."""
    call_command("seed_demo", stdout=io.StringIO())
    clerk = User.objects.get(email=CLERK)
    dossier = dossier_receive(dossier=demo_level4_submitted(), by=clerk).dossier
    portal = live_server.url  # http://localhost:<port>
    gateway = portal.replace("localhost", "127.0.0.1")  # the same server under another origin
    settings.PORTAL_URL, settings.VNPAY_URL = portal, gateway + "/mo-phong/vnpay/"
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    tour, page = Tour(page_390, portal), page_390
    log_in(page, portal, CITIZEN)

    # Without the gateway in form-action, the browser stops at the redirect.
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**directives, "form-action": ["'self'"]}}
    tour.visit("dossier, gateway not allowed", dossier.get_absolute_url())
    page.get_by_test_id("pay-online").first.click()
    page.wait_for_timeout(1000)
    assert not page.url.startswith(gateway)
    assert any("form-action" in line for line in tour.console)

    # With it, as settings make it from VNPAY_URL and PORTAL_URL: there and back again.
    tour.console.clear()
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**directives, "form-action": ["'self'", portal, gateway]}}
    tour.visit("dossier", dossier.get_absolute_url())
    page.get_by_test_id("pay-online").first.click()
    page.get_by_test_id("simulator-amount").wait_for()
    assert page.url.startswith(gateway + "/mo-phong/vnpay/")
    tour.check("gateway at another address")
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    assert "Đã thanh toán" in page.get_by_test_id("payment-result").inner_text()
    assert page.url.startswith(portal)
    tour.check("back at the portal")
    assert {name: seen for name, seen in tour.refused.items() if seen and name != "dossier, gateway not allowed"} == {}
    assert tour.console == []
