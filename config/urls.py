from django.contrib import admin
from django.urls import include, path

from core.platform_views import platform_urls
from core.urls import export_urls
from core.views import (
    RedocView,
    SchemaView,
    SwaggerView,
    TenantBrandingView,
    TenantSettingsView,
    healthz,
    integration_urls,
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/auth/", include("accounts.urls")),
    path("api/tenant/settings/", TenantSettingsView.as_view(), name="tenant-settings"),
    path("api/tenant/integrations/", include(integration_urls)),
    path("api/tenant/export/", include(export_urls)),
    path("api/tenant/", TenantBrandingView.as_view(), name="tenant-branding"),
    path("api/core/", include("core.urls")),
    path("api/platform/", include(platform_urls)),
    path("api/bookings/", include("bookings.urls")),
    path("api/staff/", include("staff.urls")),
    path("api/comms/", include("comms.urls")),
    path("api/crm/", include("crm.urls")),
    path("api/documents/", include("documents.urls")),
    path("api/compliance/", include("compliance.urls")),
    path("api/payments/", include("payments.urls")),
    path("api/analytics/", include("analytics.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
]

handler400 = "core.exceptions.json_bad_request"
handler403 = "core.exceptions.json_permission_denied"
handler404 = "core.exceptions.json_not_found"
handler500 = "core.exceptions.json_server_error"
