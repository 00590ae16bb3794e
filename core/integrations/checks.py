"""System checks of the tenants' API keys: production encrypts them with keys of its own."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .secrets import decode_key


@checks.register(checks.Tags.security, deploy=True)
def check_tenant_secrets_key_set(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Production encrypts tenants' API keys with a key of its own, never one derived
    from SECRET_KEY (which may be rotated or shared) and never none."""
    if settings.TENANT_SECRETS_KEYS:
        return []
    if getattr(settings, "TENANT_SECRETS_DERIVE_DEV_KEY", False):
        problem = "tenants' API keys are encrypted with a development key derived from SECRET_KEY"
    else:
        problem = "tenants' API keys can be neither stored nor read"
    return [
        checks.Error(
            f"TENANT_SECRETS_KEYS is not set: {problem}.",
            hint="Set TENANT_SECRETS_KEYS to the output of `manage.py generate_secrets_key`.",
            id="tenancy.E030",
        )
    ]


@checks.register(checks.Tags.security)
def check_tenant_secrets_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from core.models import TenantIntegrationKey  # models import this app's secrets

    messages = []
    for position, value in enumerate(settings.TENANT_SECRETS_KEYS, start=1):
        try:
            decode_key(value)
        except ImproperlyConfigured as exc:  # the message names the entry, never its value
            messages.append(checks.Error(f"TENANT_SECRETS_KEYS entry {position}: {exc}", id="tenancy.E031"))
    providers = set(TenantIntegrationKey.Provider.values)
    for provider in settings.INTEGRATION_PLATFORM_FALLBACK:
        if provider not in providers:
            messages.append(
                checks.Warning(
                    f"INTEGRATION_PLATFORM_FALLBACK names {provider!r}, which is not a provider.",
                    hint=f"Use some of {', '.join(sorted(providers))}.",
                    id="tenancy.W032",
                )
            )
    return messages
