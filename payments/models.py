"""Payments: who pays, what for, and every movement of money a provider reports.

No real provider is called. A ``PaymentSession`` is the provider-agnostic checkout
(Stripe's PaymentIntent / Checkout Session): it moves through a state machine driven by
the actions of the API, and each money movement the provider would report (a charge
that succeeded or failed, a refund) is a ``PaymentTransaction``. ``provider_ref`` fields
hold the provider's own identifiers.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from core.tenancy import TenantChildModel, TenantModel


class Customer(TenantModel):
    """Someone who pays the business, optionally linked to the booking client they pay for."""

    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    client = models.ForeignKey(
        "bookings.Client",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payment_customers",
        help_text="The booking client this customer pays for (credits bought are granted to them).",
    )
    provider_customer_ref = models.CharField(max_length=64, blank=True, help_text="The provider's customer id.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "email"], condition=~Q(email=""), name="payments_customer_unique_email"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "name"], name="payments_customer_tenant_name"),
            models.Index(fields=["tenant", "created_at"], name="payments_customer_tenant_made"),
        ]

    def __str__(self) -> str:
        return self.name


class PaymentSession(TenantModel):
    """One checkout: a customer paying for a booking or a class package."""

    class Purpose(models.TextChoices):
        BOOKING = "booking", "Booking"
        CLASS_PACKAGE = "class_package", "Class package"

    class Status(models.TextChoices):
        CREATED = "created", "Created"
        PENDING = "pending", "Pending"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"

    # Sessions that hold (or may soon hold) the customer's money.
    OPEN_STATUSES = (Status.CREATED, Status.PENDING)
    PAID_STATUSES = (Status.COMPLETED, Status.PARTIALLY_REFUNDED)

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="sessions")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    booking = models.ForeignKey(
        "bookings.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="payment_sessions"
    )
    class_package = models.ForeignKey(
        "bookings.ClassPackage", null=True, blank=True, on_delete=models.PROTECT, related_name="payment_sessions"
    )
    amount = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(max_length=3, default="GBP")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED)
    idempotency_key = models.CharField(max_length=255)
    provider_ref = models.CharField(max_length=64, blank=True, help_text="The provider's id for this checkout.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_session_amount_positive"),
            models.CheckConstraint(
                condition=Q(purpose="booking", booking__isnull=False, class_package__isnull=True)
                | Q(purpose="class_package", booking__isnull=True, class_package__isnull=False),
                name="payments_session_one_target",
            ),
            models.UniqueConstraint(fields=["tenant", "idempotency_key"], name="payments_session_idempotency"),
        ]
        indexes = [
            models.Index(fields=["tenant", "created_at"], name="payments_session_tenant_made"),
            models.Index(fields=["tenant", "status", "created_at"], name="payments_session_tenant_state"),
        ]

    def __str__(self) -> str:
        return f"Payment #{self.pk} {self.currency} {self.amount} ({self.get_status_display().lower()})"


class PaymentTransaction(TenantChildModel):
    """A money movement the provider reported for a session: a charge or a refund."""

    tenant_path = "session__tenant"

    class Kind(models.TextChoices):
        CHARGE = "charge", "Charge"
        REFUND = "refund", "Refund"

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    session = models.ForeignKey(PaymentSession, on_delete=models.CASCADE, related_name="transactions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    status = models.CharField(max_length=16, choices=Status.choices)
    provider_ref = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    failure_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payments_txn_amount_positive")]
        indexes = [models.Index(fields=["session", "created_at"], name="payments_txn_session_made")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.get_status_display().lower()}"
