"""The cancel link of a client's booking e-mails: ``POST /api/bookings/public/cancel/``.

It works at the business that sent it and nowhere else, until the booking starts, once.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.utils import timezone

from bookings.cancel_links import SALT, cancel_token, cancel_url
from bookings.factories import BookingFactory
from bookings.models import Booking
from tests.plugin import api_client_for, fresh, update_rows

pytestmark = pytest.mark.django_db

CANCEL = "/api/bookings/public/cancel/"


def cancel_at(tenant, token, **headers):
    client = api_client_for(**(headers or {"HTTP_X_TENANT_SLUG": tenant.slug}))
    return client.post(CANCEL, {"token": token}, format="json")


@pytest.fixture
def booking_a(tenant_a):
    return BookingFactory(tenant=tenant_a)


def test_the_link_cancels_the_booking_at_its_business(tenant_a, booking_a):
    response = cancel_at(tenant_a, cancel_token(tenant=tenant_a, booking=booking_a))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert "id" not in response.json()
    assert fresh(booking_a).status == Booking.Status.CANCELLED


def test_by_host_too(tenant_a, booking_a, settings):
    settings.TENANT_BASE_DOMAIN = "localhost"
    response = cancel_at(tenant_a, cancel_token(tenant=tenant_a, booking=booking_a), HTTP_HOST="tenant-a.localhost")
    assert response.status_code == 200, response.content


def test_another_business_s_token_is_answered_like_a_booking_that_is_gone(tenant_a, tenant_b, booking_a):
    theirs = cancel_at(tenant_b, cancel_token(tenant=tenant_a, booking=booking_a))
    # A genuine token of tenant B's own, for a booking that does not exist.
    missing = {"booking": booking_a.pk + 1000, "tenant": tenant_b.pk, "until": 2**40}
    gone = cancel_at(tenant_b, signing.dumps(missing, salt=SALT))
    assert theirs.status_code == gone.status_code == 404
    assert theirs.json() == gone.json()
    assert fresh(booking_a).status == Booking.Status.CONFIRMED


def test_another_business_s_host_refuses_the_token(tenant_a, tenant_b, booking_a, settings):
    settings.TENANT_BASE_DOMAIN = "localhost"
    token = cancel_token(tenant=tenant_a, booking=booking_a)
    response = cancel_at(tenant_b, token, HTTP_HOST="tenant-b.localhost")
    assert response.status_code == 404
    assert fresh(booking_a).status == Booking.Status.CONFIRMED


def test_the_same_booking_id_at_another_business_is_not_cancelled(tenant_a, tenant_b, booking_a):
    # A token claiming tenant B with tenant A's booking id is forged; were it not, the
    # lookup is tenant B's alone.
    forged = signing.dumps({"booking": booking_a.pk, "tenant": tenant_b.pk, "until": 2**40}, salt=SALT)
    assert cancel_at(tenant_b, forged).status_code == 404
    assert fresh(booking_a).status == Booking.Status.CONFIRMED


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "",
        signing.dumps({"booking": 1, "tenant": 1, "until": 2**40}, salt="another.salt"),
        signing.dumps(["not", "a", "dict"], salt=SALT),
    ],
)
def test_a_token_that_is_not_a_cancel_link_is_a_400(tenant_a, booking_a, token):
    response = cancel_at(tenant_a, token)
    assert response.status_code == 400
    assert "token" in response.json()


def test_a_reused_link_is_a_conflict(tenant_a, booking_a):
    token = cancel_token(tenant=tenant_a, booking=booking_a)
    assert cancel_at(tenant_a, token).status_code == 200
    again = cancel_at(tenant_a, token)
    assert again.status_code == 409
    assert again.json()["code"] == "state_conflict"
    assert again.json()["current_state"] == "cancelled"


def test_a_booking_cancelled_by_the_business_is_a_conflict(tenant_a, booking_a):
    token = cancel_token(tenant=tenant_a, booking=booking_a)
    update_rows(Booking, {"pk": booking_a.pk}, status=Booking.Status.COMPLETED)
    response = cancel_at(tenant_a, token)
    assert response.status_code == 409
    assert response.json()["current_state"] == "completed"


def test_the_link_expires_when_the_booking_starts(tenant_a):
    started = BookingFactory(tenant=tenant_a, starts_at=timezone.now() - timedelta(minutes=5))
    response = cancel_at(tenant_a, cancel_token(tenant=tenant_a, booking=started))
    assert response.status_code == 400
    assert fresh(started).status == Booking.Status.CONFIRMED


def test_a_booking_moved_earlier_and_started_is_a_conflict(tenant_a, booking_a):
    token = cancel_token(tenant=tenant_a, booking=booking_a)  # good until the old start
    earlier = timezone.now() - timedelta(minutes=5)
    update_rows(Booking, {"pk": booking_a.pk}, starts_at=earlier, ends_at=earlier + timedelta(minutes=45))
    assert cancel_at(tenant_a, token).status_code == 409


def test_the_url_is_on_the_business_s_frontend(tenant_a, booking_a, settings):
    settings.TENANT_BASE_DOMAIN = "nbne.example"
    url = urlsplit(cancel_url(tenant=tenant_a, booking=booking_a))
    assert (url.scheme, url.netloc, url.path) == ("https", "tenant-a.nbne.example", "/booking/cancel")
    [token] = parse_qs(url.query)["token"]
    assert cancel_at(tenant_a, token).status_code == 200
