"""A client never holds two overlapping bookings (pending or confirmed), on every path
that creates or moves one: the public page, the staff's API, a move, the admin form;
and not even when the requests arrive at the same moment (real parallel requests
against the live server, on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.contrib.auth.models import Permission

from accounts.factories import UserFactory
from bookings.factories import BookingFactory, ClientFactory, ServiceFactory, StaffFactory, next_slot
from bookings.models import Booking, Client
from core.references import public_reference as ref
from core.tenancy import unscoped_all_tenants
from tests.concurrency import at_once, http_session
from tests.plugin import admin_site_user, api_client_for, browser
from tests.rls import ON_POSTGRESQL

BOOKINGS = "/api/bookings/bookings/"
PUBLIC_BOOKINGS = "/api/bookings/public/bookings/"
ADMIN_BOOKINGS = "/admin/bookings/booking/"
PUBLIC_REFUSAL = "You already have a booking at this time; choose another time."

needs_postgresql = pytest.mark.skipif(not ON_POSTGRESQL, reason="parallel requests need PostgreSQL's locks")


def bookings_of(tenant) -> list[Booking]:
    with unscoped_all_tenants("test read"):
        return list(Booking._base_manager.filter(tenant=tenant).order_by("pk"))


def clients_of(tenant) -> list[Client]:
    with unscoped_all_tenants("test read"):
        return list(Client._base_manager.filter(tenant=tenant).order_by("pk"))


def book(api, *, customer, service, staff, starts_at, **extra):
    body = {"client": customer.pk, "service": service.pk, "staff": staff.pk, "starts_at": starts_at.isoformat()}
    return api.post(BOOKINGS, {**body, **extra}, format="json")


def public_body(service, staff, starts_at, email: str = "Robin.Walker@example.com") -> dict:
    return {
        "service": ref(service),
        "staff": ref(staff),
        "starts_at": starts_at.isoformat(),
        "name": "Robin Walker",
        "email": email,
    }


@pytest.fixture
def cut(tenant_a):
    return ServiceFactory(tenant=tenant_a, name="Cut and finish", duration_minutes=45, price=Decimal("38.00"))


@pytest.fixture
def stylists(tenant_a, cut):
    people = [StaffFactory(tenant=tenant_a, name=name) for name in ("Aisha Khan", "Tom Reilly", "Megan Ellis")]
    for person in people:
        person.services.add(cut)
    return people


@pytest.fixture
def olivia(tenant_a):
    return ClientFactory(tenant=tenant_a, name="Olivia Smith")


@pytest.fixture
def ten(tenant_a):
    return next_slot(days=2, hour=10)


# One request at a time ---------------------------------------------------------------


@pytest.mark.django_db
def test_staff_cannot_book_a_client_twice_at_overlapping_times(client_a, tenant_a, cut, stylists, olivia, ten):
    aisha, tom, megan = stylists
    assert book(client_a, customer=olivia, service=cut, staff=aisha, starts_at=ten).status_code == 201

    overlapping = book(client_a, customer=olivia, service=cut, staff=tom, starts_at=ten + timedelta(minutes=30))
    earlier = book(client_a, customer=olivia, service=cut, staff=megan, starts_at=ten - timedelta(minutes=30))

    for response in (overlapping, earlier):
        assert response.status_code == 400, response.content
        assert response.json() == {"client": ["Olivia Smith already has a booking from 10:00 to 10:45."]}
    assert len(bookings_of(tenant_a)) == 1


@pytest.mark.django_db
def test_back_to_back_or_after_a_cancellation_is_fine(client_a, tenant_a, cut, stylists, olivia, ten):
    aisha, tom, _ = stylists
    first = book(client_a, customer=olivia, service=cut, staff=aisha, starts_at=ten)
    assert (
        book(client_a, customer=olivia, service=cut, staff=tom, starts_at=ten + timedelta(minutes=45)).status_code
        == 201
    )
    assert (
        book(client_a, customer=olivia, service=cut, staff=tom, starts_at=ten - timedelta(minutes=45)).status_code
        == 201
    )

    assert client_a.post(f"{BOOKINGS}{first.json()['id']}/cancel/").status_code == 200
    again = book(client_a, customer=olivia, service=cut, staff=tom, starts_at=ten)
    assert again.status_code == 201, again.content


@pytest.mark.django_db
def test_another_client_at_the_same_time_is_fine(client_a, tenant_a, cut, stylists, olivia, ten):
    aisha, tom, _ = stylists
    assert book(client_a, customer=olivia, service=cut, staff=aisha, starts_at=ten).status_code == 201
    noah = ClientFactory(tenant=tenant_a, name="Noah Jones")
    assert book(client_a, customer=noah, service=cut, staff=tom, starts_at=ten).status_code == 201


@pytest.mark.django_db
def test_a_client_takes_one_place_in_a_class(client_a, tenant_a, olivia, ten):
    yoga = ServiceFactory(tenant=tenant_a, name="Yoga flow", duration_minutes=60, capacity=10)
    teacher = StaffFactory(tenant=tenant_a, name="Sophie Turner")
    assert book(client_a, customer=olivia, service=yoga, staff=teacher, starts_at=ten).status_code == 201

    twice = book(client_a, customer=olivia, service=yoga, staff=teacher, starts_at=ten)

    assert twice.status_code == 400, twice.content
    assert twice.json() == {"client": ["Olivia Smith already has a place in this Yoga flow class."]}
    noah = ClientFactory(tenant=tenant_a, name="Noah Jones")
    assert book(client_a, customer=noah, service=yoga, staff=teacher, starts_at=ten).status_code == 201


@pytest.mark.django_db
def test_moving_a_booking_onto_the_clients_other_booking_is_refused(client_a, tenant_a, cut, stylists, olivia, ten):
    aisha, tom, _ = stylists
    book(client_a, customer=olivia, service=cut, staff=aisha, starts_at=ten)
    later = book(client_a, customer=olivia, service=cut, staff=tom, starts_at=ten + timedelta(hours=2)).json()

    moved = client_a.patch(f"{BOOKINGS}{later['id']}/", {"starts_at": ten.isoformat()}, format="json")
    noah = ClientFactory(tenant=tenant_a, name="Noah Jones")
    noahs = book(client_a, customer=noah, service=cut, staff=tom, starts_at=ten + timedelta(hours=4)).json()
    handed_over = client_a.patch(f"{BOOKINGS}{noahs['id']}/", {"client": olivia.pk, "starts_at": ten.isoformat()})

    assert moved.status_code == 400, moved.content
    assert moved.json() == {"client": ["Olivia Smith already has a booking from 10:00 to 10:45."]}
    assert handed_over.status_code == 400, handed_over.content
    assert [(b.client_id, b.starts_at) for b in bookings_of(tenant_a)] == [
        (olivia.pk, ten),
        (olivia.pk, ten + timedelta(hours=2)),
        (noah.pk, ten + timedelta(hours=4)),
    ]


@pytest.mark.django_db
def test_the_public_page_refuses_a_second_booking_for_the_same_email(tenant_a, cut, stylists, ten):
    aisha, tom, _ = stylists
    public = api_client_for(HTTP_X_TENANT_SLUG=tenant_a.slug)
    assert public.post(PUBLIC_BOOKINGS, public_body(cut, aisha, ten), format="json").status_code == 201

    # The same address in other letters is the same client.
    again = public_body(cut, tom, ten + timedelta(minutes=15), email="ROBIN.walker@example.com")
    response = public.post(PUBLIC_BOOKINGS, again, format="json")

    assert response.status_code == 400, response.content
    # Nothing about the client on file or their other booking: the page is public.
    assert response.json() == {"starts_at": [PUBLIC_REFUSAL]}
    assert len(bookings_of(tenant_a)) == 1
    other = public_body(cut, tom, ten, email="someone.else@example.com")
    assert public.post(PUBLIC_BOOKINGS, other, format="json").status_code == 201


@pytest.mark.django_db
def test_the_admin_form_refuses_an_overlapping_booking_of_the_client(tenant_a, cut, stylists, olivia, ten):
    aisha, tom, _ = stylists
    BookingFactory(tenant=tenant_a, client=olivia, service=cut, staff=aisha, starts_at=ten)
    web = browser(admin_site_user(tenant_a, Permission.objects.filter(content_type__app_label="bookings")))
    starts = ten + timedelta(minutes=15)

    response = web.post(
        f"{ADMIN_BOOKINGS}add/",
        {
            "client": str(olivia.pk),
            "service": str(cut.pk),
            "staff": str(tom.pk),
            "starts_at_0": starts.strftime("%Y-%m-%d"),
            "starts_at_1": starts.strftime("%H:%M:%S"),
            "status": Booking.Status.CONFIRMED,
            "source": Booking.Source.STAFF,
            "notes": "",
        },
    )

    assert response.status_code == 200  # the form again, with the error
    assert response.context["adminform"].form.errors["client"] == [
        "Olivia Smith already has a booking from 10:00 to 10:45."
    ]
    assert len(bookings_of(tenant_a)) == 1


# At the same moment -------------------------------------------------------------------


def posting(session, url: str, body: dict) -> Callable[[], requests.Response]:
    return lambda: session.post(url, json=body)


@needs_postgresql
@pytest.mark.pooled
@pytest.mark.django_db(transaction=True)
def test_parallel_public_requests_of_a_new_email_get_one_booking_and_one_client(live_server, tenant_a, cut, stylists):
    ten = next_slot(days=2, hour=10)
    calls = [
        posting(
            http_session(live_server.url, **{"X-Tenant-Slug": tenant_a.slug}),
            PUBLIC_BOOKINGS,
            public_body(cut, person, ten + timedelta(minutes=15 * number)),
        )
        for number, person in enumerate(stylists)
    ]

    responses = at_once(calls)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201, 400, 400], [r.content for r in responses]
    for response in responses:
        if response.status_code == 400:
            assert response.json() == {"starts_at": [PUBLIC_REFUSAL]}
    assert len(bookings_of(tenant_a)) == 1
    assert [c.email for c in clients_of(tenant_a)] == ["robin.walker@example.com"]


@needs_postgresql
@pytest.mark.pooled
@pytest.mark.django_db(transaction=True)
def test_parallel_public_requests_of_a_new_email_at_different_times_share_one_client(
    live_server, tenant_a, cut, stylists
):
    ten = next_slot(days=2, hour=10)
    calls = [
        posting(
            http_session(live_server.url, **{"X-Tenant-Slug": tenant_a.slug}),
            PUBLIC_BOOKINGS,
            public_body(cut, person, ten + timedelta(hours=number)),
        )
        for number, person in enumerate(stylists)
    ]

    responses = at_once(calls)

    assert [response.status_code for response in responses] == [201, 201, 201], [r.content for r in responses]
    (client,) = clients_of(tenant_a)
    assert {booking.client_id for booking in bookings_of(tenant_a)} == {client.pk}


@needs_postgresql
@pytest.mark.pooled
@pytest.mark.django_db(transaction=True)
def test_parallel_staff_bookings_of_one_client_get_one_through(live_server, tenant_a, cut):
    ten = next_slot(days=2, hour=10)
    olivia = ClientFactory(tenant=tenant_a, name="Olivia Smith")
    manager = UserFactory(tenant=tenant_a, role="manager")
    team = [StaffFactory(tenant=tenant_a) for _ in range(6)]
    calls = [
        posting(
            http_session(live_server.url, manager),
            BOOKINGS,
            {
                "client": olivia.pk,
                "service": cut.pk,
                "staff": person.pk,
                "starts_at": (ten + timedelta(minutes=5 * number)).isoformat(),
            },
        )
        for number, person in enumerate(team)
    ]

    responses = at_once(calls)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201, 400, 400, 400, 400, 400], [r.content for r in responses]
    for response in responses:
        if response.status_code == 400:
            assert "Olivia Smith already has a booking from" in response.json()["client"][0]
    assert len(bookings_of(tenant_a)) == 1
