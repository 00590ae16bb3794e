"""Building blocks of the cross-tenant suites: route discovery, worlds, snapshots.

Routes are discovered from the URLconf (every ViewSet registered on an API router),
and each tenant's "world" holds one row of every tenant model that has a factory,
so a new endpoint or model is covered the day it is added.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import factory
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.urls import reverse

from core.tenancy import Access, Kind, api_views, is_tenant_scoped, project_models, tenancy_of, unscoped_all_tenants

User = get_user_model()


# Routes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    view: type
    methods: tuple[str, ...]  # HTTP methods, lower case
    detail: bool
    actions: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def model(self) -> type[models.Model]:
        return self.view.queryset.model

    @property
    def access(self) -> Access:
        return self.view.tenancy_access

    @property
    def parent_model(self) -> type[models.Model] | None:
        return self.view.parent_model() if hasattr(self.view, "parent_model") else None

    def url(self, pk: Any = None, *, parent: Any = None) -> str:
        kwargs = {"pk": pk} if self.detail else {}
        if self.parent_model is not None:
            kwargs[self.view.parent_lookup_kwarg] = parent
        return reverse(self.name, kwargs=kwargs or None)

    def url_in(self, world, pk: Any = None) -> str:
        """The route's URL under the parent of ``world`` (for nested routes)."""
        parent = world[self.parent_model].pk if self.parent_model is not None else None
        return self.url(pk, parent=parent)

    def __str__(self) -> str:
        return self.name


def router_routes() -> list[Route]:
    """Every ViewSet route in the URLconf that serves tenant (or shared) data."""
    found = []
    for _pattern, view, entry in api_views():
        actions = getattr(entry.callback, "actions", None)
        if not actions or view.tenancy_access not in (Access.TENANT, Access.PUBLIC):
            continue
        detail = "pk" in entry.pattern.regex.groupindex
        found.append(Route(entry.name, view, tuple(sorted(actions)), detail, dict(actions)))
    return sorted(found, key=lambda r: r.name)


# Worlds -------------------------------------------------------------------------


def factories_by_model() -> dict[type[models.Model], type[factory.django.DjangoModelFactory]]:
    """The first factory each app's ``factories`` module declares for a model."""
    found = {}
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.factories")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, factory.django.DjangoModelFactory)
                and value.__module__ == module.__name__
            ):
                found.setdefault(value._meta.model, value)
    return found


def _scoped_relations(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and f.name != "tenant" and is_tenant_scoped(f.related_model)
    ]


def _in_dependency_order(models_: list[type[models.Model]]) -> list[type[models.Model]]:
    ordered: list[type[models.Model]] = []
    pending = list(models_)
    while pending:
        for model in pending:
            needs = {
                f.related_model
                for f in _scoped_relations(model)
                if not f.null and f.related_model in pending and f.related_model is not model
            }
            if not needs:
                ordered.append(model)
                pending.remove(model)
                break
        else:  # a cycle of required keys would be a modelling error
            raise RuntimeError(f"Cannot order {pending}")
    return ordered


def build_world(tenant, user) -> dict[type[models.Model], models.Model]:
    """One row of every model with a factory, tenant models in ``tenant``, linked together."""
    registry = factories_by_model()
    world: dict[type[models.Model], models.Model] = {User: user}
    wanted = [
        m
        for m in project_models()
        if m in registry and m is not User and tenancy_of(m).kind in (Kind.ROOT, Kind.CHILD, Kind.GLOBAL)
    ]
    with unscoped_all_tenants("test world"):
        for model in _in_dependency_order(wanted):
            kwargs: dict[str, Any] = {}
            if tenancy_of(model).kind is Kind.ROOT:
                kwargs["tenant"] = tenant
            for relation in _scoped_relations(model):
                if relation.related_model in world:
                    kwargs[relation.name] = world[relation.related_model]
            world[model] = registry[model](**kwargs)
    return world


def grow_world(world: dict[type[models.Model], models.Model], tenant, *, times: int) -> None:
    """``times`` more rows of every tenant model of ``world``, under the same parents;
    a model that allows one row per parent (a one-to-one, a unique pair) keeps one."""
    registry = factories_by_model()
    with unscoped_all_tenants("test world"):
        for model in world:
            tenancy = tenancy_of(model)
            if model not in registry or tenancy is None or tenancy.kind not in (Kind.ROOT, Kind.CHILD):
                continue
            kwargs: dict[str, Any] = {"tenant": tenant} if tenancy.kind is Kind.ROOT else {}
            for relation in _scoped_relations(model):
                if relation.related_model in world:
                    kwargs[relation.name] = world[relation.related_model]
            for _ in range(times):
                try:
                    with transaction.atomic():
                        registry[model](**kwargs)
                except IntegrityError:
                    break


def snapshot(tenant) -> dict[str, list[dict]]:
    """Every row of ``tenant`` in every tenant table, to prove nothing changed."""
    rows = {}
    with unscoped_all_tenants("test snapshot"):
        for model in project_models():
            tenancy = tenancy_of(model)
            if tenancy is None or not tenancy.is_scoped:
                continue
            queryset = model._base_manager.filter(**{tenancy.tenant_id_lookup: tenant.pk}).order_by("pk")
            rows[model._meta.label] = list(queryset.values())
    return rows


def row_count(model: type[models.Model], tenant) -> int:
    with unscoped_all_tenants("test count"):
        return model._base_manager.filter(**{tenancy_of(model).tenant_id_lookup: tenant.pk}).count()
