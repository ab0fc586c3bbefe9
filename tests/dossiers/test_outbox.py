from datetime import timedelta
from unittest import mock

from django.core import mail
from django.urls import reverse
from django.utils import timezone

import pytest

from dossiers.constants import NotificationChannel, NotificationStatus
from dossiers.models import Notification
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
    assert received.dossier.code in rows[NotificationChannel.EMAIL].subject
    sms = rows[NotificationChannel.SMS].body
    assert sms.isascii() and len(sms) <= 160 and received.dossier.code in sms and "/tra-cuu/" in sms
    assert all(row.status == NotificationStatus.PENDING for row in rows.values())


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


def test_the_sweep_sends_what_a_dead_broker_missed(received):
    with mock.patch("dossiers.tasks.notification_deliver_task.delay", side_effect=ConnectionError("redis down")):
        assert notifications_sweep() == 3  # nothing lost: still pending, still found
    assert Notification.objects.filter(status=NotificationStatus.PENDING).count() == 3
    assert notifications_sweep() == 3  # broker back: eager tasks deliver them
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 3


def test_a_status_change_succeeds_while_the_broker_is_down(
    citizen, network, allowance, django_capture_on_commit_callbacks
):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    broker_down = mock.patch("dossiers.tasks.notification_deliver_task.delay", side_effect=ConnectionError("down"))
    with broker_down, django_capture_on_commit_callbacks(execute=True):
        outcome = dossier_receive(dossier=dossier, by=network["clerk"])
    assert outcome.dossier.status == "received"
    assert Notification.objects.filter(event=outcome.event, status=NotificationStatus.PENDING).count() == 3


def test_the_header_counts_unread_messages_and_the_list_marks_them_read(client, citizen, received):
    client.force_login(citizen)
    page = client.get(reverse("dossiers:mine")).content.decode()
    assert 'data-testid="unread-count">1<' in page
    listing = client.get(reverse("dossiers:notifications")).content.decode()
    assert received.dossier.code in listing
    page = client.get(reverse("dossiers:mine")).content.decode()
    assert 'data-testid="unread-count"' not in page


def test_nobody_reads_someone_elses_messages(client, received):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert received.dossier.code not in client.get(reverse("dossiers:notifications")).content.decode()
