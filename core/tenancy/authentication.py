"""JWT authentication that runs once per request, in the tenant middleware."""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

_NOT_YET = object()


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
        user = (
            self.user_model._default_manager.select_related("tenant")
            .filter(**{api_settings.USER_ID_FIELD: user_id})
            .first()
        )
        if user is None:
            raise AuthenticationFailed("User not found.", code="user_not_found")
        if not user.is_active:
            raise AuthenticationFailed("User is inactive.", code="user_inactive")
        return user
