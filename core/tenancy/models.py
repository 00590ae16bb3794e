"""Model bases for tenant data: a fail-closed manager and write-time guards.

Reads: ``Model.objects`` binds every query to the tenant in scope when the SQL is
compiled (not when the queryset is built), so querysets declared at import time
(serializer fields, filter sets, ViewSet attributes) are safe, and a query run with
no tenant in scope raises instead of returning every tenant's rows.

Writes: ``save()`` fills the tenant from the scope (a root) or from the parent (a child),
refuses a row of another tenant, refuses a change of tenant, and refuses a foreign key to
another tenant's row.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import sql
from django.db.models.expressions import Col
from django.db.models.lookups import Exact
from django.db.models.sql.where import AND

from .declarations import Kind, declared_tenant_id, is_tenant_scoped, owning_tenant_id, tenancy_of
from .scope import TenantScopeError, application_filters_on, current_scope, get_current_tenant

_PENDING = object()
_BYPASSED = object()


class TenantColumn(Col):
    """A query's own ``tenant_id`` column: nothing in it to resolve when its query becomes
    a subquery, so it is not copied each time (a column is never changed in place)."""

    def resolve_expression(self, *args: Any, **kwargs: Any) -> TenantColumn:
        return self


class TenantIs(Exact):
    """``<table>.tenant_id = <id>``: an exact lookup whose value is the tenant's id, an int
    from the scope, so it skips the preparation a lookup gives a value from a caller."""

    # What the generic lookup works out for every copy of itself, known here once: a
    # column against a number, in every query and subquery the condition is part of.
    contains_aggregate = False
    contains_over_clause = False

    def __init__(self, lhs, tenant_id: int) -> None:
        self.lhs, self.rhs, self.bilateral_transforms = lhs, int(tenant_id), []

    def get_source_expressions(self):
        return [self.lhs]

    def as_sql(self, compiler, connection):
        # The id inline, not a parameter: an int the scope holds, never text from a
        # request, and one parameter fewer for the driver to adapt in every statement.
        table = compiler.quote_name_unless_alias(self.lhs.alias)
        return f"{table}.{connection.ops.quote_name(self.lhs.target.column)} = {self.rhs:d}", ()


def add_tenant_condition(query: sql.Query, tenant_id: int) -> None:
    """``WHERE <base table>.tenant_id = <id>``, the one comparison every scoped table needs,
    added as the lookup itself: ``filter(tenant_id=…)`` would resolve the name through
    the ORM's path machinery on every query, a few hundred Python calls each time."""
    field = query.model._meta.get_field("tenant")
    column = TenantColumn(query.get_initial_alias(), field, field.target_field)
    query.where.add(TenantIs(column, tenant_id), AND)


class TenantScopedQuery(sql.Query):
    """A Query that adds its model's tenant filter when it is compiled."""

    tenant_binding: Any = _PENDING
    filtered_tenant_id: int | None = None  # set by scope_queryset's explicit filter

    def bind_tenant_scope(self) -> None:
        tenant = get_current_tenant()
        if self.tenant_binding is _PENDING:
            scope = current_scope()
            if scope.bypass_reason is not None or (tenant is None and _authenticating(self.model, scope)):
                self.tenant_binding = _BYPASSED
                return
            if tenant is None:
                raise TenantScopeError(
                    f"{self.model.__name__} queried with no tenant in scope. Use "
                    "tenant_context(tenant) or, for platform work, unscoped_all_tenants(reason)."
                )
            if application_filters_on():
                add_tenant_condition(self, tenant.pk)
            self.tenant_binding = tenant.pk
        elif self.tenant_binding not in (_BYPASSED, getattr(tenant, "pk", self.tenant_binding)):
            raise TenantScopeError(
                f"A {self.model.__name__} query bound to tenant {self.tenant_binding} was run for tenant {tenant.pk}."
            )

    def bind_to_filtered_tenant(self, tenant_id: int) -> None:
        """The query already filters on ``tenant_id`` (``scope_queryset``): compiling it
        adds no second copy of the filter, and refuses to run it in another tenant's
        scope rather than returning nothing."""
        self.filtered_tenant_id = tenant_id
        if self.tenant_binding is _PENDING:
            if get_current_tenant() is not None or current_scope().bypass_reason is not None:
                self.tenant_binding = tenant_id
        elif self.tenant_binding not in (_BYPASSED, tenant_id):
            raise TenantScopeError(
                f"A {self.model.__name__} query bound to tenant {self.tenant_binding} "
                f"was narrowed to tenant {tenant_id}."
            )

    def get_compiler(self, *args: Any, **kwargs: Any):
        self.bind_tenant_scope()
        return super().get_compiler(*args, **kwargs)


def _authenticating(model: type[models.Model], scope) -> bool:
    """Whether the query is authentication reading users before any tenant is in scope:
    a login's or a session's lookup, or a token's user in the tenant its token claims.
    The query names the tenant (or the operators) itself, and on PostgreSQL the database
    decides what it may see (the claimed tenant; the platform role for operators)."""
    if model._meta.label != settings.AUTH_USER_MODEL:
        return False
    return scope.authentication_lookup or scope.claimed_tenant_id is not None


class TenantQuerySet(models.QuerySet):
    def __init__(self, model=None, query=None, using=None, hints=None):
        super().__init__(model, query or TenantScopedQuery(model), using, hints)

    # UPDATE and DELETE compile through other Query classes: bind before chaining.
    def update(self, **kwargs: Any) -> int:
        if {"tenant", "tenant_id"} & kwargs.keys():
            raise TenantScopeError("The tenant of a row never changes.")
        self.query.bind_tenant_scope()
        return super().update(**kwargs)

    update.alters_data = True

    def _update(self, values):
        self.query.bind_tenant_scope()
        return super()._update(values)

    def delete(self):
        self.query.bind_tenant_scope()
        return super().delete()

    delete.alters_data = True

    def bulk_create(self, objs, *args: Any, **kwargs: Any):
        objs = list(objs)
        for obj in objs:
            obj.check_tenant_ownership()
        return super().bulk_create(objs, *args, **kwargs)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    pass


class TenancyGuardMixin(models.Model):
    """Write-time guards shared by root and child models."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.check_tenant_ownership()
        super().save(*args, **kwargs)
        self._loaded_tenant_id = getattr(self, "tenant_id", None)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_tenant_id = getattr(instance, "tenant_id", None)
        return instance

    def check_tenant_ownership(self) -> None:
        """Refuse a write that would put this row, or what it references, in another tenant."""
        scope = get_current_tenant()
        if tenancy_of(type(self)).kind is Kind.ROOT:
            if self.tenant_id is None and scope is not None:
                self.tenant = scope
        else:
            # A child's tenant is its parent's: copied, never taken from input. The
            # database holds the two equal with a composite foreign key.
            parents_tenant_id = declared_tenant_id(self)
            if self.tenant_id is None:
                self.tenant_id = parents_tenant_id
            elif parents_tenant_id is not None and parents_tenant_id != self.tenant_id:
                raise TenantScopeError(f"A {type(self).__name__} of tenant {self.tenant_id} has another's parent.")
        loaded = getattr(self, "_loaded_tenant_id", None)
        if loaded is not None and loaded != self.tenant_id:
            raise TenantScopeError(f"The tenant of a {type(self).__name__} never changes.")
        if not application_filters_on():
            return
        own_tenant_id = owning_tenant_id(self)
        if own_tenant_id is None:
            # Only rows of platform operators (User.tenant is null) live outside a tenant.
            if scope is not None or not self._meta.get_field("tenant").null:
                raise TenantScopeError(f"A {type(self).__name__} needs a tenant.")
            return
        if scope is not None and own_tenant_id != scope.pk:
            raise TenantScopeError(
                f"A {type(self).__name__} of tenant {own_tenant_id} written in tenant {scope.pk}'s scope."
            )
        for field in self._meta.concrete_fields:
            if not field.is_relation or field.name == "tenant":
                continue
            if not is_tenant_scoped(field.related_model) or getattr(self, field.attname) is None:
                continue
            related_tenant_id = owning_tenant_id(getattr(self, field.name))
            if related_tenant_id is not None and related_tenant_id != own_tenant_id:
                raise TenantScopeError(f"{type(self).__name__}.{field.name} refers to a row of another tenant.")


def tenant_field(*, null: bool = False) -> models.ForeignKey:
    """The ``tenant`` every scoped model carries: never editable, never reached back
    from the tenant. ``null`` only where rows of platform operators live (users)."""
    return models.ForeignKey(
        settings.TENANCY_TENANT_MODEL,
        on_delete=models.CASCADE,
        editable=False,
        related_name="+",
        **({"null": True, "blank": True} if null else {}),
    )


class TenantModel(TenancyGuardMixin):
    """A root model: it carries its own ``tenant``."""

    tenant = tenant_field()
    tenant_path = "tenant"

    objects = TenantManager()

    class Meta:
        abstract = True


class TenantChildModel(TenancyGuardMixin):
    """A child model: its ``tenant`` is its parent's, copied along ``tenant_path`` on
    write. A child of a parent whose tenant may be null declares
    ``tenant = tenant_field(null=True)``."""

    tenant = tenant_field()
    tenant_path: str = ""

    objects = TenantManager()

    class Meta:
        abstract = True


def refuse_cross_tenant_m2m(sender, instance, action, model, pk_set, **kwargs: Any) -> None:
    """m2m_changed receiver: a many-to-many link never joins two tenants' rows."""
    if action != "pre_add" or not pk_set:
        return
    if not (is_tenant_scoped(type(instance)) and is_tenant_scoped(model)):
        return
    own_tenant_id = owning_tenant_id(instance)
    lookup = tenancy_of(model).tenant_id_lookup
    linked = set(model._base_manager.filter(pk__in=pk_set).values_list(lookup, flat=True))
    if linked - {own_tenant_id}:
        raise TenantScopeError(f"{type(instance).__name__} linked to another tenant's {model.__name__}.")
