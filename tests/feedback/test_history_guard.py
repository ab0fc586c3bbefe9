"""A feedback's history is append-only in the database itself on PostgreSQL (as the dossiers' is): no
UPDATE, DELETE or TRUNCATE gets through, whatever code sends it; the test database is still emptied
between transactional tests (tests/conftest.py)."""

from django.db import IntegrityError, connection, transaction

import pytest

from feedback.constants import Subject
from feedback.models import FeedbackEvent
from feedback.services import feedback_move, feedback_send

pytestmark = pytest.mark.postgres
REFUSED = "feedback events are append-only"


def _history(citizen, network, handlers):
    feedback = feedback_send(
        sender=citizen, subject=Subject.CONDUCT, text="Cán bộ hẹn nhiều lần", agency=network["district"]
    )
    return feedback_move(feedback=feedback, by=handlers["district"], to_agency=network["commune"], note="Việc của xã")


def test_postgresql_itself_refuses_to_change_or_delete_a_feedbacks_history(citizen, network, handlers):
    feedback = _history(citizen, network, handlers)
    moved = feedback.events.get(note="Việc của xã")
    for sql, params in [
        ("UPDATE feedback_feedbackevent SET note = 'sửa' WHERE id = %s", [moved.pk]),
        ("UPDATE feedback_feedbackevent SET agency_id = from_agency_id WHERE id = %s", [moved.pk]),
        ("DELETE FROM feedback_feedbackevent WHERE id = %s", [moved.pk]),
    ]:
        with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    # Through the ORM's bulk paths too, which skip the model's own guard.
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        FeedbackEvent.objects.filter(pk=moved.pk).update(note="sửa")
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        FeedbackEvent.objects.filter(feedback=feedback).delete()

    assert list(feedback.events.values_list("kind", "note", "agency")) == [
        ("sent", "", network["district"].pk),
        ("moved", "Việc của xã", network["commune"].pk),
    ]
    # Adding to it is what the history is for.
    assert FeedbackEvent.objects.filter(feedback=feedback).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_history_cannot_be_emptied_yet_the_test_database_is_after_the_test(citizen, network, handlers):
    """The history here is committed (a transactional test). TRUNCATE is refused, the table's owner
    asking; after the test Django empties every table with TRUNCATE all the same (``tests/conftest.py``
    turns the triggers off for that one transaction): a teardown error here would mean it cannot."""
    _history(citizen, network, handlers)
    for sql in ("TRUNCATE feedback_feedbackevent", "TRUNCATE feedback_feedback CASCADE"):  # a cascade reaches it
        with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert FeedbackEvent.objects.count() == 2
