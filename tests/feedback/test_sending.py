"""A logged-in citizen sends feedback: it goes to the unit responsible, is due in that subject's working
days on the working calendar, gets a code and a receipt; refused input keeps what was typed."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.urls import reverse

import pytest

from dossiers.services import dossier_hand_over, dossier_receive
from feedback.constants import FeedbackEventKind, Subject
from feedback.models import Feedback
from feedback.services import feedback_send
from procedures.models import CalendarDay
from tests.dossiers.conftest import submit_online
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_feedback_about_a_dossier_goes_to_the_unit_holding_it_and_is_due_in_working_days(citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    dossier_hand_over(
        dossier=dossier, by=network["clerk"], to_agency=network["department"], to_user=network["specialist"]
    )
    dossier.refresh_from_db()
    # Friday 14:00; the next Monday is made a day off: 5 working days (8 office hours each) run
    # Friday afternoon, Tuesday to Friday, and end on the Monday after at 14:00.
    CalendarDay.objects.create(date=datetime(2026, 12, 7).date(), is_working_day=False, note="Nghỉ bù")
    sent = datetime(2026, 12, 4, 14, 0, tzinfo=TZ)
    feedback = feedback_send(
        sender=citizen, subject=Subject.DOSSIER, text="Hồ sơ trễ hẹn, không ai trả lời", dossier=dossier, now=sent
    )
    # The department holds the dossier: the district (its administrative unit) answers.
    assert feedback.agency == network["district"]
    assert feedback.due_at.astimezone(TZ) == datetime(2026, 12, 14, 14, 0, tzinfo=TZ)
    assert feedback.code == f"PA-000.00.22.H56-261204-{feedback.pk:05d}"
    assert feedback.legal_basis.endswith("Điều 9") and feedback.working_days == 5
    assert list(feedback.events.values_list("kind", "agency")) == [(FeedbackEventKind.SENT, network["district"].pk)]


def test_feedback_about_a_procedure_goes_to_the_only_unit_offering_it(citizen, network, allowance):
    feedback = feedback_send(
        sender=citizen, subject=Subject.PROCEDURE, text="Xã đòi thêm giấy xác nhận cư trú", procedure=allowance
    )
    assert feedback.agency == network["commune"] and feedback.procedure == allowance.procedure


def test_nobody_sends_feedback_about_someone_elses_dossier_and_an_unset_subject_is_not_taken(
    citizen, network, allowance
):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    with pytest.raises(ValidationError) as refused:
        feedback_send(sender=UserFactory(), subject=Subject.DOSSIER, text="?", dossier=dossier)
    assert "dossier" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        feedback_send(sender=citizen, subject=Subject.REGULATION, text="?", agency=network["commune"])
    assert "subject" in refused.value.message_dict
    assert not Feedback.objects.exists()


def test_the_citizen_sends_from_the_page_gets_the_receipt_and_a_refusal_keeps_the_text(client, citizen, network):
    client.force_login(citizen)
    page = client.get(reverse("feedback:send")).content.decode()
    assert "Gửi phản ánh, kiến nghị" in page
    assert 'value="regulation"' not in page  # no answer time set for it: not offered
    text = "Cán bộ một cửa xã yêu cầu nộp thêm tiền ngoài lệ phí"
    refused = client.post(reverse("feedback:send"), {"subject": Subject.CONDUCT, "text": text})
    assert refused.status_code == 400
    assert "Chọn đơn vị liên quan." in refused.content.decode() and text in refused.content.decode()
    response = client.post(
        reverse("feedback:send"),
        {"subject": Subject.CONDUCT, "text": text, "agency": network["commune"].pk, "may_publish": "on"},
    )
    feedback = Feedback.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == reverse("feedback:mine_detail", args=[feedback.reference]) + "?sent=1"
    )
    receipt = client.get(response["Location"]).content.decode()
    assert feedback.code in receipt and "UBND xã Xuân Du" in receipt and "10 ngày làm việc" in receipt
    assert feedback.may_publish and feedback.sender == citizen
    client.force_login(UserFactory())
    assert client.get(response["Location"]).status_code == 404  # another citizen's receipt
