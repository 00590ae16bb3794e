from __future__ import annotations

import os
from typing import Any

from django.core.validators import FileExtensionValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from compliance.models import (
    AccidentReport,
    ComplianceCategory,
    ComplianceItem,
    Equipment,
    EquipmentInspection,
    HazardFinding,
    IncidentPhoto,
    IncidentReport,
    PeaceOfMindScore,
    RAMSDocument,
    RiskAssessment,
    ScoreAuditLog,
    SignOff,
)
from core.dates import BoundedDateField
from core.tenancy import TenantModelSerializer, TenantSerializer

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
PHOTO_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp", "heic", "heif"]
DOCUMENT_EXTENSIONS = ["pdf", "doc", "docx", "odt", "txt", "rtf", "xls", "xlsx", "jpg", "jpeg", "png"]


@extend_schema_field({"type": "string", "nullable": True})
class PersonNameField(serializers.Field):
    """A person's full name (else their username), read from the user at ``source``;
    null for nobody."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, user) -> str:
        return user.get_full_name() or user.username


def _refuse_large(upload) -> None:
    if upload is not None and upload.size > MAX_UPLOAD_BYTES:
        raise serializers.ValidationError(f"Files are limited to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")


def _stays_with_parent(serializer: serializers.Serializer, attrs: dict[str, Any], field: str) -> None:
    if serializer.instance is not None and field in attrs and attrs[field] != getattr(serializer.instance, field):
        raise serializers.ValidationError({field: f"This record stays with its {field.replace('_', ' ')}."})


class FileLinksMixin(serializers.Serializer):
    """``file_name`` and ``download_url`` of a stored file; the file itself is write-only."""

    file_field = "file"
    download_route = ""

    file_name = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_file_name(self, obj) -> str | None:
        stored = getattr(obj, self.file_field)
        return os.path.basename(stored.name).split("_", 1)[-1] if stored else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, obj) -> str | None:
        if not getattr(obj, self.file_field):
            return None
        return reverse(self.download_route, kwargs={"pk": obj.pk}, request=self.context.get("request"))


# Categories and items ---------------------------------------------------------------


class ComplianceCategorySerializer(TenantModelSerializer):
    class Meta:
        model = ComplianceCategory
        fields = ["id", "name", "description", "weight", "created_at"]
        read_only_fields = ["created_at"]


class ComplianceItemSerializer(TenantModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = ComplianceItem
        fields = [
            "id",
            "category",
            "category_name",
            "title",
            "description",
            "frequency",
            "due_date",
            "last_completed_on",
            "status",
            "owner",
            "evidence_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["last_completed_on", "created_at", "updated_at"]
        extra_kwargs = {
            "status": {
                "help_text": "Derived from the dates. Set 'not_applicable' to leave the item out of the score; "
                "set any other value to make it applicable again (the dates then decide)."
            }
        }

    def validate_status(self, status: str) -> str:
        if self.instance is not None and status != ComplianceItem.Status.NOT_APPLICABLE:
            return ComplianceItem.Status.COMPLIANT  # re-derived from the dates on save
        return status


class ComplianceItemCompleteSerializer(TenantSerializer):
    completed_on = BoundedDateField(required=False, help_text="Defaults to today.")
    evidence_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


# Incidents --------------------------------------------------------------------------


class IncidentReportSerializer(TenantModelSerializer):
    reported_by_name = PersonNameField(source="reported_by")
    photo_count = serializers.SerializerMethodField()

    class Meta:
        model = IncidentReport
        fields = [
            "id",
            "title",
            "description",
            "occurred_at",
            "location",
            "severity",
            "status",
            "reported_by",
            "reported_by_name",
            "photo_count",
            "created_at",
        ]
        read_only_fields = ["reported_by", "created_at"]

    def get_photo_count(self, obj: IncidentReport) -> int:
        return obj.photo_total if hasattr(obj, "photo_total") else obj.photos.count()


class IncidentPhotoSerializer(FileLinksMixin, TenantModelSerializer):
    file_field = "image"
    download_route = "compliance-incident-photo-download"

    image = serializers.FileField(
        write_only=True, validators=[FileExtensionValidator(PHOTO_EXTENSIONS)], help_text="The photo (multipart)."
    )

    class Meta:
        model = IncidentPhoto
        fields = ["id", "incident", "image", "caption", "file_name", "download_url", "uploaded_at"]
        read_only_fields = ["uploaded_at"]

    def validate_image(self, upload):
        _refuse_large(upload)
        return upload


class SignOffSerializer(TenantModelSerializer):
    signed_by_name = PersonNameField(source="signed_by")

    class Meta:
        model = SignOff
        fields = ["id", "incident", "signed_by", "signed_by_name", "role_at_signing", "comment", "signed_at"]
        read_only_fields = ["signed_by", "role_at_signing", "signed_at"]


# Risk assessments -------------------------------------------------------------------


class RiskAssessmentSerializer(TenantModelSerializer):
    finding_count = serializers.SerializerMethodField()

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "title",
            "area",
            "assessor",
            "assessed_on",
            "review_due",
            "status",
            "created_by",
            "finding_count",
            "created_at",
        ]
        read_only_fields = ["created_by", "created_at"]
        extra_kwargs = {"assessor": {"required": False, "help_text": "Defaults to you."}}

    def get_finding_count(self, obj: RiskAssessment) -> int:
        return obj.finding_total if hasattr(obj, "finding_total") else obj.findings.count()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        assessed_on = attrs.get("assessed_on", getattr(self.instance, "assessed_on", None))
        review_due = attrs.get("review_due", getattr(self.instance, "review_due", None))
        if assessed_on and review_due and review_due < assessed_on:
            raise serializers.ValidationError({"review_due": "The review cannot be due before the assessment."})
        return super().validate(attrs)


class HazardFindingSerializer(TenantModelSerializer):
    class Meta:
        model = HazardFinding
        fields = [
            "id",
            "assessment",
            "hazard",
            "who_at_risk",
            "likelihood",
            "severity",
            "risk_score",
            "controls",
            "action_owner",
            "action_due",
            "resolved",
        ]
        read_only_fields = ["risk_score"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _stays_with_parent(self, attrs, "assessment")
        return super().validate(attrs)


# Equipment --------------------------------------------------------------------------


class EquipmentSerializer(TenantModelSerializer):
    class Meta:
        model = Equipment
        fields = [
            "id",
            "name",
            "serial_number",
            "location",
            "inspection_interval_days",
            "last_inspected_on",
            "next_inspection_due",
            "is_active",
            "created_at",
        ]
        read_only_fields = ["last_inspected_on", "created_at"]
        extra_kwargs = {
            "next_inspection_due": {
                "help_text": "Follows each inspection; set it to book the next one. "
                "Defaults to today for equipment never inspected."
            }
        }

    def validate_serial_number(self, value: str) -> str:
        value = value.strip()
        if value:
            clash = Equipment.objects.filter(serial_number=value)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError("Equipment with this serial number already exists.")
        return value


class EquipmentInspectionSerializer(TenantModelSerializer):
    equipment_name = serializers.CharField(source="equipment.name", read_only=True)

    class Meta:
        model = EquipmentInspection
        fields = ["id", "equipment", "equipment_name", "inspected_on", "inspector", "passed", "notes", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "inspected_on": {"required": False, "help_text": "Defaults to today."},
            "inspector": {"required": False, "help_text": "Defaults to you."},
        }


class InspectionsDueQuerySerializer(TenantSerializer):
    within_days = serializers.IntegerField(
        required=False, default=30, min_value=0, max_value=3650, help_text="Look this many days ahead (default 30)."
    )


# Accidents --------------------------------------------------------------------------


class AccidentReportSerializer(TenantModelSerializer):
    reported_by_name = PersonNameField(source="reported_by")

    class Meta:
        model = AccidentReport
        fields = [
            "id",
            "person_involved",
            "occurred_at",
            "location",
            "description",
            "injury",
            "first_aid_given",
            "hospital_visit",
            "riddor_reportable",
            "reported_by",
            "reported_by_name",
            "created_at",
        ]
        read_only_fields = ["reported_by", "created_at"]


# RAMS -------------------------------------------------------------------------------


class RAMSDocumentSerializer(FileLinksMixin, TenantModelSerializer):
    download_route = "compliance-rams-download"

    file = serializers.FileField(
        write_only=True,
        required=False,
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS)],
        help_text="The signed document (multipart, optional).",
    )

    class Meta:
        model = RAMSDocument
        fields = [
            "id",
            "title",
            "activity",
            "file",
            "file_name",
            "download_url",
            "version",
            "status",
            "approved_by",
            "approved_on",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["status", "approved_by", "approved_on", "created_by", "created_at"]

    def validate_file(self, upload):
        _refuse_large(upload)
        return upload


# The Peace of Mind score ------------------------------------------------------------


class PeaceOfMindScoreSerializer(TenantModelSerializer):
    class Meta:
        model = PeaceOfMindScore
        fields = [
            "score",
            "compliant_items",
            "total_items",
            "overdue_items",
            "open_critical_incidents",
            "computed_at",
        ]
        read_only_fields = fields


class ScoreRecomputeSerializer(TenantSerializer):
    reason = serializers.CharField(required=False, max_length=200, default="Recomputed on request")


class ScoreAuditLogSerializer(TenantModelSerializer):
    changed_by_name = PersonNameField(source="changed_by")
    change = serializers.SerializerMethodField()

    class Meta:
        model = ScoreAuditLog
        fields = [
            "id",
            "previous_score",
            "new_score",
            "change",
            "reason",
            "changed_by",
            "changed_by_name",
            "created_at",
        ]
        read_only_fields = fields

    def get_change(self, obj: ScoreAuditLog) -> int | None:
        return None if obj.previous_score is None else obj.new_score - obj.previous_score
