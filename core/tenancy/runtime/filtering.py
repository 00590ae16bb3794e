"""Filters of list endpoints, narrowed to the tenant like serializers' relations."""

from __future__ import annotations

from django.db import models
from django_filters.filters import QuerySetRequestMixin
from django_filters.rest_framework import DjangoFilterBackend

from ..declarations import is_tenant_scoped
from .scoping import scope_queryset


class TenantFilterBackend(DjangoFilterBackend):
    """django-filter's backend whose every filter over another model's rows (the
    ``ModelChoiceFilter`` it generates for ``?user=`` or ``?service=``) offers only the
    tenant's rows. Otherwise another business's id is a valid choice that selects
    nothing (200) where a missing id is refused (400): an oracle of what exists."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        tenant = getattr(request, "tenant", None)
        if filterset is not None and tenant is not None:
            for filter_ in filterset.filters.values():
                if isinstance(filter_, QuerySetRequestMixin):
                    filter_.get_queryset = _narrowed(filter_.get_queryset, tenant)
        return filterset


def _narrowed(get_queryset, tenant):
    def tenant_rows(request) -> models.QuerySet | None:
        rows = get_queryset(request)
        return scope_queryset(rows, tenant) if rows is not None and is_tenant_scoped(rows.model) else rows

    return tenant_rows
