"""Explicit tenant filters, for code that holds a tenant (services, selectors, views)."""

from __future__ import annotations

from django.db import models

from ..declarations import Tenant, tenancy_of
from ..models import TenantScopedQuery, add_tenant_condition
from ..scope import application_filters_on


def scope_queryset(queryset: models.QuerySet | models.Manager, tenant: Tenant) -> models.QuerySet:
    """``queryset`` narrowed to ``tenant``'s rows; global models are returned whole."""
    if isinstance(queryset, models.Manager):
        queryset = queryset.all()
    tenancy = tenancy_of(queryset.model)
    if tenancy is None:
        raise TypeError(f"{queryset.model.__name__} declares no tenancy.")
    if not tenancy.is_scoped or not application_filters_on():
        return queryset
    if getattr(queryset.query, "filtered_tenant_id", None) == tenant.pk:
        return queryset  # narrowed already (a selector given the view's queryset)
    if not isinstance(queryset.query, TenantScopedQuery):
        return queryset.filter(**{tenancy.tenant_id_lookup: tenant.pk})
    queryset = queryset._chain()
    add_tenant_condition(queryset.query, tenant.pk)
    queryset.query.bind_to_filtered_tenant(tenant.pk)
    return queryset
