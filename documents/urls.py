from rest_framework.routers import SimpleRouter

from documents import views

router = SimpleRouter()
router.register("tags", views.DocumentTagViewSet, basename="document-tag")
router.register("documents", views.DocumentViewSet, basename="document")

urlpatterns = router.urls
