"""Throttles of the API: per business, per client, counted atomically."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core.network import client_address
from core.ratelimit import rate_limit_hit
from core.tenancy import TenantScopedRateThrottle


class BusinessRateThrottle(TenantScopedRateThrottle):
    """A view's ``throttle_scope`` rate, per business and per client.

    Counted atomically (core.ratelimit: a parallel burst never passes the limit; a local
    limit while Redis is unreachable), per client address behind the trusted proxies
    (core.network: a client cannot pick a fresh identity by sending X-Forwarded-For).
    """

    retry_after: int | None = None

    def allow_request(self, request: Request, view: APIView) -> bool:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        key = self.get_cache_key(request, view)
        if key is None or self.num_requests is None:
            return True
        decision = rate_limit_hit(key, limit=self.num_requests, seconds=self.duration)
        self.retry_after = decision.retry_after
        return decision.allowed

    def get_rate(self) -> str | None:
        # From the settings as they are now (DRF reads them once, at import).
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def wait(self) -> int | None:
        return self.retry_after

    def get_ident(self, request: Request) -> str:
        return client_address(request)
