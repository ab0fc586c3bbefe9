from django.urls import reverse

from rest_framework import serializers

from procedures.constants import AgencyLevel, ServiceLevel
from procedures.models import Fee, Field, ProcedureVersion, RequiredDocument, RouteStep


class FieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = Field
        fields = ["code", "name"]


class FeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Fee
        fields = ["label", "amount", "note"]


class RequiredDocumentSerializer(serializers.ModelSerializer):
    template_url = serializers.SerializerMethodField()

    class Meta:
        model = RequiredDocument
        fields = ["id", "name", "copies", "copy_type", "mandatory", "note", "template_url"]

    def get_template_url(self, document) -> str | None:
        if not document.template:
            return None
        url = reverse("procedures:document_template", args=[document.version.procedure.code, document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class RouteStepSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = RouteStep
        fields = ["name", "agency", "role", "days"]


class ProcedureListSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="procedure.code")
    field = FieldSerializer()
    fees = FeeSerializer(many=True)

    class Meta:
        model = ProcedureVersion
        fields = ["code", "name", "field", "agency_level", "service_level", "processing_days", "fees", "number"]


class ProcedureDetailSerializer(ProcedureListSerializer):
    agencies = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    documents = RequiredDocumentSerializer(many=True)
    steps = RouteStepSerializer(many=True)

    class Meta(ProcedureListSerializer.Meta):
        fields = [
            *ProcedureListSerializer.Meta.fields,
            "effective_from",
            "processing_note",
            "result_type",
            "legal_basis",
            "conditions",
            "submission_place",
            "steps_description",
            "agencies",
            "documents",
            "steps",
            "form_schema",
        ]


class ProcedureFilterSerializer(serializers.Serializer):
    """Query parameters of the procedure list; the same filters as the public catalogue page. An empty one
    filters nothing."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    field = serializers.SlugRelatedField(slug_field="code", queryset=Field.objects.all(), required=False)
    agency_level = serializers.ChoiceField(choices=AgencyLevel.choices, required=False, allow_blank=True)
    service_level = serializers.ChoiceField(choices=ServiceLevel.choices, required=False, allow_blank=True)
    agency = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="Code of an agency that offers the procedure."
    )
