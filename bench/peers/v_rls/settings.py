"""django-rls-tenants, served as the runtime role (NOBYPASSRLS) so its policies bind;
built and migrated as the owner. ``USE_LOCAL_SET``: the tenant is set per transaction
(one per request), as the tenancy core does it."""

from bench.peers.settings_base import RUNTIME_ROLE, base, connecting_as_owner, database

globals().update(base("rls", "bench.peers.v_rls"))
INSTALLED_APPS = [*INSTALLED_APPS, "django_rls_tenants"]  # noqa: F821  (from base())
DATABASES = {"default": database("rls") if connecting_as_owner() else database("rls", user=RUNTIME_ROLE)}
RLS_TENANTS = {"TENANT_MODEL": "peers_rls.Business", "USE_LOCAL_SET": True}
MIDDLEWARE = ["bench.peers.v_rls.urls.BusinessUserMiddleware", "django_rls_tenants.RLSTenantMiddleware"]
if connecting_as_owner():
    # The owner builds and migrates; only the server's role must be bound by RLS.
    SILENCED_SYSTEM_CHECKS = ["django_rls_tenants.W005"]
