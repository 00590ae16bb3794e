"""The tenancy retrofit, migration by migration.

Each app's ``0001`` is the schema from before tenancy, ``0002`` adds a nullable tenant,
``0003`` backfills it (from a related row where one says, else the default tenant) and
``0004`` makes it required. These tests build pre-tenancy data with the historical
models, migrate it forward and check where every row landed.

In bookings, a booking follows its client, else the user who made it; a client, service
or staff member follows its bookings; what is left joins the default tenant. Rows that
become duplicates once uniqueness is per tenant are resolved, and rows related across
two tenants stop the migration with a :class:`BackfillError`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader

from core.retrofit import BackfillError, assert_same_tenant, backfill_tenant, deduplicate
from tests.plugin import Retrofit

APPS = ("accounts", "bookings", "core")
INITIAL = [("accounts", "0001_initial"), ("core", "0001_initial"), ("bookings", "0001_initial")]
NULLABLE_TENANT = [
    ("accounts", "0002_user_tenant"),
    ("bookings", "0002_tenant"),
    ("core", "0002_businessevent_tenant"),
]
RETROFIT = Retrofit(APPS, INITIAL, NULLABLE_TENANT)
BOOKINGS_ROOTS = ("Service", "Staff", "Client", "Booking")
START = datetime(2024, 3, 4, 10, 0, tzinfo=UTC)


def migrate_to_pre_tenancy(migrator):
    """The three apps at 0001, and nothing of tenancy applied."""
    return RETROFIT.to_pre_tenancy(
        migrator, tables=("accounts_user", "bookings_service", "bookings_booking", "core_businessevent")
    )


def build_pre_tenancy_business(apps) -> None:
    """Two tenants created ahead of the retrofit, and data that belongs to none yet."""
    Tenant = apps.get_model("core", "TenantSettings")
    User = apps.get_model("accounts", "User")
    Service = apps.get_model("bookings", "Service")
    Staff = apps.get_model("bookings", "Staff")
    Client = apps.get_model("bookings", "Client")
    Booking = apps.get_model("bookings", "Booking")
    Event = apps.get_model("core", "BusinessEvent")

    # Created first, but sorted last by name: "first tenant" must mean the lowest pk.
    Tenant.objects.create(slug="nbne", name="Zephyr NBNE")
    Tenant.objects.create(slug="salon-x", name="Avenue Salon X")

    root = User.objects.create(username="root", is_superuser=True, is_staff=True)
    owner = User.objects.create(username="owner", role="owner")
    User.objects.create(username="receptionist", role="staff")
    salon_owner = User.objects.create(username="salon-owner", role="owner")
    salon_staff = User.objects.create(username="salon-staff", role="staff")

    cut = Service.objects.create(name="Cut", duration_minutes=30, price=Decimal("20.00"))
    colour = Service.objects.create(name="Colour", duration_minutes=60, price=Decimal("60.00"))
    perm = Service.objects.create(name="Perm", duration_minutes=90, price=Decimal("80.00"))
    sam = Staff.objects.create(name="Sam")
    sal = Staff.objects.create(name="Sal")
    pat = Staff.objects.create(name="Pat")
    ann = Client.objects.create(name="Ann", email="ann@example.com")
    xena = Client.objects.create(name="Xena", email="xena@example.com")
    yuri = Client.objects.create(name="Yuri", email="yuri@example.com")
    walt = Client.objects.create(name="Walt")
    Client.objects.create(name="Zoe", email="zoe@example.com")  # never booked

    def book(client, service, staff, hours: int, **extra):
        starts_at = START + timedelta(hours=hours)
        return Booking.objects.create(
            client=client,
            service=service,
            staff=staff,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=service.duration_minutes),
            price=service.price,
            **extra,
        )

    book(ann, cut, sam, 0, created_by=owner, notes="ann-cut")
    # Made by a salon-x user, but for a client put in nbne at 0002: the client decides.
    book(ann, cut, sam, 1, created_by=salon_owner, notes="ann-by-salon-owner")
    book(xena, colour, sal, 2, created_by=owner, notes="xena-colour")
    book(yuri, colour, sal, 3, notes="yuri-colour")
    # Nothing says whose this is: the default tenant, and Walt, Perm and Pat follow it.
    book(walt, perm, pat, 4, notes="walk-in")

    def event(summary: str, performed_by=None):
        Event.objects.create(kind="client.created", summary=summary, performed_by=performed_by)

    event("by owner", owner)
    event("by salon owner", salon_owner)
    event("by salon staff", salon_staff)
    event("by root", root)
    event("by nobody")


def assign_by_hand(apps) -> None:
    """What operators do at 0002: put salon-x's people and catalogue in salon-x, and Ann in nbne.

    Ann was booked by users of both businesses, so only the operators can say whose
    client she is: left alone, her bookings would follow their makers into two tenants
    and stop the migration (as the service does in
    ``test_a_service_booked_for_clients_of_two_tenants_stops_the_retrofit``).
    """
    Tenant = apps.get_model("core", "TenantSettings")
    salon_x = Tenant.objects.get(slug="salon-x")
    apps.get_model("accounts", "User").objects.filter(username__in=["salon-owner", "salon-staff"]).update(
        tenant=salon_x
    )
    apps.get_model("bookings", "Client").objects.filter(name="Ann").update(tenant=Tenant.objects.get(slug="nbne"))
    apps.get_model("bookings", "Client").objects.filter(name__in=["Xena", "Yuri"]).update(tenant=salon_x)
    apps.get_model("bookings", "Service").objects.filter(name="Colour").update(tenant=salon_x)
    apps.get_model("bookings", "Staff").objects.filter(name="Sal").update(tenant=salon_x)


def retrofit(migrator) -> tuple[object, dict[str, int]]:
    """Pre-tenancy data, hand assignment at 0002, then the rest of the migrations."""
    build_pre_tenancy_business(migrate_to_pre_tenancy(migrator))
    at_0002 = RETROFIT.to_nullable_tenant(migrator)
    assert not at_0002.get_model("bookings", "Booking").objects.exclude(tenant=None).exists()
    assign_by_hand(at_0002)
    apps = RETROFIT.to_latest(migrator)
    tenants = dict(apps.get_model("core", "TenantSettings").objects.values_list("slug", "pk"))
    return apps, tenants


def tenant_slugs(apps, app_label: str, model_name: str, key: str) -> dict[str, str | None]:
    model = apps.get_model(app_label, model_name)
    return dict(model.objects.values_list(key, "tenant__slug"))


def test_migration_chain_adds_a_nullable_tenant_then_requires_it():
    """The shape of the story, from the migration graph alone (no database)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    steps = {
        "accounts": ("0001_initial", "0002_user_tenant", "0004_user_tenant_required", ["User"]),
        "bookings": ("0001_initial", "0002_tenant", "0004_tenant_required", list(BOOKINGS_ROOTS)),
        "core": ("0001_initial", "0002_businessevent_tenant", "0004_businessevent_tenant_required", ["BusinessEvent"]),
    }
    for app_label, (initial, nullable, required, model_names) in steps.items():
        for model_name in model_names:
            key = (app_label, model_name.lower())
            assert "tenant" not in loader.project_state((app_label, initial)).models[key].fields
            assert loader.project_state((app_label, nullable)).models[key].fields["tenant"].null is True
            final_tenant = loader.project_state((app_label, required)).models[key].fields["tenant"]
            # Users keep a nullable column for platform operators; a check constraint rules instead.
            assert final_tenant.null is (app_label == "accounts")

    user_state = loader.project_state(("accounts", "0004_user_tenant_required")).models["accounts", "user"]
    assert "accounts_user_tenant_or_operator" in {c.name for c in user_state.options["constraints"]}


@pytest.mark.django_db(transaction=True)
def test_backfill_follows_related_rows_and_defaults_to_the_first_tenant(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = ""

    apps, tenant = retrofit(migrator)

    assert tenant_slugs(apps, "accounts", "User", "username") == {
        "root": None,  # a platform operator stays outside every tenant
        "owner": "nbne",
        "receptionist": "nbne",
        "salon-owner": "salon-x",  # assigned by hand at 0002, kept
        "salon-staff": "salon-x",
    }
    assert tenant_slugs(apps, "bookings", "Service", "name") == {
        "Cut": "nbne",  # booked only for Ann, an nbne client
        "Colour": "salon-x",  # assigned by hand
        "Perm": "nbne",  # follows the walk-in, which took the default
    }
    assert tenant_slugs(apps, "bookings", "Staff", "name") == {"Sam": "nbne", "Sal": "salon-x", "Pat": "nbne"}
    assert tenant_slugs(apps, "bookings", "Client", "name") == {
        "Ann": "nbne",
        "Xena": "salon-x",
        "Yuri": "salon-x",
        "Walt": "nbne",  # follows his booking
        "Zoe": "nbne",  # no booking: the default
    }
    assert tenant_slugs(apps, "bookings", "Booking", "notes") == {
        "ann-cut": "nbne",
        "ann-by-salon-owner": "nbne",  # the client's tenant wins over who made it
        "xena-colour": "salon-x",  # made by an nbne user, for a salon-x client
        "yuri-colour": "salon-x",
        "walk-in": "nbne",  # no client tenant, nobody made it: the default
    }
    assert tenant_slugs(apps, "core", "BusinessEvent", "summary") == {
        "by owner": "nbne",
        "by salon owner": "salon-x",
        "by salon staff": "salon-x",
        "by root": "nbne",  # the operator has no tenant to give
        "by nobody": "nbne",
    }
    assert tenant["nbne"] < tenant["salon-x"]


@pytest.mark.django_db(transaction=True)
def test_backfill_default_comes_from_the_setting(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = "salon-x"

    apps, _tenant = retrofit(migrator)

    assert tenant_slugs(apps, "accounts", "User", "username") == {
        "root": None,
        "owner": "salon-x",
        "receptionist": "salon-x",
        "salon-owner": "salon-x",
        "salon-staff": "salon-x",
    }
    # Cut and Sam follow their bookings (for Ann, put in nbne by hand), not the default.
    assert tenant_slugs(apps, "bookings", "Service", "name") == {"Cut": "nbne", "Colour": "salon-x", "Perm": "salon-x"}
    assert tenant_slugs(apps, "bookings", "Staff", "name") == {"Sam": "nbne", "Sal": "salon-x", "Pat": "salon-x"}
    assert tenant_slugs(apps, "bookings", "Client", "name") == {
        "Ann": "nbne",
        "Xena": "salon-x",
        "Yuri": "salon-x",
        "Walt": "salon-x",
        "Zoe": "salon-x",
    }
    assert tenant_slugs(apps, "bookings", "Booking", "notes") == {
        "ann-cut": "nbne",
        "ann-by-salon-owner": "nbne",
        "xena-colour": "salon-x",
        "yuri-colour": "salon-x",
        "walk-in": "salon-x",
    }
    assert set(tenant_slugs(apps, "core", "BusinessEvent", "summary").values()) == {"salon-x"}


@pytest.mark.django_db(transaction=True)
def test_after_the_retrofit_the_tenant_is_required(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = ""
    apps, tenant = retrofit(migrator)
    nbne = tenant["nbne"]
    Service = apps.get_model("bookings", "Service")
    Staff = apps.get_model("bookings", "Staff")
    Client = apps.get_model("bookings", "Client")
    Booking = apps.get_model("bookings", "Booking")
    Event = apps.get_model("core", "BusinessEvent")
    User = apps.get_model("accounts", "User")

    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.create(tenant_id=None, name="Orphan", duration_minutes=30, price=Decimal("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Staff.objects.create(tenant_id=None, name="Orphan")
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(tenant_id=None, name="Orphan")
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(tenant_id=None, kind="client.created", summary="Orphan")
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            tenant_id=None,
            client=Client.objects.get(name="Ann"),
            service=Service.objects.get(name="Cut"),
            staff=Staff.objects.get(name="Sam"),
            starts_at=START + timedelta(days=1),
            ends_at=START + timedelta(days=1, hours=1),
            price=Decimal("20.00"),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="tenantless", tenant_id=None, is_superuser=False)

    # The same rows with a tenant (and a tenantless operator) are accepted.
    Service.objects.create(tenant_id=nbne, name="Adopted", duration_minutes=30, price=Decimal("1.00"))
    Event.objects.create(tenant_id=nbne, kind="client.created", summary="Adopted")
    User.objects.create(username="operator-2", tenant_id=None, is_superuser=True)
    assert Service.objects.filter(tenant_id=nbne, name="Adopted").exists()


@pytest.mark.django_db(transaction=True)
def test_backfill_refuses_rows_when_no_tenant_exists(migrator, settings):
    # bookings.0002 sorts before core.0002 in the plan; this state has no backfill applied.
    apps = migrator.apply_initial_migration([("bookings", "0002_tenant")]).apps
    Service = apps.get_model("bookings", "Service")
    assert not apps.get_model("core", "TenantSettings").objects.exists()

    settings.TENANT_BACKFILL_DEFAULT = ""
    # A fresh install has nothing to backfill and no tenant yet: that is fine.
    assert backfill_tenant(apps, "bookings", "Service") == 0

    cut = Service.objects.create(name="Cut", duration_minutes=30, price=Decimal("20.00"))
    try:
        with pytest.raises(BackfillError, match="none exists"):
            backfill_tenant(apps, "bookings", "Service")

        settings.TENANT_BACKFILL_DEFAULT = "ghost"
        with pytest.raises(BackfillError, match="ghost"):
            backfill_tenant(apps, "bookings", "Service")

        assert Service.objects.get(pk=cut.pk).tenant_id is None
    finally:
        # The migrator migrates to the latest state at teardown: leave it nothing to refuse.
        settings.TENANT_BACKFILL_DEFAULT = ""
        cut.delete()


def at_nullable_tenant(migrator):
    """The three apps at 0002 (tenant columns added, nothing backfilled), with two tenants."""
    migrate_to_pre_tenancy(migrator)
    apps = RETROFIT.to_nullable_tenant(migrator)
    Tenant = apps.get_model("core", "TenantSettings")
    Tenant.objects.create(slug="nbne", name="NBNE")
    Tenant.objects.create(slug="salon-x", name="Salon X")
    return apps


def book_at(apps, client, service, staff, hours: int, **extra):
    starts_at = START + timedelta(hours=hours)
    return apps.get_model("bookings", "Booking").objects.create(
        client=client,
        service=service,
        staff=staff,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
        price=Decimal("20.00"),
        **extra,
    )


def delete_all_bookings() -> None:
    """Teardown migrates to the latest state: leave it no cross-tenant booking to refuse."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bookings_booking")


@pytest.mark.django_db(transaction=True)
def test_pre_tenancy_duplicate_client_emails_survive_the_retrofit(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = ""
    apps = migrate_to_pre_tenancy(migrator)
    Tenant = apps.get_model("core", "TenantSettings")
    Tenant.objects.create(slug="nbne", name="NBNE")
    Tenant.objects.create(slug="salon-x", name="Salon X")
    Client = apps.get_model("bookings", "Client")
    Service = apps.get_model("bookings", "Service")
    ann = Client.objects.create(name="Ann", email="ann@example.com")
    Client.objects.create(name="Ann (again)", email="ann@example.com", notes="Prefers mornings.")
    Client.objects.create(name="Ann (third)", email="ann@example.com")
    Client.objects.create(name="Ann (salon-x)", email="ann@example.com")  # another tenant at 0002: no clash
    Client.objects.create(name="Bo", email="")  # blank emails are outside the constraint
    Client.objects.create(name="Bo (again)", email="")

    def service(name: str) -> int:
        return Service.objects.create(name=name, duration_minutes=30, price=Decimal("20.00")).pk

    cuts = [service("Cut"), service("Cut"), service("Cut (2)"), service("Cut")]
    colours = [service("Colour"), service("Colour"), service("Colour"), service("Colour (2)")]
    long_name = "L" * 120
    longs = [service(long_name), service(long_name)]

    try:
        at_0002 = RETROFIT.to_nullable_tenant(migrator)
        salon_x = at_0002.get_model("core", "TenantSettings").objects.get(slug="salon-x")
        at_0002.get_model("bookings", "Client").objects.filter(name="Ann (salon-x)").update(tenant=salon_x)
        at_0002.get_model("bookings", "Service").objects.filter(pk__in=colours[1::2]).update(tenant=salon_x)

        apps = RETROFIT.to_latest(migrator)

        Client = apps.get_model("bookings", "Client")
        assert {c.name: (c.tenant.slug, c.email, c.notes) for c in Client.objects.all()} == {
            "Ann": ("nbne", "ann@example.com", ""),  # the oldest keeps the email
            "Ann (again)": (
                "nbne",
                "",
                "Prefers mornings.\n"
                f"Email ann@example.com was shared with client #{ann.pk} before per-business accounts; cleared.",
            ),
            "Ann (third)": (
                "nbne",
                "",
                f"Email ann@example.com was shared with client #{ann.pk} before per-business accounts; cleared.",
            ),
            "Ann (salon-x)": ("salon-x", "ann@example.com", ""),
            "Bo": ("nbne", "", ""),
            "Bo (again)": ("nbne", "", ""),
        }
        services = {s.pk: (s.tenant.slug, s.name) for s in apps.get_model("bookings", "Service").objects.all()}
        assert services == {
            cuts[0]: ("nbne", "Cut"),
            cuts[1]: ("nbne", "Cut (3)"),  # "Cut (2)" is taken
            cuts[2]: ("nbne", "Cut (2)"),
            cuts[3]: ("nbne", "Cut (4)"),
            colours[0]: ("nbne", "Colour"),
            colours[1]: ("salon-x", "Colour"),  # the same name in another tenant is fine
            colours[2]: ("nbne", "Colour (2)"),  # only taken in salon-x
            colours[3]: ("salon-x", "Colour (2)"),
            longs[0]: ("nbne", long_name),
            longs[1]: ("nbne", "L" * 116 + " (2)"),  # shortened to fit max_length
        }
    finally:
        # The migrator migrates to the latest state at teardown: remove the duplicates first.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM bookings_client")
            cursor.execute("DELETE FROM bookings_service")


@pytest.mark.django_db(transaction=True)
def test_a_booking_made_by_a_tenant_user_takes_its_tenantless_client_service_and_staff(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = ""  # the default is nbne, the first tenant
    apps = at_nullable_tenant(migrator)
    salon_x = apps.get_model("core", "TenantSettings").objects.get(slug="salon-x")
    salon_staff = apps.get_model("accounts", "User").objects.create(username="salon-staff", tenant=salon_x)
    walt = apps.get_model("bookings", "Client").objects.create(name="Walt")
    Service = apps.get_model("bookings", "Service")
    Staff = apps.get_model("bookings", "Staff")
    beard = Service.objects.create(name="Beard trim", duration_minutes=30, price=Decimal("15.00"))
    Service.objects.create(name="Perm", duration_minutes=90, price=Decimal("80.00"))  # never booked
    kim = Staff.objects.create(name="Kim")
    book_at(apps, walt, beard, kim, 0, created_by=salon_staff, notes="walt-beard")

    apps = RETROFIT.to_latest(migrator)

    assert tenant_slugs(apps, "bookings", "Booking", "notes") == {"walt-beard": "salon-x"}
    assert tenant_slugs(apps, "bookings", "Client", "name") == {"Walt": "salon-x"}
    assert tenant_slugs(apps, "bookings", "Service", "name") == {"Beard trim": "salon-x", "Perm": "nbne"}
    assert tenant_slugs(apps, "bookings", "Staff", "name") == {"Kim": "salon-x"}


@pytest.mark.django_db(transaction=True)
def test_a_service_booked_for_clients_of_two_tenants_stops_the_retrofit(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = ""
    apps = at_nullable_tenant(migrator)
    tenant = dict(apps.get_model("core", "TenantSettings").objects.values_list("slug", "pk"))
    Client = apps.get_model("bookings", "Client")
    Staff = apps.get_model("bookings", "Staff")
    ann = Client.objects.create(name="Ann", tenant_id=tenant["nbne"])
    xena = Client.objects.create(name="Xena", tenant_id=tenant["salon-x"])
    cut = apps.get_model("bookings", "Service").objects.create(name="Cut", duration_minutes=30, price=Decimal("20.00"))
    sam = Staff.objects.create(name="Sam", tenant_id=tenant["nbne"])
    sal = Staff.objects.create(name="Sal", tenant_id=tenant["salon-x"])
    ann_cut = book_at(apps, ann, cut, sam, 0)
    xena_cut = book_at(apps, xena, cut, sal, 1)

    try:
        with pytest.raises(BackfillError) as raised:
            RETROFIT.to_latest(migrator)

        message = str(raised.value)
        assert (
            "2 Booking row(s) belong to another tenant than their client / service / staff "
            f"(ids {ann_cut.pk}, {xena_cut.pk})." in message
        )
        assert f"1 Service row(s) are used by Booking rows of several tenants: #{cut.pk} (nbne, salon-x)." in message
        assert "Move the rows to one tenant, then migrate again" in message
        assert "Staff" not in message and "Client" not in message

        # Nothing was picked: the failed migration left the tenants as they were at 0002.
        with connection.cursor() as cursor:
            cursor.execute("SELECT tenant_id FROM bookings_service WHERE id = %s", [cut.pk])
            assert cursor.fetchone() == (None,)
            cursor.execute("SELECT COUNT(*) FROM bookings_booking WHERE tenant_id IS NOT NULL")
            assert cursor.fetchone() == (0,)

            # The fix the message asks for: Xena and Sal belong to nbne after all.
            cursor.execute("UPDATE bookings_client SET tenant_id = %s WHERE id = %s", [tenant["nbne"], xena.pk])
            cursor.execute("UPDATE bookings_staff SET tenant_id = %s WHERE id = %s", [tenant["nbne"], sal.pk])
        apps = RETROFIT.to_latest(migrator)
        assert set(tenant_slugs(apps, "bookings", "Booking", "pk").values()) == {"nbne"}
        assert tenant_slugs(apps, "bookings", "Service", "name") == {"Cut": "nbne"}
    finally:
        delete_all_bookings()


@pytest.mark.django_db(transaction=True)
def test_bookings_of_another_tenant_than_their_staff_stop_the_retrofit(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = ""
    apps = at_nullable_tenant(migrator)
    tenant = dict(apps.get_model("core", "TenantSettings").objects.values_list("slug", "pk"))
    ann = apps.get_model("bookings", "Client").objects.create(name="Ann", tenant_id=tenant["nbne"])
    cut = apps.get_model("bookings", "Service").objects.create(name="Cut", duration_minutes=30, price=Decimal("20.00"))
    sal = apps.get_model("bookings", "Staff").objects.create(name="Sal", tenant_id=tenant["salon-x"])
    booked = [book_at(apps, ann, cut, sal, hours).pk for hours in range(12)]

    try:
        with pytest.raises(BackfillError) as raised:
            RETROFIT.to_latest(migrator)

        message = str(raised.value)
        shown = ", ".join(str(pk) for pk in booked[:10])
        assert (
            "12 Booking row(s) belong to another tenant than their client / service / staff "
            f"(ids {shown} and 2 more)." in message
        )
        assert "several tenants" not in message  # Sal is used by nbne bookings only
        assert "Move the rows to one tenant, then migrate again" in message
    finally:
        delete_all_bookings()


@pytest.mark.django_db(transaction=True)
def test_backfill_through_a_reverse_path_leaves_a_row_of_two_tenants_undecided(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = ""
    apps = at_nullable_tenant(migrator)
    tenant = dict(apps.get_model("core", "TenantSettings").objects.values_list("slug", "pk"))
    Client = apps.get_model("bookings", "Client")
    Service = apps.get_model("bookings", "Service")
    ann = Client.objects.create(name="Ann", tenant_id=tenant["nbne"])
    xena = Client.objects.create(name="Xena", tenant_id=tenant["salon-x"])
    sam = apps.get_model("bookings", "Staff").objects.create(name="Sam")

    def service(name: str):
        return Service.objects.create(name=name, duration_minutes=30, price=Decimal("20.00"))

    cut, colour = service("Cut"), service("Colour")
    service("Perm")
    book_at(apps, ann, cut, sam, 0, tenant_id=tenant["nbne"])
    book_at(apps, xena, cut, sam, 1, tenant_id=tenant["salon-x"])
    book_at(apps, xena, colour, sam, 2, tenant_id=tenant["salon-x"])
    book_at(apps, xena, colour, sam, 3, tenant_id=tenant["salon-x"])

    try:
        assert backfill_tenant(apps, "bookings", "Service", via=["bookings__tenant"]) == 2
        assert tenant_slugs(apps, "bookings", "Service", "name") == {
            "Cut": None,  # booked in nbne and in salon-x: neither is picked, nor the default
            "Colour": "salon-x",
            "Perm": "nbne",  # never booked: the default
        }
        with pytest.raises(
            BackfillError, match=rf"Service row\(s\) are used by Booking rows of several tenants: #{cut.pk} "
        ):
            assert_same_tenant(apps, "bookings", "Booking", relations=["service"])
    finally:
        delete_all_bookings()


@pytest.mark.django_db(transaction=True)
def test_deduplicate_refuses_a_resolve_that_leaves_duplicates(migrator):
    apps = at_nullable_tenant(migrator)
    nbne = apps.get_model("core", "TenantSettings").objects.get(slug="nbne")
    Service = apps.get_model("bookings", "Service")
    for name in ("Cut", "Cut", "Colour"):
        Service.objects.create(name=name, tenant=nbne, duration_minutes=30, price=Decimal("20.00"))
    first_cut, second_cut = Service.objects.filter(name="Cut").order_by("pk").values_list("pk", flat=True)

    def keep_the_name(service, original, n):
        service.description = "resolved?"

    def take_a_name_in_use(service, original, n):
        service.name = "Colour"

    try:
        with pytest.raises(BackfillError, match=rf"bookings.Service #{second_cut} still duplicates #{first_cut} "):
            deduplicate(apps, "bookings", "Service", fields=("tenant", "name"), resolve=keep_the_name)
        with pytest.raises(BackfillError, match=r"still has duplicates on tenant, name after deduplication"):
            deduplicate(apps, "bookings", "Service", fields=("tenant", "name"), resolve=take_a_name_in_use)
    finally:
        # Teardown migrates to the latest state: leave it no duplicates.
        Service.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_usernames_become_unique_per_business_and_existing_logins_keep_working(migrator):
    """accounts.0006: stored names are kept as they are (the old "<slug>-" prefixes
    included) and sign in with their business named; the namespace becomes the business's."""
    from django.contrib.auth.hashers import make_password
    from rest_framework.test import APIClient

    old = migrator.apply_initial_migration(("accounts", "0005_row_level_security")).apps
    Tenant, User = old.get_model("core", "TenantSettings"), old.get_model("accounts", "User")
    salon = Tenant.objects.create(slug="salon-x", name="Salon X")
    restaurant = Tenant.objects.create(slug="restaurant-x", name="Restaurant X")
    password = make_password("kept-passphrase-1")
    User.objects.create(username="salon-x-owner", tenant=salon, role="owner", password=password)
    User.objects.create(username="root", is_superuser=True, is_staff=True, password=password)
    with pytest.raises(IntegrityError), transaction.atomic():  # one platform-wide namespace until now
        User.objects.create(username="salon-x-owner", tenant=restaurant)

    new = RETROFIT.to_latest(migrator)
    User = new.get_model("accounts", "User")
    assert set(User.objects.values_list("username", "tenant__slug")) == {("salon-x-owner", "salon-x"), ("root", None)}
    User.objects.create(username="salon-x-owner", tenant_id=restaurant.pk)  # Restaurant X's own now
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="salon-x-owner", tenant_id=salon.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="root", is_superuser=True)

    credentials = {"username": "salon-x-owner", "password": "kept-passphrase-1"}
    signed_in = APIClient(HTTP_X_TENANT_SLUG="salon-x").post("/api/auth/token/", credentials)
    assert signed_in.status_code == 200, signed_in.content
    assert signed_in.json()["tenant"]["tenant_slug"] == "salon-x"
    operator = APIClient().post("/api/auth/token/", {"username": "root", "password": "kept-passphrase-1"})
    assert operator.status_code == 200, operator.content
