"""System checks of the declarations: every model declares how it belongs to a tenant,
every file field stores under its tenant's folder, every API view declares its access
and uses nothing shared across businesses."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.files.storage import default_storage, storages
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.throttling import SimpleRateThrottle

from ..declarations import Kind, is_tenant_scoped, tenancy_of
from ..models import TenantManager
from ..runtime.files import tenant_upload_to
from ..runtime.filtering import TenantFilterBackend
from ..runtime.views import Access, TenancyViewMixin, TenantQuerySetMixin, TenantScopedRateThrottle
from .registry import api_views, project_models


def path_errors(model: type[models.Model], path: str) -> str | None:
    current = model
    *parents, last = path.split("__")
    for name in parents:
        try:
            field = current._meta.get_field(name)
        except Exception:
            return f"'{name}' is not a field of {current.__name__}"
        if not (field.many_to_one or field.one_to_one) or field.auto_created:
            return f"'{name}' on {current.__name__} is not a forward foreign key"
        current = field.related_model
    root = tenancy_of(current)
    if last != "tenant" or root is None or root.kind is not Kind.ROOT:
        return f"the path must end at the 'tenant' of a root model, not {current.__name__}.{last}"
    return None


def _platform_rows_only(constraint: models.UniqueConstraint) -> bool:
    """A uniqueness that holds only among rows of no tenant (``condition=Q(tenant__isnull=True)``,
    e.g. platform operators' usernames) compares no tenant's rows with another's."""
    condition = constraint.condition
    return (
        condition is not None
        and condition.connector == models.Q.AND
        and not condition.negated
        and ("tenant__isnull", True) in condition.children
    )


def _unique_errors(model: type[models.Model]) -> list[str]:
    allowed = set(getattr(model, "tenancy_globally_unique", ()))
    problems = []
    for field in model._meta.concrete_fields:
        parent_link = field.is_relation and is_tenant_scoped(field.related_model)
        if field.unique and not field.primary_key and field.name not in allowed and not parent_link:
            problems.append(f"field '{field.name}' is unique across tenants")
    groups = [tuple(g) for g in model._meta.unique_together]
    groups += [
        tuple(c.fields)
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and not _platform_rows_only(c)
    ]
    for fields in groups:
        scoped = any(
            name == "tenant"
            or (model._meta.get_field(name).is_relation and is_tenant_scoped(model._meta.get_field(name).related_model))
            for name in fields
        )
        if fields and not scoped and not set(fields) <= allowed:
            problems.append(f"unique {fields} does not include the tenant")
    return problems


@checks.register(checks.Tags.models)
def check_model_declarations(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    messages = []
    for model in project_models():
        label = model._meta.label
        tenancy = tenancy_of(model)
        if tenancy is None:
            messages.append(
                checks.Error(
                    f"{label} does not declare how it belongs to a tenant.",
                    hint="Inherit TenantModel, or TenantChildModel with tenant_path, or set tenancy_global = '<why>'.",
                    obj=model,
                    id="tenancy.E001",
                )
            )
            continue
        if not tenancy.is_scoped:
            continue
        if tenancy.kind is Kind.CHILD and (problem := path_errors(model, tenancy.path)):
            messages.append(checks.Error(f"{label}.tenant_path: {problem}.", obj=model, id="tenancy.E002"))
        if not isinstance(model._default_manager, TenantManager):
            messages.append(
                checks.Error(
                    f"{label}'s default manager does not fail closed.",
                    hint="Use TenantManager (the bases provide it).",
                    obj=model,
                    id="tenancy.E003",
                )
            )
        for problem in _unique_errors(model):
            messages.append(
                checks.Error(
                    f"{label}: {problem}; it would reveal other tenants' data.",
                    hint="Use UniqueConstraint(fields=['tenant', ...]).",
                    obj=model,
                    id="tenancy.E004",
                )
            )
    return messages


def _is_default_storage(storage) -> bool:
    return storage is default_storage or storage is storages["default"]


@checks.register(checks.Tags.models)
def check_file_fields(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every file field of every installed model stores under its tenant's folder, in the
    default storage: the one the download endpoints, X-Accel-Redirect and
    ``move_tenant_files`` are set up for (another could be a public bucket)."""
    messages = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        declared = set(getattr(model, "tenancy_own_storage", ()))
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.FileField):
                continue
            label = f"{model._meta.label}.{field.name}"
            if field.upload_to is not tenant_upload_to:
                messages.append(
                    checks.Error(
                        f"{label} uploads to {field.upload_to!r}, outside its tenant's folder.",
                        hint="Use upload_to=core.tenancy.tenant_upload_to (tenants/<slug>/<model>/...).",
                        obj=model,
                        id="tenancy.E040",
                    )
                )
            if is_tenant_scoped(model) and not _is_default_storage(field.storage) and field.name not in declared:
                messages.append(
                    checks.Error(
                        f"{label} stores tenant files outside the default storage.",
                        hint="Use the default storage (STORAGES['default']), or list the field in the "
                        "model's tenancy_own_storage once that storage is private.",
                        obj=model,
                        id="tenancy.E041",
                    )
                )
    return messages


# What a tenant or public view may not use, because it works across businesses: the
# attribute, the kind of class refused, the tenant-aware kind allowed, what goes wrong, the fix.
_SHARED_ACROSS_BUSINESSES = [
    (
        "throttle_classes",
        SimpleRateThrottle,
        TenantScopedRateThrottle,
        "counts every business's requests under one key",
        "Throttle with core.throttling.BusinessRateThrottle (a TenantScopedRateThrottle).",
        "tenancy.E012",
    ),
    (
        "filter_backends",
        DjangoFilterBackend,
        TenantFilterBackend,
        "filters by other rows without the tenant's scope (another business's id would answer unlike a missing one)",
        "Filter with core.tenancy.TenantFilterBackend.",
        "tenancy.E013",
    ),
]


def _shared_across_businesses(cls: type, where: str) -> list[checks.CheckMessage]:
    messages = []
    for attribute, refused, allowed, problem, hint, check_id in _SHARED_ACROSS_BUSINESSES:
        names = [
            used.__name__
            for used in getattr(cls, attribute, ())
            if issubclass(used, refused) and not issubclass(used, allowed)
        ]
        if names:
            messages.append(checks.Error(f"{where} {problem} ({', '.join(names)}).", hint=hint, obj=cls, id=check_id))
    return messages


@checks.register(checks.Tags.urls)
def check_api_view_access(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    messages = []
    for route, cls, _entry in api_views():
        name = f"{cls.__module__}.{cls.__qualname__}"
        if not issubclass(cls, TenancyViewMixin):
            messages.append(
                checks.Error(
                    f"API view {name} at '{route}' is neither tenant-scoped nor declared public.",
                    hint="Build it on TenantModelViewSet/TenantAPIView, or PublicTenantAPIView/PlatformAPIView.",
                    obj=cls,
                    id="tenancy.E010",
                )
            )
            continue
        if cls.tenancy_access in (Access.TENANT, Access.PUBLIC):
            messages += _shared_across_businesses(cls, f"API view {name} at '{route}'")
        queryset = getattr(cls, "queryset", None)
        if queryset is None or not is_tenant_scoped(queryset.model):
            continue
        if cls.tenancy_access in (Access.PLATFORM, Access.AUTHENTICATED) or not issubclass(cls, TenantQuerySetMixin):
            messages.append(
                checks.Error(
                    f"API view {name} at '{route}' serves {queryset.model.__name__} rows without the tenant filter.",
                    hint="Use TenantQuerySetMixin (TenantModelViewSet) with tenancy_access TENANT or PUBLIC.",
                    obj=cls,
                    id="tenancy.E011",
                )
            )
    return messages


@checks.register(checks.Tags.security, deploy=True)
def check_fallback_tenant(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.TENANT_FALLBACK_SLUG:
        return [
            checks.Warning(
                "TENANT_FALLBACK_SLUG is set: requests that name no business are served as "
                f"'{settings.TENANT_FALLBACK_SLUG}'.",
                hint="Unset it once every frontend sends X-Tenant-Slug.",
                id="tenancy.W001",
            )
        ]
    return []
