"""Accessibility and weight of the pages, checked in the browser on the demo data.

axe-core (shipped inside the pinned ``axe-playwright-python`` package: nothing is fetched when the test
runs) is run over every page a citizen meets and the staff queue, a staff dossier page and the report
pages, at 390 by 844 px (a phone) and 1366 by 900 px (a desk PC). A serious or critical violation fails the test;
the others are printed. A second test loads each citizen page in a fresh browser, as a first visit,
from a server that serves the collected static files compressed as production does, and adds up the
bytes that crossed the wire: at most 100 KB per page.
"""

import io
from dataclasses import dataclass
from datetime import timedelta

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

import pytest

from accounts.models import User
from dossiers.demo_history import generate_history
from dossiers.models import Dossier
from dossiers.services import (
    dossier_start,
)
from tests.conftest import artifacts_dir
from tests.e2e.conftest import demo_level4_submitted

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
FAILING_IMPACTS = ("serious", "critical")
PAGE_BUDGET = 100 * 1024  # bytes on the wire for a first visit: HTML, CSS, JavaScript, images
PROCEDURE = "1.004873"  # Giấy xác nhận tình trạng hôn nhân, level 4, at the communes
CITIZEN, CLERK, LEADER = "congdan@demo.vn", "motcua.bensung@demo.vn", "lanhdao.huyen@demo.vn"
PROVINCE_LEADER = "lanhdao.tinh@demo.vn"


# The boxes in the page that scroll sideways and cannot take the keyboard's focus themselves.
SIDEWAYS_SCROLLERS = """() => [...document.querySelectorAll('main *')]
    .filter(el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1)
    .filter(el => !el.hasAttribute('tabindex'))
    .map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.'))"""


@dataclass
class Visit:
    name: str
    path: str
    user: str | None = None
    lookup: tuple[str, str] | None = None  # (code, last 4 digits): submit the lookup form on the page


def _demo_dossiers() -> tuple[Dossier, Dossier]:
    """The demo citizen's level-4 dossier at Bến Sung, submitted online, and a draft just started."""
    submitted = demo_level4_submitted()
    citizen, version = submitted.applicant, submitted.procedure_version
    unit = submitted.agency
    draft = dossier_start(applicant=citizen, version=version, agency=unit)
    return submitted, draft


def citizen_visits(submitted: Dossier, draft: Dossier) -> list[Visit]:
    wizard = f"/ho-so/{draft.reference}"
    return [
        Visit("home", "/"),
        Visit("catalogue", "/thu-tuc/"),
        Visit("procedure", f"/thu-tuc/{PROCEDURE}/"),
        Visit("register", "/dang-ky/"),
        Visit("login", "/dang-nhap/"),
        Visit("password link", "/quen-mat-khau/"),
        Visit("lookup", "/tra-cuu/"),
        Visit("lookup result", "/tra-cuu/", lookup=(submitted.code, "5678")),
        Visit("verify", "/xac-thuc/"),
        Visit("verify, unknown code", "/xac-thuc/KHONG-CO/"),
        Visit("my dossiers", "/ho-so-cua-toi/", CITIZEN),
        Visit("dossier", submitted.get_absolute_url(), CITIZEN),
        Visit("wizard start", f"/thu-tuc/{PROCEDURE}/nop-truc-tuyen/", CITIZEN),
        Visit("wizard applicant", f"{wizard}/nguoi-nop/", CITIZEN),
        Visit("wizard form", f"{wizard}/to-khai/", CITIZEN),
        Visit("wizard documents", f"{wizard}/giay-to/", CITIZEN),
        Visit("wizard delivery", f"{wizard}/nhan-ket-qua/", CITIZEN),
        Visit("wizard review", f"{wizard}/xem-lai/", CITIZEN),
    ]


def staff_visits(submitted: Dossier) -> list[Visit]:
    return [
        Visit("work queue", "/mot-cua/ho-so/", CLERK),
        Visit("staff dossier", submitted.get_absolute_url(), CLERK),
        Visit("dashboard", "/bao-cao/", LEADER),
        Visit("report 06a", "/bao-cao/06a/", LEADER),
        Visit("online-service table", "/bao-cao/truc-tuyen/", LEADER),
        Visit("targets", "/bao-cao/chi-tieu/", PROVINCE_LEADER),
        Visit("new target", "/bao-cao/chi-tieu/them/", PROVINCE_LEADER),
    ]


def _session_cookie(email: str, url: str) -> dict:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}


def _open(browser, base: str, visit: Visit, viewport: dict):
    """A fresh browser context (empty cache, the visit's user logged in) on the visit's page."""
    context = browser.new_context(viewport=viewport)
    if visit.user:
        context.add_cookies([_session_cookie(visit.user, base)])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _go(page, base: str, visit: Visit):
    response = page.goto(base + visit.path, wait_until="load")
    if visit.lookup:
        code, digits = visit.lookup
        form = page.locator("main form").filter(has=page.locator("[name=secret]"))
        form.locator("[name=code]").fill(code)
        form.locator("[name=secret]").fill(digits)
        with page.expect_navigation(wait_until="load"):
            form.locator("[type=submit]").first.click()
    return response


def _axe_report(browser, base: str, visits: list[Visit]) -> list[str]:
    """Run axe on every visit at every viewport; print what it finds; return the failing findings."""
    from axe_playwright_python.sync_playwright import Axe

    axe, failures = Axe(), []
    for size, viewport in VIEWPORTS.items():
        for visit in visits:
            context, page = _open(browser, base, visit, viewport)
            try:
                _go(page, base, visit)
                assert page.url == base + visit.path, f"{visit.name}: landed on {page.url}"
                results = axe.run(page, options={"resultTypes": ["violations"]}).response
                scrollers = page.evaluate(SIDEWAYS_SCROLLERS)
                page_width = page.evaluate("document.documentElement.scrollWidth")
            finally:
                context.close()
            if page_width > viewport["width"]:  # only a table's own box may scroll sideways, never the page
                failures.append(f"{visit.name} ({visit.path}) at {size}: the page is {page_width} px wide")
            for scroller in scrollers:  # reachable by tabbing to its links, but not scrollable by keys
                print(f"{visit.name} ({visit.path}) at {size}: scrolls sideways without tabindex: {scroller}")
            for violation in results["violations"]:
                targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:6])
                line = f"{visit.name} ({visit.path}) at {size}: {violation['id']} [{violation['impact']}] {targets}"
                print(line)
                if violation["impact"] in FAILING_IMPACTS:
                    summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ")
                    failures.append(f"{line} — {summary[:240]}")
    return failures


def test_citizen_pages_have_no_serious_accessibility_violation_on_a_phone_or_a_desktop(live_server, browser):
    call_command("seed_demo", stdout=io.StringIO())
    submitted, draft = _demo_dossiers()

    failures = _axe_report(browser, live_server.url, citizen_visits(submitted, draft))

    assert failures == [], "\n".join(failures)


def test_staff_and_report_pages_have_no_serious_accessibility_violation(live_server, browser):
    call_command("seed_demo", stdout=io.StringIO())
    today = timezone.localdate()
    generate_history(since=today - timedelta(days=40), until=today, per_week=2, seed=11)
    submitted, _draft = _demo_dossiers()

    failures = _axe_report(browser, live_server.url, staff_visits(submitted))

    assert failures == [], "\n".join(failures)


@pytest.fixture
def production_server(settings, tmp_path, transactional_db):
    """The portal as production serves it: static files collected with hashed names and served
    compressed by WhiteNoise (not by the test server's uncompressed static handler)."""
    from django.db import connections
    from django.test.testcases import LiveServerThread

    settings.STATIC_ROOT = tmp_path / "static"
    settings.WHITENOISE_AUTOREFRESH = False
    settings.WHITENOISE_USE_FINDERS = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    call_command("collectstatic", interactive=False, verbosity=0)

    shared = {conn.alias: conn for conn in connections.all() if conn.vendor == "sqlite" and conn.is_in_memory_db()}
    thread = LiveServerThread("localhost", static_handler=lambda handler: handler, connections_override=shared)
    thread.daemon = True
    for conn in shared.values():
        conn.inc_thread_sharing()
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()
    for conn in shared.values():
        conn.dec_thread_sharing()


def _first_visit_weight(browser, base: str, visit: Visit) -> tuple[int, dict[str, str]]:
    """Bytes on the wire (bodies as sent, and headers) for a first visit of ``visit`` in an empty
    browser, and the content encoding of each stylesheet and script."""
    context, page = _open(browser, base, visit, VIEWPORTS["phone"])
    responses = []
    page.on("response", lambda response: responses.append(response))
    try:
        assert _go(page, base, visit) is not None
        page.wait_for_load_state("networkidle")
        sizes = [response.request.sizes() for response in responses]
        assets = [response for response in responses if response.url.endswith((".css", ".js"))]
        encodings = {response.url: response.headers.get("content-encoding", "") for response in assets}
    finally:
        context.close()
    return sum(size["responseBodySize"] + size["responseHeadersSize"] for size in sizes), encodings


def test_every_citizen_page_weighs_at_most_100_kb_on_a_first_visit(production_server, browser):
    call_command("seed_demo", stdout=io.StringIO())
    submitted, draft = _demo_dossiers()

    weights = {}
    for visit in citizen_visits(submitted, draft):
        weights[visit.name], encodings = _first_visit_weight(browser, production_server, visit)
        # The stylesheets and scripts travel compressed, as production serves them.
        assert encodings and all(encodings.values()), encodings

    print({name: f"{weight / 1024:.1f} KB" for name, weight in weights.items()})
    heavy = {name: weight for name, weight in weights.items() if weight > PAGE_BUDGET}
    assert heavy == {}


def _boxes(locator) -> list[tuple[str, float, float]]:
    return [
        (element.inner_text().strip() or element.get_attribute("aria-label") or "?", box["width"], box["height"])
        for element in locator.all()
        if (box := element.bounding_box()) is not None
    ]


def _outline(page) -> tuple[str, float]:
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; })()"
    )
    return style[0], float(style[1].removesuffix("px"))


def test_the_header_folds_on_a_phone_without_javascript_with_large_targets_and_visible_focus(live_server, browser):
    call_command("seed_demo", stdout=io.StringIO())
    context = browser.new_context(viewport=VIEWPORTS["phone"], java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    header = page.locator("header")

    # Closed: one bar with the portal, its district, the menu and "Đăng nhập".
    assert header.bounding_box()["height"] <= 64
    assert page.get_by_test_id("brand-unit").inner_text() == "UBND huyện Như Thanh"
    assert not header.get_by_role("link", name="Thủ tục", exact=True).is_visible()
    targets = header.locator("a:visible, button:visible, summary:visible")
    assert all(width >= 44 and height >= 44 for _name, width, height in _boxes(targets)), _boxes(targets)

    # Open (no JavaScript): every link and button of the menu is a large target.
    page.get_by_test_id("menu-toggle").click()
    assert header.get_by_role("link", name="Thủ tục", exact=True).is_visible()
    assert header.get_by_role("link", name="Đăng ký").is_visible()
    boxes = _boxes(header.locator("a:visible, button:visible, summary:visible"))
    assert len(boxes) >= 7 and all(width >= 44 and height >= 44 for _name, width, height in boxes), boxes

    # The skip link comes first; then every link, button and field shows a clear outline when focused.
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    for _ in range(3):  # the portal's name, the menu, "Đăng nhập"
        page.keyboard.press("Tab")
        style, width = _outline(page)
        assert style != "none" and width >= 2, page.evaluate("document.activeElement.outerHTML")
    page.locator("#home-q").focus()
    assert _outline(page)[1] >= 2
    page.get_by_test_id("popular-procedure").first.focus()
    assert _outline(page)[1] >= 2
    page.screenshot(path=str(artifacts_dir() / "home-390.png"), full_page=True)

    # From the md breakpoint the menu lies open in the bar, its toggle hidden.
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.goto(live_server.url + "/")
    assert header.get_by_role("link", name="Thủ tục", exact=True).is_visible()
    assert not page.get_by_test_id("menu-toggle").is_visible()
    assert header.bounding_box()["height"] <= 64
    page.screenshot(path=str(artifacts_dir() / "home-1366.png"), full_page=True)
    context.close()
