from datetime import timedelta
from unittest import mock

from django.core import mail
from django.urls import reverse
from django.utils import timezone

import pytest

from dossiers.constants import NotificationChannel, NotificationStatus
from dossiers.links import lookup_url
from dossiers.models import Dossier, Notification
from dossiers.outbox import notification_deliver, notification_resend, notifications_sweep
from dossiers.services import dossier_receive
from onestop.sms import SmsError
from tests.dossiers.conftest import submit_online

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(citizen, network, allowance, django_capture_on_commit_callbacks):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    with django_capture_on_commit_callbacks(execute=False):
        outcome = dossier_receive(dossier=dossier, by=network["clerk"])
    return outcome.event


def test_a_status_change_writes_one_row_per_channel_in_its_own_transaction(received):
    rows = {n.channel: n for n in Notification.objects.filter(event=received)}
    assert set(rows) == {NotificationChannel.EMAIL, NotificationChannel.SMS, NotificationChannel.IN_APP}
    assert {row.key for row in rows.values()} == {f"event:{received.pk}:{channel}" for channel in rows}
    assert received.dossier.code in rows[NotificationChannel.EMAIL].subject
    assert "Hồ sơ của bạn đã được tiếp nhận" in rows[NotificationChannel.EMAIL].body
    sms = rows[NotificationChannel.SMS].body
    assert sms.isascii() and len(sms) <= 160 and received.dossier.code in sms and "/tra-cuu/" in sms
    assert sms.endswith(lookup_url(received.dossier))
    assert all(row.status == NotificationStatus.PENDING for row in rows.values())


def test_the_submission_confirmation_goes_through_the_outbox(
    citizen, network, allowance, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    rows = Notification.objects.filter(dossier=dossier)
    assert {(row.channel, row.status) for row in rows} == {
        (NotificationChannel.EMAIL, NotificationStatus.SENT),
        (NotificationChannel.SMS, NotificationStatus.SENT),
        (NotificationChannel.IN_APP, NotificationStatus.SENT),
    }
    assert [message.to for message in mail.outbox] == [["hoa@example.vn"]]
    assert dossier.code in mail.outbox[0].subject and "Mới đăng ký" in mail.outbox[0].subject


def test_messages_are_written_in_the_recipients_language(citizen, network, allowance):
    citizen.language = "en"
    citizen.save()
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    event_rows = {n.channel: n for n in Notification.objects.filter(dossier=dossier)}
    dossier_receive(dossier=dossier, by=network["clerk"])
    received = {
        n.channel: n
        for n in Notification.objects.filter(dossier=dossier).exclude(pk__in=[r.pk for r in event_rows.values()])
    }
    assert received[NotificationChannel.EMAIL].subject == f"Dossier {dossier.code}: Received"
    assert "Your dossier has been received." in received[NotificationChannel.EMAIL].body
    assert received[NotificationChannel.SMS].body.startswith(f"Dossier {dossier.code}: Received.")
    assert "Mới đăng ký" not in event_rows[NotificationChannel.EMAIL].subject


def test_a_citizen_who_turned_sms_off_gets_no_sms_but_still_the_portal_message(citizen, network, allowance):
    citizen.notify_sms = False
    citizen.save()
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    assert set(Notification.objects.filter(dossier=dossier).values_list("channel", flat=True)) == {
        NotificationChannel.EMAIL,
        NotificationChannel.IN_APP,
    }


def _sms_addresses(dossier):
    return list(
        Notification.objects.filter(dossier=dossier, channel=NotificationChannel.SMS).values_list("address", flat=True)
    )


def test_an_online_dossiers_news_goes_by_sms_only_to_a_number_its_holder_confirmed(citizen, network, allowance):
    # The account's number is not confirmed yet: the same number typed on the dossier gets nothing.
    citizen.phone_confirmed = False
    citizen.save()
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    assert _sms_addresses(dossier) == []
    assert Notification.objects.filter(dossier=dossier, channel=NotificationChannel.IN_APP).exists()
    # Confirmed: the next news goes to it.
    citizen.phone_confirmed = True
    citizen.save()
    dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    assert _sms_addresses(dossier) == ["0912345678"]
    # Someone else's number typed on an online dossier is not written to: the account's confirmed one is.
    other = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    Dossier.objects.filter(pk=other.pk).update(applicant_data={**other.applicant_data, "phone": "0987 000 111"})
    other.refresh_from_db()
    dossier_receive(dossier=other, by=network["clerk"])
    assert set(_sms_addresses(other)) == {"0912345678"}


def test_delivery_sends_once_even_when_the_task_runs_twice(received, settings):
    email = Notification.objects.get(event=received, channel=NotificationChannel.EMAIL)
    assert notification_deliver(notification_id=email.pk) == NotificationStatus.SENT
    assert notification_deliver(notification_id=email.pk) == "skipped"
    assert len(mail.outbox) == 1
    sms = Notification.objects.get(event=received, channel=NotificationChannel.SMS)
    notification_deliver(notification_id=sms.pk)
    assert len(list(settings.SMS_FILE_PATH.glob("*.log"))) == 1


def test_a_gateway_error_is_retried_with_backoff_then_failed_after_a_day(received):
    sms = Notification.objects.get(event=received, channel=NotificationChannel.SMS)
    with mock.patch("onestop.sms.FileBackend.send", side_effect=SmsError("gateway answered 500", retryable=True)):
        assert notification_deliver(notification_id=sms.pk) == NotificationStatus.PENDING
        sms.refresh_from_db()
        assert sms.attempts == 1 and sms.next_attempt_at > timezone.now() and "500" in sms.last_error
        Notification.objects.filter(pk=sms.pk).update(
            created_at=timezone.now() - timedelta(hours=25), next_attempt_at=timezone.now()
        )
        assert notification_deliver(notification_id=sms.pk) == NotificationStatus.FAILED
    sms.refresh_from_db()
    assert sms.status == NotificationStatus.FAILED and sms.attempts == 2
    notification_resend(notification=sms)
    sms.refresh_from_db()
    assert sms.status == NotificationStatus.PENDING


def test_an_invalid_phone_fails_its_row_with_the_reason_and_the_other_channels_still_go(received):
    sms = Notification.objects.get(event=received, channel=NotificationChannel.SMS)
    Notification.objects.filter(pk=sms.pk).update(address="12345")
    assert notification_deliver(notification_id=sms.pk) == NotificationStatus.FAILED
    sms.refresh_from_db()
    assert (
        "0912345678" in sms.last_error or "số điện thoại" in sms.last_error.lower() or "phone" in sms.last_error.lower()
    )
    email = Notification.objects.get(event=received, channel=NotificationChannel.EMAIL)
    assert notification_deliver(notification_id=email.pk) == NotificationStatus.SENT


def test_an_invalid_or_refused_email_address_fails_its_row_and_the_sms_still_goes(received):
    import smtplib

    email = Notification.objects.get(event=received, channel=NotificationChannel.EMAIL)
    Notification.objects.filter(pk=email.pk).update(address="hoa@@example")
    assert notification_deliver(notification_id=email.pk) == NotificationStatus.FAILED
    email.refresh_from_db()
    assert email.attempts == 1 and "email" in email.last_error.lower()
    refused = smtplib.SMTPRecipientsRefused({"hoa@example.vn": (550, b"no such user")})
    Notification.objects.filter(pk=email.pk).update(status=NotificationStatus.PENDING, address="hoa@example.vn")
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=refused):
        assert notification_deliver(notification_id=email.pk) == NotificationStatus.FAILED
    email.refresh_from_db()
    assert "refused" in email.last_error and len(mail.outbox) == 0
    sms = Notification.objects.get(event=received, channel=NotificationChannel.SMS)
    assert notification_deliver(notification_id=sms.pk) == NotificationStatus.SENT


def test_the_sweep_sends_what_a_dead_broker_missed(received):
    # The submission's and the reception's messages were never queued (the broker was down).
    broker_down = ConnectionError("redis down")
    with (  # rows queued together go as one task (notifications_deliver_task), a row alone as the other
        mock.patch("dossiers.tasks.notification_deliver_task.apply_async", side_effect=broker_down),
        mock.patch("dossiers.tasks.notifications_deliver_task.apply_async", side_effect=broker_down),
    ):
        assert notifications_sweep() == 6  # nothing lost: still pending, still found
    assert Notification.objects.filter(status=NotificationStatus.PENDING).count() == 6
    assert notifications_sweep() == 6  # broker back: eager tasks deliver them
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 6
    assert notifications_sweep() == 0
    assert len(mail.outbox) == 2


def test_a_status_change_succeeds_while_the_broker_is_down(
    citizen, network, allowance, django_capture_on_commit_callbacks
):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    broker_down = mock.patch(
        "dossiers.tasks.notification_deliver_task.apply_async", side_effect=ConnectionError("down")
    )
    with broker_down, django_capture_on_commit_callbacks(execute=True):
        outcome = dossier_receive(dossier=dossier, by=network["clerk"])
    assert outcome.dossier.status == "received"
    assert Notification.objects.filter(event=outcome.event, status=NotificationStatus.PENDING).count() == 3


def test_each_channel_goes_to_its_own_queue(citizen, network, allowance, django_capture_on_commit_callbacks):
    with (
        mock.patch("dossiers.tasks.notification_deliver_task.apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    queues = {
        Notification.objects.get(pk=call.args[0][0]).channel: call.kwargs["queue"] for call in queued.call_args_list
    }
    assert queues == {
        NotificationChannel.EMAIL: "mail",
        NotificationChannel.SMS: "sms",
        NotificationChannel.IN_APP: "celery",
    }


def test_the_header_counts_unread_messages_and_the_list_marks_them_read(client, citizen, received):
    client.force_login(citizen)
    page = client.get(reverse("dossiers:mine")).content.decode()
    assert 'data-testid="unread-count">2<' in page  # registered, then received
    listing = client.get(reverse("dossiers:notifications")).content.decode()
    assert received.dossier.code in listing
    page = client.get(reverse("dossiers:mine")).content.decode()
    assert 'data-testid="unread-count"' not in page


def test_nobody_reads_someone_elses_messages(client, received):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert received.dossier.code not in client.get(reverse("dossiers:notifications")).content.decode()


def test_staff_see_failed_messages_of_their_dossiers_and_resend_one_with_a_click(
    client, received, network, django_capture_on_commit_callbacks
):
    sms = Notification.objects.get(event=received, channel=NotificationChannel.SMS)
    Notification.objects.filter(pk=sms.pk).update(
        status=NotificationStatus.FAILED, attempts=9, last_error="gateway answered 500"
    )
    client.force_login(network["clerk"])
    page = client.get(reverse("dossiers:undelivered")).content.decode()
    assert page.count('data-testid="undelivered-row"') == 1
    assert received.dossier.code in page and "gateway answered 500" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dossiers:undelivered"), {"notification": sms.pk}, follow=True)
    assert "Tin nhắn đã được xếp gửi lại: 0912345678" in response.content.decode()
    sms.refresh_from_db()
    assert sms.status == NotificationStatus.SENT  # queued again and delivered (tasks run in-process here)
    assert "Mọi tin nhắn đã được gửi đi" in client.get(reverse("dossiers:undelivered")).content.decode()
    again = client.post(reverse("dossiers:undelivered"), {"notification": sms.pk})
    assert again.status_code == 404  # no longer undelivered: nothing to resend twice


def test_other_units_and_citizens_cannot_see_or_resend_failed_messages(client, received, network, citizen):
    sms = Notification.objects.get(event=received, channel=NotificationChannel.SMS)
    Notification.objects.filter(pk=sms.pk).update(status=NotificationStatus.FAILED)
    client.force_login(network["other_clerk"])
    assert received.dossier.code not in client.get(reverse("dossiers:undelivered")).content.decode()
    assert client.post(reverse("dossiers:undelivered"), {"notification": sms.pk}).status_code == 404
    client.force_login(citizen)
    assert client.get(reverse("dossiers:undelivered")).status_code == 403
    sms.refresh_from_db()
    assert sms.status == NotificationStatus.FAILED


class _Missing(str):
    """A ``string_if_invalid`` that fails the render on any unknown variable."""

    def __contains__(self, _item):
        return True

    def __mod__(self, name):
        raise AssertionError(f"unknown template variable: {name}")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_message_template_renders_fully_in_each_language(settings, language, citizen, network, allowance):
    from django.utils.translation import override

    from dossiers.constants import EventKind, Status
    from dossiers.models import DossierEvent
    from dossiers.outbox import render_texts

    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "OPTIONS": {**settings.TEMPLATES[0]["OPTIONS"], "string_if_invalid": _Missing("%s")}}
    ]
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    seen = set()
    for status in [s for s in Status if s != Status.DRAFT] + ["apology"]:
        kind = EventKind.APOLOGY if status == "apology" else EventKind.STATUS
        event = DossierEvent(
            dossier=dossier, kind=kind, to_status=dossier.status if status == "apology" else status, note=""
        )
        if status == "apology":
            dossier.new_appointment_at = timezone.now()
        texts = render_texts(
            "event",
            {"dossier": dossier, "event": event, "recipient": citizen, "link": "L"},
            language=language,
            link="L",
        )
        assert texts.subject and dossier.code in texts.subject and texts.sms.endswith(" L")
        seen.add(texts.body)
    assert len(seen) == len(Status) - 1 + 1  # a different text for each status and the apology
    staff = {"dossier": dossier, "recipient": network["leader"], "link": "L"}
    for template, context in [
        ("reminder", staff),
        ("escalation", staff),
        ("digest", {**staff, "dossiers": [dossier], "total": 3, "agency": network["district"], "now": timezone.now()}),
    ]:
        texts = render_texts(template, context, language=language, link="L")
        assert texts.subject and texts.body and len(texts.sms) <= 160
    with override(language), pytest.raises(AssertionError, match="unknown template variable"):
        render_texts("reminder", {"recipient": citizen, "link": "L"}, language=language, link="L")


def test_send_again_goes_to_the_corrected_address_and_a_bad_id_is_not_found(
    client, received, network, citizen, django_capture_on_commit_callbacks
):
    sms = Notification.objects.get(event=received, channel=NotificationChannel.SMS)
    Notification.objects.filter(pk=sms.pk).update(status=NotificationStatus.FAILED, attempts=3, address="12345")
    citizen.phone = "0987654321"  # the clerk corrected the number in the citizen's account
    citizen.save()
    client.force_login(network["clerk"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dossiers:undelivered"), {"notification": sms.pk})
    sms.refresh_from_db()
    assert (sms.status, sms.address, sms.attempts) == (NotificationStatus.SENT, "0987654321", 1)
    assert client.post(reverse("dossiers:undelivered"), {"notification": "abc"}).status_code == 404


def test_a_clerk_does_not_see_the_leaders_own_failed_messages(client, received, network):
    from dossiers.constants import NotificationKind

    Notification.objects.create(
        key="escalation:test",
        kind=NotificationKind.ESCALATION,
        dossier=received.dossier,
        channel=NotificationChannel.EMAIL,
        recipient=network["leader"],
        address="lanhdao@example.vn",
        subject="Quá hạn",
        body="Quá hạn",
        status=NotificationStatus.FAILED,
    )
    client.force_login(network["clerk"])
    assert "lanhdao@example.vn" not in client.get(reverse("dossiers:undelivered")).content.decode()
    client.force_login(network["leader"])
    assert "lanhdao@example.vn" in client.get(reverse("dossiers:undelivered")).content.decode()


def test_a_result_paid_for_after_it_is_ready_is_announced_once_by_sms_and_once_in_the_history(
    client, citizen, network, allowance, settings, django_capture_on_commit_callbacks
):
    """The fee of a ready result paid online, then the result returned: each status reaches the
    citizen's phone once, and the page's history names each status once."""
    import json
    from collections import Counter
    from urllib.parse import parse_qsl, urlsplit

    from dossiers.services import dossier_complete, dossier_hand_over, dossier_return
    from tests.dossiers.conftest import pdf_upload

    clerk, specialist, leader = network["clerk"], network["specialist"], network["leader"]
    with django_capture_on_commit_callbacks(execute=True):
        dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    for step in (
        lambda d: dossier_receive(dossier=d, by=clerk),
        lambda d: dossier_hand_over(dossier=d, by=clerk, to_agency=network["department"], to_user=specialist),
        lambda d: dossier_hand_over(dossier=d, by=specialist, to_agency=network["district"], to_user=leader),
        lambda d: dossier_hand_over(dossier=d, by=leader, to_agency=network["commune"], to_user=clerk),
        lambda d: dossier_complete(dossier=d, by=clerk, results=[pdf_upload("quyet-dinh.pdf")]),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            dossier = step(dossier).dossier
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        gateway = urlsplit(client.post(reverse("dossiers:pay", args=[dossier.reference]))["Location"])
        client.post(gateway.path, {**dict(parse_qsl(gateway.query)), "choice": "pay"})
    dossier.refresh_from_db()
    assert dossier.fee_paid_at
    with django_capture_on_commit_callbacks(execute=True):
        dossier_return(dossier=dossier, by=clerk, delivery="desk")

    texts = [
        json.loads(line)["text"]
        for log in settings.SMS_FILE_PATH.glob("*.log")
        for line in log.read_text().splitlines()
    ]
    statuses = Counter(text.split(": ", 1)[1].split(".")[0] for text in texts)
    assert statuses == {
        "Moi dang ky": 1,
        "Da tiep nhan": 1,
        "Dang giai quyet": 1,
        "Da co ket qua": 1,
        "Da tra ket qua": 1,
        "da nhan khoan phi, le phi ban nop": 1,  # the payment, confirmed once, as a payment
    }

    history = client.get(dossier.get_absolute_url()).content.decode().split('id="history-title"')[1]
    assert history.count("Đã có kết quả") == 1 and history.count("Đang giải quyết") == 1
    assert "Đã ghi nhận nộp phí: Đã thanh toán trực tuyến" in history  # the payment, by what it was


def test_a_batch_interrupted_midway_still_delivers_what_it_wrote(citizen, birth, commune):
    """The demo history writes messages in a batch; stopped by an error (or Ctrl-C) halfway, what it
    wrote and committed is delivered, not left pending for good."""
    from dossiers.outbox import delivery_batched

    with pytest.raises(KeyboardInterrupt), delivery_batched():
        submit_online(citizen=citizen, version=birth, agency=commune)
        raise KeyboardInterrupt
    rows = Notification.objects.filter(recipient=citizen)
    assert rows.exists() and not rows.filter(status=NotificationStatus.PENDING, channel="in_app").exists()


class _WorkerKilled(BaseException):
    """What a worker killed mid-call looks like to the code after it: nothing more runs."""


def test_a_send_interrupted_mid_call_is_found_by_the_sweep_and_sent_again_once_under_the_same_key(
    received, settings, client, network
):
    import json

    sms = Notification.objects.get(event=received, channel=NotificationChannel.SMS)
    from onestop.sms import FileBackend

    real_send = FileBackend.send

    def sent_then_killed(self, **kwargs):
        real_send(self, **kwargs)  # the gateway took it; the worker dies before it can say so
        raise _WorkerKilled

    with mock.patch("onestop.sms.FileBackend.send", sent_then_killed), pytest.raises(_WorkerKilled):
        notification_deliver(notification_id=sms.pk)
    sms.refresh_from_db()
    assert sms.status == NotificationStatus.SENDING and sms.sending_since and sms.attempts == 1

    waiting = set(Notification.objects.filter(status=NotificationStatus.PENDING).values_list("pk", flat=True))
    with mock.patch("dossiers.outbox._enqueue") as queued:
        notifications_sweep()
    assert {
        pk for pk, _channel in queued.call_args.args[0]
    } == waiting and sms.pk not in waiting  # the send in flight left alone
    later = timezone.now() + timedelta(minutes=7)  # longer than any send may take
    with mock.patch("dossiers.outbox._enqueue") as queued:
        notifications_sweep(now=later)
    assert (sms.pk, NotificationChannel.SMS) in queued.call_args.args[0]
    sms.refresh_from_db()
    assert sms.status == NotificationStatus.PENDING and sms.uncertain and "gián đoạn" in sms.last_error

    assert notification_deliver(notification_id=sms.pk) == NotificationStatus.SENT
    assert notification_deliver(notification_id=sms.pk) == "skipped"
    lines = [
        json.loads(line) for path in settings.SMS_FILE_PATH.glob("*.log") for line in path.read_text().splitlines()
    ]
    assert [line["ref"] for line in lines] == [sms.key, sms.key]  # twice at most, and recognisably the same
    sms.refresh_from_db()
    assert sms.status == NotificationStatus.SENT and sms.uncertain and sms.attempts == 2

    # The desk sees it among the messages to look at, marked.
    client.force_login(network["clerk"])
    page = client.get(reverse("dossiers:undelivered")).content.decode()
    assert page.count('data-testid="uncertain"') == 1 and "có thể đã đến hai lần" in page


def test_the_sweep_leaves_a_row_queued_moments_ago_and_queues_one_lost_on_the_way(received):
    email = Notification.objects.get(event=received, channel=NotificationChannel.EMAIL)
    Notification.objects.update(queued_at=timezone.now())  # every row handed to the broker just now
    with mock.patch("dossiers.outbox._enqueue") as queued:
        assert notifications_sweep() == 0
    Notification.objects.filter(pk=email.pk).update(queued_at=timezone.now() - timedelta(minutes=6))
    with mock.patch("dossiers.outbox._enqueue") as queued:
        assert notifications_sweep() == 1
    assert queued.call_args.args[0] == [(email.pk, NotificationChannel.EMAIL)]


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_while_a_message_is_on_the_wire(citizen, network, allowance):
    from django.db import connection

    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier_receive(dossier=dossier, by=network["clerk"])
    sms = Notification.objects.filter(dossier=dossier, channel=NotificationChannel.SMS).latest("pk")
    Notification.objects.filter(pk=sms.pk).update(status=NotificationStatus.PENDING)
    seen = []
    with mock.patch("onestop.sms.FileBackend.send", side_effect=lambda **_: seen.append(connection.in_atomic_block)):
        notification_deliver(notification_id=sms.pk)
    assert seen == [False]
