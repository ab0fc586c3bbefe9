"""A phone number logs in and receives SMS only after the code sent to it by SMS (through the outbox)
is typed: 6 digits, 10 minutes, 5 wrong tries, a new code each minute at most and 5 a day."""

from datetime import timedelta

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.models import PhoneConfirmation, User
from accounts.services import citizen_create_at_desk
from dossiers.models import Notification
from tests.accounts.conftest import last_code, main_of, sms_texts
from tests.factories import PASSWORD, AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "full_name": "Lê Thị Hoa",
    "citizen_id": "038190001234",
    "phone": "+84 912 345 678",
    "email": "hoa.le@example.vn",
    "password1": "mua-lua-xuan-du-2026",
    "password2": "mua-lua-xuan-du-2026",
}
CONFIRM = "accounts:confirm_phone"


def _login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def _register(client, django_capture_on_commit_callbacks, **changes):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("accounts:register"), {**GOOD, **changes})


def _type(client, code):
    return client.post(reverse(CONFIRM), {"code": code})


def test_a_registered_number_logs_in_only_after_its_sms_code_is_typed(
    client, settings, django_capture_on_commit_callbacks
):
    response = _register(client, django_capture_on_commit_callbacks)
    assert response.url == reverse(CONFIRM)
    code = last_code(settings, "0912345678")
    row = Notification.objects.get(channel="sms", address="0912345678")
    assert row.status == "sent" and code not in row.body  # the outbox sent it and keeps no code
    assert code not in PhoneConfirmation.objects.get().code_hash

    client.post(reverse("accounts:logout"))
    assert _login(client, "0912345678", GOOD["password1"]).status_code == 200  # not yet an identifier
    assert _login(client, "hoa.le@example.vn", GOOD["password1"]).status_code == 302
    page = client.get(reverse(CONFIRM))
    assert "0912345678" in main_of(page)
    response = client.post(reverse(CONFIRM), {"code": code[:3] + " " + code[3:]}, follow=True)
    assert "Số điện thoại 0912345678 đã được xác nhận" in main_of(response)
    client.post(reverse("accounts:logout"))
    assert _login(client, "+84 912 345 678", GOOD["password1"]).status_code == 302
    assert User.objects.get().phone_confirmed is True


def test_a_phone_only_registrant_is_sent_to_the_code_page_and_told_why(
    client, settings, django_capture_on_commit_callbacks
):
    response = _register(client, django_capture_on_commit_callbacks, email="")
    page = client.get(response.url)
    main = main_of(page)
    assert "Tài khoản của bạn đã được tạo và bạn đã đăng nhập." in main
    assert "gửi mã bằng SMS đến số 0912345678" in main
    assert "Xác nhận số điện thoại" in main
    assert 'autocomplete="one-time-code"' in main and 'inputmode="numeric"' in main
    assert "var/sms/" in main  # the demo says where its SMS go
    assert len(sms_texts(settings)) == 1


def test_five_wrong_codes_end_the_code_and_a_new_one_works(client, settings, django_capture_on_commit_callbacks):
    _register(client, django_capture_on_commit_callbacks)
    code = last_code(settings, "0912345678")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _attempt in range(4):
        assert "Đây không phải mã chúng tôi đã gửi" in main_of(_type(client, wrong))
    assert "Đã nhập sai mã quá nhiều lần" in main_of(_type(client, wrong))
    assert "Đã nhập sai mã quá nhiều lần" in main_of(_type(client, code))  # even the right one now
    assert User.objects.get().phone_confirmed is False

    PhoneConfirmation.objects.update(sent_at=timezone.now() - timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(CONFIRM), {"resend": "1"})
    new = last_code(settings, "0912345678")
    assert _type(client, new).status_code == 302
    assert User.objects.get().phone_confirmed is True


def test_a_code_older_than_ten_minutes_is_refused(client, settings, django_capture_on_commit_callbacks):
    _register(client, django_capture_on_commit_callbacks)
    code = last_code(settings, "0912345678")
    PhoneConfirmation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert "Mã này đã hết hạn" in main_of(_type(client, code))
    assert User.objects.get().phone_confirmed is False


def test_a_new_code_comes_at_most_each_minute_and_five_a_day(client, settings, django_capture_on_commit_callbacks):
    _register(client, django_capture_on_commit_callbacks)  # the first code
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(CONFIRM), {"resend": "1"}, follow=True)
    assert "Mã mới chỉ được gửi sau mã trước một phút" in main_of(response)
    for _attempt in range(6):
        PhoneConfirmation.objects.update(sent_at=timezone.now() - timedelta(minutes=2))
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse(CONFIRM), {"resend": "1"})
    assert len(sms_texts(settings)) == 5
    PhoneConfirmation.objects.update(sends_since=timezone.now() - timedelta(days=1, seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(CONFIRM), {"resend": "1"})
    assert len(sms_texts(settings)) == 6  # a new day


def test_a_number_another_account_confirmed_is_refused_at_the_code_without_naming_it(
    client, settings, django_capture_on_commit_callbacks
):
    UserFactory(full_name="Trần Văn Bình", email="binh@example.vn", phone="0912345678")
    _register(client, django_capture_on_commit_callbacks, email="")
    code = last_code(settings, "0912345678")  # the number's holder receives it
    main = main_of(_type(client, code))
    assert "Không thể xác nhận số này cho tài khoản này" in main
    assert "Bình" not in main and "binh@" not in main
    assert User.objects.get(citizen_id=GOOD["citizen_id"]).phone_confirmed is False
    assert _login(client, "0912345678", PASSWORD).status_code == 302  # still Bình's number


def test_the_profile_keeps_the_confirmed_number_until_the_new_one_is_confirmed(
    client, settings, django_capture_on_commit_callbacks
):
    user = UserFactory(email="hoa@example.vn", phone="0912345678")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:profile"),
            {"full_name": user.full_name, "phone": "0987 654 321", "email": "hoa@example.vn", "language": "vi"},
        )
    assert response.url == reverse(CONFIRM)
    profile = main_of(client.get(reverse("accounts:profile")))
    assert "Số mới 0987654321 đang chờ nhập mã xác nhận." in profile
    user.refresh_from_db()
    assert (user.phone, user.phone_confirmed) == ("0912345678", True)
    client.post(reverse("accounts:logout"))
    assert _login(client, "0987654321", PASSWORD).status_code == 200
    assert _login(client, "0912345678", PASSWORD).status_code == 302
    _type(client, last_code(settings, "0987654321"))
    user.refresh_from_db()
    assert (user.phone, user.phone_confirmed) == ("0987654321", True)


def _digest_to(user) -> set[str]:
    from django.db import transaction

    from dossiers.outbox import notify

    with transaction.atomic():
        notify(
            recipient=user,
            key=f"digest-test:{user.pk}",
            kind="digest",
            template="digest",
            context={"agency": AgencyFactory(), "dossiers": [], "total": 1, "now": timezone.now()},
            link="http://127.0.0.1:8000/",
        )
    return set(Notification.objects.filter(recipient=user).values_list("channel", flat=True))


def test_sms_news_go_to_a_confirmed_number_only():
    confirmed = UserFactory(phone="0912345678")
    waiting = UserFactory(phone="0987654321", phone_confirmed=False)
    assert _digest_to(confirmed) == {"in_app", "email", "sms"}
    assert _digest_to(waiting) == {"in_app", "email"}


def test_a_forgotten_password_link_goes_by_sms_to_a_confirmed_number_only(client, settings):
    UserFactory(email=None, phone="0987654321", phone_confirmed=False)
    client.post(reverse("accounts:password_link"), {"identifier": "0987654321"})
    assert sms_texts(settings) == []
    UserFactory(email=None, phone="0977000111")
    client.post(reverse("accounts:password_link"), {"identifier": "0977000111"})
    assert [m["to"] for m in sms_texts(settings)] == ["0977000111"]


def test_a_number_given_at_the_desk_counts_as_confirmed(client, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        citizen = citizen_create_at_desk(full_name="Hà Văn Sơn", citizen_id="038090004321", phone="0987654321")
    assert citizen.phone_confirmed is True
    assert [m["to"] for m in sms_texts(settings)] == ["0987654321"]  # the set-password link
    citizen.set_password(PASSWORD)
    citizen.save()
    assert _login(client, "0987 654 321", PASSWORD).status_code == 302


def test_demo_accounts_log_in_by_phone(client):
    import io

    from accounts.demo import DEMO_PASSWORD, DEMO_USERS

    call_command("seed_demo", stdout=io.StringIO())
    demo = next(d for d in DEMO_USERS if d.phone and not d.role)
    assert _login(client, demo.phone, DEMO_PASSWORD).status_code == 302


def test_removing_and_retyping_a_number_buys_no_extra_codes(client, settings, django_capture_on_commit_callbacks):
    user = UserFactory(email="hoa@example.vn", phone=None)
    client.force_login(user)
    data = {"full_name": user.full_name, "email": "hoa@example.vn", "language": "vi"}
    for _cycle in range(8):
        PhoneConfirmation.objects.update(sent_at=timezone.now() - timedelta(minutes=2))
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("accounts:profile"), {**data, "phone": "0987654321"})
            client.post(reverse("accounts:profile"), {**data, "phone": ""})
    assert len(sms_texts(settings)) == 5
    page = main_of(client.get(reverse("accounts:profile")))
    status = page[page.index('data-testid="phone-status"') : page.index("</dd>", page.index("phone-status"))]
    assert "0987654321" not in status  # removed: nothing waits


def test_a_phone_only_registrant_who_left_before_the_code_logs_in_and_is_asked_for_it(
    client, settings, django_capture_on_commit_callbacks
):
    _register(client, django_capture_on_commit_callbacks, email="")
    client.post(reverse("accounts:logout"))
    # Someone else waiting on the same number, with another password, is not let in by it.
    UserFactory(phone="0912345678", phone_confirmed=False, email="", citizen_id="038190009999")
    assert _login(client, "0912345678", "not-the-password").status_code == 200
    response = _login(client, "0912 345 678", GOOD["password1"])
    assert response.status_code == 302 and response.url == reverse(CONFIRM)
    assert client.get(reverse(CONFIRM)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(CONFIRM), {"resend": "1"})
    _type(client, last_code(settings, "0912345678"))
    assert User.objects.get(citizen_id=GOOD["citizen_id"]).phone_confirmed is True


def test_one_number_gets_at_most_ten_codes_a_day_over_every_account_that_names_it(
    settings, django_capture_on_commit_callbacks
):
    from accounts.services import phone_code_send

    sent = []
    for n in range(12):
        user = UserFactory(phone="0987654321", phone_confirmed=False, email="", citizen_id=f"0381900100{n:02d}")
        with django_capture_on_commit_callbacks(execute=True):
            sent.append(phone_code_send(user=user, phone="0987654321"))
    assert sent == [True] * 10 + [False] * 2
    assert len([m for m in sms_texts(settings) if m["to"] == "0987654321"]) == 10
