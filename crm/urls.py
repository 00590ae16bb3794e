from django.urls import path
from rest_framework.routers import SimpleRouter

from crm import views

router = SimpleRouter()
router.register("leads", views.LeadViewSet, basename="lead")

urlpatterns = [
    # Before the router: "leads/pipeline/" would otherwise read as the lead "pipeline".
    path("leads/pipeline/", views.LeadPipelineView.as_view(), name="lead-pipeline"),
    *router.urls,
]
