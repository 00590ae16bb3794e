"""Writes of the bookings app. Every function takes the tenant (or a row of it) explicitly."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from bookings import tasks
from bookings.models import Booking, ClassPackage, Client, ClientCredit, Service, Staff
from bookings.selectors import client_with_email, free_slots
from core.dates import OUT_OF_RANGE_MESSAGE, date_in_bounds
from core.models import BusinessEvent, TenantSettings
from core.services import business_event_record
from core.tenancy import TenantScopeError, in_tenant_scope, tenant_cache_invalidate
from core.transitions import StateConflict, transition


def _email_after_commit(task, *, tenant: TenantSettings, booking: Booking) -> None:
    """Send one of the booking's e-mails (bookings.tasks) once the write commits: nothing
    for a write that rolls back. Enqueued in the business's scope, which the task runs in."""
    with in_tenant_scope(tenant):
        task.delay_on_commit(booking.pk)


def _hours_of(booking: Booking, tenant: TenantSettings) -> str:
    """``09:00 to 10:00``: when a booking runs, on the business's clock."""
    return f"{tenant.local(booking.starts_at):%H:%M} to {tenant.local(booking.ends_at):%H:%M}"


def _ensure_staff_is_free(*, booking: Booking) -> None:
    """Refuse an overlap with the staff member's other active bookings.

    A group class (capacity > 1) may hold several bookings at the same start, up to
    its capacity; anything else overlapping is a double booking.
    """
    # Lock the staff row so two concurrent bookings for one person are serialised.
    Staff.objects.select_for_update().filter(pk=booking.staff_id).first()
    overlapping = Booking.objects.filter(
        tenant_id=booking.tenant_id,
        staff_id=booking.staff_id,
        status__in=Booking.ACTIVE_STATUSES,
        starts_at__lt=booking.ends_at,
        ends_at__gt=booking.starts_at,
    ).exclude(pk=booking.pk)
    service = booking.service
    if service.capacity > 1:
        same_class = overlapping.filter(service_id=service.pk, starts_at=booking.starts_at)
        if same_class.count() >= service.capacity:
            raise ValidationError({"starts_at": f"This {service.name} class is full."})
        overlapping = overlapping.exclude(pk__in=same_class.values("pk"))
    clash = overlapping.order_by("starts_at").first()
    if clash is not None:
        busy = _hours_of(clash, booking.tenant)
        raise ValidationError({"starts_at": f"{booking.staff.name} is already booked from {busy}."})


def _ensure_client_is_free(*, booking: Booking) -> None:
    """Refuse a booking that overlaps another active booking of the same client: nobody
    is in two places at once, nor takes two places in one class."""
    # Lock the client row so two concurrent bookings for one client are serialised. Every
    # path locks the staff row before it, so two bookings never wait on each other's locks.
    Client.objects.select_for_update().filter(pk=booking.client_id).first()
    clash = (
        Booking.objects.filter(
            tenant_id=booking.tenant_id,
            client_id=booking.client_id,
            status__in=Booking.ACTIVE_STATUSES,
            starts_at__lt=booking.ends_at,
            ends_at__gt=booking.starts_at,
        )
        .exclude(pk=booking.pk)
        .order_by("starts_at")
        .first()
    )
    if clash is None:
        return
    if booking.pk is None and booking.source == Booking.Source.ONLINE:
        # The public page names neither the client on file nor their other booking.
        raise ValidationError({"starts_at": "You already have a booking at this time; choose another time."})
    service = booking.service
    if service.capacity > 1 and clash.service_id == service.pk and clash.starts_at == booking.starts_at:
        raise ValidationError({"client": f"{booking.client.name} already has a place in this {service.name} class."})
    busy = _hours_of(clash, booking.tenant)
    raise ValidationError({"client": f"{booking.client.name} already has a booking from {busy}."})


def booking_prepare(*, booking: Booking) -> None:
    """Derive a booking's end (and price) from its service and refuse what the rules forbid.

    Shared by the API's services and the admin's form, so both keep the same rules.
    """
    if booking.price is None:
        booking.price = booking.service.price
    # The API's fields already refuse such a start; the admin's form and other callers
    # reach this too, and the end below must not overflow.
    if not date_in_bounds(booking.starts_at):
        raise ValidationError({"starts_at": OUT_OF_RANGE_MESSAGE})
    booking.ends_at = booking.starts_at + timedelta(minutes=booking.service.duration_minutes)
    if not booking.is_active:
        return
    if not booking.service.is_active:
        raise ValidationError({"service": "This service is not offered any more."})
    if not booking.staff.is_active:
        raise ValidationError({"staff": "This staff member is not taking bookings."})
    if booking.staff.services.exists() and not booking.staff.services.filter(pk=booking.service_id).exists():
        raise ValidationError({"staff": f"{booking.staff.name} does not offer {booking.service.name}."})
    _ensure_staff_is_free(booking=booking)
    _ensure_client_is_free(booking=booking)


def _consume_credit(*, credit: ClientCredit, booking: Booking) -> None:
    if credit.client_id != booking.client_id:
        raise ValidationError({"credit": "This credit belongs to another client."})
    if credit.package.service_id != booking.service_id:
        raise ValidationError({"credit": "This credit is for another service."})
    # One conditional UPDATE: two bookings racing for the last credit cannot both win.
    consumed = ClientCredit.objects.filter(pk=credit.pk, remaining__gt=0, expires_at__gt=timezone.now()).update(
        remaining=F("remaining") - 1
    )
    if not consumed:
        raise ValidationError({"credit": "No credits left on this package, or it has expired."})
    booking.price = 0


@transaction.atomic
def booking_create(
    *,
    tenant: TenantSettings,
    client: Client,
    service: Service,
    staff: Staff,
    starts_at: datetime,
    notes: str = "",
    credit: ClientCredit | None = None,
    source: str = Booking.Source.STAFF,
    status: str = Booking.Status.CONFIRMED,
    created_by: User | None = None,
    notify: bool = True,
) -> Booking:
    """Book ``client`` with ``staff`` for ``service``; its length follows the service.

    Once it commits, the client gets a confirmation (with a cancel link) and, for a
    booking requested online, the business's owners and managers are told; ``notify``
    False sends nothing (the demo's seeded bookings)."""
    booking = Booking(
        tenant=tenant,
        client=client,
        service=service,
        staff=staff,
        starts_at=starts_at,
        notes=notes,
        source=source,
        status=status,
        price=service.price,
        credit=credit,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
    )
    booking_prepare(booking=booking)
    if credit is not None:
        _consume_credit(credit=credit, booking=booking)
    booking.save()
    kind = (
        BusinessEvent.Kind.BOOKING_REQUESTED if source == Booking.Source.ONLINE else BusinessEvent.Kind.BOOKING_CREATED
    )
    business_event_record(
        tenant=tenant,
        kind=kind,
        summary=f"{client.name} booked {service.name} with {staff.name} on {tenant.local(starts_at):%a %d %b %H:%M}",
        performed_by=created_by,
        subject=booking,
    )
    if notify:
        _email_after_commit(tasks.booking_confirmation_send, tenant=tenant, booking=booking)
        if source == Booking.Source.ONLINE:
            _email_after_commit(tasks.booking_new_online_send, tenant=tenant, booking=booking)
    return booking


@transaction.atomic
def booking_update(*, booking: Booking, **changes) -> Booking:
    """Move or change an active booking; the slot is checked again. A booking moved to
    another time is e-mailed to the client once the change commits."""
    if not booking.is_active:
        raise ValidationError({"status": "Only pending or confirmed bookings can be changed."})
    if booking.credit_id and ("service" in changes or "client" in changes):
        raise ValidationError({"service": "Cancel and rebook to change a booking paid with a credit."})
    was = booking.starts_at
    for name, value in changes.items():
        setattr(booking, name, value)
    if "service" in changes:
        booking.price = booking.service.price
    booking_prepare(booking=booking)
    booking.save()
    if booking.starts_at != was:
        _email_after_commit(tasks.booking_moved_send, tenant=booking.tenant, booking=booking)
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, cancelled_by: User | None = None, notify: bool = True) -> Booking:
    """Cancel a booking: its slot is free again and a class credit is given back. The
    client is told by e-mail once it commits (``notify`` False: not)."""
    booking = transition(
        row=booking,
        allowed=Booking.ACTIVE_STATUSES,
        refused="A {state} booking cannot be cancelled.",
        changes={"status": Booking.Status.CANCELLED, "cancelled_at": timezone.now()},
    )
    if booking.credit_id:
        ClientCredit.objects.filter(pk=booking.credit_id, remaining__lt=F("total")).update(remaining=F("remaining") + 1)
    when = booking.tenant.local(booking.starts_at)
    business_event_record(
        tenant=booking.tenant,
        kind=BusinessEvent.Kind.BOOKING_CANCELLED,
        summary=f"{booking.client.name}'s {booking.service.name} on {when:%a %d %b %H:%M} cancelled",
        performed_by=cancelled_by,
        subject=booking,
    )
    if notify:
        _email_after_commit(tasks.booking_cancellation_send, tenant=booking.tenant, booking=booking)
    return booking


@transaction.atomic
def public_booking_cancel(*, tenant: TenantSettings, booking: Booking) -> Booking:
    """A client cancels their own booking with the link of its e-mails. A booking that is
    no longer active, or has started, is a conflict (409): the link worked, but the
    client's view of the booking is stale."""
    if booking.tenant_id != tenant.pk:
        raise TenantScopeError(f"Booking {booking.pk} is not tenant {tenant.pk}'s.")
    if not booking.is_active:
        raise StateConflict(
            current_state=booking.status, detail=f"This booking is {booking.get_status_display().lower()} already."
        )
    if booking.starts_at <= timezone.now():
        raise StateConflict(current_state=booking.status, detail="This booking has started already.")
    return booking_cancel(booking=booking)


ALLOWED_TRANSITIONS = {
    Booking.Status.CONFIRMED: {Booking.Status.PENDING},
    Booking.Status.COMPLETED: {Booking.Status.PENDING, Booking.Status.CONFIRMED},
    Booking.Status.NO_SHOW: {Booking.Status.PENDING, Booking.Status.CONFIRMED},
}


@transaction.atomic
def booking_set_status(*, booking: Booking, status: str) -> Booking:
    """Confirm, complete or mark a no-show (cancellation has its own service)."""
    wanted = Booking.Status(status).label.lower()
    return transition(
        row=booking,
        allowed=ALLOWED_TRANSITIONS[status],
        refused=f"A {{state}} booking cannot become {wanted}.",
        changes={"status": status},
    )


def client_credit_grant(*, client: Client, package: ClassPackage) -> ClientCredit:
    """Give a client the credits of a package they bought."""
    if not package.is_active:
        raise ValidationError({"package": "This package is not sold any more."})
    return ClientCredit.objects.create(
        client=client,
        package=package,
        total=package.credits,
        remaining=package.credits,
        expires_at=timezone.now() + timedelta(days=package.valid_days),
    )


@transaction.atomic
def public_booking_request(
    *,
    tenant: TenantSettings,
    service: Service,
    staff: Staff | None,
    starts_at: datetime,
    name: str,
    email: str,
    phone: str = "",
    notes: str = "",
) -> Booking:
    """A booking requested on the public page: pending until the business confirms it."""
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": "Choose a time in the future."})
    day = tenant.local(starts_at).date()
    candidates = [
        s for s in free_slots(tenant=tenant, service=service, day=day, staff=staff) if s.starts_at == starts_at
    ]
    if not candidates:
        raise ValidationError({"starts_at": "This time is not available; choose another slot."})
    client = _client_for_email(tenant=tenant, email=email, name=name, phone=phone)
    return booking_create(
        tenant=tenant,
        client=client,
        service=service,
        staff=candidates[0].staff,
        starts_at=starts_at,
        notes=notes,
        source=Booking.Source.ONLINE,
        status=Booking.Status.PENDING,
    )


def _client_for_email(*, tenant: TenantSettings, email: str, name: str, phone: str) -> Client:
    """The business's client with this e-mail address, created on a first booking.

    Two first requests with one new address may race: the per-business unique e-mail
    makes the second insert wait for the first and fail once it commits, and the second
    then takes the client the first created (the savepoint keeps its transaction usable).
    """
    client = client_with_email(tenant=tenant, email=email)
    if client is not None:
        return client
    try:
        with transaction.atomic():
            return Client.objects.create(tenant=tenant, name=name, email=email.lower(), phone=phone)
    except IntegrityError:
        return Client.objects.get(tenant=tenant, email__iexact=email)


@transaction.atomic
def client_create(
    *,
    tenant: TenantSettings,
    name: str,
    email: str = "",
    phone: str = "",
    notes: str = "",
    created_by: User | None = None,
) -> Client:
    """Add a client to the business, recorded in its activity feed (``client.created``)."""
    client = Client.objects.create(tenant=tenant, name=name, email=email.lower(), phone=phone, notes=notes)
    business_event_record(
        tenant=tenant,
        kind=BusinessEvent.Kind.CLIENT_CREATED,
        summary=f"{client.name} added as a client",
        performed_by=created_by,
        subject=client,
    )
    return client


def forget_cached_figures(sender, instance, **kwargs) -> None:
    """post_save receiver: a write to the tenant's bookings data makes its cached
    figures (the dashboard) stale. (No post_delete: it would stop Django's fast bulk
    deletes; a deletion shows within the dashboard's minute.)"""
    tenant_cache_invalidate(tenant_id=instance.tenant_id)
