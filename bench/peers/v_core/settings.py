"""The tenancy core as the project runs it on PostgreSQL: served as the runtime role
(NOBYPASSRLS) under the core's row-level security, work across businesses on the
platform role's connection, migrations as the owner."""

from bench.peers.settings_base import PLATFORM_ROLE, RUNTIME_ROLE, base, connecting_as_owner, database

globals().update(base("core", "bench.peers.v_core"))
MIDDLEWARE = ["core.tenancy.TenantMiddleware"]
DATABASES = {
    "default": database("core") if connecting_as_owner() else database("core", user=RUNTIME_ROLE),
    "platform": {**database("core", user=PLATFORM_ROLE), "TEST": {"MIRROR": "default"}},
}
DATABASE_ROUTERS = ["core.tenancy.PlatformRouter"]
TENANCY_TENANT_MODEL = "peers_core.Business"
TENANCY_RUNTIME_ROLE = RUNTIME_ROLE
TENANCY_PLATFORM_ROLE = PLATFORM_ROLE
TENANCY_PLATFORM_DATABASE = "platform"
TENANCY_PLATFORM_HOSTS = ["localhost", "127.0.0.1", "testserver"]
TENANCY_EXEMPT_PATHS = ("/healthz",)
# Businesses answer on <slug>.peers.test (the host the load driver sends to every
# variant) and to the X-Tenant-Slug header.
TENANT_BASE_DOMAIN = "peers.test"
TENANT_FALLBACK_SLUG = ""
TENANT_MAX_CONCURRENT_REQUESTS = 0
TENANT_REQUEST_SLOT_SECONDS = 120
TENANT_STATEMENT_TIMEOUT_MS = 30000
# The core's resolution cache: local memory in each worker (the project uses Redis when
# REDIS_URL is set).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
