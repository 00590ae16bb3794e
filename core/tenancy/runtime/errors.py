"""Refusals for tenant reasons, as JSON with a stable ``code``, and their audit trail."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.dispatch import Signal
from django.http import JsonResponse
from rest_framework import status
from rest_framework.exceptions import APIException

from ..declarations import tenancy_of, tenant_model
from ..scope import after_response, audit_log, unscoped_all_tenants

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

# The kinds of cross-tenant attempt, as operators count them (``audit_refusal``'s kind):
# a user naming another business (``mismatch``), another business's id in a URL
# (``foreign_id``) or in a request body (``foreign_reference``), a socket ticket of another
# business or host (``foreign_ticket``), a token whose business no longer holds
# (``stale_token``).
REFUSAL_KINDS = ("mismatch", "foreign_id", "foreign_reference", "foreign_ticket", "stale_token")

# Sent for every cross-tenant attempt (a refusal with a kind), after it is logged, with
# ``kind``, ``reason``, ``user_id``, ``user_tenant``, ``requested_tenant`` (a tenant or a
# slug) and ``path``. Receivers (metrics, the operators' record) run robustly: a
# receiver's failure is logged, never the request's.
cross_tenant_attempt = Signal()


class TenancyRefusal(Exception):
    """Raised while resolving a request's tenant; becomes a JSON response."""

    def __init__(self, status_code: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.code = code
        self.detail = detail

    def as_response(self) -> JsonResponse:
        response = JsonResponse({"detail": self.detail, "code": self.code}, status=self.status_code)
        if self.status_code == status.HTTP_401_UNAUTHORIZED:
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response


def unknown_host() -> TenancyRefusal:
    return TenancyRefusal(400, "unknown_host", "This host does not serve the platform.")


def unknown_tenant() -> TenancyRefusal:
    return TenancyRefusal(404, "tenant_not_found", "No business is known by that name.")


def tenant_inactive() -> TenancyRefusal:
    return TenancyRefusal(403, "tenant_inactive", "This business is not active.")


def tenant_conflict() -> TenancyRefusal:
    return TenancyRefusal(400, "tenant_conflict", "The host and the X-Tenant-Slug header name different businesses.")


TENANT_MISMATCH = "Your account does not belong to this business."


def tenant_mismatch() -> TenancyRefusal:
    return TenancyRefusal(403, "tenant_mismatch", TENANT_MISMATCH)


def session_host_mismatch() -> TenancyRefusal:
    return TenancyRefusal(403, "session_host_mismatch", "This session was issued for another site; sign in here.")


def write_conflict() -> TenancyRefusal:
    return TenancyRefusal(409, "conflict", "The change conflicts with existing data; reload and try again.")


def token_tenant_stale() -> TenancyRefusal:
    return TenancyRefusal(
        401, "token_tenant_stale", "Your session is no longer valid for this business; sign in again."
    )


class TenantRequired(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Name the business by its domain or the X-Tenant-Slug header."
    default_code = "tenant_required"


class TenantMismatch(APIException):
    """:func:`tenant_mismatch` raised inside a view: the same answer, as DRF renders it."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = TENANT_MISMATCH
    default_code = "tenant_mismatch"


def audit_foreign_reference(
    model, values, *, lookup_field: str = "pk", tenant, user, path: str, kind: str = "foreign_id"
) -> None:
    """Log when ids a request could not find belong to another tenant (``kind``:
    ``foreign_id`` for an id in the URL, ``foreign_reference`` for one in the body).

    Runs only after a lookup failed, and then after the response has been sent: the
    response stays exactly what a nonexistent id gets, in its content and its timing.
    The lookup reads every tenant's rows (an audited bypass).
    """
    if not values:
        return
    values = list(values)
    tenant_id = getattr(tenant, "pk", None)

    def look_up_owners() -> None:
        with unscoped_all_tenants(f"audit: ids not found in tenant {tenant_id} path={path}"):
            _audit_foreign_owners(model, values, lookup_field, tenant=tenant, user=user, path=path, kind=kind)

    after_response(look_up_owners)


def _audit_foreign_owners(model, values: list, lookup_field: str, *, tenant, user, path: str, kind: str) -> None:
    tenancy = tenancy_of(model)
    # OR-ed exact lookups, not __in: Django turns an out-of-range id into "no match"
    # for exact lookups only, and a database error here would abort the request.
    matches = Q()
    for value in values:
        matches |= Q(**{lookup_field: value})
    try:
        owners = set(model._base_manager.filter(matches).values_list(tenancy.tenant_id_lookup, flat=True))
    except (ValueError, TypeError, ValidationError):  # malformed ids belong to nobody
        return
    foreign = owners - {getattr(tenant, "pk", None)}
    if not foreign:
        return
    for slug in tenant_model().objects.filter(pk__in=foreign).values_list("slug", flat=True):
        audit_refusal(
            f"foreign_{model._meta.model_name}",
            kind=kind,
            user=user,
            user_tenant=tenant,
            requested_tenant=slug,
            path=path,
        )


def audit_refusal(
    reason: str,
    *,
    kind: str | None,
    user=None,
    user_id=None,
    user_tenant=None,
    requested_tenant=None,
    path: str = "",
) -> None:
    """Log a refusal for a tenant reason with both tenants (never tokens or passwords);
    ``user_id`` where only a token's claim names the user.

    ``kind`` (one of :data:`REFUSAL_KINDS`) makes it a cross-tenant attempt, which
    :data:`cross_tenant_attempt` announces; ``None`` is a refusal that involves one
    business only (an inactive business's page), logged and nothing more."""
    if kind is not None and kind not in REFUSAL_KINDS:
        raise ValueError(f"Unknown kind of cross-tenant attempt: {kind!r}")
    user_id = getattr(user, "pk", user_id)
    audit_log.warning(
        "tenant_refusal reason=%s kind=%s user=%s user_tenant=%s requested_tenant=%s path=%s",
        reason,
        kind,
        user_id,
        getattr(user_tenant, "slug", user_tenant),
        getattr(requested_tenant, "slug", requested_tenant),
        path,
    )
    if kind is None:
        return
    for receiver, result in cross_tenant_attempt.send_robust(
        sender=None,
        kind=kind,
        reason=reason,
        user_id=user_id,
        user_tenant=user_tenant,
        requested_tenant=requested_tenant,
        path=path,
    ):
        if isinstance(result, Exception):
            logger.error("cross-tenant attempt receiver %r failed", receiver, exc_info=result)
