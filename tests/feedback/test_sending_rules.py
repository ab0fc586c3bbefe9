"""Rules of sending that the forms and the API share: the same form sent twice is one feedback, and a
procedure's feedback goes only to a unit that carries the procedure out."""

import uuid

from django.core.exceptions import ValidationError

import pytest

from dossiers.models import Notification
from feedback.constants import Subject
from feedback.models import Feedback
from feedback.services import feedback_send
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_same_form_sent_twice_is_one_feedback_with_one_notice(citizen, network, handlers):
    key = uuid.uuid4()

    def send():
        return feedback_send(
            sender=citizen,
            subject=Subject.CONDUCT,
            text="Cán bộ hẹn lại nhiều lần",
            agency=network["commune"],
            submission_key=key,
        )

    first, again = send(), send()
    assert first.pk == again.pk and Feedback.objects.count() == 1
    assert Notification.objects.filter(recipient=handlers["commune"]).count() == 3  # portal, e-mail, SMS: once
    with pytest.raises(ValidationError):  # someone else replaying the key gets nothing of it
        feedback_send(
            sender=UserFactory(), subject=Subject.CONDUCT, text="?", agency=network["commune"], submission_key=key
        )
    assert Feedback.objects.count() == 1


def test_a_procedures_feedback_goes_only_to_a_unit_that_carries_it_out(citizen, network, allowance):
    elsewhere = AgencyFactory(code="000.77.22.H56", parent=network["district"])
    with pytest.raises(ValidationError) as refused:
        feedback_send(
            sender=citizen, subject=Subject.PROCEDURE, text="Xã đòi thêm giấy", procedure=allowance, agency=elsewhere
        )
    assert list(refused.value.message_dict) == ["agency"]
    feedback = feedback_send(
        sender=citizen,
        subject=Subject.PROCEDURE,
        text="Xã đòi thêm giấy",
        procedure=allowance,
        agency=network["commune"],
    )
    assert feedback.agency == network["commune"]
