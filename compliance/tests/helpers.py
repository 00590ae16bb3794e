"""Helpers of the compliance tests."""

from __future__ import annotations

from core.tenancy import tenancy_of, unscoped_all_tenants


def tenant_rows(model, tenant, **filters) -> list:
    """The tenant's rows of ``model`` read directly from the database, in pk order."""
    with unscoped_all_tenants("compliance test read"):
        lookup = tenancy_of(model).tenant_id_lookup
        return list(model._base_manager.filter(**{lookup: tenant.pk}, **filters).order_by("pk"))
