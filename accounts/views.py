from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.generics import RetrieveUpdateAPIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts.filters import AuditLogEntryFilter
from accounts.models import AuditLogEntry
from accounts.serializers import (
    AuditLogEntrySerializer,
    MeSerializer,
    TokenPairResponseSerializer,
    TokenRefreshResponseSerializer,
)
from core.permissions import MANAGERS_ONLY, RolePermission
from core.serializers import ErrorSerializer
from core.tenancy import TENANT_HEADER, Access, TenancyViewMixin, TenantQuerySetMixin

LOGIN_BUSINESS = OpenApiParameter(
    TENANT_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The business whose user signs in (or the business's own host). "
    "Usernames are unique within a business; platform operators name none.",
)
REFRESH_BUSINESS = OpenApiParameter(
    TENANT_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="If sent (or on a business's host), must be the token's own business: "
    "another answers 403 `tenant_mismatch`.",
)


class LoginView(TenancyViewMixin, TokenObtainPairView):
    """Exchange a username and password for an access and a refresh token.

    The login names its business by host or X-Tenant-Slug; operators name none."""

    tenancy_access = Access.PLATFORM

    @extend_schema(
        parameters=[LOGIN_BUSINESS],
        responses={
            200: TokenPairResponseSerializer,
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many failed sign-ins for this username in this business, or from this "
                "address (code `login_locked`); even the right password is refused until the time in "
                "the Retry-After header has passed.",
            ),
        },
        operation_id="auth_token_obtain",
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class RefreshView(TenancyViewMixin, TokenRefreshView):
    """Exchange a refresh token for a new access token."""

    tenancy_access = Access.PLATFORM

    @extend_schema(
        parameters=[REFRESH_BUSINESS],
        responses={200: TokenRefreshResponseSerializer},
        operation_id="auth_token_refresh",
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class MeView(TenancyViewMixin, RetrieveUpdateAPIView):
    """The signed-in user, with their business and role."""

    tenancy_access = Access.AUTHENTICATED
    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user


class AuditLogViewSet(TenantQuerySetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Security-relevant actions in the business (owners and managers)."""

    queryset = AuditLogEntry.objects.select_related("user")
    serializer_class = AuditLogEntrySerializer
    permission_classes = [RolePermission]
    required_roles = MANAGERS_ONLY
    filterset_class = AuditLogEntryFilter
    ordering_fields = ["created_at"]
