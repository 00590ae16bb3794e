from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.tenancy import TenantModelSerializer, TenantSerializer
from payments.models import Customer, PaymentSession, PaymentTransaction


class CustomerSerializer(TenantModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name", "email", "phone", "client", "provider_customer_ref", "created_at"]
        read_only_fields = ["created_at"]

    def validate_email(self, value: str) -> str:
        return value.lower()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        # The per-tenant email constraint is conditional (blank emails may repeat), so the
        # core does not check it: a duplicate must be a 400, not a database error.
        email = attrs.get("email", self.instance.email if self.instance is not None else "")
        if email:
            others = Customer.objects.filter(email__iexact=email)
            if self.instance is not None:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                raise serializers.ValidationError({"email": ["A customer with this email already exists."]})
        return attrs


class PaymentSessionSerializer(TenantModelSerializer):
    """A checkout. The amount and currency come from what it pays for, never from input."""

    customer_name = serializers.CharField(source="customer.name", read_only=True)
    refunded_amount = serializers.SerializerMethodField()

    class Meta:
        model = PaymentSession
        fields = [
            "id",
            "customer",
            "customer_name",
            "purpose",
            "booking",
            "class_package",
            "amount",
            "currency",
            "status",
            "idempotency_key",
            "provider_ref",
            "refunded_amount",
            "created_at",
            "updated_at",
            "completed_at",
        ]
        read_only_fields = ["amount", "currency", "status", "provider_ref", "created_at", "updated_at", "completed_at"]

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_refunded_amount(self, session: PaymentSession) -> str:
        refunded = sum(
            (
                t.amount
                for t in session.transactions.all()
                if t.kind == PaymentTransaction.Kind.REFUND and t.status == PaymentTransaction.Status.SUCCEEDED
            ),
            Decimal("0.00"),
        )
        return f"{refunded:.2f}"

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Deliberately not TenantModelSerializer.validate: its per-tenant uniqueness check
        # would refuse a reused idempotency key, which must instead return the session the
        # key already opened (services.payment_session_create decides, under the constraint).
        return serializers.ModelSerializer.validate(self, attrs)


class ProviderRefSerializer(TenantSerializer):
    provider_ref = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="The provider's reference, if it sent one.",
    )


class FailSerializer(ProviderRefSerializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RefundSerializer(ProviderRefSerializer):
    amount = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        default=None,
        help_text="Leave out to refund everything not yet refunded.",
    )


class PaymentTransactionSerializer(TenantModelSerializer):
    customer = serializers.IntegerField(source="session.customer_id", read_only=True)

    class Meta:
        model = PaymentTransaction
        fields = [
            "id",
            "session",
            "customer",
            "kind",
            "amount",
            "status",
            "provider_ref",
            "failure_reason",
            "created_at",
        ]
        read_only_fields = fields
