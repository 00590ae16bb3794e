"""Reads of the core app. Every function takes the tenant explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.integrations.clients import platform_key
from core.integrations.secrets import decrypt_secret
from core.models import TenantIntegrationKey, TenantSettings
from core.tenancy import in_tenant_scope

MASK = "••••"
# Shorter keys show nothing of themselves: four characters of eight would be half the key.
MASK_MIN_LENGTH = 12


@dataclass(frozen=True)
class MaskedIntegrationKey:
    provider: str
    configured: bool
    masked_key: str | None
    uses_platform_key: bool
    updated_at: datetime | None


def mask_of(api_key: str) -> tuple[str, str]:
    """The mask of ``api_key`` and the characters of it that may be stored for the mask."""
    last_four = api_key[-4:] if len(api_key) >= MASK_MIN_LENGTH else ""
    return MASK + last_four, last_four


def integration_provider_check(provider: str) -> str:
    if provider not in TenantIntegrationKey.Provider.values:
        raise ValueError(f"Unknown integration provider {provider!r}.")
    return provider


def _masked(provider: str, row: TenantIntegrationKey | None) -> MaskedIntegrationKey:
    return MaskedIntegrationKey(
        provider=provider,
        configured=row is not None,
        masked_key=MASK + row.last_four if row is not None else None,
        uses_platform_key=row is None and platform_key(provider) is not None,
        updated_at=row.updated_at if row is not None else None,
    )


def integration_keys_masked(*, tenant: TenantSettings) -> list[MaskedIntegrationKey]:
    """Every provider, in a fixed order, with the tenant's key masked (or none)."""
    with in_tenant_scope(tenant):
        rows = {
            row.provider: row
            for row in TenantIntegrationKey.objects.filter(tenant=tenant).only("provider", "last_four", "updated_at")
        }
    return [_masked(provider, rows.get(provider)) for provider in TenantIntegrationKey.Provider.values]


def integration_key_masked(*, tenant: TenantSettings, provider: str) -> MaskedIntegrationKey:
    integration_provider_check(provider)
    with in_tenant_scope(tenant):
        row = (
            TenantIntegrationKey.objects.filter(tenant=tenant, provider=provider)
            .only("provider", "last_four", "updated_at")
            .first()
        )
    return _masked(provider, row)


def integration_key_plaintext(*, tenant: TenantSettings, provider: str) -> str | None:
    """The tenant's own key for ``provider``, decrypted, or None when it has none.

    Decrypted as ``tenant``'s, not as the row's: should a lookup ever return another
    tenant's row, its ciphertext fails to decrypt instead of serving that tenant's key.
    """
    integration_provider_check(provider)
    with in_tenant_scope(tenant):
        stored = (
            TenantIntegrationKey.objects.filter(tenant=tenant, provider=provider)
            .values_list("encrypted_key", flat=True)
            .first()
        )
    if stored is None:
        return None
    return decrypt_secret(stored, tenant_id=tenant.pk, provider=provider)
