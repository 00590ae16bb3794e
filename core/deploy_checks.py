"""Deploy checks of what the platform shares between its processes."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_redis(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Production runs several web processes (WEB_CONCURRENCY), which share their cache,
    rate limits, request caps, socket tickets and live messages through Redis. Without
    REDIS_URL each process keeps its own in memory: a ticket could open one socket per
    process, and a message posted in one process reaches no socket held by another."""
    if settings.REDIS_URL:
        return []
    return [
        checks.Warning(
            "REDIS_URL is not set: the cache, rate limits, request caps, socket tickets and live chat "
            "messages stay in each process's memory.",
            hint="Set REDIS_URL; with one web process only (WEB_CONCURRENCY=1), silence core.W001.",
            id="core.W001",
        )
    ]
