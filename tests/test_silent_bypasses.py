"""The fail-closed managers have no silent way around them: users are read only in a
tenant's scope, by authentication's own lookups or under the audited bypass, and
``_base_manager`` outside the bypass is refused by ``manage.py check`` (tenancy.E014)."""

from __future__ import annotations

import textwrap

import pytest

from accounts.models import User
from core.tenancy import (
    TenantScopeError,
    check_silent_bypasses,
    silent_bypasses,
    tenant_context,
    unscoped_all_tenants,
)


def test_users_are_not_read_with_no_tenant_in_scope(owner_a, owner_b):
    with pytest.raises(TenantScopeError):
        list(User.objects.all())
    with pytest.raises(TenantScopeError):
        User.objects.filter(username=owner_b.username).exists()


def test_in_a_tenants_scope_only_its_users_are_read(owner_a, owner_b, operator, tenant_a):
    with tenant_context(tenant_a):
        assert set(User.objects.values_list("pk", flat=True)) == {owner_a.pk}
        assert not User.objects.filter(pk__in=[owner_b.pk, operator.pk]).exists()


def test_the_audited_bypass_reads_every_user(owner_a, owner_b, operator):
    with unscoped_all_tenants("test"):
        assert {owner_a.pk, owner_b.pk, operator.pk} <= set(User.objects.values_list("pk", flat=True))


def test_an_operator_is_found_by_natural_key_and_never_a_member(operator, owner_a):
    assert User.objects.get_by_natural_key(operator.username) == operator
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key(owner_a.username)


def _source(tmp_path, text: str):
    path = tmp_path / "module.py"
    path.write_text(textwrap.dedent(text))
    return path


def test_base_manager_outside_the_bypass_is_found(tmp_path):
    path = _source(
        tmp_path,
        """
        from core.tenancy import unscoped_all_tenants

        def leaky(model):
            return model._base_manager.all()

        def audited(model):
            with unscoped_all_tenants("why"):
                return model._base_manager.all()

        def nested(model):
            with open("x"), unscoped_all_tenants("why"):
                for row in model._base_manager.all():
                    yield row
        """,
    )
    assert silent_bypasses(path) == [5]


def test_a_module_for_migrations_only_may_use_base_manager(tmp_path):
    path = _source(
        tmp_path,
        """
        tenancy_migration_only = True

        def backfill(model):
            return model._base_manager.all()
        """,
    )
    assert silent_bypasses(path) == []


def test_the_project_has_no_silent_bypass():
    assert check_silent_bypasses() == []
