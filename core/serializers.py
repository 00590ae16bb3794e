from rest_framework import serializers

from core.models import BusinessEvent, TenantSettings
from core.tenancy.drf import TenantModelSerializer


class TenantBrandingSerializer(serializers.ModelSerializer):
    class Meta:
        model = TenantSettings
        fields = [
            "slug",
            "name",
            "tagline",
            "primary_colour",
            "secondary_colour",
            "logo_url",
            "timezone",
            "opening_hour",
            "closing_hour",
        ]
        read_only_fields = fields


class BusinessEventSerializer(TenantModelSerializer):
    performed_by = serializers.StringRelatedField()

    class Meta:
        model = BusinessEvent
        fields = ["id", "kind", "summary", "performed_by", "object_type", "object_id", "created_at"]
        read_only_fields = fields


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False)


class HealthSerializer(serializers.Serializer):
    status = serializers.CharField()
    database = serializers.CharField()
