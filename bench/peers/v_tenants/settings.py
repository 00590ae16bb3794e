"""django-tenants: a schema per business, chosen by the request's host."""

from bench.peers.settings_base import base, database

globals().update(base("tenants", "bench.peers.v_tenants"))
SHARED_APPS = [
    "django_tenants",
    "bench.peers.v_tenants_shared",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
]
TENANT_APPS = ["bench.peers.v_tenants"]
INSTALLED_APPS = [*SHARED_APPS, *[app for app in TENANT_APPS if app not in SHARED_APPS]]
TENANT_MODEL = "peers_tenants_shared.Business"
TENANT_DOMAIN_MODEL = "peers_tenants_shared.Domain"
DATABASES = {"default": database("tenants", engine="django_tenants.postgresql_backend")}
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
MIDDLEWARE = ["django_tenants.middleware.main.TenantMainMiddleware"]
MIGRATION_MODULES = {
    "peers_tenants": "bench.peers.v_tenants.migrations",
    "peers_tenants_shared": "bench.peers.v_tenants_shared.migrations",
}
