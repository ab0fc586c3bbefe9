from rest_framework import serializers

from accounts.models import Agency


class AgencySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Agency
        fields = ["code", "name", "kind", "gso_code", "parent", "address", "phone", "email"]
