"""A tenant's slug is a DNS label in one spelling, at every way a tenant is made."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient

from core.demo import DEMO_BUSINESSES, NBNE
from core.factories import TenantFactory
from core.models import TenantSettings
from core.tenancy import validate_tenant_slug

GOOD = ["salon-x", "a", "x1", "health-club-x", "2fit", "a" * 63]
BAD = ["Salon-X", "salon_x", "-salon", "salon-", "", "salon x", "salon.x", "salon-x\n", "ümlaut", "a" * 64]


@pytest.mark.parametrize("slug", GOOD)
def test_lower_case_letters_digits_and_inner_hyphens_are_accepted(slug):
    validate_tenant_slug(slug)


@pytest.mark.parametrize("slug", BAD)
def test_anything_else_is_refused(slug):
    with pytest.raises(ValidationError):
        validate_tenant_slug(slug)


def test_the_demo_businesses_have_valid_slugs():
    for business in [*DEMO_BUSINESSES.values(), NBNE]:
        validate_tenant_slug(business.slug)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["Salon-X", "salon_x", "-salon"])
def test_saving_a_tenant_refuses_a_bad_slug_whoever_saves_it(slug):
    """Commands, seeders and factories save without a form."""
    with pytest.raises(ValidationError):
        TenantFactory(slug=slug)
    assert not TenantSettings.objects.filter(slug=slug).exists()


@pytest.mark.django_db
def test_a_tenant_saved_before_the_rule_still_saves_until_its_slug_changes():
    tenant = TenantFactory(slug="legacy")
    TenantSettings.objects.filter(pk=tenant.pk).update(slug="Legacy_Slug")
    legacy = TenantSettings.objects.get(pk=tenant.pk)
    legacy.tagline = "Still here"
    legacy.save()

    legacy.slug = "Another_Bad"
    with pytest.raises(ValidationError):
        legacy.save()
    legacy.slug = "legacy-fixed"
    legacy.save()


@pytest.mark.django_db
def test_the_admin_refuses_a_bad_slug_with_a_form_error(operator):
    browser = HttpClient()
    browser.force_login(operator)
    form = {
        "name": "Bad Slug Ltd",
        "tagline": "",
        "primary_colour": "#111111",
        "secondary_colour": "#222222",
        "logo_url": "",
        "timezone": "Europe/London",
        "opening_hour": "9",
        "closing_hour": "17",
        "is_active": "on",
        "owner_email": "owner@bad-slug.example",
    }

    refused = browser.post("/admin/core/tenantsettings/add/", {**form, "slug": "Bad_Slug"})
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["slug"]
    assert not TenantSettings.objects.filter(name="Bad Slug Ltd").exists()

    created = browser.post("/admin/core/tenantsettings/add/", {**form, "slug": "bad-slug-ltd"})
    assert created.status_code == 302, created.context["adminform"].form.errors if created.context else created
