"""The compliance API. Any member reads and reports (incidents, accidents, inspections,
photos, RAMS drafts); owners and managers run the register (categories, items, risk
assessments, equipment), sign incidents off and approve RAMS."""

from __future__ import annotations

from django.db.models import Count
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from compliance import selectors, serializers, services
from compliance.filters import (
    AccidentReportFilter,
    ComplianceItemFilter,
    EquipmentFilter,
    EquipmentInspectionFilter,
    HazardFindingFilter,
    IncidentReportFilter,
    RAMSDocumentFilter,
    RiskAssessmentFilter,
    ScoreAuditLogFilter,
    SignOffFilter,
)
from compliance.models import (
    AccidentReport,
    ComplianceCategory,
    ComplianceItem,
    Equipment,
    EquipmentInspection,
    HazardFinding,
    IncidentPhoto,
    IncidentReport,
    RAMSDocument,
    RiskAssessment,
    ScoreAuditLog,
    SignOff,
)
from core.parsers import UPLOAD_PARSERS
from core.permissions import MANAGERS, MANAGERS_WRITE, MEMBERS, RolePermission, has_role
from core.schema import STATE_CONFLICT
from core.tenancy import (
    DOWNLOAD_RESPONSES,
    TenantAPIView,
    TenantModelViewSet,
    TenantQuerySetMixin,
    TenantReadOnlyModelViewSet,
    file_response,
)


class IsManagerOrItemOwner(permissions.BasePermission):
    """Owners and managers, or the member responsible for the item."""

    message = "Only managers, or the person responsible for this item, may record it as done."

    def has_object_permission(self, request, view, obj) -> bool:
        return has_role(request.user, MANAGERS) or obj.owner_id == request.user.pk


# Members write; owners and managers correct and delete.
MANAGERS_CORRECT = {"update": MANAGERS, "partial_update": MANAGERS, "destroy": MANAGERS}


# Categories and items ---------------------------------------------------------------


class ComplianceCategoryViewSet(TenantModelViewSet):
    """Groups of checks and their weight in the score; managers edit, everyone reads."""

    queryset = ComplianceCategory.objects.all()
    serializer_class = serializers.ComplianceCategorySerializer
    permission_classes = [RolePermission]
    required_roles = MANAGERS_WRITE
    filterset_fields = ["weight"]
    search_fields = ["name", "description"]
    ordering_fields = ["name", "weight", "created_at"]

    def perform_update(self, serializer: serializers.ComplianceCategorySerializer) -> None:
        serializer.instance = services.compliance_category_update(
            category=serializer.instance, performed_by=self.request.user, **serializer.validated_data
        )


class ComplianceItemViewSet(TenantModelViewSet):
    """The checks the business keeps up to date; managers edit, everyone reads."""

    queryset = ComplianceItem.objects.select_related("category")
    serializer_class = serializers.ComplianceItemSerializer
    permission_classes = [RolePermission]
    required_roles = {**MANAGERS_WRITE, "complete": MEMBERS}
    filterset_class = ComplianceItemFilter
    search_fields = ["title", "description", "evidence_note", "category__name"]
    ordering_fields = ["due_date", "last_completed_on", "title", "status", "created_at"]

    def perform_create(self, serializer: serializers.ComplianceItemSerializer) -> None:
        serializer.instance = services.compliance_item_create(
            tenant=self.request.tenant, performed_by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: serializers.ComplianceItemSerializer) -> None:
        serializer.instance = services.compliance_item_update(
            item=serializer.instance, performed_by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: ComplianceItem) -> None:
        services.compliance_item_delete(item=instance, performed_by=self.request.user)

    @extend_schema(
        request=serializers.ComplianceItemCompleteSerializer,
        responses={200: serializers.ComplianceItemSerializer, 409: STATE_CONFLICT},
    )
    @action(detail=True, methods=["post"], permission_classes=[RolePermission, IsManagerOrItemOwner])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Record that the check was done; a recurring item is next due one period later."""
        item = self.get_object()
        body = serializers.ComplianceItemCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.compliance_item_complete(item=item, performed_by=request.user, **body.validated_data)
        return Response(self.get_serializer(item).data)


# Incidents --------------------------------------------------------------------------


class IncidentReportViewSet(TenantModelViewSet):
    """Incidents: any member reports one; managers update, sign off or delete them."""

    queryset = (
        IncidentReport.objects.select_related("reported_by")
        .annotate(photo_total=Count("photos"))
        .order_by("-occurred_at", "-id")
    )
    serializer_class = serializers.IncidentReportSerializer
    permission_classes = [RolePermission]
    required_roles = MANAGERS_CORRECT
    filterset_class = IncidentReportFilter
    search_fields = ["title", "description", "location"]
    ordering_fields = ["occurred_at", "created_at", "severity", "status"]

    def perform_create(self, serializer: serializers.IncidentReportSerializer) -> None:
        serializer.instance = services.incident_report(
            tenant=self.request.tenant, reported_by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: serializers.IncidentReportSerializer) -> None:
        serializer.instance = services.incident_update(
            incident=serializer.instance, performed_by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: IncidentReport) -> None:
        services.incident_delete(incident=instance, performed_by=self.request.user)


class IncidentPhotoViewSet(
    TenantQuerySetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Photos of incidents, uploaded as multipart naming the incident; managers delete them."""

    queryset = IncidentPhoto.objects.select_related("incident")
    serializer_class = serializers.IncidentPhotoSerializer
    parser_classes = UPLOAD_PARSERS
    permission_classes = [RolePermission]
    required_roles = {"destroy": MANAGERS}
    filterset_fields = ["incident"]
    search_fields = ["caption", "incident__title"]
    ordering_fields = ["uploaded_at"]

    def perform_create(self, serializer: serializers.IncidentPhotoSerializer) -> None:
        serializer.instance = services.incident_photo_add(**serializer.validated_data)

    def perform_destroy(self, instance: IncidentPhoto) -> None:
        services.incident_photo_delete(photo=instance)

    @extend_schema(responses=DOWNLOAD_RESPONSES)
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None):
        """The photo itself."""
        return file_response(self.get_object().image)


@extend_schema_view(create=extend_schema(responses={201: serializers.SignOffSerializer, 409: STATE_CONFLICT}))
class SignOffViewSet(
    TenantQuerySetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Sign-offs of incidents by owners and managers; signing off closes the incident."""

    queryset = SignOff.objects.select_related("incident", "signed_by")
    serializer_class = serializers.SignOffSerializer
    permission_classes = [RolePermission]
    required_roles = MANAGERS_WRITE
    filterset_class = SignOffFilter
    search_fields = ["comment", "incident__title"]
    ordering_fields = ["signed_at"]

    def perform_create(self, serializer: serializers.SignOffSerializer) -> None:
        serializer.instance = services.incident_sign_off(signed_by=self.request.user, **serializer.validated_data)


# Risk assessments -------------------------------------------------------------------


class RiskAssessmentViewSet(TenantModelViewSet):
    queryset = RiskAssessment.objects.annotate(finding_total=Count("findings")).order_by("review_due", "id")
    serializer_class = serializers.RiskAssessmentSerializer
    permission_classes = [RolePermission]
    required_roles = MANAGERS_WRITE
    filterset_class = RiskAssessmentFilter
    search_fields = ["title", "area"]
    ordering_fields = ["review_due", "assessed_on", "title", "created_at"]

    def perform_create(self, serializer: serializers.RiskAssessmentSerializer) -> None:
        user = self.request.user
        # The assessor defaults to whoever records the assessment.
        assessor = serializer.validated_data.get("assessor", user)
        serializer.save(tenant=self.request.tenant, created_by=user, assessor=assessor)


class HazardFindingViewSet(TenantModelViewSet):
    queryset = HazardFinding.objects.select_related("assessment")
    serializer_class = serializers.HazardFindingSerializer
    permission_classes = [RolePermission]
    required_roles = MANAGERS_WRITE
    filterset_class = HazardFindingFilter
    search_fields = ["hazard", "who_at_risk", "controls", "assessment__title"]
    ordering_fields = ["risk_score", "action_due", "likelihood", "severity"]


# Equipment --------------------------------------------------------------------------


class EquipmentViewSet(TenantModelViewSet):
    """Equipment inspected at intervals; ``?due_within_days=n`` lists what falls due."""

    queryset = Equipment.objects.all()
    serializer_class = serializers.EquipmentSerializer
    permission_classes = [RolePermission]
    required_roles = MANAGERS_WRITE
    filterset_class = EquipmentFilter
    search_fields = ["name", "serial_number", "location"]
    ordering_fields = ["name", "next_inspection_due", "last_inspected_on", "created_at"]

    def perform_update(self, serializer: serializers.EquipmentSerializer) -> None:
        serializer.instance = services.equipment_update(equipment=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance: Equipment) -> None:
        services.equipment_delete(equipment=instance)

    @extend_schema(
        parameters=[serializers.InspectionsDueQuerySerializer],
        responses=serializers.EquipmentSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="inspections-due")
    def inspections_due(self, request: Request) -> Response:
        """Active equipment whose next inspection is due within ``within_days`` (default 30), or overdue."""
        query = serializers.InspectionsDueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        due = selectors.equipment_inspections_due(
            tenant=request.tenant, within_days=query.validated_data["within_days"]
        )
        rows = self.filter_queryset(self.get_queryset().filter(pk__in=due.values("pk")))
        if "ordering" not in request.query_params:
            rows = rows.order_by("next_inspection_due", "name", "id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class EquipmentInspectionViewSet(
    TenantQuerySetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Inspections, recorded by any member; each one moves the equipment's next due date."""

    queryset = EquipmentInspection.objects.select_related("equipment")
    serializer_class = serializers.EquipmentInspectionSerializer
    permission_classes = [RolePermission]
    filterset_class = EquipmentInspectionFilter
    search_fields = ["notes", "equipment__name", "equipment__serial_number"]
    ordering_fields = ["inspected_on", "created_at"]

    def perform_create(self, serializer: serializers.EquipmentInspectionSerializer) -> None:
        fields = serializer.validated_data
        user = self.request.user
        serializer.instance = services.equipment_inspection_record(
            equipment=fields["equipment"],
            inspector=fields.get("inspector") or user,
            inspected_on=fields.get("inspected_on"),
            passed=fields.get("passed", True),
            notes=fields.get("notes", ""),
            recorded_by=user,
        )


# Accidents and RAMS -----------------------------------------------------------------


class AccidentReportViewSet(TenantModelViewSet):
    """The accident book: any member writes an entry; managers correct or delete them."""

    queryset = AccidentReport.objects.select_related("reported_by")
    serializer_class = serializers.AccidentReportSerializer
    permission_classes = [RolePermission]
    required_roles = MANAGERS_CORRECT
    filterset_class = AccidentReportFilter
    search_fields = ["person_involved", "location", "description", "injury"]
    ordering_fields = ["occurred_at", "created_at"]

    def perform_create(self, serializer: serializers.AccidentReportSerializer) -> None:
        serializer.instance = services.accident_report(
            tenant=self.request.tenant, reported_by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: serializers.AccidentReportSerializer) -> None:
        serializer.instance = services.accident_update(accident=serializer.instance, **serializer.validated_data)


class RAMSDocumentViewSet(TenantModelViewSet):
    """Risk assessments and method statements: members draft, managers approve and delete."""

    queryset = RAMSDocument.objects.all()
    serializer_class = serializers.RAMSDocumentSerializer
    parser_classes = UPLOAD_PARSERS
    permission_classes = [RolePermission]
    required_roles = {"destroy": MANAGERS, "approve": MANAGERS}
    filterset_class = RAMSDocumentFilter
    search_fields = ["title", "activity"]
    ordering_fields = ["title", "version", "approved_on", "created_at"]

    def perform_create(self, serializer: serializers.RAMSDocumentSerializer) -> None:
        serializer.save(tenant=self.request.tenant, created_by=self.request.user)

    def perform_update(self, serializer: serializers.RAMSDocumentSerializer) -> None:
        serializer.instance = services.rams_update(document=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance: RAMSDocument) -> None:
        services.rams_delete(document=instance)

    @extend_schema(request=None, responses={200: serializers.RAMSDocumentSerializer, 409: STATE_CONFLICT})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a draft; earlier approved versions of the same title become superseded."""
        document = services.rams_approve(document=self.get_object(), approved_by=request.user)
        return Response(self.get_serializer(document).data)

    @extend_schema(responses=DOWNLOAD_RESPONSES)
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None):
        """The document's file."""
        return file_response(self.get_object().file)


# The Peace of Mind score ------------------------------------------------------------


class PeaceOfMindScoreView(TenantAPIView):
    """The business's Peace of Mind score (computed on first read)."""

    permission_classes = [RolePermission]

    @extend_schema(responses=serializers.PeaceOfMindScoreSerializer, operation_id="compliance_score_retrieve")
    def get(self, request: Request) -> Response:
        score = services.peace_of_mind_current(tenant=request.tenant, performed_by=request.user)
        return Response(serializers.PeaceOfMindScoreSerializer(score).data)


class PeaceOfMindScoreRecomputeView(TenantAPIView):
    """Recompute the score now; a change is written to the score's audit log."""

    permission_classes = [RolePermission]

    @extend_schema(
        request=serializers.ScoreRecomputeSerializer,
        responses=serializers.PeaceOfMindScoreSerializer,
        operation_id="compliance_score_recompute",
    )
    def post(self, request: Request) -> Response:
        body = serializers.ScoreRecomputeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        score = services.peace_of_mind_recompute(
            tenant=request.tenant, reason=body.validated_data["reason"], performed_by=request.user
        )
        return Response(serializers.PeaceOfMindScoreSerializer(score).data, status=status.HTTP_200_OK)


class ScoreAuditLogViewSet(TenantReadOnlyModelViewSet):
    """Every change of the score: from what, to what, why and by whom."""

    queryset = ScoreAuditLog.objects.select_related("changed_by")
    serializer_class = serializers.ScoreAuditLogSerializer
    permission_classes = [RolePermission]
    filterset_class = ScoreAuditLogFilter
    search_fields = ["reason"]
    ordering_fields = ["created_at", "new_score"]
