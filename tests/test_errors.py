"""The pages a person meets when something goes wrong are the portal's own, in Vietnamese (or the
person's language), with a way back; Django's own messages that its catalogue lacks are translated."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import bad_request, permission_denied, server_error

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.DEBUG = False


def _vietnamese_with_a_way_back(response, status):
    assert response.status_code == status
    page = response.content.decode()
    assert 'data-testid="error-page"' in page and '<html lang="vi">' in page
    assert 'href="/"' in page
    assert "Not Found" not in page and "Forbidden" not in page and "Server Error" not in page
    return page


def test_a_missing_page_is_the_portals_own_with_ways_back(client, production):
    page = _vietnamese_with_a_way_back(client.get("/khong-co-trang-nay/"), 404)
    assert "Trang này không tồn tại" in page and reverse("dossiers:lookup") in page


def test_a_page_for_another_role_says_so_and_offers_to_log_in(client, production):
    client.force_login(UserFactory())
    page = _vietnamese_with_a_way_back(client.get(reverse("dossiers:queue")), 403)
    assert "Bạn không được mở trang này" in page


def test_an_expired_form_explains_what_to_do_and_links_back_to_it(production):
    client = Client(enforce_csrf_checks=True)
    login = reverse("accounts:login")
    response = client.post(login, {"username": "x", "password": "y"}, HTTP_REFERER="http://testserver" + login)
    page = _vietnamese_with_a_way_back(response, 403)
    assert "Biểu mẫu không gửi được vì đã hết hạn" in page
    assert f'href="http://testserver{login}" data-testid="error-back"' in page
    elsewhere = client.post(login, {}, HTTP_REFERER="https://evil.example/form")
    assert "evil.example" not in elsewhere.content.decode()  # never a way back to another site


def test_the_server_error_and_bad_request_pages_stand_alone_in_vietnamese(production):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with translation.override("vi"):
        page = server_error(request).content.decode()
        assert "Cổng đang gặp sự cố" in page and 'href="/"' in page
        assert "Yêu cầu không hợp lệ" not in page
        assert "Cổng không hiểu được yêu cầu này" in bad_request(request, Exception()).content.decode()
        assert "Bạn không được mở trang này" in permission_denied(request, Exception()).content.decode()


def test_djangos_own_messages_reach_citizens_in_vietnamese():
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        validate_password("ab1")
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in refused.value.messages


def test_a_request_for_a_host_the_portal_does_not_serve_is_a_400_in_vietnamese(client, production, settings):
    settings.ALLOWED_HOSTS = ["motcua.example.vn"]
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Cổng không hiểu được yêu cầu này" in page and 'href="/"' in page
