from django.urls import path
from rest_framework.routers import SimpleRouter

from analytics import views

router = SimpleRouter()
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")

urlpatterns = [
    path("summary/", views.SummaryView.as_view(), name="analytics-summary"),
    *router.urls,
]
