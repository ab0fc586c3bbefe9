from rest_framework import serializers

from accounts.constants import AgencyKind
from accounts.models import Agency


class AgencySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Agency
        fields = ["code", "name", "kind", "gso_code", "parent", "address", "phone", "email"]


class AgencyFilterSerializer(serializers.Serializer):
    """Query parameters of the agency list; an empty one filters nothing."""

    kind = serializers.ChoiceField(
        choices=AgencyKind.choices, required=False, allow_blank=True, help_text="Only agencies of this kind."
    )
    parent = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="Only the direct units of the agency with this code."
    )
