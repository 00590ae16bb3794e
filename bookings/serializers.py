from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from bookings.models import (
    Booking,
    ClassPackage,
    Client,
    ClientCredit,
    IntakeProfile,
    IntakeWellbeingDisclaimer,
    OpeningHours,
    Service,
    Staff,
    Weekday,
)
from core.dates import BoundedDateField, BoundedDateTimeField
from core.references import OwnReferenceField, PublicReferenceField
from core.tenancy import TenantModelSerializer, TenantSerializer


class ServiceSerializer(TenantModelSerializer):
    ref = OwnReferenceField(help_text="The service's reference on the public booking pages.")

    class Meta:
        model = Service
        fields = [
            "id",
            "ref",
            "name",
            "description",
            "duration_minutes",
            "price",
            "capacity",
            "is_active",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class StaffSerializer(TenantModelSerializer):
    ref = OwnReferenceField(help_text="The staff member's reference on the public booking pages.")

    class Meta:
        model = Staff
        fields = ["id", "ref", "name", "email", "phone", "bio", "services", "staff_profile", "is_active", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "staff_profile": {
                "help_text": "The employee (a staff profile of this business) whose shifts, usual hours and "
                "approved leave decide when this person is offered on the public booking page. "
                "Without one, they are offered whenever the business is open."
            }
        }

    def validate_staff_profile(self, profile):
        if profile is None:
            return profile
        # The per-tenant uniqueness is conditional (unlinked rows never clash), so it is
        # checked here for a 400 rather than left to the database.
        linked = Staff.objects.filter(staff_profile=profile)
        if self.instance is not None:
            linked = linked.exclude(pk=self.instance.pk)
        other = linked.first()
        if other is not None:
            raise serializers.ValidationError(f"This staff profile is already linked to {other.name}.")
        return profile


class OpeningHoursSerializer(TenantModelSerializer):
    class Meta:
        model = OpeningHours
        fields = ["id", "weekday", "opens", "closes"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        opens = attrs.get("opens", getattr(self.instance, "opens", None))
        closes = attrs.get("closes", getattr(self.instance, "closes", None))
        if opens is not None and closes is not None and closes <= opens:
            raise serializers.ValidationError({"closes": ["The business must close after it opens."]})
        weekday = attrs.get("weekday", getattr(self.instance, "weekday", None))
        same_day = OpeningHours.objects.filter(weekday=weekday)
        if self.instance is not None:
            same_day = same_day.exclude(pk=self.instance.pk)
        if weekday is not None and same_day.exists():
            day = Weekday(weekday).label
            raise serializers.ValidationError(
                {"weekday": [f"{day} has its opening hours already; change that day instead."]}, code="unique"
            )
        return super().validate(attrs)


class ClientSerializer(TenantModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "name", "email", "phone", "notes", "marketing_consent", "created_at"]
        read_only_fields = ["created_at"]

    def validate_email(self, value: str) -> str:
        return value.lower()


class BookingSerializer(TenantModelSerializer):
    client_name = serializers.CharField(source="client.name", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    staff_name = serializers.CharField(source="staff.name", read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "client",
            "client_name",
            "service",
            "service_name",
            "staff",
            "staff_name",
            "starts_at",
            "ends_at",
            "status",
            "source",
            "price",
            "credit",
            "notes",
            "created_at",
            "cancelled_at",
        ]
        read_only_fields = ["ends_at", "status", "source", "price", "created_at", "cancelled_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "credit" in attrs and attrs["credit"] != self.instance.credit:
            raise serializers.ValidationError({"credit": "A booking's credit cannot be changed; cancel and rebook."})
        return super().validate(attrs)


class ClassPackageSerializer(TenantModelSerializer):
    class Meta:
        model = ClassPackage
        fields = ["id", "service", "name", "credits", "price", "valid_days", "is_active"]


class ClientCreditSerializer(TenantModelSerializer):
    class Meta:
        model = ClientCredit
        fields = ["id", "client", "package", "total", "remaining", "purchased_at", "expires_at"]
        read_only_fields = ["total", "remaining", "purchased_at", "expires_at"]


class IntakeWellbeingDisclaimerSerializer(serializers.ModelSerializer):
    class Meta:
        model = IntakeWellbeingDisclaimer
        fields = ["id", "version", "title", "body", "is_current", "published_at"]
        read_only_fields = fields


class IntakeProfileSerializer(TenantModelSerializer):
    class Meta:
        model = IntakeProfile
        fields = [
            "id",
            "client",
            "date_of_birth",
            "emergency_contact_name",
            "emergency_contact_phone",
            "medical_notes",
            "disclaimer",
            "disclaimer_accepted_at",
            "updated_at",
        ]
        read_only_fields = ["disclaimer_accepted_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        disclaimer = attrs.get("disclaimer")
        if disclaimer is not None and (self.instance is None or self.instance.disclaimer_id != disclaimer.pk):
            attrs["disclaimer_accepted_at"] = timezone.now()
        if self.instance is not None and "client" in attrs and attrs["client"] != self.instance.client:
            raise serializers.ValidationError({"client": "An intake profile stays with its client."})
        return super().validate(attrs)


class DashboardBookingSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.name")
    service_name = serializers.CharField(source="service.name")
    staff_name = serializers.CharField(source="staff.name")

    class Meta:
        model = Booking
        fields = ["id", "client_name", "service_name", "staff_name", "starts_at", "ends_at", "status"]


class DashboardSerializer(serializers.Serializer):
    date = serializers.DateField()
    bookings_today = serializers.IntegerField()
    pending_requests = serializers.IntegerField()
    cancellations_this_week = serializers.IntegerField()
    revenue_this_week = serializers.DecimalField(max_digits=12, decimal_places=2)
    new_clients_this_week = serializers.IntegerField()
    upcoming = DashboardBookingSerializer(many=True)


# The public booking page ---------------------------------------------------------


class PublicServiceSerializer(serializers.ModelSerializer):
    # Visitors see references, never sequence ids (core.references).
    ref = OwnReferenceField(help_text="Give this as `service` to the slots and the booking request.")

    class Meta:
        model = Service
        fields = ["ref", "name", "description", "duration_minutes", "price", "capacity"]
        read_only_fields = fields


class SlotQuerySerializer(TenantSerializer):
    service = PublicReferenceField(
        queryset=Service.objects.filter(is_active=True), help_text="A service's `ref` (public services)."
    )
    date = BoundedDateField()
    staff = PublicReferenceField(
        queryset=Staff.objects.filter(is_active=True), required=False, help_text="A staff member's `ref` (a slot's)."
    )


class SlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    staff = PublicReferenceField(read_only=True, help_text="Give this as `staff` to the booking request.")
    staff_name = serializers.CharField(source="staff.name")


class PublicBookingRequestSerializer(TenantSerializer):
    service = PublicReferenceField(queryset=Service.objects.filter(is_active=True), help_text="A service's `ref`.")
    staff = PublicReferenceField(
        queryset=Staff.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text="A staff member's `ref` (a slot's); none for whoever is free.",
    )
    starts_at = BoundedDateTimeField()
    name = serializers.CharField(max_length=120)
    email = serializers.EmailField()
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PublicBookingConfirmationSerializer(serializers.ModelSerializer):
    ref = OwnReferenceField(help_text="The booking's reference, to quote to the business.")
    service_name = serializers.CharField(source="service.name")
    staff_name = serializers.CharField(source="staff.name")

    class Meta:
        model = Booking
        fields = ["ref", "service_name", "staff_name", "starts_at", "ends_at", "status"]


class PublicBookingCancelSerializer(serializers.Serializer):
    token = serializers.CharField(
        max_length=1000, help_text="The token of the cancel link in the client's booking e-mails."
    )
