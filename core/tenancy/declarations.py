"""How each model belongs to a tenant, read from the model's single declaration.

Every model of the project declares exactly one of:

* ``TenantModel`` (root): a ``tenant`` foreign key of its own;
* ``TenantChildModel`` (child): ``tenant_path = "parent__tenant"``, the path to a root.
  A child carries a ``tenant`` of its own too, copied from its parent on write and held
  equal to it by the database; the path says which parent it is copied from;
* ``tenancy_global = "why"``: shared by every tenant on purpose;
* ``tenancy_is_tenant_table = True``: the tenant table itself.

Query scoping, serializer relations, the admin, system checks and the retrofit
backfill all read the declaration through :func:`tenancy_of`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.apps import apps
from django.conf import settings
from django.db import models

# The tenant model, as the tenancy core names it in type hints: whichever model
# ``settings.TENANCY_TENANT_MODEL`` names (``core.TenantSettings``).
Tenant = models.Model


class Kind(StrEnum):
    ROOT = "root"
    CHILD = "child"
    GLOBAL = "global"
    TENANT_TABLE = "tenant_table"


@dataclass(frozen=True)
class Tenancy:
    kind: Kind
    path: str | None = None  # e.g. "tenant" or "client__tenant"

    @property
    def is_scoped(self) -> bool:
        return self.kind in (Kind.ROOT, Kind.CHILD)

    @property
    def tenant_id_lookup(self) -> str:
        """ORM lookup comparing the owning tenant's id: every scoped row carries its own."""
        return "tenant_id"

    @property
    def parent(self) -> str | None:
        """The field a child's tenant is copied from (the first hop of its path)."""
        return path_parent(self.path) if self.kind is Kind.CHILD else None


def path_parent(tenant_path: str) -> str | None:
    """The first hop of a tenant path (``"staff_profile"`` of ``"staff_profile__tenant"``),
    or None for a root's ``"tenant"``."""
    first, separator, _rest = tenant_path.partition("__")
    return first if separator else None


def tenancy_of(model: type[models.Model]) -> Tenancy | None:
    """The declared tenancy of ``model``, or None when it declares nothing."""
    if getattr(model, "tenancy_is_tenant_table", False):
        return Tenancy(Kind.TENANT_TABLE)
    path = getattr(model, "tenant_path", None)
    if path == "tenant":
        return Tenancy(Kind.ROOT, "tenant")
    if path:
        return Tenancy(Kind.CHILD, path)
    if getattr(model, "tenancy_global", None):
        return Tenancy(Kind.GLOBAL)
    return None


def carries_tenant(model: type[models.Model]) -> bool:
    """Whether ``model``'s table has a ``tenant_id`` of its own: every scoped model's
    does, and so does the historical model of a migration once it has been added."""
    return any(field.name == "tenant" for field in model._meta.concrete_fields)


def has_required_tenant(model: type[models.Model]) -> bool:
    """Whether every row of ``model`` has a tenant (not users, whose operators have none)."""
    return carries_tenant(model) and not model._meta.get_field("tenant").null


def is_tenant_scoped(model: type[models.Model]) -> bool:
    tenancy = tenancy_of(model)
    return bool(tenancy and tenancy.is_scoped)


def owning_tenant_id(obj: models.Model) -> int | None:
    """The id of the tenant that owns ``obj``: its own ``tenant_id``, or for a child not
    yet written, its parent's."""
    if getattr(obj, "tenant_id", None) is not None:
        return obj.tenant_id
    return declared_tenant_id(obj)


def declared_tenant_id(obj: models.Model) -> int | None:
    """The id of the tenant ``obj`` belongs to by its declared path: for a child, its
    parent's tenant, whatever its own column holds."""
    tenancy = tenancy_of(type(obj))
    if tenancy is None or not tenancy.is_scoped:
        return None
    *parents, last = tenancy.path.split("__")
    current = obj
    for name in parents:
        current = getattr(current, name)
        if current is None:
            return None
    return getattr(current, f"{last}_id")


def tenant_model() -> type[models.Model]:
    """The tenant model (``settings.TENANCY_TENANT_MODEL``: ``core.TenantSettings``),
    reached through the app registry so that the tenancy core imports no app."""
    return apps.get_model(settings.TENANCY_TENANT_MODEL)
