"""The cancel link of a client's booking e-mails: a signed token that works only at the
business that sent it, and only until the booking starts."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core import signing
from django.utils import timezone
from rest_framework.exceptions import NotFound, ValidationError

from bookings.models import Booking
from core.mail import business_frontend_url
from core.models import TenantSettings

SALT = "bookings.public-cancel"
BAD_LINK = "This cancel link is not valid or has expired."


def cancel_token(*, tenant: TenantSettings, booking: Booking) -> str:
    """A token naming the booking and its business, good until the booking starts. The
    start travels in the token (signed) so it expires without a read of the booking."""
    return signing.dumps(
        {"booking": booking.pk, "tenant": tenant.pk, "until": int(booking.starts_at.timestamp())}, salt=SALT
    )


def cancel_url(*, tenant: TenantSettings, booking: Booking) -> str:
    """The business's own page that cancels the booking with its token."""
    query = urlencode({"token": cancel_token(tenant=tenant, booking=booking)})
    return business_frontend_url(tenant=tenant, path=f"/booking/cancel?{query}")


def booking_for_cancel_token(*, tenant: TenantSettings, token: str) -> Booking:
    """The booking ``token`` cancels at ``tenant``.

    A token that is not ours or has expired is a 400. Every business signs with the
    platform's one key, so a genuine token of another business is answered like a token
    of a booking that is gone: 404, the same words, and nothing read of the other
    business (the lookup is this business's alone)."""
    try:
        payload = signing.loads(token, salt=SALT)
        booking_id, tenant_id, until = int(payload["booking"]), int(payload["tenant"]), int(payload["until"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ValidationError({"token": [BAD_LINK]}) from exc
    if timezone.now().timestamp() >= until:
        raise ValidationError({"token": [BAD_LINK]})
    booking = None
    if tenant_id == tenant.pk:
        booking = Booking.objects.filter(tenant=tenant, pk=booking_id).select_related("client", "service").first()
    if booking is None:
        raise NotFound("No booking was found for this link.")
    return booking
