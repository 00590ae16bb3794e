"""System checks: every model declares its tenancy, every API view its access."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.files.storage import default_storage, storages
from django.db import connections, models
from django.urls import URLPattern, URLResolver, get_resolver
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from .declarations import Kind, is_tenant_scoped, tenancy_of
from .drf import Access, TenancyViewMixin, TenantQuerySetMixin, TenantScopedRateThrottle
from .files import tenant_upload_to
from .filtering import TenantFilterBackend
from .models import TenantManager
from .rls import (
    TenantRowLevelSecurity,
    expected_operation,
    platform_role_problems,
    recorded_operations,
    runtime_role_problems,
    tenant_tables,
)
from .rls_changes import AddTenantBoundKey, AddTenantKey, TenantKeyChange


def project_models() -> list[type[models.Model]]:
    base = Path(settings.BASE_DIR).resolve()
    found = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if base not in path.parents or ".venv" in path.parts:
            continue
        found.extend(m for m in config.get_models() if not m._meta.auto_created)
    return found


def _path_errors(model: type[models.Model], path: str) -> str | None:
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
        if tenancy.kind is Kind.CHILD and (problem := _path_errors(model, tenancy.path)):
            messages.append(checks.Error(f"{label}.tenant_path: {problem}.", obj=model, id="tenancy.E002"))
        if not isinstance(model._default_manager, TenantManager) and not getattr(model, "tenancy_unscoped_manager", ""):
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
                        hint="Use upload_to=core.tenancy.files.tenant_upload_to (tenants/<slug>/<model>/...).",
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


def api_views(resolver: URLResolver | None = None, prefix: str = ""):
    """Every (route, view class) in the URLconf that is a DRF view."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from api_views(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            cls = getattr(entry.callback, "cls", None)
            if isinstance(cls, type) and issubclass(cls, APIView):
                yield prefix + str(entry.pattern), cls, entry


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
        "Filter with core.tenancy.filtering.TenantFilterBackend.",
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


@checks.register(checks.Tags.security, deploy=True)
def check_tenant_secrets_key_set(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Production encrypts tenants' API keys with a key of its own, never one derived
    from SECRET_KEY (which may be rotated or shared) and never none."""
    if settings.TENANT_SECRETS_KEYS:
        return []
    if getattr(settings, "TENANT_SECRETS_DERIVE_DEV_KEY", False):
        problem = "tenants' API keys are encrypted with a development key derived from SECRET_KEY"
    else:
        problem = "tenants' API keys can be neither stored nor read"
    return [
        checks.Error(
            f"TENANT_SECRETS_KEYS is not set: {problem}.",
            hint="Set TENANT_SECRETS_KEYS to the output of `manage.py generate_secrets_key`.",
            id="tenancy.E030",
        )
    ]


@checks.register(checks.Tags.security)
def check_tenant_secrets_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from django.core.exceptions import ImproperlyConfigured

    from core.models import TenantIntegrationKey

    from .secrets import decode_key

    messages = []
    for position, value in enumerate(settings.TENANT_SECRETS_KEYS, start=1):
        try:
            decode_key(value)
        except ImproperlyConfigured as exc:  # the message names the entry, never its value
            messages.append(checks.Error(f"TENANT_SECRETS_KEYS entry {position}: {exc}", id="tenancy.E031"))
    providers = set(TenantIntegrationKey.Provider.values)
    for provider in settings.INTEGRATION_PLATFORM_FALLBACK:
        if provider not in providers:
            messages.append(
                checks.Warning(
                    f"INTEGRATION_PLATFORM_FALLBACK names {provider!r}, which is not a provider.",
                    hint=f"Use some of {', '.join(sorted(providers))}.",
                    id="tenancy.W032",
                )
            )
    return messages


def _render_operation(operation: TenantRowLevelSecurity | TenantKeyChange) -> str:
    name, _args, kwargs = operation.deconstruct()
    arguments = ", ".join(f"{key}={value!r}" for key, value in kwargs.items())
    return f"{name}({arguments})"


def _declaration(operation: TenantRowLevelSecurity) -> tuple:
    """What an operation declares, whatever the order its keys were added in."""
    _name, _args, kwargs = operation.deconstruct()
    return tuple(sorted((key, sorted(value) if isinstance(value, list) else value) for key, value in kwargs.items()))


def recorded_rls_operations() -> dict[tuple[str, str], TenantRowLevelSecurity]:
    """The declaration each model's migration files add up to, in graph order: its last
    TenantRowLevelSecurity with the tenant keys added after it."""
    from django.db.migrations.loader import MigrationLoader

    return recorded_operations(MigrationLoader(None, ignore_no_migrations=True))


def _changes_to(found: TenantRowLevelSecurity, expected: TenantRowLevelSecurity) -> list[TenantKeyChange] | None:
    """The tenant keys that turn ``found`` into ``expected``, or None when more differs."""
    changes: list[TenantKeyChange] = []
    if expected.tenant_key and not found.tenant_key:
        changes.append(AddTenantKey(model_name=expected.model_name))
    changes += [
        AddTenantBoundKey(model_name=expected.model_name, name=name)
        for name in expected.tenant_bound
        if name not in found.tenant_bound
    ]
    amended = found
    for change in changes:
        amended = change.amend(amended)
    return changes if _declaration(amended) == _declaration(expected) else None


@checks.register(checks.Tags.models)
def check_row_level_security_migrations(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every tenant model has, in its migrations, the policy its declaration calls for."""
    models_ = project_models()
    recorded = recorded_rls_operations()
    messages = []
    for model in models_:
        tenancy = tenancy_of(model)
        if (
            tenancy is None
            or not tenancy.is_scoped
            or (tenancy.kind is Kind.CHILD and _path_errors(model, tenancy.path))
        ):
            continue
        expected = expected_operation(model, models_)
        found = recorded.get((model._meta.app_label, model._meta.model_name))
        if found is not None and _declaration(found) == _declaration(expected):
            continue
        changes = _changes_to(found, expected) if found is not None else None
        needed = changes or [expected]
        state = "has no row-level security" if found is None else f"has {_render_operation(found)}"
        lines = ", ".join(f"{type(op).__module__}.{_render_operation(op)}" for op in needed)
        messages.append(
            checks.Error(
                f"{model._meta.label} {state} in its migrations.",
                hint=f"Add a migration with {lines}.",
                obj=model,
                id="tenancy.E020",
            )
        )
    return messages


@checks.register(checks.Tags.database)
def check_runtime_role(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """On PostgreSQL, the role the application runs as cannot see past row-level security,
    and the platform role can."""
    if not databases or "default" not in databases:
        return []
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []
    role = settings.TENANCY_RUNTIME_ROLE
    if not role:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            role = cursor.fetchone()[0]
    hint = "Run the app as a role that owns nothing (DATABASE_URL) and migrate as the owner (DATABASE_MIGRATE_URL)."
    messages = [
        checks.Warning(problem.message, hint=hint, id=problem.id)
        for problem in runtime_role_problems(connection, role, tenant_tables(project_models()))
    ]
    platform = settings.TENANCY_PLATFORM_ROLE
    if platform:
        hint = "DATABASE_PLATFORM_URL names a role of its own with BYPASSRLS (README: Deployment)."
        messages += [
            checks.Warning(problem.message, hint=hint, id=problem.id)
            for problem in platform_role_problems(connection, platform, role)
        ]
    return messages


@checks.register(checks.Tags.security, deploy=True)
def check_platform_database(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Two roles on PostgreSQL need the third: work across tenants has no other rights."""
    default = connections["default"].settings_dict
    if not default["ENGINE"].endswith("postgresql"):
        return []
    if not settings.TENANCY_PLATFORM_ROLE or "platform" not in settings.DATABASES:
        if getattr(settings, "DATABASE_OWNER", None) is None:
            return []  # one role for everything: it owns the tables
        return [
            checks.Warning(
                "DATABASE_URL and DATABASE_MIGRATE_URL are set, DATABASE_PLATFORM_URL is not: operators in the "
                "admin, seed_demo, operator logins and the audit of foreign ids would see no business's rows.",
                hint="Create the platform role (LOGIN BYPASSRLS) and set DATABASE_PLATFORM_URL (README: Deployment).",
                id="tenancy.W019",
            )
        ]
    platform = connections["platform"].settings_dict
    if platform.get("NAME") != default.get("NAME"):
        return [
            checks.Warning(
                f"DATABASE_PLATFORM_URL names database {platform.get('NAME')!r}, DATABASE_URL {default.get('NAME')!r}.",
                hint="Both name the same database, as different roles.",
                id="tenancy.W022",
            )
        ]
    return []
