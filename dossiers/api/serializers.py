from rest_framework import serializers

from dossiers.constants import ResultDelivery, Status
from dossiers.models import Attachment, Dossier, DossierEvent


class AttachmentSerializer(serializers.ModelSerializer):
    document = serializers.PrimaryKeyRelatedField(source="required_document", read_only=True, allow_null=True)

    class Meta:
        model = Attachment
        fields = ["id", "document", "original_name", "content_type", "size", "sha256", "uploaded_at"]


class EventSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.name", default="")

    class Meta:
        model = DossierEvent
        fields = ["created_at", "kind", "from_status", "to_status", "agency", "note"]


class DossierListSerializer(serializers.ModelSerializer):
    procedure = serializers.CharField(source="procedure_version.procedure.code")
    procedure_name = serializers.CharField(source="procedure_version.name")
    agency = serializers.CharField(source="agency.code")
    national_status_code = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Dossier
        fields = [
            "reference",
            "code",
            "procedure",
            "procedure_name",
            "agency",
            "status",
            "national_status_code",
            "version",
            "channel",
            "service_level",
            "submitted_at",
            "due_at",
            "created_at",
        ]


class DossierDetailSerializer(DossierListSerializer):
    attachments = AttachmentSerializer(many=True)
    events = EventSerializer(many=True)

    class Meta(DossierListSerializer.Meta):
        fields = [
            *DossierListSerializer.Meta.fields,
            "applicant_data",
            "form_data",
            "result_delivery",
            "delivery_address",
            "attachments",
            "events",
        ]


class ActionResultSerializer(DossierDetailSerializer):
    """The dossier after the action, and what the caller should know although it succeeded (e.g. a
    result kept unsigned)."""

    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(DossierDetailSerializer.Meta):
        fields = [*DossierDetailSerializer.Meta.fields, "warnings"]


class ApplicantInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150)
    citizen_id = serializers.CharField(max_length=12, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=500)


class DossierCreateSerializer(serializers.Serializer):
    procedure = serializers.CharField(help_text="National code of a procedure in force, e.g. 1.001193.")
    agency = serializers.CharField(help_text="Code of the receiving agency, one that offers the procedure.")
    applicant = ApplicantInputSerializer(required=False, help_text="Defaults to the profile.")
    form_data = serializers.DictField(required=False, default=dict)
    result_delivery = serializers.ChoiceField(choices=ResultDelivery.choices, required=False)
    delivery_address = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=Dossier._meta.get_field("delivery_address").max_length
    )


class AttachmentUploadSerializer(serializers.Serializer):
    document = serializers.IntegerField(help_text="Id of the required document (see the procedure's documents).")
    file = serializers.FileField()


class SubmitSerializer(serializers.Serializer):
    submission_key = serializers.UUIDField(help_text="A fresh UUID per submission; repeating it is harmless.")


class StepSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    name = serializers.CharField()
    agency = serializers.CharField(source="agency.code")
    assignee = serializers.CharField(source="assignee.full_name", default=None, allow_null=True)
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class QueueItemSerializer(DossierListSerializer):
    applicant_name = serializers.CharField(source="applicant_data.full_name", default="")
    current_agency = serializers.CharField(source="current_agency.code", default=None, allow_null=True)
    current_assignee = serializers.CharField(source="current_assignee.full_name", default=None, allow_null=True)

    class Meta(DossierListSerializer.Meta):
        fields = [*DossierListSerializer.Meta.fields, "applicant_name", "current_agency", "current_assignee"]


class ActionNamesSerializer(serializers.Serializer):
    actions = serializers.ListField(
        child=serializers.CharField(), help_text="Names of the actions the caller may take on the dossier now."
    )


class QueueFilterSerializer(serializers.Serializer):
    """Query parameters of the work queue, the filters of the queue page; an empty one filters nothing."""

    status = serializers.ChoiceField(
        choices=[(value, label) for value, label in Status.choices if value != Status.DRAFT],
        required=False,
        allow_blank=True,
    )
    procedure = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="National procedure code."
    )
    due = serializers.ChoiceField(choices=["soon", "overdue"], required=False, allow_blank=True)
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Dossier code, applicant name or phone."
    )
    mine = serializers.BooleanField(required=False, help_text="Only dossiers assigned to the caller.")


class ActionInputSerializer(serializers.Serializer):
    """Fields of an action, named as on the page (without the form prefix): reason, missing (lines),
    target (``a<agency id>`` or ``a<agency id>u<user id>``), amount, note, result (file), on_paper,
    paper_reason, delivery, record, new_appointment, file; and ``expected_version``, the dossier's
    ``version`` as the caller last read it (required: a stale one answers 409, so of two people acting
    at once, or one request sent twice, one wins), with optionally ``expected_status``. A field of the
    wrong type is refused here; what each action requires is the page form's to say."""

    expected_version = serializers.IntegerField(
        help_text="The dossier's version as the caller last read it (field `version` of the dossier)."
    )
    expected_status = serializers.CharField(
        required=False, allow_blank=True, help_text="The status the caller last saw."
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Refusal, stop, withdrawal, apology; for hand_over: why it leaves the route.",
    )
    missing = serializers.ListField(child=serializers.CharField(allow_blank=True), required=False)
    target = serializers.CharField(required=False, allow_blank=True, help_text="a<agency id> or a<agency id>u<user id>")
    amount = serializers.IntegerField(required=False, help_text="request_payment: the fee in đồng, 1 to 10^12.")
    note = serializers.CharField(required=False, allow_blank=True)
    result = serializers.FileField(required=False)
    on_paper = serializers.BooleanField(required=False, help_text="complete: the result is issued on paper.")
    paper_reason = serializers.CharField(
        required=False, allow_blank=True, help_text="complete: why it is issued on paper."
    )
    file = serializers.FileField(required=False)
    delivery = serializers.ChoiceField(choices=ResultDelivery.choices, required=False)
    record = serializers.CharField(required=False, allow_blank=True)
    new_appointment = serializers.CharField(
        required=False, help_text="apologise: the new appointment, dd/mm/yyyy hh:mm (Vietnam time)."
    )


class ResultReceivedSerializer(serializers.Serializer):
    file = serializers.URLField(help_text="Where the received result is downloaded.")
