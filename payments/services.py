"""Writes of the payments app: the provider-agnostic state machine of a checkout.

    created --start--> pending --complete--> completed --refund--> partially_refunded | refunded
    pending --fail--> failed            partially_refunded --refund--> partially_refunded | refunded
    created | pending --cancel--> cancelled

No provider is called: each function records what a provider (Stripe-like) would report,
with its reference in ``provider_ref``. Every transition runs in one database transaction
through ``core.transitions``, which re-reads the session under a row lock: of two
concurrent completions (or refunds) of one session, one wins and the other is answered
409 with the session's state now; transactions and events are written by the winner only.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking, ClassPackage
from bookings.services import booking_set_status, client_credit_grant
from core.models import BusinessEvent, TenantSettings
from core.services import business_event_record
from core.transitions import StateConflict, transition, transition_lock
from payments import selectors
from payments.models import Customer, PaymentSession, PaymentTransaction

Purpose = PaymentSession.Purpose
Status = PaymentSession.Status
UNPAYABLE_BOOKINGS = (Booking.Status.CANCELLED, Booking.Status.NO_SHOW)


def provider_ref_new(*, prefix: str) -> str:
    """A provider-style identifier (``cs_…``, ``ch_…``, ``re_…``) for the simulated provider."""
    return f"{prefix}_{secrets.token_hex(12)}"


def _money(session: PaymentSession, amount: Decimal | None = None) -> str:
    return f"{session.currency} {session.amount if amount is None else amount}"


def _paid_for(session: PaymentSession) -> str:
    if session.purpose == Purpose.BOOKING:
        booking = session.booking
        when = session.tenant.local(booking.starts_at)
        return f"{booking.service.name} on {when:%a %d %b %H:%M}"
    return session.class_package.name


# Creation -------------------------------------------------------------------------


def _amount_due(
    *, tenant: TenantSettings, purpose: str, booking: Booking | None, class_package: ClassPackage | None
) -> Decimal:
    """The amount of a new session, from the row it pays for (never from the request)."""
    if purpose == Purpose.BOOKING:
        if booking is None:
            raise ValidationError({"booking": "A booking payment needs the booking it pays for."})
        if class_package is not None:
            raise ValidationError({"class_package": "A booking payment cannot also pay for a class package."})
        if booking.status in UNPAYABLE_BOOKINGS:
            raise ValidationError({"booking": f"A {booking.get_status_display().lower()} booking cannot be paid for."})
        if booking.price <= 0:
            raise ValidationError({"booking": "This booking costs nothing (or was paid with a class credit)."})
        # Lock the booking so two sessions for it cannot be opened side by side.
        Booking.objects.select_for_update().filter(pk=booking.pk).first()
        paying = selectors.booking_payment_in_progress(tenant=tenant, booking_id=booking.pk)
        if paying is not None:
            raise ValidationError(
                {"booking": f"This booking already has a payment in progress or paid (session #{paying.pk})."}
            )
        return booking.price
    if purpose == Purpose.CLASS_PACKAGE:
        if class_package is None:
            raise ValidationError({"class_package": "A class package payment needs the package it pays for."})
        if booking is not None:
            raise ValidationError({"booking": "A class package payment cannot also pay for a booking."})
        if not class_package.is_active:
            raise ValidationError({"class_package": "This package is not sold any more."})
        if class_package.price <= 0:
            raise ValidationError({"class_package": "This package costs nothing; there is nothing to pay."})
        return class_package.price
    raise ValidationError({"purpose": f"Unknown purpose '{purpose}'."})


def _replay(
    session: PaymentSession,
    *,
    customer: Customer,
    purpose: str,
    booking: Booking | None,
    class_package: ClassPackage | None,
) -> PaymentSession:
    """The session a reused idempotency key names, if the request is the same one again."""
    same = (
        session.customer_id == customer.pk
        and session.purpose == purpose
        and session.booking_id == getattr(booking, "pk", None)
        and session.class_package_id == getattr(class_package, "pk", None)
    )
    if not same:
        raise ValidationError(
            {
                "idempotency_key": (
                    f"This idempotency key was already used for a different payment (session #{session.pk}). "
                    "Send exactly the same request to get that session back, or use a new key."
                )
            }
        )
    return session


@transaction.atomic
def payment_session_create(
    *,
    tenant: TenantSettings,
    customer: Customer,
    purpose: str,
    idempotency_key: str,
    booking: Booking | None = None,
    class_package: ClassPackage | None = None,
) -> tuple[PaymentSession, bool]:
    """Open a checkout, or return the one this idempotency key already opened.

    Returns ``(session, created)``. Keys are unique per tenant: the same key in another
    business is another checkout. The amount is the booking's or the package's price.
    """
    request = {"customer": customer, "purpose": purpose, "booking": booking, "class_package": class_package}
    existing = selectors.payment_session_by_key(tenant=tenant, idempotency_key=idempotency_key)
    if existing is not None:
        return _replay(existing, **request), False
    session = PaymentSession(
        tenant=tenant,
        idempotency_key=idempotency_key,
        amount=_amount_due(tenant=tenant, purpose=purpose, booking=booking, class_package=class_package),
        **request,
    )
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:
        # A concurrent request with the same key was first: answer with its session.
        existing = selectors.payment_session_by_key(tenant=tenant, idempotency_key=idempotency_key)
        if existing is None:
            raise
        return _replay(existing, **request), False
    return session, True


# Transitions ----------------------------------------------------------------------


def _refused(verb: str) -> str:
    return f"A {{state}} payment cannot be {verb}."


@transaction.atomic
def payment_session_start(*, session: PaymentSession, provider_ref: str = "") -> PaymentSession:
    """The customer went to the provider's checkout: created → pending."""
    session = transition_lock(row=session, allowed=[Status.CREATED], refused=_refused("started"))
    if session.purpose == Purpose.BOOKING and session.booking.status in UNPAYABLE_BOOKINGS:
        raise ValidationError({"booking": "This booking can no longer be paid for; cancel the payment instead."})
    if session.purpose == Purpose.CLASS_PACKAGE and not session.class_package.is_active:
        raise ValidationError({"class_package": "This package is not sold any more; cancel the payment instead."})
    session.status = Status.PENDING
    session.provider_ref = provider_ref or session.provider_ref or provider_ref_new(prefix="cs")
    session.save(update_fields=["status", "provider_ref", "updated_at"])
    return session


@transaction.atomic
def payment_session_complete(
    *, session: PaymentSession, provider_ref: str = "", performed_by: User | None = None
) -> PaymentSession:
    """The provider took the money: pending → completed, with a succeeded charge.

    A package purchase grants the customer's client the package's credits; a booking
    payment confirms the booking if it was still pending.
    """
    session = transition(
        row=session,
        allowed=[Status.PENDING],
        refused=_refused("completed"),
        changes={"status": Status.COMPLETED, "completed_at": timezone.now()},
    )
    PaymentTransaction.objects.create(
        session=session,
        kind=PaymentTransaction.Kind.CHARGE,
        amount=session.amount,
        status=PaymentTransaction.Status.SUCCEEDED,
        provider_ref=provider_ref or provider_ref_new(prefix="ch"),
    )
    customer = session.customer
    outcome = ""
    if session.purpose == Purpose.CLASS_PACKAGE:
        if customer.client_id is not None:
            credit = client_credit_grant(client=customer.client, package=session.class_package)
            outcome = f"; {credit.total} credits for {customer.client.name}"
        else:
            outcome = "; no client linked, so no credits granted"
    elif session.booking.status == Booking.Status.PENDING:
        try:
            booking_set_status(booking=session.booking, status=Booking.Status.CONFIRMED)
            outcome = "; booking confirmed"
        except StateConflict as conflict:
            # Staff settled the booking meanwhile; the money is taken all the same.
            outcome = f"; booking already {conflict.current_state.replace('_', ' ')}"
    business_event_record(
        tenant=session.tenant,
        kind=BusinessEvent.Kind.PAYMENT_COMPLETED,
        summary=f"{customer.name} paid {_money(session)} for {_paid_for(session)}{outcome}",
        performed_by=performed_by,
        subject=session,
    )
    return session


@transaction.atomic
def payment_session_fail(
    *, session: PaymentSession, reason: str = "", provider_ref: str = "", performed_by: User | None = None
) -> PaymentSession:
    """The provider declined the charge: pending → failed, with a failed charge."""
    reason = (reason or "The payment was declined.").strip()[:300]
    session = transition(
        row=session, allowed=[Status.PENDING], refused=_refused("marked as failed"), changes={"status": Status.FAILED}
    )
    PaymentTransaction.objects.create(
        session=session,
        kind=PaymentTransaction.Kind.CHARGE,
        amount=session.amount,
        status=PaymentTransaction.Status.FAILED,
        provider_ref=provider_ref or provider_ref_new(prefix="ch"),
        failure_reason=reason,
    )
    business_event_record(
        tenant=session.tenant,
        kind=BusinessEvent.Kind.PAYMENT_FAILED,
        summary=f"{session.customer.name}'s payment of {_money(session)} for {_paid_for(session)} failed: {reason}",
        performed_by=performed_by,
        subject=session,
    )
    return session


@transaction.atomic
def payment_session_cancel(*, session: PaymentSession) -> PaymentSession:
    """The checkout was abandoned before any money moved: created|pending → cancelled."""
    return transition(
        row=session,
        allowed=PaymentSession.OPEN_STATUSES,
        refused=_refused("cancelled"),
        changes={"status": Status.CANCELLED},
    )


@transaction.atomic
def payment_session_refund(
    *, session: PaymentSession, amount: Decimal | None = None, provider_ref: str = "", performed_by: User | None = None
) -> PaymentSession:
    """Give money back: all that is left by default, never more than was charged.

    completed|partially_refunded → refunded (nothing left) or partially_refunded.
    """
    session = transition_lock(row=session, allowed=PaymentSession.PAID_STATUSES, refused=_refused("refunded"))
    totals = selectors.payment_session_totals(session=session)
    amount = totals.refundable if amount is None else amount
    if amount <= 0:
        raise ValidationError({"amount": "Refund an amount greater than zero."})
    if amount > totals.refundable:
        raise ValidationError(
            {"amount": f"At most {_money(session, totals.refundable)} of this payment can still be refunded."}
        )
    PaymentTransaction.objects.create(
        session=session,
        kind=PaymentTransaction.Kind.REFUND,
        amount=amount,
        status=PaymentTransaction.Status.SUCCEEDED,
        provider_ref=provider_ref or provider_ref_new(prefix="re"),
    )
    session.status = Status.REFUNDED if amount == totals.refundable else Status.PARTIALLY_REFUNDED
    session.save(update_fields=["status", "updated_at"])
    business_event_record(
        tenant=session.tenant,
        kind=BusinessEvent.Kind.PAYMENT_REFUNDED,
        summary=f"Refunded {_money(session, amount)} of {_money(session)} to {session.customer.name} "
        f"for {_paid_for(session)}",
        performed_by=performed_by,
        subject=session,
    )
    return session
