from rest_framework.routers import SimpleRouter

from core import views

router = SimpleRouter()
router.register("events", views.BusinessEventViewSet, basename="businessevent")

urlpatterns = router.urls

# Mounted at api/tenant/export/ by the root URLconf: the business's own archives.
export_router = SimpleRouter()
export_router.register("", views.TenantExportViewSet, basename="tenantexport")
export_urls = export_router.urls
