from django.urls import path
from rest_framework.routers import SimpleRouter

from compliance import views

router = SimpleRouter()
router.register("categories", views.ComplianceCategoryViewSet, basename="compliance-category")
router.register("items", views.ComplianceItemViewSet, basename="compliance-item")
router.register("incidents", views.IncidentReportViewSet, basename="compliance-incident")
router.register("incident-photos", views.IncidentPhotoViewSet, basename="compliance-incident-photo")
router.register("sign-offs", views.SignOffViewSet, basename="compliance-sign-off")
router.register("risk-assessments", views.RiskAssessmentViewSet, basename="compliance-risk-assessment")
router.register("hazard-findings", views.HazardFindingViewSet, basename="compliance-hazard-finding")
router.register("equipment", views.EquipmentViewSet, basename="compliance-equipment")
router.register("inspections", views.EquipmentInspectionViewSet, basename="compliance-inspection")
router.register("accidents", views.AccidentReportViewSet, basename="compliance-accident")
router.register("rams", views.RAMSDocumentViewSet, basename="compliance-rams")
router.register("score-audit-log", views.ScoreAuditLogViewSet, basename="compliance-score-audit-log")

urlpatterns = [
    path("score/", views.PeaceOfMindScoreView.as_view(), name="compliance-score"),
    path("score/recompute/", views.PeaceOfMindScoreRecomputeView.as_view(), name="compliance-score-recompute"),
    *router.urls,
]
