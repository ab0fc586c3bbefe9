"""One cool-off per account over all its identifiers, unknown identifiers answered alike, a cap per
client address, and the same cool-offs on every path that checks a password (form, admin, API)."""

import base64
from datetime import timedelta

from django.conf import settings as django_settings
from django.urls import reverse

import pytest
from axes.models import AccessAttempt

from tests.accounts.conftest import main_of
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "accounts:login"
BASIC_ON = "rest_framework.authentication.BasicAuthentication" in django_settings.REST_FRAMEWORK.get(
    "DEFAULT_AUTHENTICATION_CLASSES", []
)


def _login(client, username, password=PASSWORD, address="198.51.100.1"):
    return client.post(reverse(LOGIN), {"username": username, "password": password}, REMOTE_ADDR=address)


def _basic(username, password=PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_failures_on_any_identifier_of_one_account_add_up_and_pause_all_of_them_from_any_address(client):
    user = UserFactory(email="hoa.le@example.vn", phone="0912345678")
    tries = ["hoa.le@example.vn", "+84 912 345 678", "HOA.LE@example.vn", "0912.345.678", "84912345678"]
    for n, spelling in enumerate(tries):
        response = _login(client, spelling, "sai-mat-khau", address=f"198.51.100.{n + 10}")
        assert response.status_code in (200, 429)  # the fifth failure already shows the pause
    for identifier in ["hoa.le@example.vn", "0912345678", "+84912345678"]:
        response = _login(client, identifier, address="203.0.113.99")  # the right password, a new address
        assert response.status_code == 429
        assert "15 phút" in response.content.decode()
        assert "_auth_user_id" not in client.session
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {f"account:{user.pk}"}


def test_an_identifier_of_no_account_is_answered_exactly_like_one_of_an_account(client):
    UserFactory(email="hoa@example.vn")
    UserFactory(email="lan@example.vn", phone="0912345678")
    for known, unknown in [("hoa@example.vn", "ai@example.vn"), ("0912 345 678", "0987 000 111")]:
        for attempt in range(6):
            address = f"198.51.100.{attempt}"
            a, b = _login(client, known, "sai", address), _login(client, unknown, "sai", address)
            assert a.status_code == b.status_code
            assert main_of(a).replace(known, "X") == main_of(b).replace(unknown, "X")
        assert a.status_code == 429  # both paused after five
    # Typing what looks like an account's internal name counts for nobody but that typed value.
    user = UserFactory(email="binh@example.vn")
    for _attempt in range(5):
        _login(client, f"account:{user.pk}", "sai", address="192.0.2.1")
    assert _login(client, "binh@example.vn", address="192.0.2.2").status_code == 302


def test_an_address_that_fails_over_many_accounts_is_paused_and_others_are_not(client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 20
    UserFactory(email="binh@example.vn")
    UserFactory(email="chi@example.vn")
    for n in range(19):
        assert _login(client, f"nguoi{n}@example.vn", "sai", address="203.0.113.7").status_code == 200
    assert _login(client, "binh@example.vn", "sai", address="203.0.113.7").status_code == 429  # the 20th
    response = _login(client, "chi@example.vn", address="203.0.113.7")  # the right password
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert _login(client, "chi@example.vn", address="198.51.100.200").status_code == 302  # elsewhere: fine


def test_the_address_pause_ends_after_the_cooloff(client, settings):
    import time

    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    UserFactory(email="chi@example.vn")
    for n in range(3):
        _login(client, f"nguoi{n}@example.vn", "sai", address="203.0.113.8")
    assert _login(client, "chi@example.vn", address="203.0.113.8").status_code == 429
    time.sleep(1.2)
    assert _login(client, "chi@example.vn", address="203.0.113.8").status_code == 302


def test_a_paused_account_is_refused_on_the_admin_login_and_by_the_api(client):
    admin = UserFactory(email="quantri@example.vn", phone="0911222333", is_staff=True, is_superuser=True)
    for _attempt in range(5):
        _login(client, "0911222333", "sai")
    response = client.post(
        reverse("admin:login"), {"username": "quantri@example.vn", "password": PASSWORD}, REMOTE_ADDR="192.0.2.5"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    response = client.get("/api/v1/dossiers/", HTTP_AUTHORIZATION=_basic(admin.email), REMOTE_ADDR="192.0.2.5")
    assert response.status_code in (401, 403)


def test_the_api_takes_the_session_of_a_form_login_and_nothing_without_it(client):
    UserFactory(email="hoa@example.vn")
    assert client.get("/api/v1/dossiers/").status_code in (401, 403)
    assert _login(client, "hoa@example.vn").status_code == 302
    assert client.get("/api/v1/dossiers/").status_code == 200


def test_basic_authentication_checks_the_password_under_the_same_cooloff(rf):
    """Through DRF's own Basic authenticator, whether or not this configuration turns it on for the
    API: the account named (not a bucket shared by every Basic user) is paused, others are not."""
    from rest_framework.authentication import BasicAuthentication
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework.request import Request

    locked = UserFactory(email="hoa@example.vn", phone="0912345678")
    other = UserFactory(email="binh@example.vn")

    def basic(username, password=PASSWORD):
        request = Request(rf.get("/api/v1/dossiers/", HTTP_AUTHORIZATION=_basic(username, password)))
        try:
            return BasicAuthentication().authenticate(request)[0]
        except AuthenticationFailed:
            return None

    for _attempt in range(5):
        assert basic("0912 345 678", "sai") is None
    assert basic("hoa@example.vn") is None  # the right password, but the account is paused
    assert basic("binh@example.vn") == other  # another account behind the same address still works
    assert AccessAttempt.objects.get().username == f"account:{locked.pk}"


@pytest.mark.skipif(not BASIC_ON, reason="HTTP Basic is off for the API in this configuration")
def test_over_http_basic_a_paused_account_gets_no_data_and_another_does(client):
    UserFactory(email="hoa@example.vn", phone="0912345678")
    UserFactory(email="binh@example.vn")
    for _attempt in range(5):
        client.get("/api/v1/dossiers/", HTTP_AUTHORIZATION=_basic("0912345678", "sai"))
    assert client.get("/api/v1/dossiers/", HTTP_AUTHORIZATION=_basic("hoa@example.vn")).status_code in (401, 403)
    assert client.get("/api/v1/dossiers/", HTTP_AUTHORIZATION=_basic("binh@example.vn")).status_code == 200
    assert _login(client, "hoa@example.vn").status_code == 429  # the form sees the same pause


def test_production_settings_take_the_api_session_only_no_basic():
    from tests.test_settings import _documented_production_environment, _manage

    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES'])",
        env=_documented_production_environment(),
    )
    assert result.returncode == 0, result.stderr
    assert "SessionAuthentication" in result.stdout
    assert "BasicAuthentication" not in result.stdout


def test_setting_a_new_password_by_link_ends_the_pause(client):
    import re

    from django.core import mail

    UserFactory(email="hoa@example.vn")
    for _attempt in range(5):
        _login(client, "hoa@example.vn", "sai")
    assert _login(client, "hoa@example.vn").status_code == 429
    client.post(reverse("accounts:password_link"), {"identifier": "hoa@example.vn"})
    path = re.search(r"/dat-mat-khau/[^/]+/[^/\s]+/", mail.outbox[-1].body).group(0)
    set_url = client.get(path).url
    client.post(set_url, {"new_password1": "mat-khau-moi-xuan-du", "new_password2": "mat-khau-moi-xuan-du"})
    assert _login(client, "hoa@example.vn", "mat-khau-moi-xuan-du").status_code == 302


def test_addresses_of_one_ipv6_line_share_the_address_cap(client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 20
    UserFactory(email="chi@example.vn")
    for n in range(20):  # a new address of the same /64 for every try
        _login(client, f"nguoi{n}@example.vn", "sai", address=f"2001:db8:1:2::{n + 1:x}")
    assert _login(client, "chi@example.vn", address="2001:db8:1:2:ffff::1").status_code == 429
    assert _login(client, "chi@example.vn", address="2001:db8:1:3::1").status_code == 302  # another line
