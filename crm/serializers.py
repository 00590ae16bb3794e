from __future__ import annotations

from rest_framework import serializers

from accounts.models import User
from core.tenancy import TenantModelSerializer, TenantSerializer
from crm.models import Lead
from crm.schema import LeadSourceField, LeadStatusField


class LeadSerializer(TenantModelSerializer):
    status = LeadStatusField(read_only=True)
    source = LeadSourceField(required=False)
    owner_name = serializers.SerializerMethodField()
    converted_client_name = serializers.CharField(source="converted_client.name", read_only=True, default="")

    class Meta:
        model = Lead
        fields = [
            "id",
            "name",
            "email",
            "phone",
            "company",
            "source",
            "status",
            "value",
            "notes",
            "owner",
            "owner_name",
            "next_follow_up",
            "lost_reason",
            "converted_client",
            "converted_client_name",
            "created_at",
            "updated_at",
        ]
        # The stage changes through move/ and convert/, so the rules cannot be skipped.
        read_only_fields = ["status", "lost_reason", "converted_client", "created_at", "updated_at"]

    def get_owner_name(self, lead: Lead) -> str:
        if lead.owner is None:
            return ""
        return lead.owner.get_full_name() or lead.owner.get_username()

    def validate_email(self, value: str) -> str:
        return value.lower()


class LeadMoveSerializer(TenantSerializer):
    status = LeadStatusField()
    lost_reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class LeadConvertedSerializer(LeadSerializer):
    client_created = serializers.BooleanField(read_only=True, help_text="False when an existing client was reused.")

    class Meta(LeadSerializer.Meta):
        fields = [*LeadSerializer.Meta.fields, "client_created"]


class PipelineQuerySerializer(TenantSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False)
    source = LeadSourceField(required=False)


class PipelineStageSerializer(serializers.Serializer):
    status = LeadStatusField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    total_value = serializers.DecimalField(max_digits=14, decimal_places=2)


class PipelineSerializer(serializers.Serializer):
    stages = PipelineStageSerializer(many=True)
    open_count = serializers.IntegerField()
    open_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    won_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    follow_ups_due = serializers.IntegerField()
