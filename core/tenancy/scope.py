"""The scope of the running code: which tenant's rows it may touch, in one ContextVar.

A ContextVar (not a thread-local) so that threads, async tasks and workers never
inherit another request's tenant: each context starts empty and every way in resets
in ``finally``. One immutable :class:`Scope` holds everything (django-scopes keeps one
too): entering a block replaces it, leaving restores the one before.

The ways in, each for one purpose:

* :func:`tenant_context` — one tenant's rows (requests, jobs, seeds);
* :func:`in_tenant_scope` — a service given a tenant: enters it, or checks it is the
  one already in scope;
* :func:`unscoped_all_tenants` — every tenant's rows: the one escape hatch, audited;
* :func:`no_tenant` — nothing (tenant queries fail closed).

The rest is for the core's own machinery (authentication lookups, the platform role,
work after a response, cache generations) and for tests.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from .declarations import Tenant

audit_log = logging.getLogger("nbne.tenancy.audit")


class TenantScopeError(RuntimeError):
    """Tenant data was touched with no tenant in scope, or across tenants."""


@dataclass(frozen=True)
class Scope:
    tenant: Tenant | None = None
    # Set: every tenant's rows, for this audited reason (the platform role's rights).
    bypass_reason: str | None = None
    # What the database is told when it differs from the tenant in scope: a token's
    # claimed tenant while its user is loaded.
    claimed_tenant_id: int | None = None
    # A login's or session's user lookup, before any tenant is known.
    authentication_lookup: bool = False
    # The default connection itself holds the platform role's rights for the block (a
    # platform command connected as that role, or migrate as the owner).
    platform_rights_on_default: bool = False
    # Test hook: the application-level filters and write guards stand down, so that only
    # the database's row-level security keeps tenants apart (the RLS-only matrix).
    application_filters_off: bool = False
    # Work the running request leaves for after its response (None: run it at once).
    after_response: list[Callable[[], None]] | None = None
    # Tenants whose cache generation the request's writes made stale, bumped at COMMIT
    # (None: outside a request, a write bumps at once).
    stale_cache_generations: set[int] | None = None
    # The business's time limit per SQL statement in its request's transactions, told to
    # PostgreSQL with the tenant (runtime.governance; None: the server's own).
    statement_timeout_ms: int | None = None


# Scope is frozen: the default is replaced, never changed.
_scope: ContextVar[Scope] = ContextVar("tenancy_scope", default=Scope())  # noqa: B039


def current_scope() -> Scope:
    return _scope.get()


def get_current_tenant() -> Tenant | None:
    return _scope.get().tenant


@contextmanager
def scoped(**changes: Any) -> Iterator[Scope]:
    """Run the block with the scope changed as given; the scope before comes back after."""
    token = _scope.set(dataclasses.replace(_scope.get(), **changes))
    try:
        yield _scope.get()
    finally:
        _scope.reset(token)


def tenant_context(tenant: Tenant) -> AbstractContextManager[Scope]:
    """Run the block with ``tenant`` in scope; every tenant query is filtered to it."""
    if tenant is None or tenant.pk is None:
        raise TenantScopeError("tenant_context() needs a saved tenant.")
    return scoped(tenant=tenant, bypass_reason=None)


@contextmanager
def in_tenant_scope(tenant: Tenant) -> Iterator[None]:
    """Run a service's work in ``tenant``'s scope: entered when nothing is in scope (a
    command, a job), kept when it is ``tenant`` already (a request), refused when it is
    another tenant — a caller mixing two businesses is a bug to surface, not to serve."""
    current = get_current_tenant()
    if current is None:
        with tenant_context(tenant):
            yield
    elif current.pk != tenant.pk:
        raise TenantScopeError(f"Work for tenant {tenant.pk} was asked for in tenant {current.pk}'s scope.")
    else:
        yield


@contextmanager
def unscoped_all_tenants(reason: str) -> Iterator[None]:
    """Read and write every tenant's rows. The one escape hatch, audited on entry.

    Used by ``seed_demo``, platform operators in the admin, the audit of foreign ids
    and platform-wide jobs. ``reason`` is written to the audit log. On PostgreSQL the
    block's queries run as the platform role (``runtime.roles``): the runtime role
    itself can see no more than one tenant, whatever it sets.
    """
    if not reason:
        raise ValueError("unscoped_all_tenants() needs a reason for the audit log.")
    audit_log.info("tenant_bypass reason=%s", reason)
    with scoped(tenant=None, bypass_reason=reason):
        yield


def no_tenant() -> AbstractContextManager[Scope]:
    """Run the block with nothing in scope (tenant queries fail closed)."""
    return scoped(tenant=None, bypass_reason=None)


def claimed_tenant(tenant_id: int) -> AbstractContextManager[Scope]:
    """Load a token's user as the tenant its token claims (a user who moved is not found).

    Only the database hears of it; the application has no tenant in scope for the
    lookup, whatever the request names: who the user is comes first, and whether they
    may act in the business the request names is decided after.
    """
    return scoped(tenant=None, bypass_reason=None, claimed_tenant_id=tenant_id)


def authentication_lookup() -> AbstractContextManager[Scope]:
    """Read users to authenticate a session or an operator's token, before any tenant
    is in scope (whatever the request names: it is checked against the user after). On
    PostgreSQL the lookup runs as the platform role, the only one that sees users of
    any tenant and the operators (tenant empty)."""
    return scoped(tenant=None, bypass_reason=None, claimed_tenant_id=None, authentication_lookup=True)


def with_platform_rights_on_default() -> AbstractContextManager[Scope]:
    """Mark the block as one whose default connection holds the platform role's rights
    (``runtime.roles.as_platform_role``): platform work stays on that connection."""
    return scoped(platform_rights_on_default=True)


def application_filters_off() -> AbstractContextManager[Scope]:
    """Test hook: drop the application's tenant filters and write guards, leaving the
    database's row-level security alone to keep tenants apart."""
    return scoped(application_filters_off=True)


def application_filters_on() -> bool:
    return not _scope.get().application_filters_off


def needs_platform_role() -> bool:
    """Whether the running code's queries need the rights of the platform role (a role
    with BYPASSRLS, on its own connection): work across tenants, a user lookup before
    any tenant is known, or a block run with those rights throughout."""
    scope = _scope.get()
    if scope.platform_rights_on_default or scope.bypass_reason is not None:
        return True
    return scope.authentication_lookup and scope.tenant is None and scope.claimed_tenant_id is None


def database_tenant_id() -> str:
    """The value of ``app.tenant_id`` the running code needs: the one tenant whose rows
    the runtime role may see ("": no rows at all). No value shows more; rights beyond
    one tenant come from the platform role (:func:`needs_platform_role`)."""
    if needs_platform_role():
        return ""  # the platform role is not bound by row-level security
    scope = _scope.get()
    if scope.tenant is not None:
        return str(scope.tenant.pk)
    if scope.claimed_tenant_id is not None:
        return str(scope.claimed_tenant_id)
    return ""


def after_response(work: Callable[[], None]) -> None:
    """Run ``work`` once the running request's response has been sent (now, outside a
    request): what the client is told, and when, must not depend on it."""
    pending = _scope.get().after_response
    if pending is None:
        work()
    else:
        pending.append(work)


@contextmanager
def work_after_response() -> Iterator[list[Callable[[], None]]]:
    """Collect the block's ``after_response`` work, for the caller to run later."""
    with scoped(after_response=[]) as scope:
        yield scope.after_response
