"""The tenancy retrofit of payments, migration by migration (as in tests/test_retrofit_migrations.py).

A customer follows the booking client they pay for, else the bookings their sessions pay
for, else the default tenant; a session follows its customer (so customers are backfilled
first). Emails and idempotency keys that collide once uniqueness is per tenant are
resolved, and a session paying for another tenant's booking stops the migration.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from core.retrofit import BackfillError
from tests.plugin import Retrofit, assert_tenant_nullable_then_required

APPS = ("accounts", "bookings", "core", "payments")
PRE_TENANCY = [
    ("accounts", "0001_initial"),
    ("core", "0001_initial"),
    ("bookings", "0001_initial"),
    ("payments", "0001_initial"),
]
NULLABLE_TENANT = [
    ("accounts", "0002_user_tenant"),
    ("bookings", "0002_tenant"),
    ("core", "0002_businessevent_tenant"),
    ("payments", "0002_tenant"),
]
RETROFIT = Retrofit(APPS, PRE_TENANCY, NULLABLE_TENANT)
START = datetime(2024, 3, 4, 10, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db(transaction=True)


def at_pre_tenancy(migrator):
    apps = RETROFIT.to_pre_tenancy(migrator, tables=("payments_customer", "payments_paymentsession"))
    Tenant = apps.get_model("core", "TenantSettings")
    Tenant.objects.create(slug="nbne", name="NBNE")
    Tenant.objects.create(slug="salon-x", name="Salon X")
    return apps


def build_business(apps) -> dict[str, object]:
    """Two clients, one bookable thing each, and payments that belong to no tenant yet."""
    Service = apps.get_model("bookings", "Service")
    Staff = apps.get_model("bookings", "Staff")
    Client = apps.get_model("bookings", "Client")
    Booking = apps.get_model("bookings", "Booking")
    Customer = apps.get_model("payments", "Customer")
    Session = apps.get_model("payments", "PaymentSession")

    def book(client, service, staff, hours: int):
        starts_at = START + timedelta(hours=hours)
        return Booking.objects.create(
            client=client,
            service=service,
            staff=staff,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=30),
            price=service.price,
        )

    ann = Client.objects.create(name="Ann", email="ann@example.com")
    xena = Client.objects.create(name="Xena", email="xena@example.com")
    ann_booking = book(
        ann, Service.objects.create(name="Cut", duration_minutes=30, price="20.00"), Staff.objects.create(name="Sam"), 0
    )
    xena_booking = book(
        xena,
        Service.objects.create(name="Colour", duration_minutes=30, price="60.00"),
        Staff.objects.create(name="Sal"),
        1,
    )

    rows = {
        "ann": Customer.objects.create(name="Ann", email="ann@example.com", client=ann),
        "ann-again": Customer.objects.create(name="Ann again", email="ann@example.com", client=ann),
        "xena": Customer.objects.create(name="Xena", email="xena@example.com", client=xena),
        # No client: the bookings her sessions pay for decide.
        "payer-for-xena": Customer.objects.create(name="Xena's mum", email="mum@example.com"),
        # Nothing decides: the default tenant.
        "nobody": Customer.objects.create(name="Nobody", email="ann@example.com"),
    }

    def session(customer, booking, key: str):
        return Session.objects.create(
            customer=customer, purpose="booking", booking=booking, amount=booking.price, idempotency_key=key
        )

    rows["s-ann"] = session(rows["ann"], ann_booking, "k-1")
    rows["s-ann-again"] = session(rows["ann-again"], ann_booking, "k-1")  # same key, same tenant
    rows["s-xena"] = session(rows["xena"], xena_booking, "k-1")  # same key, other tenant: kept
    rows["s-mum"] = session(rows["payer-for-xena"], xena_booking, "k-2")
    return rows


def assign_by_hand(apps) -> None:
    """At 0002, operators put Xena and what was booked for her in salon-x."""
    salon_x = apps.get_model("core", "TenantSettings").objects.get(slug="salon-x")
    apps.get_model("bookings", "Client").objects.filter(name="Xena").update(tenant=salon_x)
    apps.get_model("bookings", "Service").objects.filter(name="Colour").update(tenant=salon_x)
    apps.get_model("bookings", "Staff").objects.filter(name="Sal").update(tenant=salon_x)


def test_migration_chain_adds_a_nullable_tenant_then_requires_it():
    loader = assert_tenant_nullable_then_required("payments", "Customer", "PaymentSession")
    constraints = loader.project_state(("payments", "0004_tenant_required")).models["payments", "paymentsession"]
    assert "payments_session_idempotency" in {c.name for c in constraints.options["constraints"]}


def test_backfill_follows_clients_then_sessions_then_defaults(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = ""
    rows = build_business(at_pre_tenancy(migrator))
    assign_by_hand(RETROFIT.to_nullable_tenant(migrator))

    apps = RETROFIT.to_latest(migrator)

    Customer = apps.get_model("payments", "Customer")
    Session = apps.get_model("payments", "PaymentSession")
    customers = {c.pk: (c.tenant.slug, c.email) for c in Customer.objects.all()}
    assert customers == {
        rows["ann"].pk: ("nbne", "ann@example.com"),  # follows Ann, the oldest keeps the email
        rows["ann-again"].pk: ("nbne", ""),  # a second Ann in nbne: the email is cleared
        rows["xena"].pk: ("salon-x", "xena@example.com"),
        rows["payer-for-xena"].pk: ("salon-x", "mum@example.com"),  # follows the booking she paid for
        rows["nobody"].pk: ("nbne", ""),  # the default tenant, where ann@ is taken
    }
    sessions = {s.pk: (s.tenant.slug, s.idempotency_key) for s in Session.objects.all()}
    assert sessions == {
        rows["s-ann"].pk: ("nbne", "k-1"),
        rows["s-ann-again"].pk: ("nbne", "k-1 (2)"),  # the key is per tenant now: renumbered
        rows["s-xena"].pk: ("salon-x", "k-1"),  # another tenant may use the same key
        rows["s-mum"].pk: ("salon-x", "k-2"),  # follows its customer
    }

    nbne = apps.get_model("core", "TenantSettings").objects.get(slug="nbne")
    ann = Customer.objects.get(pk=rows["ann"].pk)
    booking = apps.get_model("bookings", "Booking").objects.filter(tenant=nbne).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(
            tenant=nbne, customer=ann, purpose="booking", booking=booking, amount=Decimal("1.00"), idempotency_key="k-1"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(
            tenant=None, customer=ann, purpose="booking", booking=booking, amount=Decimal("1.00"), idempotency_key="new"
        )


def test_a_session_paying_another_tenants_booking_stops_the_retrofit(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = ""
    rows = build_business(at_pre_tenancy(migrator))
    at_0002 = RETROFIT.to_nullable_tenant(migrator)
    assign_by_hand(at_0002)
    # Ann (nbne) paying for Xena's salon-x booking: nobody can say whose payment that is.
    at_0002.get_model("payments", "PaymentSession").objects.filter(pk=rows["s-ann"].pk).update(
        booking=rows["s-xena"].booking_id
    )

    try:
        with pytest.raises(BackfillError, match="PaymentSession"):
            RETROFIT.to_latest(migrator)
    finally:
        # Teardown migrates to the latest state: leave it nothing to refuse.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM payments_paymenttransaction")
            cursor.execute("DELETE FROM payments_paymentsession")
