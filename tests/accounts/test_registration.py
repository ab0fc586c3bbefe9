import re

from django.core import mail
from django.urls import reverse

import pytest

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "full_name": "Lê Thị Hoa",
    "citizen_id": "038190001234",
    "phone": "+84 912 345 678",
    "email": "Hoa.Le@Example.vn",
    "password1": "mua-lua-xuan-du-2026",
    "password2": "mua-lua-xuan-du-2026",
}


def test_a_citizen_registers_is_logged_in_and_confirms_the_email_by_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:register"), GOOD)
    assert response.status_code == 302
    user = User.objects.get()
    assert (user.email, user.phone, user.citizen_id) == ("hoa.le@example.vn", "0912345678", "038190001234")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.email_verified_at is None

    [message] = mail.outbox
    link = re.search(r"http\S+/xac-nhan-email/\S+/", message.body).group(0)
    client.get(link.split("127.0.0.1:8000")[-1])
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_a_tampered_confirmation_link_is_refused(client):
    client.post(reverse("accounts:register"), GOOD)
    response = client.get(reverse("accounts:verify_email", args=["khong-hop-le"]), follow=True)
    assert "không hợp lệ hoặc đã hết hạn" in response.content.decode()
    assert User.objects.get().email_verified_at is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"citizen_id": "12345678901"}, "citizen_id", "gồm đúng 12 chữ số"),
        ({"password1": "password", "password2": "password"}, "password1", "quá phổ biến"),
        ({"password2": "khac-hoan-toan-2026"}, "password2", "không giống nhau"),
        ({"phone": "", "email": ""}, "phone", "email hoặc số điện thoại"),
    ],
)
def test_bad_registrations_say_which_field_and_why_and_keep_what_was_typed(client, change, field, message):
    response = client.post(reverse("accounts:register"), {**GOOD, **change})
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert 'value="Lê Thị Hoa"' in page
    assert not User.objects.exists()


def test_an_existing_email_or_citizen_id_cannot_register_twice_and_a_phone_is_not_refused(client):
    UserFactory(phone="0912345678", citizen_id="038190001234")
    page = client.post(reverse("accounts:register"), GOOD).content.decode()
    assert "Không thể tạo tài khoản với địa chỉ email hoặc số định danh cá nhân này" in page
    assert "số điện thoại này đã có" not in page
    assert User.objects.count() == 1


def test_a_phone_only_citizen_gets_the_password_link_by_sms(client, settings):
    user = UserFactory(email=None, phone="0987654321")
    page = client.post(reverse("accounts:password_link"), {"identifier": "+84 987 654 321"}).content.decode()
    assert "đang được gửi" in page
    [log] = list(settings.SMS_FILE_PATH.glob("*.log"))
    text = log.read_text(encoding="utf-8")
    assert "0987654321" in text
    path = re.search(r"/dat-mat-khau/[^/]+/[^/\"]+/", text).group(0)

    set_url = client.get(path).url  # Django moves the token out of the URL into the session
    response = client.post(set_url, {"new_password1": "mat-khau-moi-xuan-du", "new_password2": "mat-khau-moi-xuan-du"})
    assert response.status_code == 302
    assert client.get(path).status_code == 200  # the link works once: now it says so
    assert "đã được dùng hoặc đã hết hạn" in client.get(path, follow=True).content.decode()
    user.refresh_from_db()
    assert user.check_password("mat-khau-moi-xuan-du")


def test_the_password_link_page_does_not_reveal_who_has_an_account(client):
    UserFactory(email="hoa@example.vn")

    def main(identifier):
        page = client.post(reverse("accounts:password_link"), {"identifier": identifier}).content.decode()
        return page[page.index("<main") : page.index("</main>")]

    assert main("hoa@example.vn") == main("ai@example.vn")
    assert len(mail.outbox) == 1


def test_a_profile_change_of_email_takes_effect_when_its_link_is_opened(client, django_capture_on_commit_callbacks):
    from django.utils import timezone

    user = UserFactory(email="hoa@example.vn", email_verified_at=timezone.now())
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:profile"),
            {
                "full_name": "Lê Thị Hoa",
                "phone": "0912345678",
                "email": "hoa.moi@example.vn",
                "address": "Thôn 2",
                "language": "vi",
                "notify_email": "on",
                "notify_sms": "on",
            },
        )
    user.refresh_from_db()
    assert (user.email, user.address) == ("hoa@example.vn", "Thôn 2")  # the old one until the link is opened
    assert mail.outbox[-1].to == ["hoa.moi@example.vn"]
    link = re.search(r"/xac-nhan-email/\S+/", mail.outbox[-1].body).group(0)
    client.get(link)
    user.refresh_from_db()
    assert user.email == "hoa.moi@example.vn" and user.email_verified_at is not None


def test_a_citizen_chooses_the_language_and_channels_of_messages_in_the_profile(client):
    user = UserFactory(email="hoa@example.vn", phone="0912345678")
    assert (user.language, user.notify_email, user.notify_sms) == ("vi", True, True)
    client.force_login(user)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Gửi tin về hồ sơ của tôi qua SMS" in page
    response = client.post(
        reverse("accounts:profile"),
        {
            "full_name": "Lê Thị Hoa",
            "phone": "0912345678",
            "email": "hoa@example.vn",
            "language": "en",
            "notify_sms": "on",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.language, user.notify_email, user.notify_sms) == ("en", False, True)


def test_registering_in_english_means_messages_in_english(client):
    client.cookies["django_language"] = "en"
    assert client.post(reverse("accounts:register"), GOOD).status_code == 302
    assert User.objects.get(phone="0912345678").language == "en"


def test_sessions_expire_when_idle(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE <= 3600


def _messages_on(client, response) -> str:
    page = client.get(response.url).content.decode()
    return page[page.index("<main") : page.index("</main>")]


def test_a_phone_only_registration_is_confirmed_and_says_what_to_do_next(client):
    response = client.post(reverse("accounts:register"), {**GOOD, "email": ""})
    assert response.status_code == 302
    main = _messages_on(client, response)
    assert "Tài khoản của bạn đã được tạo và bạn đã đăng nhập." in main
    assert "đăng nhập bằng số 0912345678 cùng mật khẩu vừa đặt" in main
    assert "bằng SMS" in main
    assert "Tiếp theo: tìm thủ tục cần làm và nộp hồ sơ trực tuyến." in main


def test_a_registration_with_an_email_is_confirmed_and_names_the_link_sent(client):
    response = client.post(reverse("accounts:register"), GOOD)
    main = _messages_on(client, response)
    assert "Tài khoản của bạn đã được tạo" in main
    assert "đăng nhập bằng hoa.le@example.vn" in main
    assert "đường dẫn đến hoa.le@example.vn" in main
    assert "gửi mã bằng SMS đến số 0912345678" in main


def test_the_address_is_asked_once_at_registration_and_fills_the_first_dossier(client):
    from dossiers.models import Dossier
    from tests.factories import AgencyFactory, published_procedure

    communes = [AgencyFactory(name="UBND xã Cán Khê"), AgencyFactory(name="UBND xã Xuân Du")]
    version = published_procedure(code="1.004873", agencies=communes)
    page = client.get(reverse("accounts:register")).content.decode()
    assert 'name="address"' in page
    client.post(reverse("accounts:register"), {**GOOD, "address": "Thôn Đồng Lạc, xã Xuân Du"})
    assert User.objects.get().address == "Thôn Đồng Lạc, xã Xuân Du"

    start = client.get(reverse("dossiers:start", args=[version.procedure.code])).content.decode()
    assert f'<option value="{communes[1].pk}" selected>' in start  # the unit the address names
    client.post(reverse("dossiers:start", args=[version.procedure.code]), {"agency": communes[1].pk})
    assert Dossier.objects.get().applicant_data["address"] == "Thôn Đồng Lạc, xã Xuân Du"


def test_a_refused_registration_opens_on_an_announced_summary(client):
    response = client.post(reverse("accounts:register"), {**GOOD, "citizen_id": "123", "password2": "khac"})
    page = response.content.decode()
    assert '<div class="alert alert-danger error-summary" role="alert" tabindex="-1" autofocus' in page
    assert "Có 2 lỗi cần sửa" in page
    assert 'href="#id_citizen_id"' in page
    assert 'href="#id_password2"' in page
    assert "<title>Lỗi: Đăng ký tài khoản" in page


def test_the_profile_and_the_password_link_pages_announce_their_errors(client):
    user = UserFactory(phone="0912345678")
    client.force_login(user)
    page = client.post(reverse("accounts:profile"), {"full_name": "", "phone": "", "email": ""}).content.decode()
    assert "error-summary" in page and 'href="#id_full_name"' in page
    assert "<title>Lỗi: " in page
    client.logout()
    page = client.post(reverse("accounts:password_link"), {"identifier": ""}).content.decode()
    assert 'href="#id_identifier"' in page
    assert "<title>Lỗi: " in page
