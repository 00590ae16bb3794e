"""Authentication that knows tenants: JWTs checked once per request in the tenant
middleware, and user lookups the database permits before a tenant is known."""

from __future__ import annotations

from contextlib import AbstractContextManager

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import update_last_login
from django.http import HttpRequest
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from ..declarations import Tenant
from ..scope import (
    authentication_lookup,
    claimed_tenant,
    get_current_tenant,
    tenant_context,
    unscoped_all_tenants,
)

_NOT_YET = object()
STALE_SESSION = "Your session is no longer valid for this business; sign in again."


def token_lookup_scope(claimed_tenant_id: int | None) -> AbstractContextManager[None]:
    """The scope a token's user is read in: the tenant the token claims, so the database
    itself hides a user who has moved; for an operator's token (no tenant), the
    authentication lookup."""
    return claimed_tenant(claimed_tenant_id) if claimed_tenant_id is not None else authentication_lookup()


def token_user(user_id, claimed_tenant_id: int | None):
    """The token's user with its tenant, if it still belongs to the tenant the token
    claims; None otherwise (deleted, or moved to another tenant)."""
    with token_lookup_scope(claimed_tenant_id):
        return (
            get_user_model()
            ._default_manager.select_related("tenant")
            .filter(**{api_settings.USER_ID_FIELD: user_id}, tenant_id=claimed_tenant_id)
            .first()
        )


class TenantJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication, with the user and tenant fetched in one query.

    The middleware authenticates first (the user's tenant decides the request's
    tenant); DRF then receives the same result without a second query.
    """

    def authenticate_once(self, request: HttpRequest):
        cached = getattr(request, "_tenancy_auth", _NOT_YET)
        if cached is _NOT_YET:
            cached = None
            try:
                cached = super().authenticate(request)
            finally:
                request._tenancy_auth = cached
        return cached

    def authenticate(self, request):
        return self.authenticate_once(getattr(request, "_request", request))

    def get_user(self, validated_token: Token):
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise AuthenticationFailed("Token contained no recognisable user identification.") from exc
        user = token_user(user_id, validated_token.get("tenant_id"))
        if user is None:
            raise AuthenticationFailed(STALE_SESSION, code="token_tenant_stale")
        if not user.is_active:
            raise AuthenticationFailed("User is inactive.", code="user_inactive")
        return user


# Where a request's business comes from when it names one itself; the legacy
# TENANT_FALLBACK_SLUG ("fallback") names nothing, so the platform host stays the place
# where operators sign in.
_NAMING_SOURCES = ("host", "header", "user")


def tenant_named_by(request: HttpRequest | None) -> Tenant | None:
    """The business a login or a token refresh is for: the one its host or
    ``X-Tenant-Slug`` names (or its bearer token's user); None on the platform host.
    Outside a request (``authenticate()`` called directly), the tenant in scope."""
    if request is None or not hasattr(request, "tenant_source"):
        return get_current_tenant()
    return request.tenant if request.tenant_source in _NAMING_SOURCES else None


class TenantModelBackend(ModelBackend):
    """Django's ModelBackend for usernames that are unique within a business only.

    A login finds its user among the users of the business the request names (host or
    ``X-Tenant-Slug``), or among the platform operators when it names none. A user of
    another business is never read, so no answer depends on the names another business
    has; a user of this business is read in its tenant's scope. A session's user, and an
    operator, are read with :func:`authentication_lookup`: on PostgreSQL that lookup runs
    as the platform role (``runtime.roles``), as the runtime role sees no user outside
    the business in scope.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        tenant = tenant_named_by(request)
        with tenant_context(tenant) if tenant is not None else authentication_lookup():
            user = (
                user_model._default_manager.select_related("tenant")
                .filter(tenant=tenant, **{user_model.USERNAME_FIELD: username})
                .first()
            )
            if user is None:
                # Hash once anyway, so an unknown name takes as long as a wrong password.
                user_model().set_password(password)
                return None
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None

    async def aauthenticate(self, request, username=None, password=None, **kwargs):
        return await sync_to_async(self.authenticate)(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        with authentication_lookup():
            return super().get_user(user_id)


def update_last_login_in_scope(sender, user, **kwargs) -> None:
    """user_logged_in receiver: Django's last_login update, written in the user's tenant."""
    scope = tenant_context(user.tenant) if user.tenant_id else unscoped_all_tenants(f"operator login user={user.pk}")
    with scope:
        update_last_login(sender, user, **kwargs)
