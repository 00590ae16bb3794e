"""Outside services (OpenAI, ElevenLabs, Smartflo) called with the business's own key.

A client is built for one tenant and serves only it:

* the key is looked up and decrypted for every request, never kept on the instance,
  so nothing of one tenant's key can outlive a call or reach another tenant;
* used while another tenant is in scope, it refuses (:class:`IntegrationScopeError`);
* a tenant with no key of its own gets the platform's key only when the provider is
  in ``INTEGRATION_PLATFORM_FALLBACK``; otherwise :class:`IntegrationNotConfigured`;
* the key is sent only to the provider's base URL, never through a redirect, and it
  appears in no exception message, repr or log line.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

import requests
from django.conf import settings

from core.tenancy import TenantScopeError, get_current_tenant, in_tenant_scope

if TYPE_CHECKING:
    from core.models import TenantSettings

logger = logging.getLogger(__name__)
REDACTED = "[redacted]"


class IntegrationError(Exception):
    """An outside service could not be used. Messages name the tenant and provider only."""


class IntegrationNotConfigured(IntegrationError):
    """The business has no key for the provider, and the platform's key may not stand in."""


class IntegrationRequestError(IntegrationError):
    """The request to the provider failed before an answer came back."""


class IntegrationScopeError(IntegrationError, TenantScopeError):
    """A client built for one tenant was used in another tenant's scope."""


def platform_key(provider: str) -> str | None:
    """The platform's own key for ``provider``, if it may serve businesses without one."""
    if provider not in settings.INTEGRATION_PLATFORM_FALLBACK:
        return None
    return (settings.INTEGRATION_PLATFORM_KEYS.get(provider) or "").strip() or None


class TenantIntegration:
    """Base of the clients: one provider, one tenant, the tenant's key on every request."""

    provider: ClassVar[str]
    base_url: ClassVar[str]

    def __init__(self, *, tenant: TenantSettings) -> None:
        if tenant is None or tenant.pk is None:
            raise ValueError("An integration client needs a saved tenant.")
        self.tenant = tenant

    def __repr__(self) -> str:
        return f"{type(self).__name__}(tenant={self.tenant.slug!r})"

    # The key ----------------------------------------------------------------------

    def check_scope(self) -> None:
        current = get_current_tenant()
        if current is not None and current.pk != self.tenant.pk:
            raise IntegrationScopeError(
                f"{type(self).__name__} of tenant {self.tenant.slug!r} used in tenant {current.slug!r}'s scope."
            )

    @property
    def api_key(self) -> str:
        """The tenant's own key, else the platform's where allowed. Read afresh each time."""
        from core.selectors import integration_key_plaintext

        self.check_scope()
        with in_tenant_scope(self.tenant):
            own = integration_key_plaintext(tenant=self.tenant, provider=self.provider)
        if own is not None:
            return own
        fallback = platform_key(self.provider)
        if fallback is not None:
            logger.debug("integration platform key provider=%s tenant=%s", self.provider, self.tenant.slug)
            return fallback
        raise IntegrationNotConfigured(f"Tenant {self.tenant.slug!r} has no {self.provider} key.")

    def auth_headers(self, api_key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_key}"}

    # Requests ---------------------------------------------------------------------

    def url(self, path: str) -> str:
        # Only paths: an absolute URL would send the key to whatever host it names.
        if "://" in path or path.startswith("//"):
            raise ValueError("Integration requests take a path under the provider's base URL.")
        base = settings.INTEGRATION_BASE_URLS.get(self.provider) or self.base_url
        return f"{base.rstrip('/')}/{path.lstrip('/')}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send ``method path`` to the provider with the tenant's key; the answer is returned
        whatever its status. ``kwargs`` go to :func:`requests.request`."""
        url = self.url(path)
        auth = self.auth_headers(self.api_key)
        kwargs["headers"] = {**(kwargs.get("headers") or {}), **auth}
        kwargs.setdefault("timeout", settings.INTEGRATION_TIMEOUT_SECONDS)
        # A redirect would carry the key to the redirect's host (requests strips only
        # Authorization, and only across hosts).
        kwargs["allow_redirects"] = False
        failure = None
        try:
            response = requests.request(method, url, **kwargs)
        except (requests.RequestException, ValueError) as exc:
            failure = type(exc).__name__
        if failure is not None:
            # Raised outside the except block, so the original is not chained: some of
            # them (an invalid header) quote the header, that is the key.
            logger.warning(
                "integration request failed provider=%s tenant=%s method=%s path=%s error=%s",
                self.provider,
                self.tenant.slug,
                method,
                path,
                failure,
            )
            raise IntegrationRequestError(
                f"{self.provider} {method} {path} for tenant {self.tenant.slug!r} failed ({failure})."
            )
        # The answer goes back to the caller, and may be logged or kept: it carries no key.
        for name in auth:
            response.request.headers[name] = REDACTED
        logger.info(
            "integration request provider=%s tenant=%s method=%s path=%s status=%s",
            self.provider,
            self.tenant.slug,
            method,
            path,
            response.status_code,
        )
        return response


class OpenAIClient(TenantIntegration):
    provider = "openai"
    base_url = "https://api.openai.com/v1"


class ElevenLabsClient(TenantIntegration):
    provider = "elevenlabs"
    base_url = "https://api.elevenlabs.io/v1"

    def auth_headers(self, api_key: str) -> dict[str, str]:
        return {"xi-api-key": api_key}


class SmartfloClient(TenantIntegration):
    provider = "smartflo"
    base_url = "https://api-smartflo.tatateleservices.com/v1"
