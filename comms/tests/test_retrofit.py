"""The tenancy retrofit of comms: a channel follows its creator, else its members, else
the authors of its messages, else the default tenant; names are numbered where they
collide in a tenant; people of two tenants in one channel stop the migration."""

from __future__ import annotations

import pytest
from django.db import connection

from core.retrofit import BackfillError
from tests.plugin import Retrofit, assert_tenant_nullable_then_required, assign_tenant

APPS = ("accounts", "core", "comms")
INITIAL = [("accounts", "0001_initial"), ("core", "0001_initial"), ("comms", "0001_initial")]
NULLABLE_TENANT = [("accounts", "0002_user_tenant"), ("core", "0002_businessevent_tenant"), ("comms", "0002_tenant")]
RETROFIT = Retrofit(APPS, INITIAL, NULLABLE_TENANT)

pytestmark = pytest.mark.django_db(transaction=True)


def people(apps):
    Tenant = apps.get_model("core", "TenantSettings")
    User = apps.get_model("accounts", "User")
    Tenant.objects.create(slug="nbne", name="NBNE")
    Tenant.objects.create(slug="salon-x", name="Salon X")
    return {
        name: User.objects.create(username=name, role="staff") for name in ("nbne-owner", "salon-owner", "salon-staff")
    }


def salon_people_join_salon_x(migrator):
    """What operators do at 0002: the salon's users belong to salon-x."""
    assign_tenant(RETROFIT.to_nullable_tenant(migrator), "salon-x", "accounts", "User", username__startswith="salon-")


def test_channels_follow_their_creator_members_or_authors(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = ""
    apps = RETROFIT.to_pre_tenancy(migrator)
    users = people(apps)
    Channel = apps.get_model("comms", "Channel")
    Member = apps.get_model("comms", "ChannelMember")
    Message = apps.get_model("comms", "Message")
    Channel.objects.create(name="general", created_by=users["nbne-owner"])
    Channel.objects.create(name="salon", created_by=users["salon-owner"])
    by_members = Channel.objects.create(name="stylists")
    Member.objects.create(channel=by_members, user=users["salon-staff"])
    by_authors = Channel.objects.create(name="desk")
    Message.objects.create(channel=by_authors, author=users["salon-staff"], body="hi")
    Channel.objects.create(name="orphan")
    # Unique per tenant after the retrofit: the later "general" of nbne is numbered.
    Channel.objects.create(name="general")

    salon_people_join_salon_x(migrator)
    apps = RETROFIT.to_latest(migrator)

    channels = apps.get_model("comms", "Channel").objects.order_by("pk").values_list("name", "tenant__slug")
    assert list(channels) == [
        ("general", "nbne"),
        ("salon", "salon-x"),
        ("stylists", "salon-x"),
        ("desk", "salon-x"),
        ("orphan", "nbne"),
        ("general (2)", "nbne"),
    ]


def test_a_channel_with_people_of_two_tenants_stops_the_retrofit(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = ""
    apps = RETROFIT.to_pre_tenancy(migrator)
    users = people(apps)
    channel = apps.get_model("comms", "Channel").objects.create(name="mixed", created_by=users["nbne-owner"])
    apps.get_model("comms", "ChannelMember").objects.create(channel=channel, user=users["salon-staff"])
    salon_people_join_salon_x(migrator)

    with pytest.raises(BackfillError) as raised:
        RETROFIT.to_latest(migrator)

    assert f"channel(s) {channel.pk} have members of another tenant than the channel" in str(raised.value)
    with connection.cursor() as cursor:
        # Nothing was decided: the channel is still without a tenant, as at 0002.
        cursor.execute("SELECT tenant_id FROM comms_channel WHERE id = %s", [channel.pk])
        assert cursor.fetchone() == (None,)
        # The fix the message asks for: the salon's stylist leaves NBNE's channel.
        cursor.execute("DELETE FROM comms_channelmember WHERE channel_id = %s", [channel.pk])
    apps = RETROFIT.to_latest(migrator)
    assert list(apps.get_model("comms", "Channel").objects.values_list("name", "tenant__slug")) == [("mixed", "nbne")]


def test_the_chain_adds_a_nullable_tenant_then_requires_it():
    assert_tenant_nullable_then_required("comms", "Channel")
