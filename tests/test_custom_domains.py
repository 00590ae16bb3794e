"""Custom domains: an owner points a domain at their business; it is stored in one
spelling, never shared or stolen, and resolution follows a change at once."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import Permission
from django.test import Client as HttpClient
from rest_framework.test import APIClient

from accounts.factories import UserFactory
from accounts.models import User
from core.models import TenantSettings
from tests.plugin import api_client_for

pytestmark = pytest.mark.django_db

SETTINGS = "/api/tenant/settings/"
BRANDING = "/api/tenant/"


def resolved_slug(host: str) -> str | None:
    response = APIClient().get(BRANDING, HTTP_HOST=host)
    return response.json()["slug"] if response.status_code == 200 else None


def refresh(*tenants: TenantSettings) -> list[TenantSettings]:
    return [TenantSettings.objects.get(pk=tenant.pk) for tenant in tenants]


def test_the_owner_sets_a_domain_stored_in_one_spelling_and_it_resolves_at_once(client_a, tenant_a):
    assert resolved_slug("bookings.salon-a.example") is None  # cached as unknown first

    response = client_a.patch(SETTINGS, {"custom_domain": "  Bookings.Salon-A.Example.  "}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["custom_domain"] == "bookings.salon-a.example"
    assert refresh(tenant_a)[0].custom_domain == "bookings.salon-a.example"
    assert resolved_slug("BOOKINGS.salon-a.example:443") == "tenant-a"


def test_a_changed_domain_stops_resolving_the_old_one_even_when_it_was_cached(client_a, tenant_a):
    client_a.patch(SETTINGS, {"custom_domain": "old.salon-a.example"}, format="json")
    assert resolved_slug("old.salon-a.example") == "tenant-a"  # now cached

    client_a.patch(SETTINGS, {"custom_domain": "new.salon-a.example"}, format="json")

    old = APIClient().get(BRANDING, HTTP_HOST="old.salon-a.example")
    assert old.status_code == 400
    assert old.json()["code"] == "unknown_host"
    assert resolved_slug("new.salon-a.example") == "tenant-a"


def test_an_empty_domain_removes_it(client_a, tenant_a):
    client_a.patch(SETTINGS, {"custom_domain": "salon-a.example"}, format="json")
    assert resolved_slug("salon-a.example") == "tenant-a"

    response = client_a.patch(SETTINGS, {"custom_domain": ""}, format="json")

    assert response.status_code == 200
    assert response.json()["custom_domain"] is None
    assert resolved_slug("salon-a.example") is None


def test_an_international_domain_is_stored_as_its_ascii_form(client_a):
    response = client_a.patch(SETTINGS, {"custom_domain": "Café.example"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["custom_domain"] == "xn--caf-dma.example"


@pytest.mark.parametrize("spelling", ["salon-a.example", "SALON-A.example", "salon-a.example."])
def test_one_tenant_cannot_take_another_tenants_domain_in_any_spelling(
    spelling, client_a, client_b, tenant_a, tenant_b
):
    assert client_a.patch(SETTINGS, {"custom_domain": "salon-a.example"}, format="json").status_code == 200

    response = client_b.patch(SETTINGS, {"custom_domain": spelling, "tagline": "Stolen"}, format="json")

    assert response.status_code == 400
    assert response.json()["custom_domain"] == ["This domain is already in use."]
    a, b = refresh(tenant_a, tenant_b)
    assert (a.custom_domain, b.custom_domain, b.tagline) == ("salon-a.example", None, tenant_b.tagline)
    assert resolved_slug("salon-a.example") == "tenant-a"


@pytest.mark.parametrize(
    "bad",
    [
        "https://salon-a.example",
        "salon-a.example/path",
        "salon-a.example:8443",
        "203.0.113.10",
        "[2001:db8::1]",
        "*.salon-a.example",
        "salon",
        "salon..example",
        "-salon.example",
        "salon-.example",
        "sal on.example",
        "user@salon.example",
        "a" * 64 + ".example",
        ("a" * 60 + ".") * 5 + "example",
        "localhost",
        "tenant-b.localhost",  # another tenant's platform subdomain
        "testserver",  # a platform host
    ],
)
def test_a_bad_or_platform_domain_is_a_400_that_changes_nothing(bad, client_a, tenant_a):
    response = client_a.patch(SETTINGS, {"custom_domain": bad, "tagline": "Changed"}, format="json")

    assert response.status_code == 400, response.content
    assert "custom_domain" in response.json()
    assert refresh(tenant_a)[0].tagline == tenant_a.tagline


def test_only_owners_and_operators_manage_the_settings(tenant_a, operator):
    for role in (User.Role.MANAGER, User.Role.STAFF):
        client = api_client_for(UserFactory(tenant=tenant_a, role=role))
        assert client.get(SETTINGS).status_code == 403
        assert client.patch(SETTINGS, {"custom_domain": "salon-a.example"}, format="json").status_code == 403
    assert APIClient().get(SETTINGS, HTTP_X_TENANT_SLUG="tenant-a").status_code == 401

    as_operator = api_client_for(operator, HTTP_X_TENANT_SLUG="tenant-a")
    response = as_operator.patch(SETTINGS, {"custom_domain": "salon-a.example"}, format="json")

    assert response.status_code == 200
    assert refresh(tenant_a)[0].custom_domain == "salon-a.example"


def test_an_owner_edits_only_their_own_business(owner_b, tenant_a, tenant_b):
    """B's owner naming A by header is refused; without it B's own row changes, never A's."""
    assert api_client_for(owner_b, HTTP_X_TENANT_SLUG="tenant-a").get(SETTINGS).status_code == 403

    response = api_client_for(owner_b).patch(SETTINGS, {"name": "Renamed B", "slug": "tenant-a"}, format="json")

    assert response.status_code == 200
    assert response.json()["slug"] == "tenant-b"
    a, b = refresh(tenant_a, tenant_b)
    assert (a.name, b.name, b.slug) == ("Tenant A", "Renamed B", "tenant-b")


def test_opening_hours_and_time_zone_are_validated(client_a, tenant_a):
    assert client_a.patch(SETTINGS, {"timezone": "Mars/Olympus"}, format="json").status_code == 400
    assert client_a.patch(SETTINGS, {"opening_hour": 18, "closing_hour": 9}, format="json").status_code == 400
    assert client_a.patch(SETTINGS, {"closing_hour": 25}, format="json").status_code == 400
    a = refresh(tenant_a)[0]
    assert (a.timezone, a.opening_hour, a.closing_hour) == (tenant_a.timezone, tenant_a.opening_hour, 17)


def test_a_domain_change_is_audited(client_a, caplog):
    with caplog.at_level(logging.INFO, logger="nbne.tenancy.audit"):
        client_a.patch(SETTINGS, {"custom_domain": "salon-a.example"}, format="json")
    assert any(
        "custom_domain_changed tenant=tenant-a" in record.getMessage() and "new=salon-a.example" in record.getMessage()
        for record in caplog.records
    )


def test_a_bulk_update_stores_the_normalised_spelling(tenant_a):
    TenantSettings.objects.filter(pk=tenant_a.pk).update(custom_domain="Salon-A.Example.")
    assert refresh(tenant_a)[0].custom_domain == "salon-a.example"
    assert resolved_slug("salon-a.example") == "tenant-a"


# The admin ------------------------------------------------------------------------


def admin_browser(user) -> HttpClient:
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=["change_tenantsettings", "view_tenantsettings"]))
    browser = HttpClient(HTTP_HOST="tenant-a.localhost")
    browser.force_login(user)
    return browser


def admin_form(tenant: TenantSettings, **overrides) -> dict:
    data = {
        "slug": tenant.slug,
        "name": tenant.name,
        "custom_domain": tenant.custom_domain or "",
        "tagline": tenant.tagline,
        "primary_colour": tenant.primary_colour,
        "secondary_colour": tenant.secondary_colour,
        "logo_url": tenant.logo_url,
        "timezone": tenant.timezone,
        "opening_hour": tenant.opening_hour,
        "closing_hour": tenant.closing_hour,
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_in_the_admin_a_manager_cannot_move_or_switch_off_their_business(tenant_a):
    browser = admin_browser(UserFactory(tenant=tenant_a, role=User.Role.MANAGER))
    page = f"/admin/core/tenantsettings/{tenant_a.pk}/change/"

    response = browser.post(page, admin_form(tenant_a, slug="taken", custom_domain="salon-a.example", is_active=""))

    assert response.status_code == 302, response.content
    a = refresh(tenant_a)[0]
    assert (a.slug, a.custom_domain, a.is_active) == ("tenant-a", None, True)


def test_in_the_admin_an_owner_sets_a_valid_domain_and_a_bad_one_is_refused(tenant_a):
    browser = admin_browser(UserFactory(tenant=tenant_a, role=User.Role.OWNER))
    page = f"/admin/core/tenantsettings/{tenant_a.pk}/change/"

    refused = browser.post(page, admin_form(tenant_a, custom_domain="https://salon-a.example"))
    assert refused.status_code == 200  # the form again, with the error
    assert refresh(tenant_a)[0].custom_domain is None

    accepted = browser.post(page, admin_form(tenant_a, custom_domain="Salon-A.Example"))
    assert accepted.status_code == 302
    assert refresh(tenant_a)[0].custom_domain == "salon-a.example"
