"""The portal on another port than 8000, set up only as `make run PORT=N` sets it up (PORTAL_URL from the
host and port): a citizen pays a fee on the gateway simulator and comes back, and the links the portal
sends out (SMS, the receipt's QR code, the result's verification link) point at that port."""

import io
import subprocess

from django.conf import settings
from django.core.management import call_command

import pytest

from accounts.models import User
from dossiers.models import Notification
from dossiers.services import (
    dossier_receive,
)
from tests.e2e.conftest import demo_level4_submitted, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_make_run_on_another_port_links_everything_to_that_port():
    """What `make run PORT=8813` runs: the server on 8813 with PORTAL_URL on 8813."""
    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8813", "PY=python"],  # noqa: S607 - make from the PATH, as a person runs it
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "PORTAL_URL=http://127.0.0.1:8813 python manage.py runserver 127.0.0.1:8813" in dry


def test_a_citizen_pays_on_the_simulator_of_a_portal_on_another_port(live_server, phone_page, settings):
    assert not live_server.url.endswith(":8000")
    settings.PORTAL_URL = live_server.url  # as `make run PORT=N` sets it; VNPAY_URL left as configured (none)
    call_command("seed_demo", stdout=io.StringIO())
    dossier = demo_level4_submitted()
    dossier = dossier_receive(dossier=dossier, by=User.objects.get(phone="0900000002")).dossier
    assert dossier.fee_amount == 15000

    page = phone_page
    log_in(page, live_server.url, "0912345678")
    page.goto(live_server.url + dossier.get_absolute_url())
    page.get_by_test_id("pay-online").click()
    assert page.url.startswith(live_server.url + "/mo-phong/vnpay/")  # the simulator on this port
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    assert page.url.startswith(live_server.url + "/thanh-toan/vnpay/ket-qua/")
    assert "Đã thanh toán" in page.get_by_test_id("payment-result").inner_text()
    dossier.refresh_from_db()
    assert dossier.fee_paid_online

    # Every SMS and e-mail written about the dossier (the outbox holds them as they are sent) links to this
    # port, none to 8000.
    messages = list(
        Notification.objects.filter(dossier=dossier).exclude(channel="in_app").values_list("body", flat=True)
    )
    linked = [body for body in messages if "http" in body]
    assert linked and all(live_server.url in body for body in linked), messages
    assert not any(":8000" in body for body in messages)
