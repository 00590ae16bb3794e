from django.contrib.admin.apps import AdminConfig


class PlatformAdminConfig(AdminConfig):
    """Django admin on the tenant-aware admin site (see core.tenancy.admin)."""

    default_site = "core.tenancy.admin.PlatformAdminSite"
