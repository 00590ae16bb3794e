"""``manage.py check`` refuses what the tenancy core does not know."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models

from core.tenancy import (
    TenantChildModel,
    TenantModel,
    check_model_declarations,
    recorded_rls_operations,
    tenant_upload_to,
)


def run_check() -> None:
    call_command("check")


def test_the_project_passes_its_own_checks():
    run_check()


@pytest.fixture
def temporary_model():
    """Register a model in the bookings app for one test, then forget it."""
    created = []

    def make(name: str, bases: tuple, **attrs):
        attrs = {"__module__": "bookings.models", **attrs}
        model = type(name, bases, attrs)
        created.append(model)
        return model

    yield make
    for model in created:
        apps.all_models["bookings"].pop(model._meta.model_name, None)
    apps.clear_cache()


def test_a_model_that_declares_nothing_is_refused(temporary_model):
    temporary_model("Voucher", (models.Model,), code=models.CharField(max_length=10))
    with pytest.raises(SystemCheckError, match=r"tenancy.E001.*Voucher does not declare"):
        run_check()


def test_a_global_declaration_is_accepted(temporary_model):
    temporary_model("Holiday", (models.Model,), tenancy_global="bank holidays are the same for everyone")
    run_check()


def test_a_child_whose_path_does_not_reach_a_tenant_is_refused(temporary_model):
    temporary_model(
        "Note",
        (TenantChildModel,),
        tenant_path="text__tenant",
        text=models.CharField(max_length=10),
    )
    with pytest.raises(SystemCheckError, match=r"tenancy\.E002"):
        run_check()


def test_uniqueness_across_tenants_is_refused(temporary_model):
    temporary_model("GiftCard", (TenantModel,), code=models.CharField(max_length=10, unique=True))
    with pytest.raises(SystemCheckError, match=r"tenancy.E004.*'code' is unique across tenants"):
        run_check()


def uniqueness_problems(model) -> list[str]:
    return [m.msg for m in check_model_declarations() if m.id == "tenancy.E004" and m.obj is model]


def constrained(*constraints) -> type:
    return type("Meta", (), {"constraints": list(constraints)})


def test_uniqueness_among_rows_of_no_tenant_is_accepted_and_any_other_refused(temporary_model):
    """How accounts.User keeps usernames: unique per tenant, and among operators (no tenant)."""
    per_tenant = temporary_model(
        "Member",
        (TenantModel,),
        username=models.CharField(max_length=10),
        Meta=constrained(
            models.UniqueConstraint(fields=["tenant", "username"], name="member_tenant_username"),
            models.UniqueConstraint(
                fields=["username"], condition=models.Q(tenant__isnull=True), name="member_platform_username"
            ),
        ),
    )
    across = temporary_model(
        "Login",
        (TenantModel,),
        username=models.CharField(max_length=10),
        Meta=constrained(
            models.UniqueConstraint(fields=["username"], condition=models.Q(tenant__isnull=False), name="login_name")
        ),
    )
    bare = temporary_model("Account", (TenantModel,), username=models.CharField(max_length=10, unique=True))

    assert uniqueness_problems(per_tenant) == []
    assert uniqueness_problems(across) == [
        "bookings.Login: unique ('username',) does not include the tenant; it would reveal other tenants' data."
    ]
    assert len(uniqueness_problems(bare)) == 1


def test_a_root_model_with_a_plain_manager_is_refused(temporary_model):
    temporary_model("Till", (TenantModel,), objects=models.Manager())
    with pytest.raises(SystemCheckError, match=r"tenancy\.E003"):
        run_check()


@pytest.mark.urls("tests.leaky_urls")
def test_unscoped_and_undeclared_views_are_refused():
    with pytest.raises(SystemCheckError) as refused:
        run_check()
    message = str(refused.value)
    assert "tenancy.E010" in message and "UnscopedServiceViewSet" in message
    assert "tenancy.E011" in message and "PlatformServiceViewSet" in message
    assert "WrappedAPIView at 'leaky/function/'" in message
    assert "tenancy.E012" in message and "SharedThrottleView" in message and "AnonRateThrottle" in message
    assert "tenancy.E013" in message and "PlainlyFilteredServiceViewSet" in message


def test_a_tenant_model_without_row_level_security_in_its_migrations_is_refused(temporary_model):
    temporary_model(
        "Voucher",
        (TenantModel,),
        code=models.CharField(max_length=10),
        service=models.ForeignKey("bookings.Service", on_delete=models.CASCADE),
    )
    with pytest.raises(SystemCheckError) as refused:
        run_check()
    message = str(refused.value)
    assert "(tenancy.E020) bookings.Voucher has no row-level security in its migrations." in message
    assert (
        "core.tenancy.TenantRowLevelSecurity(model_name='voucher', tenant_path='tenant', tenant_bound=['service'])"
        in message
    )


def test_a_new_reference_to_a_model_with_row_level_security_asks_for_its_tenant_key(temporary_model):
    # Opening hours have their row-level security but no tenant key (nothing referred to them).
    temporary_model(
        "Holiday",
        (TenantModel,),
        opening_hours=models.ForeignKey("bookings.OpeningHours", on_delete=models.CASCADE),
    )
    with pytest.raises(SystemCheckError) as refused:
        run_check()
    message = str(refused.value)
    assert (
        "bookings.OpeningHours has TenantRowLevelSecurity(model_name='openinghours', tenant_path='tenant') "
        "in its migrations." in message
    )
    assert "Add a migration with core.tenancy.AddTenantKey(model_name='openinghours')." in message


def test_tenant_keys_added_after_the_row_level_security_count_as_part_of_it():
    recorded = recorded_rls_operations()
    staff, profile = recorded[("bookings", "staff")], recorded[("staff", "staffprofile")]
    assert (staff.tenant_key, staff.tenant_bound, staff.tenant_bound_links) == (True, ("staff_profile",), ("services",))
    assert profile.tenant_key is True


def test_a_file_field_outside_the_tenant_folder_is_refused(temporary_model):
    temporary_model("Receipt", (TenantModel,), scan=models.FileField(upload_to="uploads/"))
    with pytest.raises(SystemCheckError) as refused:
        run_check()
    message = str(refused.value)
    assert "(tenancy.E040) bookings.Receipt.scan uploads to 'uploads/', outside its tenant's folder." in message
    assert "tenancy.E041" not in message


def test_a_tenant_file_field_in_another_storage_is_refused_unless_declared(temporary_model, tmp_path):
    other = FileSystemStorage(location=tmp_path)
    temporary_model("Receipt", (TenantModel,), scan=models.FileField(upload_to=tenant_upload_to, storage=other))
    with pytest.raises(SystemCheckError, match=r"tenancy\.E041\) bookings\.Receipt\.scan stores tenant files outside"):
        run_check()


def test_a_declared_storage_is_accepted(temporary_model, tmp_path):
    other = FileSystemStorage(location=tmp_path)
    temporary_model(
        "Receipt",
        (TenantModel,),
        tenancy_own_storage=("scan",),
        scan=models.FileField(upload_to=tenant_upload_to, storage=other),
    )
    with pytest.raises(SystemCheckError) as refused:  # only for its missing row-level security
        run_check()
    assert "tenancy.E041" not in str(refused.value) and "tenancy.E040" not in str(refused.value)
