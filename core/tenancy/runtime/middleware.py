"""Resolve ``request.tenant`` once per request and keep it in scope until the response."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework.exceptions import AuthenticationFailed

from ..scope import no_tenant, tenant_context, unscoped_all_tenants, work_after_response
from . import errors
from .authentication import TenantJWTAuthentication
from .cache import cache_generations_bump_pending, cache_generations_collected
from .governance import request_statement_timeout
from .resolution import TENANT_HEADER, fallback_tenant, named_tenant, normalise_host

logger = logging.getLogger(__name__)


class TenantMiddleware:
    """Sets ``request.tenant`` (or refuses the request) and the ContextVar around the view.

    It also authenticates a bearer token here, once, so the user's own tenant is
    authoritative before any view runs; DRF reuses that result.

    It owns the request's transaction (in place of ``ATOMIC_REQUESTS``, which starts
    only around the view), so resolution and the view share one transaction and the
    tenant is told to PostgreSQL once. A response of 400 or more rolls it back: a
    failed request changes nothing; a successful one bumps the cache generations its
    writes made stale as its last statement (``runtime.cache``). Django's foreign keys
    are checked at COMMIT, after the view has answered: a row deleted while a concurrent
    request linked to it fails there, and the client is told of the conflict (409), not
    of a success or a 500. What the request hands to ``after_response`` (an audit
    lookup, the record of a refusal its rollback would undo) runs once the response is
    sent, in a transaction of its own.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.authenticator = TenantJWTAuthentication()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None
        request.tenant_source = ""
        if request.path_info.startswith(settings.TENANCY_EXEMPT_PATHS):
            return self.get_response(request)
        with work_after_response() as deferred:
            response = _kept_out_of_shared_caches(self.serve(request))
        if deferred:
            # Run by the server when it closes the response, after the client has it.
            response._resource_closers.extend(_in_scope_of_nothing(work) for work in deferred)
        return response

    def serve(self, request: HttpRequest) -> HttpResponse:
        try:
            with transaction.atomic(), cache_generations_collected(), request_statement_timeout():
                try:
                    self.resolve(request)
                except errors.TenancyRefusal as refusal:
                    return refusal.as_response()
                with tenant_context(request.tenant) if request.tenant is not None else nullcontext():
                    response = self.get_response(request)
                if response.status_code >= 400:
                    transaction.set_rollback(True)
                else:
                    cache_generations_bump_pending()
                return response
        except IntegrityError as exc:
            logger.warning("request rolled back at commit: %s", exc)
            return errors.write_conflict().as_response()

    def resolve(self, request: HttpRequest) -> None:
        named = named_tenant(request)
        try:
            auth = self.authenticator.authenticate_once(request)
        except AuthenticationFailed as exc:
            raise _refusal_from(exc) from exc
        if auth is None:
            if named.tenant is None:
                named = fallback_tenant()
            if named.tenant is not None and not named.tenant.is_active:
                errors.audit_refusal("tenant_inactive", kind=None, requested_tenant=named.tenant, path=request.path)
                raise errors.tenant_inactive()
            request.tenant, request.tenant_source = named.tenant, named.source
            return

        user, token = auth
        if token.get("tenant_id") != user.tenant_id or (user.tenant_id and not user.tenant.is_active):
            errors.audit_refusal(
                "token_tenant_stale",
                kind="stale_token",
                user=user,
                user_tenant=user.tenant,
                requested_tenant=token.get("tenant_slug"),
                path=request.path,
            )
            raise errors.token_tenant_stale()
        if user.is_operator:
            request.tenant, request.tenant_source = named.tenant, named.source
            return
        if named.tenant is not None and named.tenant.pk != user.tenant_id:
            errors.audit_refusal(
                "tenant_mismatch",
                kind="mismatch",
                user=user,
                user_tenant=user.tenant,
                requested_tenant=named.tenant,
                path=request.path,
            )
            raise errors.tenant_mismatch()
        request.tenant, request.tenant_source = user.tenant, "user"


def _in_scope_of_nothing(work: Callable[[], None]) -> Callable[[], None]:
    """``work`` as a response closer: in a scope and a transaction of its own (the
    request's has ended, committed or rolled back), its failure only logged."""

    def run() -> None:
        try:
            with no_tenant(), transaction.atomic():
                work()
        except Exception:  # the response is sent; nothing may fail it now
            logger.exception("work after the response failed")

    return run


def _kept_out_of_shared_caches(response: HttpResponse) -> HttpResponse:
    """Every answer depends on the business the request names (its host or header) and
    on who asks: say so, and keep it out of shared caches, so that a proxy or CDN in
    front never serves one business's page to another. A view that chose its own
    caching (e.g. the admin's never_cache) keeps it."""
    patch_vary_headers(response, (TENANT_HEADER, "Host", "Authorization"))
    if not response.has_header("Cache-Control"):
        patch_cache_control(response, private=True, no_store=True)
    return response


def _refusal_from(exc: AuthenticationFailed) -> errors.TenancyRefusal:
    detail = exc.detail
    if isinstance(detail, dict):
        return errors.TenancyRefusal(401, str(detail.get("code", "authentication_failed")), str(detail.get("detail")))
    return errors.TenancyRefusal(401, getattr(detail, "code", "authentication_failed"), str(detail))


def admin_scope(view: Callable) -> Callable:
    """Wrap an admin view: operators see every tenant, a tenant's staff only their own."""

    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or (user.tenant_id is None and not user.is_superuser):
            return view(request, *args, **kwargs)
        if user.tenant_id is None:
            scope = unscoped_all_tenants(f"admin operator={user.pk} path={request.path}")
        else:
            if request.tenant is not None and request.tenant.pk != user.tenant_id:
                errors.audit_refusal(
                    "tenant_mismatch",
                    kind="mismatch",
                    user=user,
                    user_tenant=user.tenant,
                    requested_tenant=request.tenant,
                    path=request.path,
                )
                return errors.tenant_mismatch().as_response()
            scope = tenant_context(user.tenant)
        with scope:
            response = view(request, *args, **kwargs)
            # Admin pages render lazily; render while the scope is still active.
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    return wrapped


SESSION_HOST_KEY = "_tenancy_host"


def bind_session_to_host(sender, request: HttpRequest, user, **kwargs) -> None:
    """At login, remember the exact host the session was issued on."""
    # A login made outside a request (the test client's force_login) names no host.
    if request is not None and hasattr(request, "session") and {"HTTP_HOST", "SERVER_NAME"} & request.META.keys():
        request.session[SESSION_HOST_KEY] = normalise_host(request.get_host())


class SessionHostMiddleware:
    """Refuses a session cookie presented on a host other than the one it was issued
    on. Browsers never send a host-only cookie elsewhere; this holds when a cookie is
    copied by hand, and for operators, whose sessions name no tenant."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        bound_host = session.get(SESSION_HOST_KEY) if session is not None else None
        if bound_host is not None and bound_host != normalise_host(request.get_host()):
            errors.audit_refusal(
                "session_host_mismatch",
                kind="mismatch",
                user=getattr(request, "user", None),
                requested_tenant=request.tenant,
                path=request.path,
            )
            return errors.session_host_mismatch().as_response()
        return self.get_response(request)
