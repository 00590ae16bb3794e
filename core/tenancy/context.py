"""The tenant in scope for the running code, kept in a ContextVar.

A ContextVar (not a thread-local) so that threads, async tasks and workers never
inherit another request's tenant: each context starts empty and every setter
resets in ``finally``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.models import TenantSettings

audit_log = logging.getLogger("nbne.tenancy.audit")

_current_tenant: ContextVar[TenantSettings | None] = ContextVar("current_tenant", default=None)
_bypass_reason: ContextVar[str | None] = ContextVar("tenant_bypass_reason", default=None)


class TenantScopeError(RuntimeError):
    """Tenant data was touched with no tenant in scope, or across tenants."""


def get_current_tenant() -> TenantSettings | None:
    return _current_tenant.get()


def get_bypass_reason() -> str | None:
    return _bypass_reason.get()


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

    Used by migrations' backfills, ``seed_demo``, platform operators in the admin and
    platform-wide jobs. ``reason`` is written to the audit log.
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
