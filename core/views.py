import logging

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from core import selectors, services
from core.integrations.secrets import SecretsNotConfigured
from core.lifecycle.jobs import ExportInProgress, tenant_export_request
from core.models import BusinessEvent, TenantExport, TenantIntegrationKey
from core.permissions import OWNERS_ONLY, RolePermission
from core.serializers import (
    BusinessEventSerializer,
    ErrorSerializer,
    ExportInProgressSerializer,
    IntegrationKeyInputSerializer,
    IntegrationKeySerializer,
    TenantBrandingSerializer,
    TenantExportSerializer,
    TenantSettingsSerializer,
)
from core.services import tenant_settings_update
from core.tenancy import (
    DOWNLOAD_RESPONSES,
    Access,
    PublicTenantAPIView,
    TenancyViewMixin,
    TenantAPIView,
    TenantReadOnlyModelViewSet,
    file_response,
)


class TenantBrandingView(PublicTenantAPIView):
    """Public branding of the business this request is for."""

    @extend_schema(responses=TenantBrandingSerializer, operation_id="tenant_branding")
    def get(self, request: Request) -> Response:
        return Response(TenantBrandingSerializer(request.tenant).data)


class TenantSettingsView(TenantAPIView):
    """The business's own settings and custom domain, for its owners."""

    permission_classes = [RolePermission]
    required_roles = OWNERS_ONLY

    @extend_schema(responses=TenantSettingsSerializer, operation_id="tenant_settings_retrieve")
    def get(self, request: Request) -> Response:
        return Response(TenantSettingsSerializer(request.tenant).data)

    @extend_schema(
        request=TenantSettingsSerializer, responses=TenantSettingsSerializer, operation_id="tenant_settings_update"
    )
    def patch(self, request: Request) -> Response:
        serializer = TenantSettingsSerializer(request.tenant, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        tenant = tenant_settings_update(tenant=request.tenant, changes=serializer.validated_data, by=request.user)
        return Response(TenantSettingsSerializer(tenant).data)


# The business's own API keys for outside services --------------------------------------

PROVIDER_PARAMETER = OpenApiParameter(
    "provider",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=TenantIntegrationKey.Provider.values,
    description="The outside service the key is for.",
)
NOT_AN_OWNER = {
    403: OpenApiResponse(
        ErrorSerializer,
        description="Not an owner of the business (code `permission_denied`), or another business's account.",
    )
}
UNKNOWN_PROVIDER = {404: OpenApiResponse(ErrorSerializer, description="No such provider (code `not_found`).")}
logger = logging.getLogger(__name__)


class IntegrationKeysUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "API keys cannot be stored until the platform's encryption key is configured."
    default_code = "secrets_not_configured"


class TenantIntegrationKeysView(TenantAPIView):
    """The business's API keys for outside services, masked; for its owners."""

    permission_classes = [RolePermission]
    required_roles = OWNERS_ONLY

    @extend_schema(
        responses={200: IntegrationKeySerializer(many=True), **NOT_AN_OWNER}, operation_id="tenant_integrations_list"
    )
    def get(self, request: Request) -> Response:
        keys = selectors.integration_keys_masked(tenant=request.tenant)
        return Response(IntegrationKeySerializer(keys, many=True).data)


class TenantIntegrationKeyView(TenantAPIView):
    """Set or remove the business's key for one provider; the key is never returned."""

    permission_classes = [RolePermission]
    required_roles = OWNERS_ONLY

    @staticmethod
    def known_provider(provider: str) -> str:
        if provider not in TenantIntegrationKey.Provider.values:
            raise NotFound("No such integration provider.")
        return provider

    @extend_schema(
        parameters=[PROVIDER_PARAMETER],
        request=IntegrationKeyInputSerializer,
        responses={
            200: IntegrationKeySerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="`api_key` is missing, under 8 or over 500 characters, or holds spaces; nothing changes.",
            ),
            **NOT_AN_OWNER,
            **UNKNOWN_PROVIDER,
            503: OpenApiResponse(
                ErrorSerializer, description="The platform has no encryption key (code `secrets_not_configured`)."
            ),
        },
        operation_id="tenant_integrations_update",
    )
    def put(self, request: Request, provider: str) -> Response:
        provider = self.known_provider(provider)
        body = IntegrationKeyInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.integration_key_set(
                tenant=request.tenant, provider=provider, api_key=body.validated_data["api_key"], by=request.user
            )
        except SecretsNotConfigured as exc:  # a server without TENANT_SECRETS_KEYS: say so, not 500
            logger.error("integration key not stored tenant=%s provider=%s: %s", request.tenant.slug, provider, exc)
            raise IntegrationKeysUnavailable() from None
        masked = selectors.integration_key_masked(tenant=request.tenant, provider=provider)
        return Response(IntegrationKeySerializer(masked).data)

    @extend_schema(
        parameters=[PROVIDER_PARAMETER],
        request=None,
        responses={
            204: OpenApiResponse(description="Removed (or there was none)."),
            **NOT_AN_OWNER,
            **UNKNOWN_PROVIDER,
        },
        operation_id="tenant_integrations_destroy",
    )
    def delete(self, request: Request, provider: str) -> Response:
        services.integration_key_delete(tenant=request.tenant, provider=self.known_provider(provider), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Included under api/tenant/integrations/ by the root URLconf.
integration_urls = [
    path("", TenantIntegrationKeysView.as_view(), name="tenant-integrations"),
    path("<str:provider>/", TenantIntegrationKeyView.as_view(), name="tenant-integration"),
]


class BusinessEventViewSet(TenantReadOnlyModelViewSet):
    """The business's activity feed, newest first."""

    queryset = BusinessEvent.objects.select_related("performed_by")
    serializer_class = BusinessEventSerializer
    filterset_fields = ["kind"]
    search_fields = ["summary"]
    ordering_fields = ["created_at"]


# The business's archives, asked for by its owners -----------------------------------------

NO_ARCHIVE = "This export has no archive to download: it is not ready, it failed, or it has expired."


@extend_schema_view(
    list=extend_schema(
        operation_id="tenant_export_list", responses={200: TenantExportSerializer(many=True), **NOT_AN_OWNER}
    ),
    retrieve=extend_schema(
        operation_id="tenant_export_retrieve", responses={200: TenantExportSerializer, **NOT_AN_OWNER}
    ),
)
class TenantExportViewSet(mixins.CreateModelMixin, TenantReadOnlyModelViewSet):
    """The business's whole archive (settings, people, every row, files), for its owners:
    asked for with a POST, written by a background job, downloaded until it expires."""

    queryset = TenantExport.objects.all()
    serializer_class = TenantExportSerializer
    permission_classes = [RolePermission]
    required_roles = OWNERS_ONLY

    @extend_schema(
        operation_id="tenant_export_create",
        request=None,
        responses={
            202: OpenApiResponse(
                TenantExportSerializer,
                description="Accepted: the export is pending; it is e-mailed to the requester when ready.",
            ),
            **NOT_AN_OWNER,
            409: OpenApiResponse(
                ExportInProgressSerializer,
                description="One of the business's exports is still pending or running (code "
                "`export_in_progress`, `export_id` names it); one at a time per business.",
            ),
        },
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        try:
            export = tenant_export_request(tenant=request.tenant, by=request.user)
        except ExportInProgress as exc:
            body = {"detail": str(exc), "code": "export_in_progress", "export_id": exc.export_id}
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(self.get_serializer(export).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        operation_id="tenant_export_download",
        responses={
            **DOWNLOAD_RESPONSES,
            **NOT_AN_OWNER,
            404: OpenApiResponse(
                ErrorSerializer,
                description="No such export (another business's included), or it has no archive: "
                "not ready, failed or expired.",
            ),
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None):
        """The archive (.tar.gz), as an attachment."""
        export = self.get_object()
        if not export.downloadable:
            raise NotFound(NO_ARCHIVE)
        return file_response(export.archive)


class SchemaView(TenancyViewMixin, SpectacularAPIView):
    tenancy_access = Access.PLATFORM


class SwaggerView(TenancyViewMixin, SpectacularSwaggerView):
    tenancy_access = Access.PLATFORM


class RedocView(TenancyViewMixin, SpectacularRedocView):
    tenancy_access = Access.PLATFORM
    template_name = "core/redoc.html"


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for the platform's probe: 200 while the database answers ("degraded"
    when only the cache is down, which the platform survives), 503 when it does not."""
    database = _database_answers()
    cache_state = _cache_state()
    if not database:
        state, status_code = "error", 503
    elif cache_state == "unavailable":
        state, status_code = "degraded", 200
    else:
        state, status_code = "ok", 200
    return JsonResponse(
        {"status": state, "database": "ok" if database else "unavailable", "cache": cache_state}, status=status_code
    )


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # the check must answer, whatever the database does
        return False
    return True


def _cache_state() -> str:
    """ "ok", "unavailable", or "local" for an in-process cache (nothing to reach)."""
    ping = getattr(cache, "ping", None)
    if ping is None:
        return "local"
    return "ok" if ping() else "unavailable"
