"""A logged-in citizen sends feedback: it goes to the unit responsible, is due in that subject's working
days on the working calendar, gets a code and a receipt; refused input keeps what was typed."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext, override

import pytest

from dossiers.services import dossier_hand_over, dossier_receive
from feedback.constants import FeedbackEventKind, Subject
from feedback.models import Feedback
from feedback.services import feedback_send
from procedures.models import CalendarDay
from tests.dossiers.conftest import submit_online
from tests.factories import AgencyFactory, UserFactory, published_procedure

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


def _key(page: str) -> str:
    """The hidden submission key of the send form on ``page``."""
    return re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1)


def test_the_same_form_sent_twice_is_one_feedback_and_both_answers_show_its_receipt(client, citizen, network):
    client.force_login(citizen)
    key = _key(client.get(reverse("feedback:send")).content.decode())
    assert key != _key(client.get(reverse("feedback:send")).content.decode())  # a new form, a new key
    text = "Cán bộ một cửa xã yêu cầu nộp thêm tiền ngoài lệ phí"
    data = {"subject": Subject.CONDUCT, "text": text, "submission_key": key}
    refused = client.post(reverse("feedback:send"), data)  # no unit: refused, the key stays on the page
    assert refused.status_code == 400 and _key(refused.content.decode()) == key
    data["agency"] = network["commune"].pk
    first = client.post(reverse("feedback:send"), data)
    second = client.post(reverse("feedback:send"), data)  # a double click, or the page sent again
    feedback = Feedback.objects.get()
    receipt = reverse("feedback:mine_detail", args=[feedback.reference]) + "?sent=1"
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == receipt
    assert feedback.events.count() == 1
    # Another form (another key) is another feedback.
    other = {**data, "submission_key": _key(client.get(reverse("feedback:send")).content.decode())}
    assert client.post(reverse("feedback:send"), other).status_code == 302 and Feedback.objects.count() == 2


def _field(page: str, name: str, following: str) -> str:
    """What the page shows from field ``name`` up to the field ``following`` (its input and errors)."""
    return page.split(f'name="{name}"')[1].split(f'name="{following}"')[0]


@pytest.mark.parametrize("logged_in", [True, False], ids=["citizen", "visitor"])
def test_a_unit_that_does_not_carry_out_the_procedure_is_refused_on_the_unit_field(client, citizen, network, logged_in):
    other = AgencyFactory(code="000.14.22.H56", name="UBND xã Xuân Thái", parent=network["district"])
    elsewhere = AgencyFactory(code="000.15.22.H56", name="UBND xã Hải Long", parent=network["district"])
    version = published_procedure(code="1.004227", name="Đăng ký thường trú", agencies=[network["commune"], other])
    if logged_in:
        client.force_login(citizen)
    text = "Xã đòi thêm giấy xác nhận nơi ở hợp pháp"
    data = {"subject": Subject.PROCEDURE, "procedure": version.pk, "agency": elsewhere.pk, "text": text}
    if not logged_in:
        data.update(full_name="Nguyễn Văn Bình", phone="0987654321")
    refused = client.post(reverse("feedback:send"), data)
    page = refused.content.decode()
    with override("vi"):
        message = gettext("This unit does not carry out this procedure: choose one that does.")
    assert refused.status_code == 400
    assert message in _field(page, "agency", "text")  # under the unit, where it is corrected
    assert text in page and f'value="{elsewhere.pk}" selected' in page and f'value="{version.pk}" selected' in page
    assert not Feedback.objects.exists()
    response = client.post(reverse("feedback:send"), {**data, "agency": other.pk})
    assert response.status_code == 302
    if logged_in:  # the visitor's waits for the SMS code
        assert Feedback.objects.get().agency == other
