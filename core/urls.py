from rest_framework.routers import SimpleRouter

from core import views

router = SimpleRouter()
router.register("events", views.BusinessEventViewSet, basename="businessevent")

urlpatterns = router.urls
