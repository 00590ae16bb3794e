from django.db import connection
from django.http import HttpRequest, JsonResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response

from core.models import BusinessEvent
from core.serializers import BusinessEventSerializer, TenantBrandingSerializer
from core.tenancy.drf import Access, PublicTenantAPIView, TenancyViewMixin, TenantReadOnlyModelViewSet


class TenantBrandingView(PublicTenantAPIView):
    """Public branding of the business this request is for."""

    @extend_schema(responses=TenantBrandingSerializer, operation_id="tenant_branding")
    def get(self, request: Request) -> Response:
        return Response(TenantBrandingSerializer(request.tenant).data)


class BusinessEventViewSet(TenantReadOnlyModelViewSet):
    """The business's activity feed, newest first."""

    queryset = BusinessEvent.objects.select_related("performed_by")
    serializer_class = BusinessEventSerializer
    filterset_fields = ["kind"]
    search_fields = ["summary"]
    ordering_fields = ["created_at"]


class SchemaView(TenancyViewMixin, SpectacularAPIView):
    tenancy_access = Access.PLATFORM


class SwaggerView(TenancyViewMixin, SpectacularSwaggerView):
    tenancy_access = Access.PLATFORM


def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": "ok"})
    except Exception:  # the check must answer, whatever the database does
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
