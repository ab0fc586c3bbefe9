"""Typing someone else's phone number or email address into the profile or the registration form
answers exactly as typing a free one: the value waits for its confirmation (SMS code, link)."""

from django.urls import reverse

import pytest

from accounts.models import User
from tests.accounts.conftest import main_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TAKEN_PHONES = ["0912345678", "0912 345 678", "+84 912 345 678"]
FREE_PHONES = ["0987000111", "0987 000 111", "+84 987 000 111"]


def _profile_answer(client, django_capture_on_commit_callbacks, user, **changes):
    data = {"full_name": user.full_name, "phone": user.phone or "", "email": user.email or "", "language": "vi"}
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:profile"), {**data, **changes})
    followed = client.get(response.url)
    return response.status_code, response.url, followed


def _same_words(a, b, typed_a, typed_b):
    from accounts.validators import normalize_phone

    text_a = main_of(a).replace(normalize_phone(typed_a), "X").replace(typed_a, "X")
    text_b = main_of(b).replace(normalize_phone(typed_b), "X").replace(typed_b, "X")
    return text_a == text_b


@pytest.mark.parametrize(("taken", "free"), list(zip(TAKEN_PHONES, FREE_PHONES, strict=True)))
def test_the_profile_answers_alike_for_a_number_of_another_account_and_a_free_one(
    client, django_capture_on_commit_callbacks, taken, free
):
    UserFactory(full_name="Trần Văn Bình", phone="0912345678")
    one, two = UserFactory(full_name="Lê Thị Hoa"), UserFactory(full_name="Lê Thị Hoa")
    status_a, url_a, page_a = _profile_answer(client, django_capture_on_commit_callbacks, one, phone=taken)
    status_b, url_b, page_b = _profile_answer(client, django_capture_on_commit_callbacks, two, phone=free)
    assert (status_a, url_a) == (status_b, url_b) == (302, reverse("accounts:confirm_phone"))
    assert _same_words(page_a, page_b, taken, free)
    assert "đã có" not in main_of(page_a)


def test_the_profile_answers_alike_for_an_email_of_another_account_and_a_free_one(
    client, django_capture_on_commit_callbacks
):
    from django.core import mail

    UserFactory(email="binh@example.vn")
    one, two = (UserFactory(full_name="Lê Thị Hoa", phone=None) for _n in range(2))
    a = _profile_answer(client, django_capture_on_commit_callbacks, one, email="Binh@Example.vn")
    b = _profile_answer(client, django_capture_on_commit_callbacks, two, email="lan@example.vn")
    assert a[:2] == b[:2]
    page_a = main_of(a[2]).replace(one.email, "Y").replace("binh@example.vn", "X")
    page_b = main_of(b[2]).replace(two.email, "Y").replace("lan@example.vn", "X")
    assert page_a == page_b
    assert [m.to for m in mail.outbox] == [["binh@example.vn"], ["lan@example.vn"]]
    one.refresh_from_db()
    assert one.email != "binh@example.vn"  # nothing changes before the link is opened


def test_a_new_email_becomes_the_accounts_when_its_link_is_opened_unless_another_has_it(
    client, django_capture_on_commit_callbacks
):
    import re

    from django.core import mail

    user = UserFactory(email="hoa@example.vn")
    _profile_answer(client, django_capture_on_commit_callbacks, user, email="hoa.moi@example.vn")
    _profile_answer(client, django_capture_on_commit_callbacks, user, email="binh@example.vn")
    first, second = (re.search(r"/xac-nhan-email/\S+/", m.body).group(0) for m in mail.outbox)
    UserFactory(email="binh@example.vn")  # someone else took it meanwhile
    refused = main_of(client.get(second, follow=True))
    assert "Không thể thêm địa chỉ này vào tài khoản này" in refused
    assert "binh@example.vn" not in refused
    client.get(first)
    user.refresh_from_db()
    assert user.email == "hoa.moi@example.vn" and user.email_verified_at is not None


@pytest.mark.parametrize(("taken", "free"), list(zip(TAKEN_PHONES, FREE_PHONES, strict=True)))
def test_registering_answers_alike_for_a_number_of_another_account_and_a_free_one(
    client, django_capture_on_commit_callbacks, taken, free
):
    UserFactory(phone="0912345678")
    base = {"full_name": "Lê Thị Hoa", "email": "", "password1": "mua-lua-xuan-du-2026"}
    base["password2"] = base["password1"]
    answers = []
    for n, phone in enumerate([taken, free]):
        client.logout()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("accounts:register"), {**base, "phone": phone, "citizen_id": f"03819000123{n}"}
            )
        answers.append((response.status_code, response.url, client.get(response.url)))
    assert answers[0][:2] == answers[1][:2] == (302, reverse("accounts:confirm_phone"))
    assert _same_words(answers[0][2], answers[1][2], taken, free)


def test_a_taken_email_and_a_taken_citizen_id_are_refused_in_the_same_words(client):
    UserFactory(email="binh@example.vn", citizen_id="038190009999")
    base = {
        "full_name": "Lê Thị Hoa",
        "phone": "",
        "password1": "mua-lua-xuan-du-2026",
        "password2": "mua-lua-xuan-du-2026",
    }

    def summary(**fields):
        page = client.post(reverse("accounts:register"), {**base, **fields})
        assert page.status_code == 400
        text = page.content.decode()
        return text[text.index('data-testid="error-summary"') : text.index("</ul>", text.index("error-summary"))]

    by_email = summary(email="binh@example.vn", citizen_id="038190001234")
    by_id = summary(email="hoa@example.vn", citizen_id="038190009999")
    assert by_email == by_id
    assert "Không thể tạo tài khoản với địa chỉ email hoặc số định danh cá nhân này" in by_email
    assert User.objects.count() == 1


def test_registering_is_limited_to_ten_an_hour_from_one_address(client):
    UserFactory(email="binh@example.vn")
    statuses = [
        client.post(
            reverse("accounts:register"), {"full_name": "X", "email": "binh@example.vn", "citizen_id": "1"}
        ).status_code
        for _attempt in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
