"""The cache server as an accelerator, never a dependency.

With Redis unreachable, every cache call answers as an empty cache would (a miss, a
write that did not stick) instead of raising, so a request is served from the database
and a committed write never turns into an error. A circuit breaker keeps an outage
cheap and quiet: after one failure the cache is not tried again for a few seconds (no
request waits on a dead server's timeouts) and the log gets one warning when the cache
goes and one line when it is back, not one per request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("nbne.resilience")
T = TypeVar("T")

# What an unreachable or failing server raises through django-redis and redis-py.
UNAVAILABLE = (ConnectionInterrupted, RedisConnectionError, RedisTimeoutError, OSError)


class Breaker:
    """Tracks one outside service: closed (in use), open (skipped until ``retry_at``).

    After a failure the service is skipped for ``retry_seconds``; then the next call
    tries it again, and either closes the breaker or opens it for another period.
    """

    def __init__(self, name: str, retry_seconds: float = 5.0, meanwhile: str = "serving without it") -> None:
        self.name = name
        self.meanwhile = meanwhile
        self.retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0

    @property
    def is_down(self) -> bool:
        return self._down_since is not None

    def allows_call(self) -> bool:
        return self._down_since is None or time.monotonic() >= self._retry_at

    def record_failure(self, exc: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            first = self._down_since is None
            if first:
                self._down_since = now
            self._retry_at = now + self.retry_seconds
        if first:
            logger.warning("%s unavailable, %s: %s", self.name, self.meanwhile, exc)

    def record_success(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            down_since, self._down_since = self._down_since, None
        if down_since is not None:
            logger.warning("%s available again after %.1f s", self.name, time.monotonic() - down_since)

    def call(self, work: Callable[[], T], fallback: T) -> T:
        """``work()``, or ``fallback`` while the service is down or when it fails now."""
        if not self.allows_call():
            return fallback
        try:
            result = work()
        except UNAVAILABLE as exc:
            self.record_failure(exc)
            return fallback
        self.record_success()
        return result


_breakers: dict[str, Breaker] = {}


class ResilientRedisCache(RedisCache):
    """django-redis whose calls answer as an empty cache while Redis is unreachable.

    (django-redis's own ``IGNORE_EXCEPTIONS`` also swallows errors, but it tries the
    server on every call and logs every failure: an outage would cost each request the
    connect timeout, and fill the log.)
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._ignore_exceptions = False  # the breaker decides, below
        # Django makes a cache object per thread and per async context; the breaker, like
        # django-redis's connection pool, is one per server for the whole process.
        retry_seconds = float(params.get("OPTIONS", {}).get("RETRY_SECONDS", 5.0))
        self.breaker = _breakers.setdefault(server, Breaker("cache", retry_seconds=retry_seconds))

    def _guarded(self, method: Callable[..., T], fallback: T, *args, **kwargs) -> T:
        return self.breaker.call(lambda: method(*args, **kwargs), fallback)

    def get(self, key, default=None, version=None, client=None):
        return self._guarded(super().get, default, key, default=default, version=version, client=client)

    def get_many(self, *args, **kwargs):
        return self._guarded(super().get_many, {}, *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._guarded(super().set, False, *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._guarded(super().set_many, [], *args, **kwargs)

    def add(self, *args, **kwargs):
        return self._guarded(super().add, False, *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._guarded(super().touch, False, *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._guarded(super().has_key, False, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._guarded(super().delete, False, *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._guarded(super().delete_many, 0, *args, **kwargs)

    def delete_pattern(self, *args, **kwargs):
        return self._guarded(super().delete_pattern, 0, *args, **kwargs)

    def clear(self):
        return self._guarded(super().clear, False)

    def incr(self, *args, **kwargs):
        return _counted(self._guarded(super().incr, _NO_COUNTER, *args, **kwargs), args)

    def decr(self, *args, **kwargs):
        return _counted(self._guarded(super().decr, _NO_COUNTER, *args, **kwargs), args)

    def ping(self) -> bool:
        """Whether Redis answers now (for the health check): tried even while the breaker
        is open, so the check sees a recovery at once."""
        try:
            self.client.get_client(write=True).ping()
        except UNAVAILABLE as exc:
            self.breaker.record_failure(exc)
            return False
        self.breaker.record_success()
        return True


_NO_COUNTER = object()


def _counted(value: Any, args: tuple) -> Any:
    # No counter can be read: answer as for a missing key (Django's contract for incr).
    if value is _NO_COUNTER:
        raise ValueError(f"Key {args[0]!r} not found (the cache is unavailable).")
    return value
