from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from accounts.models import User
from core.tenancy import TenantModelSerializer, TenantSerializer
from staff.models import (
    AbsenceRecord,
    LeaveRequest,
    Shift,
    StaffProfile,
    TimesheetEntry,
    TrainingRecord,
    WorkingHours,
)


def person_name(user) -> str:
    """How a person is shown: their full name, else their username ("" for nobody)."""
    return (user.get_full_name() or user.username) if user is not None else ""


class OwnProfileDefault:
    """``staff_profile`` left out: the row's own profile on update, else the caller's own.

    The view states the caller's own profiles in the context (``own_profiles``).
    """

    requires_context = True

    def __call__(self, field: serializers.Field):
        serializer = field.parent
        instance = getattr(serializer, "instance", None)
        if instance is not None and hasattr(instance, "staff_profile"):
            return instance.staff_profile
        own_profiles = serializer.context.get("own_profiles")
        profile = own_profiles.first() if own_profiles is not None else None
        if profile is None:
            raise serializers.ValidationError("You have no staff profile here; name the staff member.")
        return profile

    def __repr__(self) -> str:
        return "OwnProfileDefault()"


class OwnProfileFieldMixin:
    """A staff-role user can only name their own profile: another's id fails like a missing one."""

    # Whether the caller manages staff is the view's word (context ``manages_staff``).

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        field = fields.get("staff_profile")
        own_profiles = self.context.get("own_profiles")
        if field is not None and not field.read_only and own_profiles is not None and not manages_staff(self):
            field.queryset = own_profiles
        return fields


def manages_staff(serializer: serializers.BaseSerializer) -> bool:
    return bool(serializer.context.get("manages_staff", False))


def staff_profile_field() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=StaffProfile.objects.all(),
        default=OwnProfileDefault(),
        help_text="The staff member; defaults to the signed-in user's own profile.",
    )


class StaffChildSerializer(OwnProfileFieldMixin, TenantModelSerializer):
    staff_profile = staff_profile_field()
    staff_name = serializers.CharField(source="staff_profile.display_name", read_only=True)


# Staff profiles ------------------------------------------------------------------


class StaffProfileSerializer(TenantModelSerializer):
    """A staff member: their account (username, names, email, role) and their employment.

    Creating one creates the account too. The username is the business's own choice,
    unique within the business (stored in lower case); without a password the staff
    member is e-mailed an invitation to choose one (when they have an e-mail address).
    """

    username = serializers.CharField(
        source="user.username",
        max_length=150,
        help_text="Unique within the business, stored in lower case; signs in with the business named "
        "(its host or X-Tenant-Slug). Fixed once created.",
    )
    first_name = serializers.CharField(source="user.first_name", max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(source="user.last_name", max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(source="user.email", required=False, allow_blank=True)
    role = serializers.ChoiceField(
        source="user.role",
        choices=User.Role.choices,
        required=False,
        help_text="manager or staff (only an owner may appoint a manager); defaults to staff.",
    )
    password = serializers.CharField(
        write_only=True,
        required=False,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="Optional, on creation only; without it the account has no usable password until its "
        "user chooses one from the invitation e-mailed to them.",
    )
    full_name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = StaffProfile
        fields = [
            "id",
            "user",
            "username",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "role",
            "password",
            "job_title",
            "phone",
            "employment_type",
            "start_date",
            "hourly_rate",
            "is_active",
            "created_at",
        ]
        read_only_fields = ["user", "created_at"]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        if self.instance is not None:
            fields["username"].required = False
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if self.instance is not None and "password" in attrs:
            raise serializers.ValidationError({"password": "A password is set by its user, not on the profile."})
        return attrs


# Shifts --------------------------------------------------------------------------


class ShiftSerializer(StaffChildSerializer):
    class Meta:
        model = Shift
        fields = [
            "id",
            "staff_profile",
            "staff_name",
            "starts_at",
            "ends_at",
            "role",
            "location",
            "notes",
            "created_at",
        ]
        read_only_fields = ["created_at"]


# Leave ---------------------------------------------------------------------------


class LeaveRequestSerializer(StaffChildSerializer):
    days = serializers.IntegerField(read_only=True, help_text="Calendar days, both ends included.")
    decided_by_name = serializers.SerializerMethodField()

    class Meta:
        model = LeaveRequest
        fields = [
            "id",
            "staff_profile",
            "staff_name",
            "type",
            "start_date",
            "end_date",
            "days",
            "reason",
            "status",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "decision_note",
            "created_at",
        ]
        read_only_fields = ["status", "decided_by", "decided_at", "decision_note", "created_at"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_decided_by_name(self, leave: LeaveRequest) -> str:
        return person_name(leave.decided_by)


class LeaveDecisionSerializer(TenantSerializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


# Training ------------------------------------------------------------------------


class TrainingRecordSerializer(StaffChildSerializer):
    is_expired = serializers.SerializerMethodField()

    class Meta:
        model = TrainingRecord
        fields = [
            "id",
            "staff_profile",
            "staff_name",
            "title",
            "provider",
            "completed_on",
            "expires_on",
            "is_expired",
            "certificate_reference",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_expired(self, record: TrainingRecord) -> bool:
        tenant = getattr(self.context.get("request"), "tenant", None)
        return record.is_expired if tenant is None else record.is_expired_on(tenant.today())


# Working hours -------------------------------------------------------------------


class WorkingHoursSerializer(StaffChildSerializer):
    weekday_name = serializers.CharField(source="get_weekday_display", read_only=True)

    class Meta:
        model = WorkingHours
        fields = ["id", "staff_profile", "staff_name", "weekday", "weekday_name", "starts_at", "ends_at"]
        # One row per weekday is checked by the service, with a clearer message.
        validators = []


# Timesheets ----------------------------------------------------------------------

MANAGER_ONLY_TIMESHEET_FIELDS = ("clock_in", "clock_out")


class TimesheetEntrySerializer(StaffChildSerializer):
    hours = serializers.DecimalField(
        max_digits=6, decimal_places=2, read_only=True, allow_null=True, help_text="Worked, breaks deducted."
    )
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = TimesheetEntry
        fields = [
            "id",
            "staff_profile",
            "staff_name",
            "clock_in",
            "clock_out",
            "break_minutes",
            "note",
            "hours",
            "is_open",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        # "One open entry per person" is checked by the service, with a clearer message.
        validators = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and not manages_staff(self):
            fields = MANAGER_ONLY_TIMESHEET_FIELDS
            if any(name in attrs and attrs[name] != getattr(self.instance, name) for name in fields):
                raise exceptions.PermissionDenied("Only managers may correct clock times; add a note instead.")
        return super().validate(attrs)


class ClockInSerializer(OwnProfileFieldMixin, TenantSerializer):
    staff_profile = staff_profile_field()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ClockOutSerializer(TenantSerializer):
    break_minutes = serializers.IntegerField(required=False, min_value=0, max_value=720)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


# Absences ------------------------------------------------------------------------


class AbsenceRecordSerializer(StaffChildSerializer):
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = AbsenceRecord
        fields = [
            "id",
            "staff_profile",
            "staff_name",
            "date",
            "reason",
            "notes",
            "recorded_by",
            "recorded_by_name",
            "created_at",
        ]
        read_only_fields = ["recorded_by", "created_at"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_recorded_by_name(self, absence: AbsenceRecord) -> str:
        return person_name(absence.recorded_by)


class InvitationSentSerializer(serializers.Serializer):
    detail = serializers.CharField()
