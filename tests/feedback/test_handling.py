"""Handling a feedback through the services: the district passes it to a commune and may take it back,
the unit holding it answers once, the sender says once whether it resolved the matter; each step is a
history row, and the people concerned are told through the outbox."""

from django.core.exceptions import PermissionDenied, ValidationError

import pytest

from accounts.constants import Role
from dossiers.constants import NotificationChannel, NotificationKind
from dossiers.models import Notification
from feedback.constants import FeedbackEventKind, FeedbackStatus, Subject
from feedback.models import FeedbackEvent
from feedback.notices import handlers_of
from feedback.permissions import can_handle, move_targets
from feedback.services import feedback_answer, feedback_move, feedback_rate, feedback_send
from tests.factories import AgencyFactory, StaffMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _to_district(citizen, network):
    return feedback_send(
        sender=citizen, subject=Subject.CONDUCT, text="Xã hẹn ba lần chưa trả lời", agency=network["district"]
    )


def _feedback_messages(person):
    return list(
        Notification.objects.filter(
            recipient=person, kind=NotificationKind.FEEDBACK, channel=NotificationChannel.IN_APP
        )
    )


def test_a_new_feedback_is_announced_to_the_units_feedback_staff_only(citizen, network, handlers):
    feedback = _to_district(citizen, network)
    [message] = _feedback_messages(handlers["district"])
    assert feedback.code in message.subject and "Phạm Thu Hà" in message.body
    # the commune's feedback officer, the district's leader (the unit has a feedback officer) and a
    # commune clerk are not told
    for person in (handlers["commune"], handlers["leader"], handlers["clerk"]):
        assert _feedback_messages(person) == []


def test_a_unit_without_feedback_staff_has_its_leaders_told(citizen, network):
    feedback = _to_district(citizen, network)
    assert handlers_of(feedback.agency) == [network["leader"]]
    assert len(_feedback_messages(network["leader"])) == 1


def test_the_district_passes_it_to_a_commune_which_answers_and_the_sender_is_told(citizen, network, handlers):
    feedback = _to_district(citizen, network)
    due = feedback.due_at
    other_commune = AgencyFactory._meta.model.objects.get(code="000.13.22.H56")
    # down to either of its communes; the department is not an administrative unit, the district has no parent
    assert {unit.pk for unit in move_targets(user=handlers["district"], feedback=feedback)} == {
        network["commune"].pk,
        other_commune.pk,
    }
    with pytest.raises(ValidationError) as refused:
        feedback_move(feedback=feedback, by=handlers["district"], to_agency=network["commune"], note=" ")
    assert "note" in refused.value.message_dict

    feedback = feedback_move(
        feedback=feedback, by=handlers["district"], to_agency=network["commune"], note="Thuộc thẩm quyền của xã"
    )
    assert feedback.agency == network["commune"] and feedback.due_at == due  # the clock does not restart
    assert not can_handle(user=handlers["district"], feedback=feedback)
    assert can_handle(user=handlers["commune"], feedback=feedback)
    [arrived] = _feedback_messages(handlers["commune"])
    assert "Thuộc thẩm quyền của xã" in arrived.body and "UBND huyện" in arrived.body

    with pytest.raises(PermissionDenied):
        feedback_answer(feedback=feedback, by=handlers["district"], answer="Huyện trả lời")
    feedback = feedback_answer(feedback=feedback, by=handlers["commune"], answer="Xã đã làm việc với cán bộ.")
    assert feedback.status == FeedbackStatus.ANSWERED and feedback.answered_by == handlers["commune"]
    assert feedback.answered_on_time is True
    [told] = _feedback_messages(citizen)
    assert feedback.code in told.subject and "Xã đã làm việc với cán bộ." in told.body
    assert list(feedback.events.values_list("kind", "agency", "from_agency")) == [
        (FeedbackEventKind.SENT, network["district"].pk, None),
        (FeedbackEventKind.MOVED, network["commune"].pk, network["district"].pk),
        (FeedbackEventKind.ANSWERED, network["commune"].pk, None),
    ]
    with pytest.raises(ValidationError):  # answered once
        feedback_answer(feedback=feedback, by=handlers["commune"], answer="Lần hai")
    assert move_targets(user=handlers["commune"], feedback=feedback) == []


def test_the_commune_sends_it_back_and_the_district_may_take_it_back(citizen, network, handlers):
    feedback = feedback_move(
        feedback=_to_district(citizen, network), by=handlers["district"], to_agency=network["commune"], note="Xã"
    )
    assert move_targets(user=handlers["commune"], feedback=feedback) == [network["district"]]
    assert move_targets(user=handlers["district"], feedback=feedback) == [network["district"]]
    other_commune = AgencyFactory._meta.model.objects.get(code="000.13.22.H56")
    with pytest.raises(ValidationError) as refused:  # sideways, to another commune: no
        feedback_move(feedback=feedback, by=handlers["commune"], to_agency=other_commune, note="?")
    assert "to_agency" in refused.value.message_dict
    outsider = StaffMembershipFactory(agency=other_commune, role=Role.FEEDBACK).user
    assert move_targets(user=outsider, feedback=feedback) == []
    feedback = feedback_move(feedback=feedback, by=handlers["commune"], to_agency=network["district"], note="Trả")
    assert feedback.agency == network["district"]


def test_publication_needs_a_restated_question_and_the_sender_rates_once(citizen, network, handlers):
    feedback = feedback_send(
        sender=citizen,
        subject=Subject.CONDUCT,
        text="Nguyễn Văn A đòi tiền",
        agency=network["commune"],
        may_publish=True,
    )
    with pytest.raises(ValidationError) as refused:
        feedback_answer(feedback=feedback, by=handlers["commune"], answer="Đã xử lý")
    assert sorted(refused.value.message_dict) == ["public_answer", "public_summary"]
    with pytest.raises(ValidationError) as refused:  # the question alone is not enough
        feedback_answer(
            feedback=feedback,
            by=handlers["commune"],
            answer="Đã xử lý",
            public_summary="Cán bộ thu tiền ngoài quy định",
        )
    assert list(refused.value.message_dict) == ["public_answer"]
    with pytest.raises(ValidationError):
        feedback_rate(feedback=feedback, by=citizen, resolved=True)  # not answered yet
    feedback = feedback_answer(
        feedback=feedback,
        by=handlers["commune"],
        answer="Đã xử lý",
        public_summary="Cán bộ thu tiền ngoài quy định",
        public_answer="Xã đã kiểm điểm cán bộ và hoàn trả khoản thu.",
    )
    assert feedback.published and feedback.public_answer == "Xã đã kiểm điểm cán bộ và hoàn trả khoản thu."
    with pytest.raises(PermissionDenied):
        feedback_rate(feedback=feedback, by=UserFactory(), resolved=True)
    feedback = feedback_rate(feedback=feedback, by=citizen, resolved=False)
    assert feedback.resolved is False and feedback.rated_at is not None
    with pytest.raises(ValidationError):
        feedback_rate(feedback=feedback, by=citizen, resolved=True)
    assert feedback.events.last().kind == FeedbackEventKind.RATED


def test_an_answer_not_allowed_to_be_published_keeps_no_public_text(citizen, network, handlers):
    feedback = feedback_send(sender=citizen, subject=Subject.CONDUCT, text="?", agency=network["commune"])
    feedback = feedback_answer(
        feedback=feedback, by=handlers["commune"], answer="Đã xử lý", public_summary="Không được công bố"
    )
    assert feedback.public_summary == "" and not feedback.published


def test_history_rows_are_never_changed_or_removed(citizen, network):
    event = _to_district(citizen, network).events.get()
    event.note = "sửa"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert FeedbackEvent.objects.get().note == ""


def test_the_district_cannot_take_what_was_sent_straight_to_a_commune(citizen, network, handlers):
    feedback = feedback_send(sender=citizen, subject=Subject.CONDUCT, text="Cán bộ xã gắt", agency=network["commune"])
    for person in (handlers["district"], handlers["leader"]):
        assert move_targets(user=person, feedback=feedback) == []
    with pytest.raises(ValidationError) as refused:
        feedback_move(feedback=feedback, by=handlers["district"], to_agency=network["district"], note="Huyện lấy")
    assert "to_agency" in refused.value.message_dict
    # Passed up by the commune, then down again by the district: now the district may take it back.
    feedback = feedback_move(feedback=feedback, by=handlers["commune"], to_agency=network["district"], note="Huyện")
    feedback = feedback_move(feedback=feedback, by=handlers["district"], to_agency=network["commune"], note="Xã")
    assert move_targets(user=handlers["district"], feedback=feedback) == [network["district"]]
