from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.generics import RetrieveUpdateAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts.filters import AuditLogEntryFilter
from accounts.models import AuditLogEntry
from accounts.serializers import (
    AuditLogEntrySerializer,
    MeSerializer,
    PasswordDetailSerializer,
    PasswordErrorsSerializer,
    PasswordResetRequestSerializer,
    PasswordSetSerializer,
    TokenPairResponseSerializer,
    TokenRefreshResponseSerializer,
)
from accounts.services import (
    PasswordAttemptsLimited,
    PasswordTokenInvalid,
    password_reset_request,
    password_token_consume,
)
from core.permissions import MANAGERS_ONLY, RolePermission
from core.serializers import ErrorSerializer
from core.tenancy import TENANT_HEADER, Access, PublicTenantAPIView, TenancyViewMixin, TenantQuerySetMixin

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


# Setting a password by e-mailed link ---------------------------------------------------

RESET_SENT = "If that address belongs to an account here, we have sent a link."
PASSWORD_SET = "Your password is set; sign in."


class TooManyPasswordAttempts(exceptions.APIException):
    """429 with ``Retry-After`` (DRF's exception handler sets it from ``wait``)."""

    status_code = 429
    default_detail = "Too many attempts; try again later."
    default_code = "too_many_attempts"

    def __init__(self, wait: int) -> None:
        super().__init__()
        self.wait = wait


class PasswordTokenRefused(exceptions.APIException):
    status_code = 400
    default_detail = "This link is invalid, already used or expired; ask for a new one."
    default_code = "token_invalid"


BUSINESS_NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description="The business named by the header or host does not exist."
)


class PasswordResetView(PublicTenantAPIView):
    """Ask for a link that sets a new password, sent to the e-mail address of an account
    at the business named by host or X-Tenant-Slug.

    The answer is the same whether or not the address belongs to anyone here."""

    @extend_schema(
        request=PasswordResetRequestSerializer,
        responses={
            202: OpenApiResponse(
                PasswordDetailSerializer,
                description=f"Always, known address or not: `{RESET_SENT}` When an active account of this "
                "business has that address, a link valid for `PASSWORD_RESET_MINUTES` is e-mailed to it "
                "(older links stop working).",
            ),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT, description="Not an e-mail address (`email`), or no business named."
            ),
            404: BUSINESS_NOT_FOUND,
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many reset requests from this address, or for this e-mail address "
                "(`PASSWORD_RESET_REQUESTS_PER_HOUR`; code `too_many_attempts`, with Retry-After).",
            ),
        },
        operation_id="auth_password_reset",
    )
    def post(self, request: Request) -> Response:
        payload = PasswordResetRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            password_reset_request(tenant=request.tenant, email=payload.validated_data["email"], request=request)
        except PasswordAttemptsLimited as exc:
            raise TooManyPasswordAttempts(exc.retry_after) from exc
        return Response({"detail": RESET_SENT}, status=status.HTTP_202_ACCEPTED)


class PasswordSetView(PublicTenantAPIView):
    """Set a password with the token of an invitation or reset link, once.

    The token works only at the business it was issued for, named by host or X-Tenant-Slug."""

    @extend_schema(
        request=PasswordSetSerializer,
        responses={
            200: OpenApiResponse(PasswordDetailSerializer, description=f"`{PASSWORD_SET}`"),
            400: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="PasswordSetError",
                    serializers=[ErrorSerializer, PasswordErrorsSerializer],
                    resource_type_field_name=None,
                ),
                description="The token is unknown here, another business's, used, superseded or expired "
                "(one answer: code `token_invalid`), or the password is refused by the password rules "
                "(`password`: the reasons; the token stays usable).",
            ),
            404: BUSINESS_NOT_FOUND,
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many failed sign-ins or password-sets from this address "
                "(`LOGIN_FAILURES_PER_ADDRESS`; code `too_many_attempts`, with Retry-After).",
            ),
        },
        operation_id="auth_password_set",
    )
    def post(self, request: Request) -> Response:
        payload = PasswordSetSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            password_token_consume(tenant=request.tenant, request=request, **payload.validated_data)
        except PasswordTokenInvalid as exc:
            raise PasswordTokenRefused() from exc
        except PasswordAttemptsLimited as exc:
            raise TooManyPasswordAttempts(exc.retry_after) from exc
        return Response({"detail": PASSWORD_SET})
