"""Feedback on slow links, with JavaScript on (static/js/site.js): a double click posts once and the
button says it is sending; a file over the limit is refused in the browser before anything is sent,
next to its field, with the other choices kept; an upload says it is under way, then the next step
comes. Screenshots at 390 px are left in the artifacts folder."""

import contextlib
import io
import re

from django.core.management import call_command

import pytest
from playwright.sync_api import Error as PlaywrightError

from dossiers.models import Dossier
from tests.conftest import artifacts_dir
from tests.e2e.conftest import PHONE_390, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NEXT = re.compile(r"^(Lưu và tiếp tục|Tiếp tục)$")


@pytest.fixture
def citizen_page(live_server, browser):
    call_command("seed_demo", stdout=io.StringIO())
    context = browser.new_context(viewport=PHONE_390, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, live_server.url, "0912345678")
    page.wait_for_load_state()
    yield page
    context.close()


def _posts(page) -> list[str]:
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    return sent


def _slow_link(page, *, kbps: int = 64, latency: int = 400) -> None:
    """A mountain commune's mobile link: ``latency`` ms away, ``kbps`` kilobytes a second each way."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency, "downloadThroughput": kbps * 1024, "uploadThroughput": kbps * 1024},
    )


def _start_birth_registration(page, live_server):
    page.goto(live_server.url + "/thu-tuc/1.001193/")
    page.get_by_test_id("submit-online").click()
    unit = page.get_by_label("Nộp tại")
    if unit.count():
        unit.select_option(label="UBND xã Xuân Du")


# Kept by the browser across the navigation: how the pressed button looked just after the press, and
# how many presses the page let through. The person presses once more 0.4 s later, as one does when
# nothing seems to happen.
RECORDER = """
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (!window.pressedAgain) {
    window.pressedAgain = true;
    setTimeout(() => button.click(), 400);
  }
  setTimeout(() => sessionStorage.setItem("seen", [event.target.getAttribute("aria-busy"), button.disabled,
    button.innerText.trim(), !!button.querySelector(".spinner-border")].join("|")), 20);
}, true);
window.addEventListener("submit", (event) => {
  if (!event.defaultPrevented) sessionStorage.setItem("sent", 1 + Number(sessionStorage.getItem("sent") || 0));
});
"""


def test_a_double_click_on_a_submit_button_posts_once_and_the_button_says_it_is_sending(citizen_page, live_server):
    page = citizen_page
    page.add_init_script(RECORDER)
    _start_birth_registration(page, live_server)
    sent = _posts(page)
    page.wait_for_selector("html[data-js=ready]", state="attached")  # the portal's script watches the forms
    _slow_link(page, latency=1500)
    page.get_by_role("button", name="Bắt đầu").dblclick()
    for _attempt in range(2):  # a second press sent would abort the first page: wait for the one shown
        with contextlib.suppress(PlaywrightError):
            page.wait_for_url(re.compile(r"/ho-so/.+/"))
            break
    assert len(sent) == 1, sent  # one request left the browser
    assert Dossier.objects.filter(status="draft", procedure_version__procedure__code="1.001193").count() == 1
    assert page.evaluate("sessionStorage.getItem('sent')") == "1"
    assert page.evaluate("sessionStorage.getItem('seen')") == "true|true|Đang gửi…|true"  # busy, disabled


def _to_the_documents_step(page):
    """Through the steps before the documents, answering each with the demo citizen's data."""
    from tests.e2e.test_no_javascript import _fill_what_the_page_asks

    for _step in range(4):
        page.wait_for_load_state()
        if page.locator("main input[type=file]").count():
            return
        _fill_what_the_page_asks(page)
        page.get_by_role("button", name=NEXT).click()
    raise AssertionError(f"no documents step: {page.title()}")


# For a picture of the page while it sends: a form is held back (after the portal's script has
# reacted to it) while ``window.holdForms`` is set.
HOLD = """
window.addEventListener("submit", (event) => { if (window.holdForms) event.preventDefault(); });
"""


def test_a_file_over_the_limit_is_refused_before_sending_and_an_upload_says_it_is_under_way(citizen_page, live_server):
    page = citizen_page
    page.add_init_script(HOLD)
    _start_birth_registration(page, live_server)
    page.get_by_role("button", name="Bắt đầu").click()
    _to_the_documents_step(page)
    files = page.locator("main input[type=file]")
    assert files.count() >= 2
    files.nth(1).set_input_files({"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": PDF})

    sent = _posts(page)
    scan = b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024)  # an 11 MB phone scan
    files.first.set_input_files({"name": "giay-chung-sinh.pdf", "mimeType": "application/pdf", "buffer": scan})
    error = page.get_by_role("alert").filter(has_text="giay-chung-sinh.pdf")
    assert error.inner_text() == "“giay-chung-sinh.pdf” có dung lượng 11,0\xa0MB; mỗi tệp tối đa 10,0\xa0MB."
    page.get_by_role("button", name=NEXT).click()
    page.wait_for_timeout(500)
    assert sent == []  # nothing was sent, not even the small file
    assert files.first.evaluate("e => e === document.activeElement && e.getAttribute('aria-invalid') === 'true'")
    assert files.nth(1).evaluate("e => e.files.length && e.files[0].name") == "bien-ban.pdf"  # kept
    page.screenshot(path=artifacts_dir() / "slow-link-file-too-large-390.png")

    upload = {"name": "giay-chung-sinh.pdf", "mimeType": "application/pdf", "buffer": PDF + b"0" * 300_000}
    files.first.set_input_files(upload)
    assert not page.locator("[data-size-error]").count()

    # While it goes: the button is busy and the upload says how much it is sending.
    page.clock.install()  # the page's timers from here on are the test's to move
    page.evaluate("window.holdForms = true")
    page.get_by_role("button", name=NEXT).click()
    assert page.locator("form[aria-busy=true] button[disabled]").inner_text().strip() == "Đang gửi…"
    assert re.fullmatch(r"Đang tải lên… \(293,\d\xa0KB\)", page.get_by_test_id("upload-progress").inner_text().strip())
    assert page.get_by_test_id("upload-progress").locator("progress").evaluate("e => e.position") == -1  # moving
    page.get_by_test_id("upload-progress").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir() / "slow-link-upload-progress-390.png")
    assert sent == []
    # Minutes later on a slow link, the upload still going: the button is not offered again.
    page.clock.fast_forward("05:00")
    assert page.locator("form[aria-busy=true] button[disabled]").count() == 1

    page.reload()
    files.first.set_input_files(upload)
    files.nth(1).set_input_files({"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": PDF})
    _slow_link(page)
    page.get_by_role("button", name=NEXT).click()
    page.wait_for_url(re.compile(r"/nhan-ket-qua/|/xem-lai/"))  # the next step
    assert len(sent) == 1
    dossier = Dossier.objects.get(status="draft", procedure_version__procedure__code="1.001193")
    assert sorted(dossier.attachments.values_list("original_name", flat=True)) == [
        "bien-ban.pdf",
        "giay-chung-sinh.pdf",
    ]
