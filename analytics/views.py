from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from analytics import selectors, serializers, services
from analytics.filters import RecommendationFilter
from analytics.models import Recommendation
from core.permissions import MANAGERS_WRITE, RolePermission
from core.tenancy import TenantAPIView, TenantQuerySetMixin


class RecommendationViewSet(
    TenantQuerySetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Suggestions made from the business's own bookings. Managers set their status."""

    queryset = Recommendation.objects.all()
    serializer_class = serializers.RecommendationSerializer
    permission_classes = [RolePermission]
    required_roles = MANAGERS_WRITE  # setting a status and generating are the managers'
    filterset_class = RecommendationFilter
    search_fields = ["title", "body"]
    ordering_fields = ["priority", "generated_at", "valid_until", "status"]

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        """Accept, dismiss or complete a recommendation (only ``status`` may be sent)."""
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return Response(serializer.data)

    def perform_update(self, serializer: serializers.RecommendationSerializer) -> None:
        if "status" in serializer.validated_data:
            serializer.instance = services.recommendation_set_status(
                recommendation=serializer.instance, status=serializer.validated_data["status"]
            )

    @extend_schema(request=None, responses={201: serializers.RecommendationSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def generate(self, request: Request) -> Response:
        """Make this week's recommendations again from the business's bookings.

        Replaces the "new" ones; accepted, dismissed and done ones are kept.
        """
        created = services.recommendations_generate(tenant=request.tenant, performed_by=request.user)
        data = self.get_serializer(created, many=True).data
        return Response(data, status=status.HTTP_201_CREATED)


class SummaryView(TenantAPIView):
    """The business's figures behind the recommendations (last 30 days, last two weeks)."""

    @extend_schema(responses=serializers.SummarySerializer, operation_id="analytics_summary")
    def get(self, request: Request) -> Response:
        figures = selectors.business_figures(tenant=request.tenant)
        return Response(serializers.SummarySerializer(figures).data)
