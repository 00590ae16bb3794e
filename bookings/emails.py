"""What the bookings app's e-mails say, and to whom. Each function sends one event's
message once (core.mail); the tasks in bookings.tasks call them in the business's scope.

Times are written on the business's own clock; every name and link is the business's
own, so a message never mentions another business.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from accounts.selectors import members_of
from bookings.cancel_links import cancel_url
from bookings.models import Booking
from bookings.selectors import day_bounds
from core.mail import business_email_send
from core.models import TenantSettings
from core.permissions import MANAGERS


def _when(tenant: TenantSettings, moment: datetime) -> str:
    """``Tuesday 8 December 2026 at 10:00``, where the business is."""
    local = tenant.local(moment)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


def _booking(*, tenant: TenantSettings, booking_id: int) -> Booking | None:
    return Booking.objects.filter(tenant=tenant, pk=booking_id).select_related("client", "service", "staff").first()


def _about(tenant: TenantSettings, booking: Booking) -> dict:
    return {
        "client_name": booking.client.name,
        "service_name": booking.service.name,
        "staff_name": booking.staff.name,
        "when": _when(tenant, booking.starts_at),
    }


def _to_client(*, tenant: TenantSettings, booking: Booking, key: str, subject: str, template: str, **extra) -> bool:
    return business_email_send(
        tenant=tenant,
        key=key,
        to=[booking.client.email],
        subject=subject,
        template=template,
        context={**_about(tenant, booking), **extra},
    )


def booking_confirmation_send(*, tenant: TenantSettings, booking_id: int) -> bool:
    """The client's confirmation of a new booking (a request, when made online), with
    its cancel link. Not sent for a booking cancelled before the message went out."""
    booking = _booking(tenant=tenant, booking_id=booking_id)
    if booking is None or not booking.is_active:
        return False
    pending = booking.status == Booking.Status.PENDING
    subject = f"Your booking request at {tenant.name}" if pending else f"Your booking at {tenant.name} is confirmed"
    return _to_client(
        tenant=tenant,
        booking=booking,
        key=f"booking:{booking.pk}:confirmed",
        subject=subject,
        template="booking_confirmed",
        pending=pending,
        cancel_url=cancel_url(tenant=tenant, booking=booking),
    )


def booking_new_online_send(*, tenant: TenantSettings, booking_id: int) -> int:
    """Tell the business's owners and managers of a booking requested online; how many
    were told now."""
    booking = _booking(tenant=tenant, booking_id=booking_id)
    if booking is None or booking.source != Booking.Source.ONLINE:
        return 0
    deciders = members_of(tenant=tenant).filter(role__in=MANAGERS, is_active=True).exclude(email="").order_by("pk")
    sent = 0
    for user in deciders:
        sent += business_email_send(
            tenant=tenant,
            key=f"booking:{booking.pk}:new-online:{user.pk}",
            to=[user.email],
            subject=f"New online booking: {booking.service.name}, {_when(tenant, booking.starts_at)}",
            template="booking_new_online",
            context={
                **_about(tenant, booking),
                "recipient_name": user.get_full_name() or user.username,
                "client_email": booking.client.email,
            },
        )
    return sent


def booking_moved_send(*, tenant: TenantSettings, booking_id: int) -> bool:
    """The client's notice of a booking's new time, once per time it moved to."""
    booking = _booking(tenant=tenant, booking_id=booking_id)
    if booking is None or not booking.is_active:
        return False
    return _to_client(
        tenant=tenant,
        booking=booking,
        key=f"booking:{booking.pk}:moved:{booking.starts_at.isoformat()}",
        subject=f"Your booking at {tenant.name} has moved",
        template="booking_moved",
        cancel_url=cancel_url(tenant=tenant, booking=booking),
    )


def booking_cancellation_send(*, tenant: TenantSettings, booking_id: int) -> bool:
    """The client's notice that their booking is cancelled."""
    booking = _booking(tenant=tenant, booking_id=booking_id)
    if booking is None or booking.status != Booking.Status.CANCELLED:
        return False
    return _to_client(
        tenant=tenant,
        booking=booking,
        key=f"booking:{booking.pk}:cancelled",
        subject=f"Your booking at {tenant.name} is cancelled",
        template="booking_cancelled",
    )


def booking_reminders_send(*, tenant: TenantSettings) -> int:
    """Remind every client with a confirmed booking tomorrow (the business's tomorrow, in
    its own time zone), each booking once; how many were sent now."""
    start, end = day_bounds(tenant=tenant, day=tenant.today() + timedelta(days=1))
    tomorrow = (
        Booking.objects.filter(tenant=tenant, status=Booking.Status.CONFIRMED, starts_at__gte=start, starts_at__lt=end)
        .exclude(client__email="")
        .select_related("client", "service", "staff")
        .order_by("starts_at", "pk")
    )
    sent = 0
    for booking in tomorrow:
        sent += _to_client(
            tenant=tenant,
            booking=booking,
            key=f"booking:{booking.pk}:reminder",
            subject=f"See you tomorrow at {tenant.name}",
            template="booking_reminder",
            cancel_url=cancel_url(tenant=tenant, booking=booking),
        )
    return sent
