"""The staff app's tenancy retrofit: a staff profile follows its user into the user's tenant."""

from __future__ import annotations

import pytest

from tests.plugin import Retrofit, assert_tenant_nullable_then_required, assign_tenant

PRE_TENANCY = [("accounts", "0001_initial"), ("core", "0001_initial"), ("staff", "0001_initial")]
NULLABLE_TENANT = [("accounts", "0002_user_tenant"), ("core", "0002_businessevent_tenant"), ("staff", "0002_tenant")]
LATEST = [("accounts", "0004_user_tenant_required"), ("staff", "0004_tenant_required")]
RETROFIT = Retrofit(("accounts", "core", "staff"), PRE_TENANCY, NULLABLE_TENANT)


def test_the_migrations_add_a_nullable_tenant_then_require_it():
    loader = assert_tenant_nullable_then_required("staff", "StaffProfile")
    # Row-level security comes last, once every row has its tenant.
    assert loader.graph.node_map[("staff", "0005_row_level_security")].parents == {
        loader.graph.node_map[("staff", "0004_tenant_required")]
    }


@pytest.mark.django_db(transaction=True)
def test_profiles_follow_their_user_and_the_rest_take_the_default_tenant(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = ""
    apps = RETROFIT.to_pre_tenancy(migrator)
    Tenant = apps.get_model("core", "TenantSettings")
    User = apps.get_model("accounts", "User")
    Profile = apps.get_model("staff", "StaffProfile")
    Shift = apps.get_model("staff", "Shift")
    Tenant.objects.create(slug="nbne", name="NBNE")
    Tenant.objects.create(slug="salon-x", name="Salon X")
    for username, superuser in [("owner", False), ("salon-sam", False), ("root", True)]:
        user = User.objects.create(username=username, is_superuser=superuser)
        profile = Profile.objects.create(user=user, job_title=username)
        Shift.objects.create(
            staff_profile=profile, starts_at="2024-03-04T09:00:00Z", ends_at="2024-03-04T17:00:00Z", role="Floor"
        )

    at_0002 = RETROFIT.to_nullable_tenant(migrator)
    assert not at_0002.get_model("staff", "StaffProfile").objects.exclude(tenant=None).exists()
    assign_tenant(at_0002, "salon-x", "accounts", "User", username="salon-sam")

    apps = migrator.apply_tested_migration(LATEST).apps

    profiles = dict(apps.get_model("staff", "StaffProfile").objects.values_list("job_title", "tenant__slug"))
    assert profiles == {
        "owner": "nbne",  # the user joined the default tenant in accounts' backfill
        "salon-sam": "salon-x",  # the user's tenant, set by hand at 0002
        "root": "nbne",  # an operator has no tenant to give: the default
    }
    shifts = apps.get_model("staff", "Shift").objects.values_list("staff_profile__tenant__slug", flat=True)
    assert sorted(shifts) == ["nbne", "nbne", "salon-x"]
