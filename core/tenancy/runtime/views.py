"""The DRF views of the tenancy core: access levels and the scoped ViewSet mixin.

A view declares who may call it with ``tenancy_access``:

* ``Access.TENANT`` — a member of the resolved tenant (or an operator naming one);
* ``Access.PUBLIC`` — anyone, for a tenant named by host or header (booking pages);
* ``Access.AUTHENTICATED`` — any signed-in user, about themselves (``/auth/me/``);
* ``Access.PLATFORM`` — no tenant involved (login, schema, health).

``manage.py check`` refuses an API view that declares none of these.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import NotAuthenticated
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from ..declarations import Kind, is_tenant_scoped, tenancy_of
from .cache import tenant_counter_key
from .errors import TenantRequired, audit_foreign_reference
from .scoping import scope_queryset

logger = logging.getLogger(__name__)


class Access(StrEnum):
    TENANT = "tenant"
    PUBLIC = "public"
    AUTHENTICATED = "authenticated"
    PLATFORM = "platform"


class TenancyViewMixin:
    """Refuses a request that lacks what the view's ``tenancy_access`` needs."""

    tenancy_access: Access = Access.TENANT

    def initial(self, request, *args: Any, **kwargs: Any) -> None:
        self.check_tenancy(request)
        super().initial(request, *args, **kwargs)

    def check_tenancy(self, request) -> None:
        access = self.tenancy_access
        if access in (Access.TENANT, Access.AUTHENTICATED) and not request.user.is_authenticated:
            raise NotAuthenticated()
        if access in (Access.TENANT, Access.PUBLIC) and request.tenant is None:
            raise TenantRequired()


class TenantQuerySetMixin(TenancyViewMixin):
    """Owns ``get_queryset`` and ``get_object`` for tenant data: every read, update and
    delete of the view goes through rows of the tenant in scope.

    Subclasses narrow the rows with ``refine_queryset``; overriding the owned methods is
    refused at class creation. ``perform_create`` stays open, for a view that creates
    through its app's service (``<entity>_create(tenant=self.request.tenant, ...)``);
    the default saves the serializer with the tenant (and the parent of a nested route).
    Either way the model's write guards refuse a row of another tenant.
    """

    _owned = ("get_queryset", "get_object", "get_parent")

    # Nested routes (``channels/(?P<channel_pk>[^/.]+)/messages``): the parent is found in
    # the tenant (another tenant's parent answers 404 like a missing one), the rows are
    # limited to it and new rows are attached to it.
    parent_field: str | None = None
    parent_lookup_kwarg: str | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        overridden = [name for name in cls._owned if name in cls.__dict__]
        if overridden:
            raise TypeError(
                f"{cls.__name__} overrides {', '.join(overridden)}; extend refine_queryset() "
                "instead, so the tenant filter cannot be dropped."
            )

    def refine_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset

    def refine_parent_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        """Narrow the parents a nested route may reach (e.g. channels the user belongs to)."""
        return queryset

    @classmethod
    def parent_model(cls) -> type[models.Model] | None:
        if cls.parent_field is None:
            return None
        return cls.queryset.model._meta.get_field(cls.parent_field).related_model

    def get_parent(self) -> models.Model | None:
        if self.parent_field is None:
            return None
        if not hasattr(self, "_parent"):
            model = self.parent_model()
            parents = self.refine_parent_queryset(scope_queryset(model.objects.all(), self.request.tenant))
            value = self.kwargs.get(self.parent_lookup_kwarg)
            try:
                self._parent = parents.get(pk=value)
            except (model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
                audit_foreign_reference(
                    model, [value], tenant=self.request.tenant, user=self.request.user, path=self.request.path
                )
                raise Http404(f"No {model._meta.object_name} matches the given query.") from exc
        return self._parent

    def get_save_kwargs(self) -> dict[str, Any]:
        return {}

    def get_queryset(self) -> models.QuerySet:
        queryset = self.queryset.all()
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        queryset = scope_queryset(queryset, self.request.tenant)
        if self.parent_field is not None:
            queryset = queryset.filter(**{self.parent_field: self.get_parent()})
        return self.refine_queryset(queryset)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            if is_tenant_scoped(self.queryset.model):
                self._audit_foreign_lookup()
            raise

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        save_kwargs = self.get_save_kwargs()
        if tenancy_of(self.queryset.model).kind is Kind.ROOT:
            save_kwargs["tenant"] = self.request.tenant
        if self.parent_field is not None:
            save_kwargs[self.parent_field] = self.get_parent()
        serializer.save(**save_kwargs)

    def _audit_foreign_lookup(self) -> None:
        audit_foreign_reference(
            self.queryset.model,
            [self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)],
            lookup_field=self.lookup_field,
            tenant=self.request.tenant,
            user=self.request.user,
            path=self.request.path,
        )


class TenantAPIView(TenancyViewMixin, APIView):
    """An APIView over the resolved tenant's data that is not a queryset (dashboards)."""


class PublicTenantAPIView(TenancyViewMixin, APIView):
    """Answers anonymous requests for the tenant named by host or header."""

    tenancy_access = Access.PUBLIC
    permission_classes = [permissions.AllowAny]


class PlatformAPIView(TenancyViewMixin, APIView):
    """Involves no tenant's data (login, health)."""

    tenancy_access = Access.PLATFORM
    permission_classes = [permissions.AllowAny]


class TenantModelViewSet(TenantQuerySetMixin, viewsets.ModelViewSet):
    pass


class TenantReadOnlyModelViewSet(TenantQuerySetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class TenantScopedRateThrottle(ScopedRateThrottle):
    """``ScopedRateThrottle`` with each business's counters under its own keys: a client
    busy at one business never uses up its budget at another. (How the counting is done
    is not tenancy: core.throttling.)"""

    def get_cache_key(self, request, view) -> str | None:
        key = super().get_cache_key(request, view)
        tenant = getattr(request, "tenant", None)
        return tenant_counter_key(tenant, key) if key is not None and tenant is not None else key
