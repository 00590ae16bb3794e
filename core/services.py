"""Writes of the core app."""

from __future__ import annotations

import dataclasses

from django.db import models, transaction

from core.integrations.secrets import SecretDecryptionError, encrypt_secret, reencrypt_secret
from core.models import BusinessEvent, TenantIntegrationKey, TenantSettings
from core.selectors import integration_provider_check, mask_of
from core.tenancy import audit_log, in_tenant_scope, unscoped_all_tenants


def business_event_record(
    *,
    tenant: TenantSettings,
    kind: str,
    summary: str,
    performed_by=None,
    subject: models.Model | None = None,
) -> BusinessEvent:
    """Write one entry of the tenant's activity feed."""
    return BusinessEvent.objects.create(
        tenant=tenant,
        kind=kind,
        summary=summary[:300],
        performed_by=performed_by if getattr(performed_by, "is_authenticated", False) else None,
        object_type=subject._meta.model_name if subject is not None else "",
        object_id=str(subject.pk) if subject is not None else "",
    )


def tenant_settings_update(*, tenant: TenantSettings, changes: dict, by) -> TenantSettings:
    """Apply validated changes to the business's own settings. A new custom domain is
    audited: it decides which business a host reaches."""
    old_domain = tenant.custom_domain
    for field, value in changes.items():
        setattr(tenant, field, value)
    tenant.save(update_fields=list(changes))  # save() forgets the cached resolution
    if tenant.custom_domain != old_domain:
        audit_log.info(
            "custom_domain_changed tenant=%s user=%s old=%s new=%s",
            tenant.slug,
            by.pk,
            old_domain,
            tenant.custom_domain,
        )
    return tenant


# Tenants' own API keys ---------------------------------------------------------------


def integration_key_set(*, tenant: TenantSettings, provider: str, api_key: str, by) -> TenantIntegrationKey:
    """Store (or replace) the tenant's key for ``provider``, encrypted and bound to both."""
    integration_provider_check(provider)
    api_key = api_key.strip()
    if not api_key:
        raise ValueError("An API key cannot be empty.")
    _, last_four = mask_of(api_key)
    with in_tenant_scope(tenant), transaction.atomic():
        key, _ = TenantIntegrationKey.objects.update_or_create(
            tenant=tenant,
            provider=provider,
            defaults={
                "encrypted_key": encrypt_secret(api_key, tenant_id=tenant.pk, provider=provider),
                "last_four": last_four,
                "updated_by": by if getattr(by, "is_authenticated", False) else None,
            },
        )
    audit_log.info("integration key set tenant=%s provider=%s user=%s", tenant.slug, provider, getattr(by, "pk", None))
    return key


def integration_key_delete(*, tenant: TenantSettings, provider: str, by) -> bool:
    """Forget the tenant's key for ``provider``; False when it had none."""
    integration_provider_check(provider)
    with in_tenant_scope(tenant):
        deleted, _ = TenantIntegrationKey.objects.filter(tenant=tenant, provider=provider).delete()
    if deleted:
        audit_log.info(
            "integration key removed tenant=%s provider=%s user=%s", tenant.slug, provider, getattr(by, "pk", None)
        )
    return bool(deleted)


@dataclasses.dataclass
class ReencryptionResult:
    reencrypted: int = 0
    already_current: int = 0
    unreadable: list[str] = dataclasses.field(default_factory=list)  # "<tenant slug>/<provider>"


def integration_keys_reencrypt() -> ReencryptionResult:
    """Move every tenant's stored key to the current encryption key (the first of
    TENANT_SECRETS_KEYS), so older keys can then be removed from the setting."""
    result = ReencryptionResult()
    with unscoped_all_tenants("re-encrypt tenants' API keys with the current key"):
        rows = list(
            TenantIntegrationKey.objects.order_by("pk").values_list(
                "pk", "tenant_id", "tenant__slug", "provider", "encrypted_key"
            )
        )
        for pk, tenant_id, slug, provider, stored in rows:
            try:
                fresh = reencrypt_secret(stored, tenant_id=tenant_id, provider=provider)
            except SecretDecryptionError:
                result.unreadable.append(f"{slug}/{provider}")
                continue
            if fresh is None:
                result.already_current += 1
                continue
            # Only if unchanged since it was read: a key set meanwhile is already current.
            # update() keeps updated_at, which tells when the business last changed its key.
            result.reencrypted += TenantIntegrationKey.objects.filter(pk=pk, encrypted_key=stored).update(
                encrypted_key=fresh
            )
    audit_log.info(
        "integration keys re-encrypted count=%s current=%s unreadable=%s",
        result.reencrypted,
        result.already_current,
        len(result.unreadable),
    )
    return result
