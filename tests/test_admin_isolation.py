"""The Django admin through the real test client: operators see every tenant, a
tenant's staff only their own (rows, change pages, form choices and new rows)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from bookings.factories import BookingFactory, ClientFactory, ServiceFactory, StaffFactory, next_slot
from bookings.models import Booking, Client, Service
from tests.plugin import admin_site_user, browser

pytestmark = pytest.mark.django_db

SERVICES = "/admin/bookings/service/"
CLIENTS = "/admin/bookings/client/"
BOOKINGS = "/admin/bookings/booking/"


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def catalogue(tenant_a, tenant_b):
    """A service, a staff member and a client in each tenant, with distinctive names."""
    return {
        "a": {
            "service": ServiceFactory(tenant=tenant_a, name="Alpha Haircut"),
            "staff": StaffFactory(tenant=tenant_a, name="Alice Stylist"),
            "client": ClientFactory(tenant=tenant_a, name="Anna Customer"),
        },
        "b": {
            "service": ServiceFactory(tenant=tenant_b, name="Bravo Massage"),
            "staff": StaffFactory(tenant=tenant_b, name="Bob Therapist"),
            "client": ClientFactory(tenant=tenant_b, name="Boris Customer"),
        },
    }


@pytest.fixture
def bookings_admin_a(tenant_a):
    """Tenant A's admin-site user with every permission of the bookings app."""
    return admin_site_user(tenant_a, Permission.objects.filter(content_type__app_label="bookings"))


def service_form(**overrides) -> dict:
    data = {
        "name": "Gamma Facial",
        "description": "",
        "duration_minutes": "30",
        "price": "25.00",
        "capacity": "1",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def booking_form(client, service, staff, **overrides) -> dict:
    starts_at = next_slot(days=3, hour=11)
    data = {
        "client": str(client.pk),
        "service": str(service.pk),
        "staff": str(staff.pk),
        "starts_at_0": starts_at.strftime("%Y-%m-%d"),
        "starts_at_1": starts_at.strftime("%H:%M:%S"),
        "status": Booking.Status.CONFIRMED,
        "source": Booking.Source.STAFF,
        "price": "35.00",
        "credit": "",
        "notes": "",
        "created_by": "",
    }
    data.update(overrides)
    return data


# Platform operators ---------------------------------------------------------------


def test_operator_sees_every_tenants_services(operator, catalogue):
    response = browser(operator).get(SERVICES)

    assert response.status_code == 200
    assert "Alpha Haircut" in html(response)
    assert "Bravo Massage" in html(response)


def test_operator_must_choose_the_tenant_of_a_new_service(operator, tenant_a, tenant_b):
    web = browser(operator)

    form_page = web.get(f"{SERVICES}add/")
    assert form_page.status_code == 200
    assert 'name="tenant"' in html(form_page)

    refused = web.post(f"{SERVICES}add/", service_form())
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["tenant"]
    assert not Service._base_manager.filter(name="Gamma Facial").exists()

    created = web.post(f"{SERVICES}add/", service_form(tenant=str(tenant_b.pk)))
    assert created.status_code == 302, created.context["adminform"].form.errors if created.context else created
    service = Service._base_manager.get(name="Gamma Facial")
    assert service.tenant_id == tenant_b.pk


# A tenant's staff -----------------------------------------------------------------


def test_tenant_staff_lists_only_their_tenants_services(bookings_admin_a, catalogue):
    response = browser(bookings_admin_a).get(SERVICES)

    assert response.status_code == 200
    assert "Alpha Haircut" in html(response)
    assert "Bravo Massage" not in html(response)


def test_tenant_staff_cannot_open_another_tenants_service(bookings_admin_a, catalogue):
    web = browser(bookings_admin_a)
    own = catalogue["a"]["service"]
    foreign = catalogue["b"]["service"]

    assert web.get(f"{SERVICES}{own.pk}/change/").status_code == 200

    response = web.get(f"{SERVICES}{foreign.pk}/change/")
    assert response.status_code in (302, 404)
    assert "Bravo Massage" not in html(response)
    if response.status_code == 302:
        assert f"/{foreign.pk}/change/" not in response["Location"]
        landing = web.get(response["Location"])
        assert "Bravo Massage" not in html(landing)


def test_tenant_staff_cannot_change_another_tenants_service(bookings_admin_a, catalogue):
    foreign = catalogue["b"]["service"]

    response = browser(bookings_admin_a).post(f"{SERVICES}{foreign.pk}/change/", service_form(name="Hijacked"))

    assert response.status_code in (302, 404)
    foreign.refresh_from_db()
    assert foreign.name == "Bravo Massage"


def test_tenant_staff_sees_only_their_tenants_choices_in_the_booking_form(bookings_admin_a, catalogue):
    response = browser(bookings_admin_a).get(f"{BOOKINGS}add/")

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert set(form.fields["client"].queryset) == {catalogue["a"]["client"]}
    assert set(form.fields["service"].queryset) == {catalogue["a"]["service"]}
    assert set(form.fields["staff"].queryset) == {catalogue["a"]["staff"]}
    page = html(response)
    for name in ("Anna Customer", "Alpha Haircut", "Alice Stylist"):
        assert name in page
    for name in ("Boris Customer", "Bravo Massage", "Bob Therapist"):
        assert name not in page
    assert 'name="tenant"' not in page


def test_a_client_added_by_tenant_staff_lands_in_their_tenant(bookings_admin_a, tenant_a):
    response = browser(bookings_admin_a).post(
        f"{CLIENTS}add/", {"name": "New Walk-in", "email": "walkin@example.com", "phone": "", "notes": ""}
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert Client._base_manager.get(name="New Walk-in").tenant_id == tenant_a.pk


def test_tenant_staff_cannot_name_a_tenant_in_the_service_form(bookings_admin_a, tenant_a, tenant_b):
    response = browser(bookings_admin_a).post(f"{SERVICES}add/", service_form(tenant=str(tenant_b.pk)))

    assert response.status_code == 302
    assert Service._base_manager.get(name="Gamma Facial").tenant_id == tenant_a.pk


def test_a_booking_added_by_tenant_staff_lands_in_their_tenant(bookings_admin_a, tenant_a, catalogue):
    own = catalogue["a"]

    response = browser(bookings_admin_a).post(
        f"{BOOKINGS}add/", booking_form(own["client"], own["service"], own["staff"])
    )

    assert response.status_code == 302
    booking = Booking._base_manager.get()
    assert booking.tenant_id == tenant_a.pk
    assert booking.client_id == own["client"].pk


def test_tenant_staff_cannot_book_another_tenants_client(bookings_admin_a, catalogue):
    own = catalogue["a"]
    foreign_client = catalogue["b"]["client"]

    response = browser(bookings_admin_a).post(
        f"{BOOKINGS}add/", booking_form(foreign_client, own["service"], own["staff"])
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "client" in form.errors or form.non_field_errors()
    assert not Booking._base_manager.exists()


def test_tenant_staff_booking_list_hides_other_tenants_bookings(bookings_admin_a, tenant_a, tenant_b, catalogue):
    BookingFactory(tenant=tenant_a, client=catalogue["a"]["client"], price=Decimal("11.00"))
    BookingFactory(tenant=tenant_b, client=catalogue["b"]["client"], price=Decimal("22.00"))

    response = browser(bookings_admin_a).get(BOOKINGS)

    assert response.status_code == 200
    assert "Anna Customer" in html(response)
    assert "Boris Customer" not in html(response)


# The host names another tenant ----------------------------------------------------


def test_tenant_staff_session_on_another_tenants_host_is_refused(bookings_admin_a, tenant_b, catalogue):
    own_host = browser(bookings_admin_a, HTTP_HOST="tenant-a.localhost").get(SERVICES)
    assert own_host.status_code == 200
    assert "Alpha Haircut" in html(own_host)

    response = browser(bookings_admin_a, HTTP_HOST="tenant-b.localhost").get(SERVICES)

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "tenant_mismatch"
    assert "Bravo Massage" not in html(response)
