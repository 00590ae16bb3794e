"""Writes of the accounts app."""

from __future__ import annotations

from accounts.models import AuditLogEntry, User
from core.network import client_address


def audit_log_record(*, user: User, action: str, request=None, detail: dict | None = None) -> AuditLogEntry | None:
    """Record a security-relevant action of a tenant member (operators are audited in logs)."""
    if user.tenant_id is None:
        return None
    return AuditLogEntry.objects.create(
        user=user,
        action=action,
        detail=detail or {},
        ip_address=(client_address(request) or None) if request is not None else None,
    )
