"""Authentication that knows tenants: JWTs checked once per request in the tenant
middleware, and user lookups the database permits before a tenant is known."""

from __future__ import annotations

from contextlib import AbstractContextManager

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import update_last_login
from django.http import HttpRequest
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from .context import authentication_lookup, claimed_tenant, get_current_tenant, tenant_context, unscoped_all_tenants

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


class TenantModelBackend(ModelBackend):
    """Django's ModelBackend. A login that names a business finds only that business's
    users; one that names none, and a session's user, are read with
    :func:`authentication_lookup` (the only user rows RLS shows outside a tenant)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if get_current_tenant() is not None:
            return super().authenticate(request, username=username, password=password, **kwargs)
        with authentication_lookup():
            return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        with authentication_lookup():
            return super().get_user(user_id)


def update_last_login_in_scope(sender, user, **kwargs) -> None:
    """user_logged_in receiver: Django's last_login update, written in the user's tenant."""
    scope = tenant_context(user.tenant) if user.tenant_id else unscoped_all_tenants(f"operator login user={user.pk}")
    with scope:
        update_last_login(sender, user, **kwargs)
