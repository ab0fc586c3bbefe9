from django.urls import reverse

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("identifier", ["Hoa.Le@Example.vn", "0912345678", "+84 912 345 678", "0912.345.678"])
def test_a_person_logs_in_with_email_or_phone_in_any_spelling(client, identifier):
    user = UserFactory(email="hoa.le@example.vn", phone="0912345678")
    response = client.post(reverse("accounts:login"), {"username": identifier, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_password_is_refused_with_a_vietnamese_message_and_the_identifier_kept(client):
    UserFactory(email="hoa.le@example.vn")
    response = client.post(reverse("accounts:login"), {"username": "hoa.le@example.vn", "password": "sai-mat-khau"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Email hoặc số điện thoại và mật khẩu không khớp" in page
    assert 'value="hoa.le@example.vn"' in page


def test_an_inactive_account_cannot_log_in(client):
    UserFactory(email="khoa@example.vn", is_active=False)
    client.post(reverse("accounts:login"), {"username": "khoa@example.vn", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_the_session_key_changes_at_login(client):
    UserFactory(email="hoa.le@example.vn")
    client.get(reverse("accounts:login"))
    client.cookies["sessionid"] = "x" * 32
    client.post(reverse("accounts:login"), {"username": "hoa.le@example.vn", "password": PASSWORD})
    assert client.cookies["sessionid"].value != "x" * 32


def test_logout_is_a_post_and_ends_the_session(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_header_shows_who_is_logged_in(client):
    client.force_login(UserFactory(full_name="Trần Thị Bình"))
    page = client.get(reverse("home")).content.decode()
    assert "Trần Thị Bình" in page
    assert "Đăng xuất" in page


def test_repeated_wrong_passwords_pause_logins_for_a_while_then_allow_them_again(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    UserFactory(email="hoa.le@example.vn")
    url = reverse("accounts:login")
    UserFactory(email="binh@example.vn")
    for spelling in [
        "hoa.le@example.vn",
        "HOA.LE@example.vn",
        "hoa.le@example.vn",
        "Hoa.Le@Example.vn",
        "hoa.le@example.vn",
    ]:
        client.post(url, {"username": spelling, "password": "sai"})
    response = client.post(url, {"username": "hoa.le@example.vn", "password": PASSWORD})
    assert response.status_code == 429
    assert "15 phút" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another person at the same desk computer is not locked out with her.
    assert client.post(url, {"username": "binh@example.vn", "password": PASSWORD}).status_code == 302
    client.post(reverse("accounts:logout"))

    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = client.post(url, {"username": "hoa.le@example.vn", "password": PASSWORD})
    assert response.status_code == 302


def test_a_failed_login_is_announced_at_the_top_and_leads_to_the_field(client):
    UserFactory(phone="0912345678")
    page = client.post(reverse("accounts:login"), {"username": "0912345678", "password": "sai"}).content.decode()
    summary = page[page.index('class="alert alert-danger error-summary"') :]
    assert summary.startswith('class="alert alert-danger error-summary" role="alert" tabindex="-1" autofocus')
    assert "Có 1 lỗi cần sửa" in summary
    assert 'href="#id_username">Email hoặc số điện thoại và mật khẩu không khớp' in summary
    assert "<title>Lỗi: Đăng nhập" in page
    assert page.count("mật khẩu không khớp") == 1  # said once, in the summary


def test_the_login_field_suits_a_phone_number(client):
    page = client.get(reverse("accounts:login")).content.decode()
    field = page[page.index('name="username"') - 300 : page.index('name="username"') + 400]
    for attribute in ['autocomplete="username"', 'inputmode="text"', 'autocapitalize="none"', 'spellcheck="false"']:
        assert attribute in field
    assert "form-control-lg" in field
    assert "Ví dụ 0912345678, hoặc địa chỉ email của bạn." in page
    assert "<title>Lỗi" not in page
