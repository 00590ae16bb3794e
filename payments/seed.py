"""Demo data for the payments app: checkouts in every state for the bookings seeded before.

Runs after the bookings seeder: customers are made for the clients of some paid
bookings, sessions are driven through the real state machine (so transactions, credits,
booking confirmations and activity events are consistent) and then dated back to when
they would have happened. The health club and the therapy practice also sell class passes.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from bookings.models import Booking, ClassPackage, Client
from core.models import TenantSettings
from payments import services
from payments.models import Customer, PaymentSession, PaymentTransaction

Status = PaymentSession.Status

# The state each booking payment ends in; every state of the machine appears.
BOOKING_OUTCOMES = [
    Status.COMPLETED,
    Status.COMPLETED,
    Status.PENDING,
    Status.COMPLETED,
    Status.FAILED,
    Status.REFUNDED,
    Status.COMPLETED,
    Status.CREATED,
    Status.PARTIALLY_REFUNDED,
    Status.COMPLETED,
    Status.CANCELLED,
    Status.COMPLETED,
    Status.FAILED,
    Status.PENDING,
    Status.COMPLETED,
    Status.CREATED,
]
FAILURES = [
    "Card declined by the issuer.",
    "Insufficient funds.",
    "3-D Secure authentication was not completed.",
    "Card expired.",
]
# A payer who is not a booking client (pays for someone else's bookings).
OTHER_PAYERS = {
    "salon": ("Janet Fairweather (gift vouchers)", "janet.fairweather@example.com"),
    "restaurant": ("Tyne Events Ltd (corporate account)", "accounts@tyne-events.example.com"),
    "health_club": ("Harriet Blake (pays for family swim lessons)", "harriet.blake@example.com"),
    "therapy": ("North East Employee Assistance", "eap@ne-assist.example.com"),
    "agency": ("Coastline Holdings (invoicing)", "finance@coastline.example.com"),
}
PACKAGE_KINDS = ("health_club", "therapy")


def seed_demo_data(*, tenant: TenantSettings, kind: str, rng: random.Random, users: dict) -> None:
    now = timezone.now()
    payable = list(
        Booking.objects.filter(tenant=tenant, price__gt=0)
        .exclude(status__in=services.UNPAYABLE_BOOKINGS)
        .select_related("client", "service")
        .order_by("starts_at", "pk")
    )
    rng.shuffle(payable)
    to_pay = payable[: len(BOOKING_OUTCOMES)]

    customers: dict[int, Customer] = {}
    for booking in sorted(to_pay, key=lambda b: b.client.name):
        if booking.client_id not in customers:
            customers[booking.client_id] = _customer_for(tenant=tenant, client=booking.client, rng=rng)
    payer_name, payer_email = OTHER_PAYERS[kind]
    other_payer = Customer.objects.create(
        tenant=tenant, name=payer_name, email=payer_email, provider_customer_ref=_ref(rng, "cus")
    )

    keys = iter(range(1, 1000))
    for index, (booking, outcome) in enumerate(zip(to_pay, BOOKING_OUTCOMES, strict=False)):
        payer = other_payer if index == 3 else customers[booking.client_id]
        opened = min(booking.starts_at - timedelta(days=rng.randint(1, 6)), now - timedelta(hours=rng.randint(1, 48)))
        session = _drive(
            tenant=tenant,
            customer=payer,
            booking=booking,
            outcome=outcome,
            key=f"{tenant.slug}-{next(keys):04d}",
            rng=rng,
            users=users,
        )
        _date_back(session, opened=opened, now=now, rng=rng)
        if outcome == Status.FAILED and index == 4:
            # The customer tried again with another card and it went through.
            retry = _drive(
                tenant=tenant,
                customer=payer,
                booking=booking,
                outcome=Status.COMPLETED,
                key=f"{tenant.slug}-{next(keys):04d}",
                rng=rng,
                users=users,
            )
            _date_back(retry, opened=opened + timedelta(minutes=12), now=now, rng=rng)

    if kind in PACKAGE_KINDS:
        _seed_package_purchases(tenant=tenant, rng=rng, users=users, customers=customers, keys=keys, now=now)


def _ref(rng: random.Random, prefix: str) -> str:
    return f"{prefix}_{rng.getrandbits(96):024x}"


def _customer_for(*, tenant: TenantSettings, client: Client, rng: random.Random) -> Customer:
    return Customer.objects.create(
        tenant=tenant,
        name=client.name,
        email=client.email,
        phone=client.phone,
        client=client,
        provider_customer_ref=_ref(rng, "cus"),
    )


def _drive(
    *,
    tenant: TenantSettings,
    customer: Customer,
    outcome: str,
    key: str,
    rng: random.Random,
    users: dict,
    booking: Booking | None = None,
    package: ClassPackage | None = None,
) -> PaymentSession:
    """Open a session and take it through the state machine to ``outcome``."""
    session, _ = services.payment_session_create(
        tenant=tenant,
        customer=customer,
        purpose=PaymentSession.Purpose.BOOKING if booking else PaymentSession.Purpose.CLASS_PACKAGE,
        booking=booking,
        class_package=package,
        idempotency_key=key,
    )
    if outcome == Status.CREATED:
        return session
    if outcome == Status.CANCELLED and rng.random() < 0.5:
        return services.payment_session_cancel(session=session)
    session = services.payment_session_start(session=session, provider_ref=_ref(rng, "cs"))
    if outcome == Status.PENDING:
        return session
    if outcome == Status.CANCELLED:
        return services.payment_session_cancel(session=session)
    staff_member = rng.choice([users["staff"], users["manager"]])
    if outcome == Status.FAILED:
        return services.payment_session_fail(
            session=session, reason=rng.choice(FAILURES), provider_ref=_ref(rng, "ch"), performed_by=staff_member
        )
    session = services.payment_session_complete(
        session=session, provider_ref=_ref(rng, "ch"), performed_by=staff_member
    )
    if outcome == Status.REFUNDED:
        return services.payment_session_refund(
            session=session, provider_ref=_ref(rng, "re"), performed_by=users["manager"]
        )
    if outcome == Status.PARTIALLY_REFUNDED:
        share = rng.choice([Decimal("0.25"), Decimal("0.5")])
        part = max((session.amount * share).quantize(Decimal("0.01")), Decimal("0.01"))
        return services.payment_session_refund(
            session=session, amount=part, provider_ref=_ref(rng, "re"), performed_by=users["owner"]
        )
    return session


def _date_back(session: PaymentSession, *, opened: datetime, now: datetime, rng: random.Random) -> None:
    """Move the session and its transactions to when they would have happened."""
    paid = opened + timedelta(minutes=rng.randint(2, 15))
    refunded = min(paid + timedelta(days=rng.randint(1, 4)), now)
    transactions = PaymentTransaction.objects.filter(session=session)
    transactions.filter(kind=PaymentTransaction.Kind.CHARGE).update(created_at=paid)
    transactions.filter(kind=PaymentTransaction.Kind.REFUND).update(created_at=refunded)
    last = {
        Status.CREATED: opened,
        Status.PENDING: opened + timedelta(minutes=1),
        Status.CANCELLED: opened + timedelta(minutes=30),
        Status.REFUNDED: refunded,
        Status.PARTIALLY_REFUNDED: refunded,
    }.get(session.status, paid)
    PaymentSession.objects.filter(pk=session.pk).update(
        created_at=opened,
        updated_at=last,
        completed_at=paid if session.completed_at else None,
    )


def _seed_package_purchases(*, tenant, rng, users, customers: dict[int, Customer], keys, now) -> None:
    """Class passes bought by a few clients: the completed ones granted them credits."""
    packages = list(ClassPackage.objects.filter(service__tenant=tenant, is_active=True).order_by("pk"))
    if not packages:
        return
    buyers = list(customers.values())
    chosen = rng.sample(buyers, k=min(4, len(buyers)))
    for number, customer in enumerate(chosen):
        outcome = Status.PENDING if number == len(chosen) - 1 and len(chosen) > 1 else Status.COMPLETED
        session = _drive(
            tenant=tenant,
            customer=customer,
            package=rng.choice(packages),
            outcome=outcome,
            key=f"{tenant.slug}-{next(keys):04d}",
            rng=rng,
            users=users,
        )
        _date_back(session, opened=now - timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 8)), now=now, rng=rng)
