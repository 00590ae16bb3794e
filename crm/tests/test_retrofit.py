"""The tenancy retrofit of crm: a lead follows its owner, else the client it was converted
to, else the default tenant; a lead converted to another tenant's client stops it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from core.retrofit import BackfillError
from tests.plugin import Retrofit, assert_tenant_nullable_then_required, assign_tenant

APPS = ("accounts", "bookings", "core", "crm")
INITIAL = [
    ("accounts", "0001_initial"),
    ("core", "0001_initial"),
    ("bookings", "0001_initial"),
    ("crm", "0001_initial"),
]
NULLABLE_TENANT = [
    ("accounts", "0002_user_tenant"),
    ("bookings", "0002_tenant"),
    ("core", "0002_businessevent_tenant"),
    ("crm", "0002_tenant"),
]
RETROFIT = Retrofit(APPS, INITIAL, NULLABLE_TENANT)

pytestmark = pytest.mark.django_db(transaction=True)


def pre_tenancy(migrator):
    apps = RETROFIT.to_pre_tenancy(migrator)
    Tenant = apps.get_model("core", "TenantSettings")
    Tenant.objects.create(slug="nbne", name="NBNE")
    Tenant.objects.create(slug="salon-x", name="Salon X")
    User = apps.get_model("accounts", "User")
    User.objects.create(username="nbne-owner", role="owner")
    User.objects.create(username="salon-owner", role="owner")
    return apps


def at_nullable_tenant(migrator):
    """What operators do at 0002: the salon's owner and client belong to salon-x."""
    apps = RETROFIT.to_nullable_tenant(migrator)
    assign_tenant(apps, "salon-x", "accounts", "User", username="salon-owner")
    assign_tenant(apps, "salon-x", "bookings", "Client", name="Xena")
    return apps


def test_leads_follow_their_owner_or_their_client(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = ""
    apps = pre_tenancy(migrator)
    User = apps.get_model("accounts", "User")
    Lead = apps.get_model("crm", "Lead")
    xena = apps.get_model("bookings", "Client").objects.create(name="Xena", email="xena@example.com")
    Lead.objects.create(name="owned by salon", owner=User.objects.get(username="salon-owner"), value=Decimal(1))
    Lead.objects.create(name="owned by nbne", owner=User.objects.get(username="nbne-owner"), value=Decimal(1))
    Lead.objects.create(name="converted", converted_client=xena, status="won", value=Decimal(1))
    Lead.objects.create(name="nobody's", value=Decimal(1))
    at_nullable_tenant(migrator)

    apps = RETROFIT.to_latest(migrator)

    assert dict(apps.get_model("crm", "Lead").objects.values_list("name", "tenant__slug")) == {
        "owned by salon": "salon-x",
        "owned by nbne": "nbne",
        "converted": "salon-x",
        "nobody's": "nbne",
    }


def test_a_lead_converted_to_another_tenant_client_stops_the_retrofit(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = ""
    apps = pre_tenancy(migrator)
    xena = apps.get_model("bookings", "Client").objects.create(name="Xena", email="xena@example.com")
    nbne_owner = apps.get_model("accounts", "User").objects.get(username="nbne-owner")
    lead = apps.get_model("crm", "Lead").objects.create(
        name="mixed", owner=nbne_owner, converted_client=xena, status="won", value=Decimal(1)
    )
    at_nullable_tenant(migrator)

    with pytest.raises(BackfillError) as raised:
        RETROFIT.to_latest(migrator)

    assert f"(ids {lead.pk})" in str(raised.value)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tenant_id FROM crm_lead WHERE id = %s", [lead.pk])
        assert cursor.fetchone() == (None,)
        # The fix the message asks for: the lead belongs to the salon after all.
        cursor.execute(
            "UPDATE crm_lead SET tenant_id = (SELECT id FROM core_tenantsettings WHERE slug = 'salon-x'), "
            "owner_id = NULL WHERE id = %s",
            [lead.pk],
        )
    apps = RETROFIT.to_latest(migrator)
    assert list(apps.get_model("crm", "Lead").objects.values_list("name", "tenant__slug")) == [("mixed", "salon-x")]


def test_the_chain_adds_a_nullable_tenant_then_requires_it():
    assert_tenant_nullable_then_required("crm", "Lead")
