"""Tenant-bound keys added after a model's row-level security, as migration operations.

:class:`~core.tenancy.TenantRowLevelSecurity` is a model's whole declaration, run
once in the migration that gives the model its policy. When a reference between two
existing roots is added later (``bookings.Staff.staff_profile`` → ``staff.StaffProfile``),
running that operation again would add constraints that exist already, and reversing
it would drop what the earlier migration made. These operations add just the change,
and reverse just the change:

* :class:`AddTenantKey` — ``UNIQUE (tenant_id, id)`` on a root another root now refers to;
* :class:`AddTenantBoundKey` — the composite foreign key ``(tenant_id, x_id) -> (tenant_id, id)``
  of a new reference (in a migration that depends on the target's :class:`AddTenantKey`);
* :class:`AddTenantLink` — a tenant of its own for an existing join table of the model,
  its keys to tenant tables bound and its policy one comparison.

``manage.py check`` (tenancy.E020) reads them as amendments of the model's last
``TenantRowLevelSecurity`` and prints the lines a migration needs.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from .operations import PostgresSqlOperation, TenantRowLevelSecurity
from .sql import (
    drop_constraint_sql,
    drop_policy_sql,
    drop_tenant_bound_link_sql,
    policy_sql,
    root_predicate,
    tenant_bound_fk_sql,
    tenant_bound_link_sql,
    tenant_key_sql,
    tenant_predicate,
)


class TenantKeyChange(PostgresSqlOperation):
    """A change to the tenant keys of a model that has its row-level security already."""

    model_name: str
    reduces_to_sql = True
    reversible = True

    def state_forwards(self, app_label, state) -> None:
        pass

    def amend(self, operation: TenantRowLevelSecurity) -> TenantRowLevelSecurity:
        """The declaration ``operation`` stands for once this change is applied."""
        raise NotImplementedError


class AddTenantKey(TenantKeyChange):
    """``UNIQUE (tenant_id, id)`` on a root that has its row-level security already."""

    __module__ = "core.tenancy"  # what migration files import: the face

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name.lower()

    def deconstruct(self):
        return self.__class__.__qualname__, [], {"model_name": self.model_name}

    def describe(self) -> str:
        return f"Tenant key of {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name}_tenant_key"

    def amend(self, operation: TenantRowLevelSecurity) -> TenantRowLevelSecurity:
        return amended(operation, tenant_key=True)

    def forwards_sql(self, model: type[models.Model], *, online: bool = False) -> list[str]:
        return tenant_key_sql(model._meta.db_table, online=online)

    def backwards_sql(self, model: type[models.Model]) -> list[str]:
        return drop_constraint_sql(model._meta.db_table, "tenant_key")


class AddTenantBoundKey(TenantKeyChange):
    """The composite foreign key of a reference between roots, added after both have
    their row-level security (the target's :class:`AddTenantKey` comes first)."""

    __module__ = "core.tenancy"  # what migration files import: the face

    def __init__(self, model_name: str, name: str) -> None:
        self.model_name = model_name.lower()
        self.name = name

    def deconstruct(self):
        return self.__class__.__qualname__, [], {"model_name": self.model_name, "name": self.name}

    def describe(self) -> str:
        return f"Tenant-bound key of {self.model_name}.{self.name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name}_{self.name}_tenant_fk"

    def amend(self, operation: TenantRowLevelSecurity) -> TenantRowLevelSecurity:
        return amended(operation, tenant_bound=[*operation.tenant_bound, self.name])

    def forwards_sql(self, model: type[models.Model], *, online: bool = False) -> list[str]:
        field = model._meta.get_field(self.name)
        return tenant_bound_fk_sql(model._meta.db_table, field.column, field.related_model._meta.db_table)

    def backwards_sql(self, model: type[models.Model]) -> list[str]:
        column = model._meta.get_field(self.name).column
        return drop_constraint_sql(model._meta.db_table, f"{column}_tenant_fk")


class AddTenantLink(TenantKeyChange):
    """A tenant column, filled by a trigger, for the auto-created join table of the
    many-to-many field ``name`` (in a migration after the tenant keys it binds to)."""

    __module__ = "core.tenancy"  # what migration files import: the face

    def __init__(self, model_name: str, name: str, tenant_path: str) -> None:
        self.model_name = model_name.lower()
        self.name = name
        self.tenant_path = tenant_path  # the model's, for the join table's earlier policy

    def deconstruct(self):
        kwargs = {"model_name": self.model_name, "name": self.name, "tenant_path": self.tenant_path}
        return self.__class__.__qualname__, [], kwargs

    def describe(self) -> str:
        return f"Tenant of the join table of {self.model_name}.{self.name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name}_{self.name}_tenant"

    def amend(self, operation: TenantRowLevelSecurity) -> TenantRowLevelSecurity:
        return amended(operation, tenant_bound_links=[*operation.tenant_bound_links, self.name])

    def forwards_sql(self, model: type[models.Model], *, online: bool = False) -> list[str]:
        field = model._meta.get_field(self.name)
        through = field.remote_field.through
        statements = tenant_bound_link_sql(through, field.m2m_column_name(), model._meta.db_table)
        return statements + policy_sql(through._meta.db_table, root_predicate(through._meta.db_table))

    def backwards_sql(self, model: type[models.Model]) -> list[str]:
        field = model._meta.get_field(self.name)
        through = field.remote_field.through
        owner = through._meta.get_field(field.m2m_field_name())
        earlier = tenant_predicate(through, f"{owner.name}__{self.tenant_path}")
        return [
            *drop_policy_sql(through._meta.db_table),
            *drop_tenant_bound_link_sql(through),
            *policy_sql(through._meta.db_table, earlier),
        ]


def amended(operation: TenantRowLevelSecurity, **changes: Any) -> TenantRowLevelSecurity:
    _name, _args, kwargs = operation.deconstruct()
    return TenantRowLevelSecurity(**{**kwargs, **changes})
