"""Reads of the payments app. Every function takes the tenant (or a row of it) explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from core.models import TenantSettings
from payments.models import PaymentSession, PaymentTransaction

ZERO = Decimal("0.00")


def payment_session_by_key(*, tenant: TenantSettings, idempotency_key: str) -> PaymentSession | None:
    """The tenant's session created with ``idempotency_key``, if any (keys are per tenant)."""
    return PaymentSession.objects.filter(tenant=tenant, idempotency_key=idempotency_key).first()


@dataclass(frozen=True)
class SessionTotals:
    charged: Decimal
    refunded: Decimal

    @property
    def refundable(self) -> Decimal:
        return self.charged - self.refunded


def payment_session_totals(*, session: PaymentSession) -> SessionTotals:
    """What the provider actually charged and refunded for the session (succeeded moves only)."""
    figures = PaymentTransaction.objects.filter(session=session, status=PaymentTransaction.Status.SUCCEEDED).aggregate(
        charged=Sum("amount", filter=Q(kind=PaymentTransaction.Kind.CHARGE)),
        refunded=Sum("amount", filter=Q(kind=PaymentTransaction.Kind.REFUND)),
    )
    return SessionTotals(charged=figures["charged"] or ZERO, refunded=figures["refunded"] or ZERO)


def booking_payment_in_progress(*, tenant: TenantSettings, booking_id: int) -> PaymentSession | None:
    """A session that is open for, or has paid, the booking (a booking is paid once)."""
    return (
        PaymentSession.objects.filter(
            tenant=tenant,
            booking_id=booking_id,
            status__in=[*PaymentSession.OPEN_STATUSES, *PaymentSession.PAID_STATUSES],
        )
        .order_by("pk")
        .first()
    )
