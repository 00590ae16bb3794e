"""The tenant in scope for the running code, kept in a ContextVar.

A ContextVar (not a thread-local) so that threads, async tasks and workers never
inherit another request's tenant: each context starts empty and every setter
resets in ``finally``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.models import TenantSettings

audit_log = logging.getLogger("nbne.tenancy.audit")

_current_tenant: ContextVar[TenantSettings | None] = ContextVar("current_tenant", default=None)
_bypass_reason: ContextVar[str | None] = ContextVar("tenant_bypass_reason", default=None)
# What the database is told (row-level security), when it differs from the tenant in
# scope: a token's claimed tenant while its user is loaded, or a login's user lookup.
_claimed_tenant_id: ContextVar[int | None] = ContextVar("claimed_tenant_id", default=None)
_authentication_lookup: ContextVar[bool] = ContextVar("authentication_lookup", default=False)
# The default connection itself holds the platform role's rights for the block (a
# platform command connected as that role, or migrate as the owner): platform work
# stays on it, in its transaction (core.tenancy.roles).
_platform_rights_on_default: ContextVar[bool] = ContextVar("platform_rights_on_default", default=False)
# Test hook: the application-level filters and write guards stand down, so that only
# the database's row-level security keeps tenants apart (the RLS-only matrix).
_application_filters_off: ContextVar[bool] = ContextVar("application_filters_off", default=False)
# Work the running request leaves for after its response is sent (None: run it now).
_after_response: ContextVar[list[Callable[[], None]] | None] = ContextVar("after_response", default=None)


class TenantScopeError(RuntimeError):
    """Tenant data was touched with no tenant in scope, or across tenants."""


def get_current_tenant() -> TenantSettings | None:
    return _current_tenant.get()


def get_bypass_reason() -> str | None:
    return _bypass_reason.get()


def application_filters_on() -> bool:
    return not _application_filters_off.get()


@dataclass(frozen=True)
class DatabaseScope:
    """The value of ``app.tenant_id`` the running code needs: the one tenant whose rows
    the runtime role may see (none: no rows at all). There is no setting that shows
    more; rights beyond one tenant come from the platform role (:func:`needs_platform_role`)."""

    tenant_id: str = ""


NO_DATABASE_SCOPE = DatabaseScope()


def needs_platform_role() -> bool:
    """Whether the running code's queries need the rights of the platform role (a role
    with BYPASSRLS, on its own connection; core.tenancy.roles): work across tenants
    (:func:`unscoped_all_tenants`), a user lookup before any tenant is known
    (:func:`authentication_lookup`), or a block run with those rights throughout."""
    if _platform_rights_on_default.get() or _bypass_reason.get() is not None:
        return True
    return _authentication_lookup.get() and _current_tenant.get() is None and _claimed_tenant_id.get() is None


def platform_rights_on_default() -> bool:
    """Whether the default connection holds the platform role's rights in this block."""
    return _platform_rights_on_default.get()


def database_scope() -> DatabaseScope:
    if needs_platform_role():
        return NO_DATABASE_SCOPE  # the platform role is not bound by row-level security
    tenant = _current_tenant.get()
    if tenant is not None:
        return DatabaseScope(tenant_id=str(tenant.pk))
    claimed = _claimed_tenant_id.get()
    if claimed is not None:
        return DatabaseScope(tenant_id=str(claimed))
    return NO_DATABASE_SCOPE


@contextmanager
def tenant_context(tenant: TenantSettings) -> Iterator[TenantSettings]:
    """Run the block with ``tenant`` in scope; every tenant query is filtered to it."""
    if tenant is None or tenant.pk is None:
        raise TenantScopeError("tenant_context() needs a saved tenant.")
    token = _current_tenant.set(tenant)
    bypass_token = _bypass_reason.set(None)
    try:
        yield tenant
    finally:
        _bypass_reason.reset(bypass_token)
        _current_tenant.reset(token)


@contextmanager
def unscoped_all_tenants(reason: str) -> Iterator[None]:
    """Read and write every tenant's rows. The one escape hatch, audited on entry.

    Used by ``seed_demo``, platform operators in the admin, the audit of foreign ids
    and platform-wide jobs. ``reason`` is written to the audit log. On PostgreSQL the
    block's queries run as the platform role (core.tenancy.roles): the runtime role
    itself can see no more than one tenant, whatever it sets.
    """
    if not reason:
        raise ValueError("unscoped_all_tenants() needs a reason for the audit log.")
    audit_log.info("tenant_bypass reason=%s", reason)
    token = _current_tenant.set(None)
    bypass_token = _bypass_reason.set(reason)
    try:
        yield
    finally:
        _bypass_reason.reset(bypass_token)
        _current_tenant.reset(token)


@contextmanager
def no_tenant() -> Iterator[None]:
    """Run the block with nothing in scope (tenant queries fail closed)."""
    token = _current_tenant.set(None)
    bypass_token = _bypass_reason.set(None)
    try:
        yield
    finally:
        _bypass_reason.reset(bypass_token)
        _current_tenant.reset(token)


@contextmanager
def _holding(variable: ContextVar, value) -> Iterator[None]:
    token = variable.set(value)
    try:
        yield
    finally:
        variable.reset(token)


def claimed_tenant(tenant_id: int) -> AbstractContextManager[None]:
    """Load a token's user as the tenant its token claims (a user who moved is not found).

    Only the database hears of it; the application has no tenant in scope yet.
    """
    return _holding(_claimed_tenant_id, tenant_id)


def authentication_lookup() -> AbstractContextManager[None]:
    """Read users to authenticate a login, a session or an operator's token. With no
    tenant known (neither in scope nor claimed), the lookup runs as the platform role,
    the only one that sees users of any tenant and the operators (tenant empty)."""
    return _holding(_authentication_lookup, True)


def with_platform_rights_on_default() -> AbstractContextManager[None]:
    """Mark the block as one whose default connection holds the platform role's rights
    (see core.tenancy.roles.as_platform_role): platform work stays on that connection."""
    return _holding(_platform_rights_on_default, True)


def application_filters_off() -> AbstractContextManager[None]:
    """Test hook: drop the application's tenant filters and write guards, leaving the
    database's row-level security alone to keep tenants apart."""
    return _holding(_application_filters_off, True)


def after_response(work: Callable[[], None]) -> None:
    """Run ``work`` once the running request's response has been sent (now, outside a
    request): what the client is told, and when, must not depend on it."""
    pending = _after_response.get()
    if pending is None:
        work()
    else:
        pending.append(work)


@contextmanager
def work_after_response() -> Iterator[list[Callable[[], None]]]:
    """Collect the block's ``after_response`` work, for the caller to run later."""
    token = _after_response.set([])
    try:
        yield _after_response.get()
    finally:
        _after_response.reset(token)
