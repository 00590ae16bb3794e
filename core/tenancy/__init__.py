"""The tenancy core: what apps, migrations, commands and tests may use of it.

Everything below is imported from ``core.tenancy`` and from nowhere deeper; the modules
behind it are free to move. Names are loaded on first use, so a models module can
import the model bases while the app registry is still filling.

Behind the face, modules are grouped by when they run:

* the package root — the scope (``scope``), the declarations (``declarations``) and the
  model bases (``models``): imported by every app's models;
* ``runtime/`` — request and job time: resolution, middleware, authentication, DRF
  views and serializers, files, cache, background tasks, WebSockets, the database
  scope, the platform role;
* ``migration/`` — migration time: row-level security operations and their SQL, grants,
  and the plan that would distribute the schema on Citus;
* ``checks/`` — check and deploy time: the system checks, the model and route registry.

The package imports nothing of the apps, nor of ``core`` outside itself: the tenant
model is reached through the app registry (``settings.TENANCY_TENANT_MODEL``).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Each module behind the face and the names it lends to it.
_FACE: dict[str, tuple[str, ...]] = {
    # The tenant in scope: one state, one way in per purpose, one audited bypass.
    "scope": (
        "TenantScopeError",
        "tenant_context",
        "in_tenant_scope",
        "unscoped_all_tenants",
        "no_tenant",
        "get_current_tenant",
        "after_response",
        "application_filters_off",
        "with_platform_rights_on_default",
        "needs_platform_role",
        "audit_log",
    ),
    # How a model belongs to a tenant.
    "declarations": ("Kind", "tenancy_of", "is_tenant_scoped", "carries_tenant", "owning_tenant_id", "tenant_model"),
    "models": (
        "TenantModel",
        "TenantChildModel",
        "TenancyGuardMixin",
        "TenantQuerySet",
        "TenantManager",
        "tenant_field",
    ),
    # Request and job time.
    "runtime.scoping": ("scope_queryset",),
    "runtime.cache": (
        "tenant_cache_get_or_set",
        "tenant_cache_invalidate",
        "tenant_cache_purge",
        "tenant_cache_key",
        "tenant_cache_generation",
        "tenant_counter_key",
        "forget_resolution",
        "TenantSettingsQuerySet",
    ),
    "runtime.domains": ("validate_tenant_slug", "normalise_custom_domain", "clean_custom_domain"),
    "runtime.resolution": ("TENANT_HEADER", "is_platform_host"),
    "runtime.errors": ("TenantMismatch", "audit_refusal", "write_conflict", "cross_tenant_attempt", "REFUSAL_KINDS"),
    "runtime.views": (
        "Access",
        "TenancyViewMixin",
        "TenantQuerySetMixin",
        "TenantAPIView",
        "PublicTenantAPIView",
        "PlatformAPIView",
        "TenantModelViewSet",
        "TenantReadOnlyModelViewSet",
        "TenantScopedRateThrottle",
    ),
    "runtime.serializers": ("TenantSerializer", "TenantModelSerializer"),
    "runtime.filtering": ("TenantFilterBackend",),
    "runtime.files": (
        "tenant_upload_to",
        "tenant_folder",
        "tenant_file_fields",
        "file_response",
        "delete_after_commit",
        "DOWNLOAD_RESPONSES",
        "RANDOM_PREFIX",
    ),
    "runtime.middleware": ("TenantMiddleware", "SessionHostMiddleware"),
    "runtime.governance": (
        "TenantGovernanceMiddleware",
        "request_slot_take",
        "request_slots_reset",
        "SLOT_REFUSED",
        "concurrency_cap",
        "statement_timeout_ms",
        "slots_in_use",
        "requests_of_day",
    ),
    "runtime.authentication": (
        "TenantJWTAuthentication",
        "TenantModelBackend",
        "tenant_named_by",
        "token_lookup_scope",
        "token_user",
    ),
    "runtime.admin": ("TenantAdminMixin", "PlatformAdminSite"),
    "runtime.database": ("DatabaseScopeSync",),
    "runtime.roles": ("PlatformRouter", "as_platform_role", "as_database_owner"),
    "runtime.sockets": (
        "TenantSocketConsumer",
        "SocketRefusal",
        "socket_ticket_issue",
        "socket_session_open",
        "tenant_group_name",
        "tenant_group_send_on_commit",
        "TICKET_SECONDS",
    ),
    "runtime.socket_threads": ("socket_database_threads_stop",),
    "runtime.tasks": ("tenant_task", "platform_task", "TenantTask", "PlatformTask", "TASK_TENANT_HEADER"),
    "proofs": ("TRANSACTION_TOKEN_SQL", "scope_key", "scope_proof"),
    # Migration time.
    "migration.operations": ("TenantRowLevelSecurity", "TenantPolicies", "PlatformOnlyTable"),
    "migration.key_changes": ("AddTenantKey", "AddTenantBoundKey", "AddTenantLink"),
    "migration.child_tenant": ("CarryTenant",),
    # Deploy time, past one node: the Citus plan (``manage.py citus_plan``).
    "migration.citus": ("CitusPlan", "Placement", "citus_plan", "citus_plan_sql"),
    # Check and deploy time, and the registry the tests and the demo read.
    "checks.registry": ("project_models", "api_views", "tenant_table_models", "tenant_tables"),
    "checks.declarations": ("check_model_declarations",),
    "checks.sources": ("check_silent_bypasses", "silent_bypasses"),
    "checks.tasks": ("check_task_declarations", "project_tasks"),
    "checks.expectations": ("expected_operation",),
    "checks.database": (
        "check_platform_database",
        "recorded_rls_operations",
        "runtime_role_problems",
        "platform_role_problems",
    ),
    # Wiring into Django (core's AppConfig.ready).
    "wiring": ("install",),
}

__all__ = [name for names in _FACE.values() for name in names]
_MODULE_OF = {name: module for module, names in _FACE.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
