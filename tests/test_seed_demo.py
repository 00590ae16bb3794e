"""``manage.py seed_demo``: builds or resets one demo tenant, never anything else."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

import core.demo
from accounts.models import User
from bookings.models import Booking, ClassPackage, Client, Service, Staff
from core.factories import BusinessEventFactory, TenantFactory
from core.models import BusinessEvent, TenantSettings
from core.tenancy import unscoped_all_tenants
from tests.isolation import row_count, snapshot
from tests.plugin import api_client_for, count_rows, rows

DEMO_PASSWORD = "demo-pass-for-tests"


@pytest.fixture
def demo_password(settings):
    settings.DEMO_PASSWORD = DEMO_PASSWORD
    return DEMO_PASSWORD


def seed(slug: str) -> TenantSettings:
    call_command("seed_demo", tenant=slug, stdout=_Sink())
    return TenantSettings.objects.get(slug=slug)


class _Sink:
    def write(self, *_args, **_kwargs) -> None:
        pass

    def flush(self) -> None:
        pass


def counts(tenant) -> dict[str, int]:
    return {label: len(rows) for label, rows in snapshot(tenant).items()}


@pytest.mark.django_db
def test_seeding_salon_x_builds_the_tenant_its_users_and_its_data(demo_password):
    tenant = seed("salon-x")

    assert tenant.name == "Salon X"
    assert tenant.is_demo is True
    assert tenant.is_active is True
    users = {u.username: u for u in rows(User, tenant=tenant)}
    assert {"salon-x-owner", "salon-x-manager", "salon-x-staff"} <= set(users)
    for role in ("owner", "manager", "staff"):
        user = users[f"salon-x-{role}"]
        assert user.role == role
        assert user.tenant_id == tenant.pk
        assert not user.is_superuser
        assert user.check_password(DEMO_PASSWORD)

    for model in (Service, Staff, Client, Booking, BusinessEvent):
        assert row_count(model, tenant) > 0, model.__name__
    # The salon sells no group classes: its pass is a multi-visit card for a regular service.
    with unscoped_all_tenants("test read"):
        passes = list(ClassPackage._base_manager.filter(service__tenant=tenant).values_list("name", flat=True))
    assert passes and all("visit pass" in name for name in passes)
    with unscoped_all_tenants("test read"):
        statuses = set(Booking._base_manager.filter(tenant=tenant).values_list("status", flat=True))
    assert {Booking.Status.CONFIRMED, Booking.Status.COMPLETED} <= statuses


@pytest.mark.django_db
def test_seeding_twice_resets_instead_of_duplicating(demo_password):
    tenant = seed("salon-x")
    first = counts(tenant)
    with unscoped_all_tenants("test read"):
        first_booking_ids = set(Booking._base_manager.filter(tenant=tenant).values_list("pk", flat=True))

    seed("salon-x")
    assert TenantSettings.objects.filter(slug="salon-x").count() == 1
    assert counts(tenant) == first
    with unscoped_all_tenants("test read"):
        second_booking_ids = set(Booking._base_manager.filter(tenant=tenant).values_list("pk", flat=True))
    # Rebuilt rows, not the old ones left in place.
    assert not first_booking_ids & second_booking_ids


def _real_business(slug: str) -> TenantSettings:
    tenant = TenantFactory(slug=slug, name="Real business", is_demo=False)
    User.objects.create_user(f"{slug}-realowner", password="x", tenant=tenant, role=User.Role.OWNER)
    with unscoped_all_tenants("test setup"):
        Service.objects.create(tenant=tenant, name="Real service", duration_minutes=30, price=10)
        BusinessEventFactory(tenant=tenant)
    return tenant


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["nbne", "salon-x"])
def test_a_tenant_not_marked_demo_is_refused_and_left_alone(demo_password, slug):
    # "salon-x" matters: a demo slug taken by a real business must still be refused.
    tenant = _real_business(slug)
    before = snapshot(tenant)

    with pytest.raises(CommandError, match="not marked demo"):
        call_command("seed_demo", tenant=slug)

    assert snapshot(tenant) == before
    assert row_count(Service, tenant) == 1
    tenant.refresh_from_db()
    assert tenant.is_demo is False
    assert tenant.name == "Real business"


@pytest.mark.django_db
def test_seeding_needs_a_demo_password(settings):
    settings.DEMO_PASSWORD = ""
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        call_command("seed_demo", tenant="salon-x")
    assert not TenantSettings.objects.filter(slug="salon-x").exists()
    assert not count_rows(User, username__startswith="salon-x-")


@pytest.mark.django_db
def test_seeding_needs_a_demo_password_to_reset_either(settings, demo_password, monkeypatch):
    # Users only (no app seeders) keeps this quick; a row is added so there is data to lose.
    monkeypatch.setattr(core.demo, "_seeders", lambda: iter(()))
    tenant = seed("salon-x")
    with unscoped_all_tenants("test setup"):
        Service.objects.create(tenant=tenant, name="Kept", duration_minutes=30, price=10)
    before = snapshot(tenant)
    assert before["accounts.User"] and before["bookings.Service"]
    settings.DEMO_PASSWORD = ""
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        call_command("seed_demo", tenant="salon-x")
    assert snapshot(tenant) == before


@pytest.mark.django_db
def test_a_failure_half_way_keeps_the_old_data(demo_password, monkeypatch):
    tenant = seed("salon-x")
    before = snapshot(tenant)
    assert counts(tenant)["bookings.Booking"] > 0
    seen = {}

    def broken_seeder(*, tenant, kind, rng, users):
        # By now the old rows are gone and new users exist; write a little, then fail.
        seen["bookings_after_wipe"] = Booking.objects.count()
        seen["users"] = sorted(u.username for u in users.values())
        Service.objects.create(tenant=tenant, name="Half-built", duration_minutes=30, price=5)
        raise RuntimeError("seeder broke half-way")

    def seeders():
        yield broken_seeder

    monkeypatch.setattr(core.demo, "_seeders", seeders)

    with pytest.raises(RuntimeError, match="half-way"):
        call_command("seed_demo", tenant="salon-x")

    assert seen["bookings_after_wipe"] == 0, "the failure should come after the wipe"
    assert seen["users"] == ["salon-x-manager", "salon-x-owner", "salon-x-staff"]
    assert snapshot(tenant) == before
    with unscoped_all_tenants("test read"):
        assert not Service._base_manager.filter(tenant=tenant, name="Half-built").exists()


@pytest.mark.django_db
def test_seeding_one_demo_tenant_never_touches_another(demo_password):
    restaurant = seed("restaurant-x")
    seed("salon-x")
    before = snapshot(restaurant)
    for model in ("bookings.Service", "bookings.Booking", "bookings.ClassPackage", "bookings.ClientCredit"):
        assert before[model], f"restaurant-x should have {model} rows"

    seed("salon-x")

    assert snapshot(restaurant) == before


@pytest.mark.django_db
def test_demo_owner_logs_in_and_sees_only_salon_x_bookings(demo_password):
    salon = seed("salon-x")
    restaurant = seed("restaurant-x")

    # The demo logins name their business, as the frontend and the README do.
    anon = api_client_for(HTTP_X_TENANT_SLUG="salon-x")
    refused = anon.post("/api/auth/token/", {"username": "salon-x-owner", "password": "wrong"}, format="json")
    assert refused.status_code == 401, refused.content
    login = anon.post("/api/auth/token/", {"username": "salon-x-owner", "password": DEMO_PASSWORD}, format="json")
    assert login.status_code == 200, login.content
    assert login.json()["tenant"]["tenant_slug"] == "salon-x"
    by_host = api_client_for(HTTP_HOST="salon-x.localhost").post(
        "/api/auth/token/", {"username": "salon-x-owner", "password": DEMO_PASSWORD}, format="json"
    )
    assert by_host.status_code == 200, by_host.content

    client = api_client_for()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")
    seen_ids: list[int] = []
    url = "/api/bookings/bookings/?page_size=100"
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.content
        seen_ids += [b["id"] for b in page.json()["results"]]
        url = page.json()["next"]

    with unscoped_all_tenants("test read"):
        salon_ids = set(Booking._base_manager.filter(tenant=salon).values_list("pk", flat=True))
        restaurant_ids = set(Booking._base_manager.filter(tenant=restaurant).values_list("pk", flat=True))
    assert restaurant_ids, "the other tenant needs bookings for this test to mean anything"
    assert len(seen_ids) == len(set(seen_ids))
    assert set(seen_ids) == salon_ids
    assert not set(seen_ids) & restaurant_ids


@pytest.mark.django_db
def test_a_deployment_without_its_media_volume_is_told_so_and_nothing_changes(demo_password, settings, tmp_path):
    """A reset run where the web service's volume is not mounted (a cron service of its
    own) would write the demo's files to a disk that vanishes: it is refused instead."""
    settings.DEBUG = False
    settings.MEDIA_ROOT = tmp_path / "volume-not-mounted"
    with pytest.raises(CommandError, match=r"MEDIA_ROOT .* is not a writable folder here"):
        call_command("seed_demo", tenant="salon-x")
    assert not TenantSettings.objects.filter(slug="salon-x").exists()
    assert not settings.MEDIA_ROOT.exists()
