"""Rate limits that hold under parallel requests.

A moving window counted atomically in Redis by the ``limits`` library (one Lua script
per hit, so a parallel burst can never pass the limit), on the cache's own Redis
connections. While Redis is unreachable, each process counts in its own memory with
the same limit: a local limit, never none (with N web processes a client may get up to
N times the limit during an outage).

Attempts that count only when they fail (logins) are reserved before they run and given
back when they succeed (:func:`attempt_reserve`, :func:`attempt_release`): a counter of
the same library's storage, so a burst in flight is counted as failures until it ends.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass, field

from django.core.cache import caches
from django_redis.cache import RedisCache
from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from redis import ConnectionPool

from core.resilience import UNAVAILABLE, Breaker

_local = MovingWindowRateLimiter(MemoryStorage())
_shared_by_pool: weakref.WeakKeyDictionary[ConnectionPool, MovingWindowRateLimiter] = weakref.WeakKeyDictionary()
breaker = Breaker("rate-limit store", meanwhile="counting rate limits in each process meanwhile")


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int  # seconds until the window has room again; 0 when allowed


def _shared_limiter() -> MovingWindowRateLimiter | None:
    """The limiter on the default cache's Redis, or None when the cache is not Redis."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return None
    pool = cache.client.get_client(write=True).connection_pool  # one per server, process-wide
    limiter = _shared_by_pool.get(pool)
    if limiter is None:
        limiter = MovingWindowRateLimiter(RedisStorage("redis://", connection_pool=pool, key_prefix="ratelimit"))
        _shared_by_pool[pool] = limiter
    return limiter


def rate_limit_hit(key: str, *, limit: int, seconds: int) -> RateDecision:
    """Count one request under ``key``; whether it is within ``limit`` per ``seconds``."""
    item = RateLimitItemPerSecond(limit, seconds)
    shared = _shared_limiter()
    if shared is not None and breaker.allows_call():
        try:
            decision = _decide(shared, item, key)
        except UNAVAILABLE as exc:
            breaker.record_failure(exc)
        else:
            breaker.record_success()
            return decision
    return _decide(_local, item, key)


def _decide(limiter: MovingWindowRateLimiter, item: RateLimitItemPerSecond, key: str) -> RateDecision:
    if limiter.hit(item, key):
        return RateDecision(True, 0)
    reset_at = limiter.get_window_stats(item, key).reset_time
    return RateDecision(False, max(1, int(reset_at - time.time()) + 1))


def local_counts_reset() -> None:
    """Forget this process's own counts (tests start each case from none)."""
    _local.storage.reset()


@dataclass(frozen=True)
class Reservation:
    key: str
    allowed: bool
    count: int  # attempts counted in the window, this one included
    retry_after: int  # seconds until the window ends; 0 when allowed
    storage: Storage | None = field(default=None, repr=False, compare=False)  # where it was counted


def attempt_reserve(key: str, *, limit: int, seconds: int) -> Reservation:
    """Count one attempt under ``key`` before it runs; allowed while the window, which
    starts at its first attempt and lasts ``seconds``, holds no more than ``limit``.

    Every attempt counts, refused ones too (a refusal then ends nothing early; the window
    does not grow). :func:`attempt_release` takes back one that should not count.
    """
    shared = _shared_limiter()
    if shared is not None and breaker.allows_call():
        try:
            reservation = _reserve(shared.storage, key, limit, seconds)
        except UNAVAILABLE as exc:
            breaker.record_failure(exc)
        else:
            breaker.record_success()
            return reservation
    return _reserve(_local.storage, key, limit, seconds)


def attempt_release(reservation: Reservation) -> None:
    """Take back an attempt :func:`attempt_reserve` counted (it succeeded)."""
    storage = reservation.storage
    if storage is None:
        return
    try:
        left = storage.incr(_attempt_key(reservation.key), 1, amount=-1)
        if left < 0:  # the window ended meanwhile; a negative count would grant attempts
            storage.clear(_attempt_key(reservation.key))
    except UNAVAILABLE as exc:  # the reservation then lapses with its window
        breaker.record_failure(exc)


def _attempt_key(key: str) -> str:
    return f"attempts/{key}"


def _reserve(storage: Storage, key: str, limit: int, seconds: int) -> Reservation:
    count = storage.incr(_attempt_key(key), seconds)
    if count <= limit:
        return Reservation(key, True, count, 0, storage)
    retry_after = max(1, int(storage.get_expiry(_attempt_key(key)) - time.time()) + 1)
    return Reservation(key, False, count, retry_after, storage)
