"""What the models' declarations call for in the database today: the tenant-bound
references, the join tables that carry a tenant, and the keys other tables refer to,
as the :class:`~core.tenancy.TenantRowLevelSecurity` a model's migrations must add up to."""

from __future__ import annotations

from django.db import models

from ..declarations import carries_tenant, has_required_tenant, tenancy_of
from ..migration.operations import TenantRowLevelSecurity


def _bound_references(model: type[models.Model]) -> list[str]:
    """The references of ``model`` the database binds to one tenant: a child's to its
    parent, and every other between two tables whose rows all have a tenant."""
    tenancy = tenancy_of(model)
    if not carries_tenant(model):
        return []
    return [
        field.name
        for field in model._meta.concrete_fields
        if (field.many_to_one or field.one_to_one)
        and field.name != "tenant"
        and (field.name == tenancy.parent or (has_required_tenant(model) and has_required_tenant(field.related_model)))
    ]


def _tenant_links(model: type[models.Model]) -> list[str]:
    """The many-to-many fields whose auto-created join table carries a tenant: all of a
    model that carries one."""
    if not carries_tenant(model):
        return []
    return [f.name for f in model._meta.local_many_to_many if f.remote_field.through._meta.auto_created]


def expected_operation(model: type[models.Model], all_models: list[type[models.Model]]) -> TenantRowLevelSecurity:
    """The operation ``model``'s declaration and relations call for, today."""
    bound, links = _bound_references(model), _tenant_links(model)
    # A bound reference, and a join table's key to its owner or to a side that carries
    # a tenant, refer by (tenant_id, id).
    referenced = bool(links) or any(
        field.related_model is model
        for other in all_models
        for field in [
            *(other._meta.get_field(name) for name in _bound_references(other)),
            *(other._meta.get_field(name) for name in _tenant_links(other)),
        ]
    )
    return TenantRowLevelSecurity(
        model._meta.model_name,
        tenancy_of(model).path,
        tenant_key=referenced and carries_tenant(model),
        tenant_bound=bound,
        tenant_bound_links=links,
    )
