"""The platform's record of what was done to whole businesses (``PlatformAuditRecord``)."""

from __future__ import annotations

import getpass
import socket
from typing import Any

from core.models import PlatformAuditRecord, TenantSettings
from core.tenancy import unscoped_all_tenants


def command_actor() -> str:
    """Who runs a management command, as the audit names them: the OS user and host."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        user = "unknown"
    return f"command {user}@{socket.gethostname()}"


def platform_audit_record(
    *, action: PlatformAuditRecord.Action, tenant: TenantSettings, performed_by: str, details: dict[str, Any]
) -> PlatformAuditRecord:
    """Record ``action`` on ``tenant`` (as the platform role: no other role reads the record)."""
    with unscoped_all_tenants(f"platform audit: {action}"):
        return PlatformAuditRecord.objects.create(
            action=action,
            business_id=tenant.pk,
            business_slug=tenant.slug,
            business_name=tenant.name,
            performed_by=performed_by,
            details=details,
        )
