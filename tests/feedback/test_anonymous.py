"""A visitor who is not logged in sends feedback with their name and phone number: a code goes to the
number by SMS through the outbox, nothing is sent until the right code is typed, and the feedback is
then the account's that holds the confirmed number, or a new citizen account's without a password."""

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

import pytest

from accounts.models import User
from dossiers.models import Notification
from feedback.constants import Subject
from feedback.models import Feedback
from tests.accounts.conftest import last_code, main_of
from tests.conftest import artifacts_dir
from tests.dossiers.conftest import PDF
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEXT = "Cán bộ bộ phận một cửa xã không nhận hồ sơ, bảo tôi về xin thêm giấy xác nhận"
PHONE = "0987654321"


def _form(network, **changes):
    return {
        "full_name": "Nguyễn Văn Bình",
        "phone": "+84 987 654 321",
        "subject": Subject.CONDUCT,
        "agency": network["commune"].pk,
        "text": TEXT,
        **changes,
    }


def _start(client, network, capture, **changes):
    with capture(execute=True):
        return client.post(reverse("feedback:send"), _form(network, **changes))


def _type(client, capture, code):
    with capture(execute=True):
        return client.post(reverse("feedback:confirm_phone"), {"code": code})


def test_a_visitor_sees_the_name_and_phone_fields_and_no_dossier_subject(client, network):
    page = main_of(client.get(reverse("feedback:send")))
    assert 'name="full_name"' in page and 'name="phone"' in page and 'type="tel"' in page
    assert "Không cần tài khoản" in page
    assert 'value="dossier"' not in page and 'name="dossier"' not in page
    assert 'value="conduct"' in page and 'value="procedure"' in page
    refused = client.post(reverse("feedback:send"), _form(network, subject=Subject.DOSSIER))
    assert refused.status_code == 400 and TEXT in refused.content.decode()
    assert not Notification.objects.filter(kind="phone_code").exists()


def test_a_bad_number_or_no_unit_is_refused_before_any_code_and_keeps_the_text(
    client, network, django_capture_on_commit_callbacks
):
    refused = _start(client, network, django_capture_on_commit_callbacks, phone="12345")
    assert refused.status_code == 400
    assert "Hãy nhập số điện thoại Việt Nam gồm 10 hoặc 11 chữ số" in refused.content.decode()
    refused = _start(client, network, django_capture_on_commit_callbacks, agency="")
    assert refused.status_code == 400 and "Chọn đơn vị liên quan." in refused.content.decode()
    assert TEXT in refused.content.decode() and "Nguyễn Văn Bình" in refused.content.decode()
    assert not Notification.objects.exists() and not User.objects.filter(phone=PHONE).exists()


def test_the_code_goes_through_the_outbox_and_nothing_is_sent_before_the_right_code(
    client, network, settings, django_capture_on_commit_callbacks
):
    response = _start(client, network, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("feedback:confirm_phone")
    row = Notification.objects.get(kind="phone_code")
    assert row.channel == "sms" and row.address == PHONE
    code = last_code(settings, PHONE)
    assert not Feedback.objects.exists()

    page = main_of(client.get(response["Location"]))
    assert PHONE in page and TEXT in page and "UBND xã Xuân Du" in page  # what waits, and who answers
    wrong = "000000" if code != "000000" else "111111"
    refused = _type(client, django_capture_on_commit_callbacks, wrong)
    assert refused.status_code == 400
    assert "Đây không phải mã chúng tôi đã gửi." in main_of(refused)
    assert not Feedback.objects.exists()

    sent = _type(client, django_capture_on_commit_callbacks, code[:3] + " " + code[3:])
    feedback = Feedback.objects.get()
    assert sent.status_code == 302 and sent["Location"] == reverse("feedback:sent_anonymous", args=[feedback.reference])
    sender = feedback.sender
    assert sender.full_name == "Nguyễn Văn Bình" and sender.phone == PHONE and sender.phone_confirmed
    assert not sender.has_usable_password() and sender.email is None
    assert feedback.text == TEXT and feedback.agency == network["commune"]
    receipt = main_of(client.get(sent["Location"]))
    assert feedback.code in receipt and "4 số cuối số điện thoại" in receipt
    # The receipt is this session's: another visitor gets a 404.
    client.cookies.clear()
    assert client.get(sent["Location"]).status_code == 404


def test_the_feedback_goes_to_the_account_already_holding_the_confirmed_number(
    client, network, settings, django_capture_on_commit_callbacks
):
    holder = UserFactory(full_name="Nguyễn Văn Bình (tài khoản cũ)", phone=PHONE, phone_confirmed=True)
    accounts = User.objects.count()
    _start(client, network, django_capture_on_commit_callbacks, full_name="Bình")
    assert Notification.objects.get(kind="phone_code").recipient == holder
    _type(client, django_capture_on_commit_callbacks, last_code(settings, PHONE))
    feedback = Feedback.objects.get()
    assert feedback.sender == holder and User.objects.count() == accounts
    holder.refresh_from_db()
    assert holder.full_name == "Nguyễn Văn Bình (tài khoản cũ)" and holder.has_usable_password()


def test_a_second_try_for_the_same_number_reuses_the_account_opened_for_it(
    client, network, settings, django_capture_on_commit_callbacks
):
    _start(client, network, django_capture_on_commit_callbacks)
    code = last_code(settings, PHONE)
    client.cookies.clear()  # gave up; comes back later from another session
    _start(client, network, django_capture_on_commit_callbacks, full_name="Nguyễn Văn Bình An")
    assert User.objects.filter(phone=PHONE).count() == 1
    # The name typed waits for the code: whoever types a number does not rename its account.
    assert User.objects.get(phone=PHONE).full_name == "Nguyễn Văn Bình"
    _type(client, django_capture_on_commit_callbacks, code)  # the first code still holds (a minute apart)
    assert Feedback.objects.get().sender.full_name == "Nguyễn Văn Bình An"


def test_a_stranger_typing_a_waiting_number_renames_nobody(
    client, network, settings, django_capture_on_commit_callbacks
):
    _start(client, network, django_capture_on_commit_callbacks)  # the owner asks for a code
    code = last_code(settings, PHONE)
    owner = User.objects.get(phone=PHONE)
    client.cookies.clear()
    _start(client, network, django_capture_on_commit_callbacks, full_name="Trần Văn Lạ")  # a stranger
    wrong = "000000" if code != "000000" else "111111"
    assert _type(client, django_capture_on_commit_callbacks, wrong).status_code == 400
    owner.refresh_from_db()
    assert owner.full_name == "Nguyễn Văn Bình" and not owner.phone_confirmed
    assert "Trần Văn Lạ" not in User.objects.values_list("full_name", flat=True)
    assert not Feedback.objects.exists()


def test_a_number_confirmed_by_a_deactivated_account_cannot_be_used(
    client, network, settings, django_capture_on_commit_callbacks
):
    UserFactory(full_name="Tài khoản đã khóa", phone=PHONE, phone_confirmed=True, is_active=False)
    accounts = User.objects.count()
    refused = _start(client, network, django_capture_on_commit_callbacks)
    page = main_of(refused)
    assert refused.status_code == 400
    assert "Số điện thoại này không dùng được để gửi phản ánh trên Cổng." in page
    assert TEXT in page and "Nguyễn Văn Bình" in page  # what was typed stays
    assert not Notification.objects.filter(kind="phone_code").exists() and User.objects.count() == accounts


def test_an_account_deactivated_while_the_code_waits_sends_nothing(
    client, network, settings, django_capture_on_commit_callbacks
):
    holder = UserFactory(full_name="Nguyễn Văn Bình", phone=PHONE, phone_confirmed=True)
    _start(client, network, django_capture_on_commit_callbacks)
    User.objects.filter(pk=holder.pk).update(is_active=False)
    refused = _type(client, django_capture_on_commit_callbacks, last_code(settings, PHONE))
    assert refused.status_code == 400
    assert "Số điện thoại này không dùng được để gửi phản ánh trên Cổng." in main_of(refused)
    assert not Feedback.objects.exists()


def _waiting_key(client) -> str:
    page = main_of(client.get(reverse("feedback:confirm_phone")))
    return re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1)


def test_two_clicks_on_confirm_send_one_feedback_and_both_show_its_receipt(
    client, network, settings, django_capture_on_commit_callbacks
):
    _start(client, network, django_capture_on_commit_callbacks)
    code = last_code(settings, PHONE)
    key = _waiting_key(client)
    before = dict(client.session.items())  # the session as a second click at the same moment reads it
    first = _type(client, django_capture_on_commit_callbacks, code)
    feedback = Feedback.objects.get()
    receipt = reverse("feedback:sent_anonymous", args=[feedback.reference])
    assert first["Location"] == receipt

    session = client.session
    session.clear()
    session.update(before)
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(reverse("feedback:confirm_phone"), {"code": code, "submission_key": key})
    assert second.status_code == 302 and second["Location"] == receipt
    # A third click, after the first answered (nothing waits any more): the receipt again.
    with django_capture_on_commit_callbacks(execute=True):
        third = client.post(reverse("feedback:confirm_phone"), {"code": code, "submission_key": key})
    assert third["Location"] == receipt
    assert feedback.code in main_of(client.get(receipt))
    # The form sent again from the browser's history, the number proven: still the same feedback.
    again = _start(client, network, django_capture_on_commit_callbacks, submission_key=key)
    assert again["Location"] == receipt
    assert Feedback.objects.count() == 1 and feedback.events.count() == 1


def test_the_limits_of_phone_codes_apply(client, network, settings, django_capture_on_commit_callbacks):
    _start(client, network, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("feedback:confirm_phone"), {"resend": "1"}, follow=True)
    assert "Mã mới chỉ được gửi sau mã trước một phút" in main_of(again)
    assert Notification.objects.filter(kind="phone_code").count() == 1
    code = last_code(settings, PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(4):
        _type(client, django_capture_on_commit_callbacks, wrong)
    fifth = _type(client, django_capture_on_commit_callbacks, wrong)
    assert "Đã nhập sai mã quá nhiều lần. Hãy yêu cầu mã mới." in main_of(fifth)
    late = _type(client, django_capture_on_commit_callbacks, code)  # the right code no longer works
    assert late.status_code == 400 and not Feedback.objects.exists()


def test_what_was_typed_and_the_files_survive_the_code_step(
    client, network, settings, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("biên lai.pdf", PDF, content_type="application/pdf")
    response = _start(client, network, django_capture_on_commit_callbacks, files=[upload], may_publish="on")
    assert response.status_code == 302
    page = main_of(client.get(reverse("feedback:confirm_phone")))
    assert "biên lai.pdf" in page
    form_again = main_of(client.get(reverse("feedback:send")))  # back to change something: all still there
    assert TEXT in form_again and "Nguyễn Văn Bình" in form_again and "Đã giữ: biên lai.pdf" in form_again

    _type(client, django_capture_on_commit_callbacks, last_code(settings, PHONE))
    feedback = Feedback.objects.get()
    assert feedback.may_publish
    attachment = feedback.attachments.get()
    assert attachment.name == "biên lai.pdf" and attachment.file.read() == PDF
    pending = settings.MEDIA_ROOT / "feedback" / "pending"
    assert not pending.exists() or not any(pending.iterdir())  # the waiting copy is gone


def test_a_visitor_can_drop_what_waits(client, network, settings, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("anh.pdf", PDF, content_type="application/pdf")
    _start(client, network, django_capture_on_commit_callbacks, files=[upload])
    code = last_code(settings, PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        dropped = client.post(reverse("feedback:confirm_phone"), {"discard": "1"}, follow=True)
    assert "Phản ánh của bạn chưa được gửi" in main_of(dropped) and TEXT not in main_of(dropped)
    assert client.post(reverse("feedback:confirm_phone"), {"code": code}).status_code == 302
    assert not Feedback.objects.exists()
    assert not any((settings.MEDIA_ROOT / "feedback" / "pending").iterdir())


def test_sending_codes_from_one_address_is_limited_and_keeps_what_was_typed(
    client, network, django_capture_on_commit_callbacks
):
    for number in range(10):
        response = _start(client, network, django_capture_on_commit_callbacks, phone=f"09876543{number:02d}")
        assert response.status_code == 302
    refused = _start(client, network, django_capture_on_commit_callbacks, phone="0911111111", text="Lần thứ 11")
    page = main_of(refused)
    assert refused.status_code == 429
    assert "Kết nối này đã yêu cầu quá nhiều mã. Hãy chờ một lúc (tối đa một giờ) rồi gửi lại" in page
    assert "Lần thứ 11" in page and "0911111111" in page and "Nguyễn Văn Bình" in page
    assert Notification.objects.filter(kind="phone_code").count() == 10
    with django_capture_on_commit_callbacks(execute=True):
        resend = client.post(reverse("feedback:confirm_phone"), {"resend": "1"})
    assert resend.status_code == 429 and "Kết nối này đã yêu cầu quá nhiều mã." in main_of(resend)
    assert TEXT in main_of(resend)  # what waits is still there
    assert Notification.objects.filter(kind="phone_code").count() == 10


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_anonymous_form_and_the_code_page_at_390_px(live_server, page_390, settings):
    call_command("seed_demo", stdout=io.StringIO())
    seen = {}

    def steps(page):
        page.goto(live_server.url + reverse("feedback:send"))
        page.get_by_label("Họ và tên").fill("Nguyễn Văn Bình")
        page.get_by_label("Số điện thoại").fill("0987 654 321")
        page.get_by_label("Thái độ, cách làm việc của đơn vị hoặc cán bộ").check()
        page.get_by_label("Đơn vị liên quan").select_option(label="UBND thị trấn Bến Sung")
        page.get_by_label("Nội dung phản ánh và điều bạn kiến nghị").fill(TEXT)
        seen["form width"] = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(artifacts_dir() / "feedback-anonymous-390.png"), full_page=True)
        page.get_by_role("button", name="Tiếp tục: nhận mã qua SMS").click()
        page.get_by_label("Mã trong tin nhắn SMS").wait_for()
        seen["code page"] = page.get_by_test_id("feedback-waiting").inner_text()
        seen["code width"] = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(artifacts_dir() / "feedback-anonymous-code-390.png"), full_page=True)
        page.get_by_label("Mã trong tin nhắn SMS").fill(last_code(settings, PHONE))
        page.get_by_role("button", name="Xác nhận và gửi phản ánh").click()
        seen["code"] = page.get_by_test_id("feedback-code").inner_text()

    steps(page_390)
    feedback = Feedback.objects.get()
    assert seen["form width"] <= 390 and seen["code width"] <= 390
    assert TEXT in seen["code page"] and "UBND thị trấn Bến Sung" in seen["code page"]
    assert seen["code"] == feedback.code
    assert feedback.sender.phone == PHONE and feedback.sender.phone_confirmed


def test_once_the_number_is_proven_a_second_feedback_in_the_session_needs_no_new_code(
    client, network, settings, django_capture_on_commit_callbacks
):
    _start(client, network, django_capture_on_commit_callbacks)
    _type(client, django_capture_on_commit_callbacks, last_code(settings, PHONE))
    second = _start(client, network, django_capture_on_commit_callbacks, text="Một phản ánh thứ hai")
    assert second.status_code == 302 and Feedback.objects.count() == 2
    assert Notification.objects.filter(kind="phone_code").count() == 1
    assert Feedback.objects.get(text="Một phản ánh thứ hai").sender.phone == PHONE
    other = _start(client, network, django_capture_on_commit_callbacks, phone="0977000111", text="Số khác")
    assert other["Location"] == reverse("feedback:confirm_phone")  # another number: its own code first
    assert Feedback.objects.count() == 2


def test_the_confirmation_page_without_anything_waiting_goes_back_to_the_form(client):
    assert client.get(reverse("feedback:confirm_phone"))["Location"] == reverse("feedback:send")
    assert client.post(reverse("feedback:confirm_phone"), {"code": "123456"})["Location"] == reverse("feedback:send")


def test_the_nightly_sweep_removes_only_files_of_visitors_who_never_typed_their_code():
    import os
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from feedback.anonymous import PENDING_DIR
    from feedback.tasks import pending_files_sweep_task

    old = default_storage.save(f"{PENDING_DIR}/bo-lai", ContentFile(b"%PDF-1.4 old"))
    fresh = default_storage.save(f"{PENDING_DIR}/dang-cho", ContentFile(b"%PDF-1.4 fresh"))
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(default_storage.path(old), (two_days_ago, two_days_ago))
    assert pending_files_sweep_task() == 1
    assert not default_storage.exists(old) and default_storage.exists(fresh)
    assert pending_files_sweep_task() == 0
