from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..constants import FeedbackEventKind, FeedbackStatus, Subject
from ..models import Feedback, FeedbackAttachment, FeedbackEvent
from ..permissions import can_answer, can_rate, move_targets
from ..selectors_staff import DUE_OVERDUE, DUE_TODAY, feedback_events


class StrictCharField(serializers.CharField):
    """Text only: a number or a boolean where text is expected is refused, not turned into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """JSON ``true`` or ``false`` only (not "yes", 1 or "on")."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


# Reads


class FeedbackEventSerializer(serializers.ModelSerializer):
    """A step as the sender reads it: units, never staff names or the staff's notes (as on their page)."""

    agency = serializers.CharField(source="agency.code", help_text="Code of the unit holding it after this step.")
    agency_name = serializers.CharField(source="agency.name")
    from_agency = serializers.CharField(
        source="from_agency.code", default=None, allow_null=True, help_text="A move: the unit it came from."
    )

    kind = serializers.ChoiceField(choices=FeedbackEventKind.choices)

    class Meta:
        model = FeedbackEvent
        fields = ["created_at", "kind", "agency", "agency_name", "from_agency"]


class FeedbackStaffEventSerializer(FeedbackEventSerializer):
    actor = serializers.CharField(source="actor.full_name", default=None, allow_null=True)

    class Meta(FeedbackEventSerializer.Meta):
        fields = [*FeedbackEventSerializer.Meta.fields, "note", "actor"]


class FeedbackAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeedbackAttachment
        fields = ["name", "content_type", "size", "uploaded_at"]


class FeedbackListSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=FeedbackStatus.choices)
    agency = serializers.CharField(source="agency.code", help_text="Code of the unit holding (answering) it.")
    agency_name = serializers.CharField(source="agency.name")
    procedure = serializers.CharField(source="procedure.code", default=None, allow_null=True)
    procedure_name = serializers.CharField(default=None, allow_null=True)
    dossier = serializers.CharField(
        source="dossier.code", default=None, allow_null=True, help_text="Code of the dossier it is about."
    )

    class Meta:
        model = Feedback
        fields = [
            "reference",
            "code",
            "subject",
            "status",
            "agency",
            "agency_name",
            "procedure",
            "procedure_name",
            "dossier",
            "received_at",
            "due_at",
            "answered_at",
            "resolved",
        ]


class FeedbackDetailSerializer(FeedbackListSerializer):
    """The sender's own feedback: what they wrote, its timeline and the answer (a letter to them), and,
    when they allowed publication, the question and the answer as the unit published them."""

    attachments = FeedbackAttachmentSerializer(many=True)
    events = FeedbackEventSerializer(many=True, help_text="The timeline, oldest first.")
    can_rate = serializers.SerializerMethodField(help_text="The sender may now say whether the answer resolved it.")

    class Meta(FeedbackListSerializer.Meta):
        fields = [
            *FeedbackListSerializer.Meta.fields,
            "text",
            "may_publish",
            "working_days",
            "legal_basis",
            "answer",
            "public_summary",
            "public_answer",
            "rated_at",
            "can_rate",
            "attachments",
            "events",
        ]

    def get_can_rate(self, feedback) -> bool:
        return can_rate(user=self.context["request"].user, feedback=feedback)


class SenderSerializer(serializers.Serializer):
    full_name = serializers.CharField()
    email = serializers.CharField(allow_null=True)
    phone = serializers.CharField(allow_null=True)


class UnitSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class FeedbackInboxSerializer(FeedbackListSerializer):
    sender_name = serializers.CharField(source="sender.full_name")

    class Meta(FeedbackListSerializer.Meta):
        fields = [*(name for name in FeedbackListSerializer.Meta.fields if name != "procedure_name"), "sender_name"]


class FeedbackStaffDetailSerializer(FeedbackDetailSerializer):
    """The feedback as the unit handling it reads it: with the sender and who did what."""

    sender = SenderSerializer()
    answered_by = serializers.CharField(source="answered_by.full_name", default=None, allow_null=True)
    events = serializers.SerializerMethodField(help_text="The timeline, oldest first, with who did each step.")
    can_answer = serializers.SerializerMethodField(help_text="The caller may answer it now.")
    move_targets = serializers.SerializerMethodField(help_text="The units the caller may pass it to now.")

    class Meta(FeedbackDetailSerializer.Meta):
        fields = [
            *(name for name in FeedbackDetailSerializer.Meta.fields if name != "can_rate"),
            "sender",
            "answered_by",
            "can_answer",
            "move_targets",
        ]

    @extend_schema_field(FeedbackStaffEventSerializer(many=True))
    def get_events(self, feedback):
        return FeedbackStaffEventSerializer(feedback_events(feedback=feedback), many=True).data

    def get_can_answer(self, feedback) -> bool:
        return can_answer(user=self.context["request"].user, feedback=feedback)

    @extend_schema_field(UnitSerializer(many=True))
    def get_move_targets(self, feedback):
        return UnitSerializer(move_targets(user=self.context["request"].user, feedback=feedback), many=True).data


class FeedbackMovedSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=FeedbackStatus.choices)
    agency = serializers.CharField(source="agency.code", help_text="Code of the unit now holding it.")
    agency_name = serializers.CharField(source="agency.name")

    class Meta:
        model = Feedback
        fields = ["reference", "code", "status", "agency", "agency_name", "due_at"]


class PublishedAnswerSerializer(serializers.ModelSerializer):
    """A published answer: no sender, no code, the question and the answer as the unit wrote them for
    publication (never the answer sent to the sender)."""

    unit = serializers.CharField(source="agency.code", help_text="Code of the unit that answered.")
    unit_name = serializers.CharField(source="agency.name")
    procedure = serializers.CharField(source="procedure.code", default=None, allow_null=True)
    procedure_name = serializers.CharField(default=None, allow_null=True)

    class Meta:
        model = Feedback
        fields = [
            "unit",
            "unit_name",
            "procedure",
            "procedure_name",
            "subject",
            "public_summary",
            "public_answer",
            "answered_at",
        ]


# Inputs


class FeedbackSendSerializer(serializers.Serializer):
    subject = serializers.ChoiceField(choices=Subject.choices)
    text = StrictCharField(max_length=Feedback._meta.get_field("text").max_length, allow_blank=True)
    dossier = serializers.UUIDField(
        required=False, allow_null=True, help_text="subject `dossier`: the reference of one of your dossiers."
    )
    procedure = StrictCharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=20,
        help_text="subject `procedure`: the national code of a procedure in force, e.g. 1.001193.",
    )
    agency = StrictCharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=20,
        help_text="The code of the unit concerned (for a procedure offered by several units: where you met it).",
    )
    may_publish = StrictBooleanField(
        required=False, default=False, help_text="The answer may be published, without your name or contact."
    )
    submission_key = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "A UUID the client makes once per feedback: sent again (a retried request), the same key gives "
            "back the feedback it made, and nothing more is recorded."
        ),
    )


class FeedbackRateSerializer(serializers.Serializer):
    resolved = StrictBooleanField(help_text="Did the answer resolve the matter?")


class FeedbackAnswerSerializer(serializers.Serializer):
    answer = StrictCharField(max_length=Feedback._meta.get_field("answer").max_length, allow_blank=True)
    public_summary = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=Feedback._meta.get_field("public_summary").max_length,
        help_text="Required when the sender allowed publication: the question without names, numbers or addresses.",
    )
    public_answer = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=Feedback._meta.get_field("public_answer").max_length,
        help_text=(
            "Required when the sender allowed publication: the answer as published, without names, numbers "
            "or addresses (`answer` goes to the sender only and is never published)."
        ),
    )


class FeedbackMoveSerializer(serializers.Serializer):
    to_agency = StrictCharField(max_length=20, help_text="Code of the unit to pass it to (see `move_targets`).")
    note = StrictCharField(
        max_length=FeedbackEvent._meta.get_field("note").max_length, allow_blank=True, help_text="Why it goes there."
    )


class InboxFilterSerializer(serializers.Serializer):
    """Query parameters of the inbox; an empty one filters nothing."""

    status = serializers.ChoiceField(choices=FeedbackStatus.choices, required=False, allow_blank=True)
    due = serializers.ChoiceField(
        choices=[DUE_OVERDUE, DUE_TODAY],
        required=False,
        allow_blank=True,
        help_text="overdue: unanswered past its due time; today: unanswered, due later today (Vietnam time).",
    )


class PublishedFilterSerializer(serializers.Serializer):
    procedure = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="National procedure code."
    )
    unit = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text="Code of the unit.")
