"""The platform's own API, for its operators: no business's data is read through it."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core.lifecycle.onboarding import tenant_create
from core.permissions import PlatformOperatorsOnly
from core.serializers import ErrorSerializer, TenantCreatedSerializer, TenantCreateSerializer
from core.tenancy import TENANT_HEADER, PlatformAPIView

NO_BUSINESS_NEEDED = OpenApiParameter(
    TENANT_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Not needed: the platform's endpoints act in no business. If sent, it must name an "
    "existing business (else 404), and a business's account its own (else 403 `tenant_mismatch`).",
)


class PlatformTenantsView(PlatformAPIView):
    """Create a business with its owner, who is e-mailed an invitation; platform operators only.

    All or nothing, in one transaction. A taken slug or domain is a field error (400), like
    any other detail refused."""

    permission_classes = [PlatformOperatorsOnly]

    @extend_schema(
        parameters=[NO_BUSINESS_NEEDED],
        request=TenantCreateSerializer,
        responses={
            201: OpenApiResponse(
                TenantCreatedSerializer,
                description="Created. The owner (role `owner`, no password yet) is e-mailed `invitation_url`, "
                "which sets their password once at this business until `invitation_expires_at`.",
            ),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Refused, nothing written; errors keyed by field: `slug` (form, or already taken), "
                "`name`, `owner_email`, `domain` (form, the platform's own, or already in use), `timezone`, "
                "`is_demo`. Or a body that cannot be read (`parse_error`).",
            ),
            401: OpenApiResponse(ErrorSerializer, description="Not signed in, or stale credentials."),
            403: OpenApiResponse(
                ErrorSerializer,
                description="Signed in, but not a platform operator (code `permission_denied`): a business's "
                "owner too; or a business named that is not the account's own (`tenant_mismatch`).",
            ),
        },
        operation_id="platform_tenants_create",
    )
    def post(self, request: Request) -> Response:
        body = TenantCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = tenant_create(**body.validated_data, performed_by=request.user.username)
        return Response(TenantCreatedSerializer(created).data, status=status.HTTP_201_CREATED)


# Included under api/platform/ by the root URLconf.
platform_urls = [
    path("tenants/", PlatformTenantsView.as_view(), name="platform-tenants"),
]
