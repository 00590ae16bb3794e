"""Where a business's e-mails point: its own web app."""

from __future__ import annotations

from django.conf import settings

from core.models import TenantSettings


def business_frontend_url(tenant: TenantSettings, path: str) -> str:
    """``path`` on ``tenant``'s web app: its own domain when it has one, else
    ``https://<slug>.<TENANT_BASE_DOMAIN>``. Never another business's host, whatever
    host the request that caused the e-mail came in on."""
    host = tenant.custom_domain or f"{tenant.slug}.{settings.TENANT_BASE_DOMAIN}"
    return f"https://{host}/{path.lstrip('/')}"
