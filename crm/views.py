"""The sales pipeline. Everyone in the business works the leads; owners and managers
delete them. Stages change only through ``move/`` and ``convert/``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.permissions import MANAGERS, RolePermission
from core.schema import STATE_CONFLICT
from core.tenancy import TenantAPIView, TenantModelViewSet
from crm import selectors, serializers, services
from crm.filters import LeadFilter
from crm.models import Lead


class LeadPermission(RolePermission):
    """The view's role table, refusing with the leads' own sentence."""

    def has_permission(self, request, view) -> bool:
        allowed = super().has_permission(request, view)
        if not allowed:
            self.message = "Only the business's owners and managers can delete leads."
        return allowed


class LeadViewSet(TenantModelViewSet):
    queryset = Lead.objects.select_related("owner", "converted_client")
    serializer_class = serializers.LeadSerializer
    permission_classes = [LeadPermission]
    required_roles = {"destroy": MANAGERS}
    filterset_class = LeadFilter
    search_fields = ["name", "email", "phone", "company", "notes"]
    ordering_fields = ["created_at", "updated_at", "value", "next_follow_up", "name", "status"]

    def perform_create(self, serializer: serializers.LeadSerializer) -> None:
        user = self.request.user
        data = dict(serializer.validated_data)
        # A lead someone enters is theirs unless they give it to someone else (or to nobody).
        data.setdefault("owner", user if user.tenant_id else None)
        serializer.instance = services.lead_create(tenant=self.request.tenant, created_by=user, **data)

    def _respond(self, lead: Lead) -> Response:
        return Response(self.get_serializer(lead).data)

    @extend_schema(
        request=serializers.LeadMoveSerializer, responses={200: serializers.LeadSerializer, 409: STATE_CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move the lead along the pipeline: new → contacted → qualified → proposal → won,
        or to lost from any open stage (with an optional reason); a lost lead may be reopened."""
        lead = self.get_object()
        body = serializers.LeadMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(services.lead_move(lead=lead, **body.validated_data))

    @extend_schema(request=None, responses={200: serializers.LeadConvertedSerializer, 409: STATE_CONFLICT})
    @action(detail=True, methods=["post"])
    def convert(self, request: Request, pk: str | None = None) -> Response:
        """Win the lead and make it a client: the business's client with the same email is
        reused, else one is created. A lead is converted once."""
        lead, created = services.lead_convert(lead=self.get_object(), converted_by=request.user)
        lead.client_created = created
        return Response(serializers.LeadConvertedSerializer(lead, context=self.get_serializer_context()).data)


class LeadPipelineView(TenantAPIView):
    """Count and total value of the leads at each stage (optionally one owner's or source's)."""

    @extend_schema(
        parameters=[serializers.PipelineQuerySerializer],
        responses=serializers.PipelineSerializer,
        operation_id="crm_leads_pipeline",
    )
    def get(self, request: Request) -> Response:
        query = serializers.PipelineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        leads = selectors.lead_list(tenant=request.tenant, **query.validated_data)
        summary = selectors.lead_pipeline_summary(tenant=request.tenant, queryset=leads)
        return Response(serializers.PipelineSerializer(summary).data)
