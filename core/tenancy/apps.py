from django.contrib.admin.apps import AdminConfig


class PlatformAdminConfig(AdminConfig):
    """Django admin on the tenant-aware admin site (``core.tenancy.PlatformAdminSite``)."""

    default_site = "core.tenancy.PlatformAdminSite"
