"""Keeping one busy business from slowing the others.

Two limits, per business, on the requests of a business (platform hosts, ``/healthz``
and static files are not a business's and are never limited):

* **Requests in flight**, across every web process: each request of a business holds a
  slot while its view runs (a streaming response until it is closed: sent, or dropped
  by the client). Slots are members of a sorted set in Redis, one per business, scored
  by when their lease ends, taken and counted by one Lua script (atomic: a parallel
  burst never passes the cap). A slot is given back on every way out of the request;
  one whose process died lapses with its lease. Past the cap: 429 ``business_busy``
  with ``Retry-After``. With no Redis (a local copy) or Redis unreachable, no cap: the
  cap protects the others, it must never refuse a business on its own account.
* **Time per SQL statement** (PostgreSQL): ``statement_timeout`` set for the request's
  transaction only (``set_config(..., true)``, so nothing outlives it on a pooled or
  PgBouncer connection, and the platform role's connection and migrations never see it).
  A statement it cancels answers 503 ``statement_timeout``.

Both come from settings (``TENANT_MAX_CONCURRENT_REQUESTS``, ``TENANT_STATEMENT_TIMEOUT_MS``)
unless the business has its own (``max_concurrent_requests``, ``statement_timeout_ms``
on the tenant, set by operators). The same script counts each business's requests of
the day, for the operators' usage figures (:func:`requests_of_day`).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date

from django.conf import settings
from django.core.cache import caches
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django_redis.cache import RedisCache
from redis.commands.core import Script
from redis.exceptions import RedisError

from ..scope import scoped

logger = logging.getLogger(__name__)

# Counts of a day are kept this long, so the daily snapshot may run late (or again).
DAY_COUNTS_SECONDS = 4 * 24 * 3600
# After Redis fails, it is not tried again for this long: no request waits on a dead
# server's timeouts meanwhile.
RETRY_SECONDS = 5.0
QUERY_CANCELED = "57014"  # SQLSTATE of a statement cancelled (by statement_timeout here)

# KEYS: the business's slots, the day's counts. ARGV: token, cap (0: none), lease
# seconds, tenant id, seconds the counts are kept. Returns 1 (a slot taken), 2 (counted,
# no cap) or 0 (refused). The server's clock, so that every process agrees on leases.
_TAKE_SLOT = """
redis.call('HINCRBY', KEYS[2], ARGV[4], 1)
redis.call('EXPIRE', KEYS[2], ARGV[5])
local cap = tonumber(ARGV[2])
if cap <= 0 then return 2 end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= cap then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""


class _Breaker:
    """Redis skipped for a while after it fails, and one log line per outage."""

    def __init__(self) -> None:
        self.retry_at = 0.0
        self.down = False
        self.lock = threading.Lock()

    def allows(self) -> bool:
        return not self.down or time.monotonic() >= self.retry_at

    def failed(self, exc: BaseException) -> None:
        with self.lock:
            first, self.down, self.retry_at = not self.down, True, time.monotonic() + RETRY_SECONDS
        if first:
            logger.warning("request slots unavailable, serving every business with no cap meanwhile: %s", exc)

    def worked(self) -> None:
        if self.down:
            self.down = False
            logger.warning("request slots available again")


breaker = _Breaker()
_script: Script | None = None  # its SHA is the script's, whichever client runs it


def _redis():
    """The default cache's Redis client (its pool, its timeouts), or None without Redis."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return None
    return cache.client.get_client(write=True)


def _key(name: str) -> str:
    return caches["default"].make_key(f"governance:{name}")


def day_key(day: date) -> str:
    return _key(f"requests:{day.isoformat()}")


def concurrency_cap(tenant) -> int:
    """The business's cap on requests in flight (0: none)."""
    own = getattr(tenant, "max_concurrent_requests", None)
    return int(own if own is not None else settings.TENANT_MAX_CONCURRENT_REQUESTS)


def statement_timeout_ms(tenant) -> int:
    """The business's limit on one SQL statement, in milliseconds (0: none)."""
    own = getattr(tenant, "statement_timeout_ms", None)
    return int(own if own is not None else settings.TENANT_STATEMENT_TIMEOUT_MS)


def request_statement_timeout(tenant=None) -> AbstractContextManager:
    """The block's statements limited to ``tenant``'s time (the platform's default before
    the business is known). Told to PostgreSQL with the tenant, in the same statement, by
    the scope sync (runtime.database): no round trip of its own, and none when the
    business keeps the default, as the request's first statements (its token's user)
    were already told it."""
    return scoped(statement_timeout_ms=statement_timeout_ms(tenant) or None)


class Slot:
    """A request's place among its business's requests in flight; given back once."""

    def __init__(self, client, key: str, token: str) -> None:
        self.client, self.key, self.token = client, key, token
        self.released = False

    def release(self) -> None:
        if self.released:
            return
        self.released = True
        try:
            self.client.zrem(self.key, self.token)
        except (RedisError, OSError) as exc:  # its lease ends it instead
            breaker.failed(exc)


SLOT_REFUSED = object()  # what request_slot_take answers for a business at its cap


def request_slot_take(tenant) -> Slot | object | None:
    """Count a request of ``tenant`` and take a slot for it: a :class:`Slot`, ``None``
    (no cap, or no Redis to hold one) or ``SLOT_REFUSED`` (the business is at its cap)."""
    client = _redis()
    if client is None or not breaker.allows():
        return None
    cap = concurrency_cap(tenant)
    key, token = _key(f"slots:{tenant.pk}"), uuid.uuid4().hex
    lease = int(settings.TENANT_REQUEST_SLOT_SECONDS)
    try:
        global _script
        if _script is None:
            _script = client.register_script(_TAKE_SLOT)
        keys = [key, day_key(timezone.now().date())]
        taken = _script(keys=keys, args=[token, cap, lease, tenant.pk, DAY_COUNTS_SECONDS], client=client)
    except (RedisError, OSError) as exc:
        breaker.failed(exc)
        return None
    breaker.worked()
    if taken == 0:
        return SLOT_REFUSED
    return Slot(client, key, token) if taken == 1 else None


def request_slots_reset() -> None:
    """Forget an outage: Redis is tried at the next request (tests start each case so)."""
    breaker.down, breaker.retry_at = False, 0.0


def slots_in_use(tenant) -> int:
    """How many of the business's slots are held now (tests, the admin)."""
    client = _redis()
    if client is None:
        return 0
    key = _key(f"slots:{tenant.pk}")
    seconds, micros = client.time()
    client.zremrangebyscore(key, "-inf", seconds + micros / 1_000_000)
    return int(client.zcard(key))


def requests_of_day(day: date) -> dict[int, int]:
    """Each business's requests on ``day`` (UTC), by tenant id: empty without Redis."""
    client = _redis()
    if client is None:
        return {}
    return {int(tenant_id): int(count) for tenant_id, count in client.hgetall(day_key(day)).items()}


def business_busy() -> JsonResponse:
    response = JsonResponse(
        {
            "detail": "This business has too many requests in progress; retry shortly.",
            "code": "business_busy",
        },
        status=429,
    )
    response["Retry-After"] = "1"
    return response


def statement_timed_out() -> JsonResponse:
    response = JsonResponse(
        {"detail": "The request took too long and was stopped; retry, or ask for less.", "code": "statement_timeout"},
        status=503,
    )
    response["Retry-After"] = "5"
    return response


def is_statement_timeout(exc: BaseException) -> bool:
    cause = exc.__cause__ if isinstance(exc, OperationalError) else None
    return getattr(cause, "sqlstate", None) == QUERY_CANCELED


class TenantGovernanceMiddleware:
    """Holds a business's request to its cap and its statements to their time limit.

    After ``TenantMiddleware``: the business is resolved and its transaction open.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is None:
            return self.get_response(request)
        slot = request_slot_take(tenant)
        if slot is SLOT_REFUSED:
            return business_busy()
        try:
            with request_statement_timeout(tenant):
                response = self.get_response(request)
        except BaseException:
            if isinstance(slot, Slot):
                slot.release()
            raise
        if isinstance(slot, Slot):
            if response.streaming:
                # Held while the body is sent; the server closes the response when it
                # is sent or the client has gone.
                response._resource_closers.append(slot.release)
            else:
                slot.release()
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if getattr(request, "tenant", None) is not None and is_statement_timeout(exception):
            logger.warning("statement timeout tenant=%s path=%s", request.tenant.slug, request.path)
            return statement_timed_out()
        return None
