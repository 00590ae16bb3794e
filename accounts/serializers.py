from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import exceptions, serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import AuditLogEntry
from accounts.services import LoginLocked, audit_log_record, login_attempt_begin, login_attempt_succeeded
from core.tenancy import (
    TenantMismatch,
    TenantModelSerializer,
    audit_refusal,
    tenant_context,
    tenant_named_by,
    token_lookup_scope,
    token_user,
)

User = get_user_model()

LOGIN_REFUSED = "No active account for this business matches these credentials."


def tenant_claims(user) -> dict[str, Any]:
    tenant = user.tenant
    return {
        "tenant_id": tenant.pk if tenant else None,
        "tenant_slug": tenant.slug if tenant else None,
        "role": user.role if tenant else "operator",
    }


class LoginLockedOut(exceptions.APIException):
    """429 with ``Retry-After`` (DRF's exception handler sets it from ``wait``)."""

    status_code = 429
    default_detail = "Too many failed sign-ins; try again later."
    default_code = "login_locked"

    def __init__(self, wait: int) -> None:
        super().__init__()
        self.wait = wait


class TenantTokenObtainPairSerializer(TokenObtainPairSerializer):
    """Login; the tokens carry the user's tenant and role.

    The username is looked up in the business the request names (host or
    ``X-Tenant-Slug``), or among the platform operators when it names none
    (core.tenancy.TenantModelBackend). A user of another business, an
    inactive business or an unknown name all get the same answer as a wrong password.
    Failed logins are counted per username in the business and per client address
    (accounts.services); past the limits even the right password gets a 429.
    """

    default_error_messages = {"no_active_account": LOGIN_REFUSED}

    @classmethod
    def get_token(cls, user) -> RefreshToken:
        token = super().get_token(user)
        for claim, value in tenant_claims(user).items():
            token[claim] = value
        return token

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        named = tenant_named_by(request)
        try:
            attempt = login_attempt_begin(tenant=named, username=attrs[self.username_field], request=request)
        except LoginLocked as exc:
            raise LoginLockedOut(exc.retry_after) from exc
        # A refusal below leaves the attempt counted as a failure.
        data = self.validate_credentials(attrs, named=named)
        login_attempt_succeeded(attempt=attempt)
        return data

    def validate_credentials(self, attrs: dict[str, Any], *, named) -> dict[str, Any]:
        request = self.context["request"]
        data = super().validate(attrs)
        user = self.user
        refused = user.tenant is None or not user.tenant.is_active or (named and named.pk != user.tenant_id)
        if refused and not user.is_operator:
            raise exceptions.AuthenticationFailed(LOGIN_REFUSED, code="no_active_account")
        if user.tenant_id is not None:
            with tenant_context(user.tenant):
                audit_log_record(user=user, action="login", request=request)
        data["tenant"] = tenant_claims(user)
        return data


class TenantTokenRefreshSerializer(TokenRefreshSerializer):
    """Refresh; refused when the user left the tenant the token was issued for, and when
    the request names another business than the token's (403 ``tenant_mismatch``, as any
    other request of a user naming another business)."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        refresh = self.token_class(attrs["refresh"])  # signature and expiry checked here
        user_id, claimed = refresh.payload.get(api_settings.USER_ID_CLAIM), refresh.payload.get("tenant_id")
        # Decided from the signed claim before any user is read, so every backend answers
        # alike (on PostgreSQL the named business's scope would hide the user: a 401).
        named = tenant_named_by(request)
        if named is not None and claimed is not None and named.pk != claimed:
            audit_refusal(
                "tenant_mismatch",
                kind="mismatch",
                user_id=user_id,
                user_tenant=refresh.payload.get("tenant_slug"),
                requested_tenant=named,
                path=request.path,
            )
            raise TenantMismatch()
        user = token_user(user_id, claimed)
        if user is None or not user.is_active or (user.tenant and not user.tenant.is_active):
            raise exceptions.AuthenticationFailed(
                "This session is no longer valid; sign in again.", code="token_tenant_stale"
            )
        with token_lookup_scope(claimed):
            return super().validate(attrs)


class TokenPairResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    tenant = serializers.DictField()


class TokenRefreshResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField(required=False)


class TenantSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    tenant = TenantSummarySerializer(read_only=True, allow_null=True)
    is_operator = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "role", "tenant", "is_operator"]
        read_only_fields = ["id", "username", "role", "tenant", "is_operator"]


class PasswordResetRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, help_text="The e-mail address of the account at this business.")


class PasswordSetSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=128, help_text="The token of the link in the invitation or reset e-mail.")
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, write_only=True, style={"input_type": "password"}
    )


class PasswordDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class PasswordErrorsSerializer(serializers.Serializer):
    password = serializers.ListField(child=serializers.CharField(), help_text="Why the password was refused.")


class AuditLogEntrySerializer(TenantModelSerializer):
    user = serializers.StringRelatedField()

    class Meta:
        model = AuditLogEntry
        fields = ["id", "user", "action", "detail", "ip_address", "created_at"]
        read_only_fields = fields
