"""Cache entries of one tenant: every key carries the tenant, and one tenant's entries
are invalidated at once, in O(1), without touching another's.

Keys look like ``tenant:<id>:v<version>:<name>``. The version is a counter of its own
per tenant; invalidating bumps it, so the old entries are never read again and expire
by their timeout (no key scan, the same on local memory and on Redis). A counter that
is missing (never set, or evicted) starts again from the clock in microseconds, past
every generation before it, so an eviction can never bring old entries back.
Counters that must survive invalidation (rate limits) use ``tenant:<id>:counter:<name>``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.apps import apps
from django.core.cache import cache
from django.db import models, transaction

from .domains import normalise_custom_domain

if TYPE_CHECKING:
    from core.models import TenantSettings

T = TypeVar("T")
_MISSING = object()


def _version_key(tenant_id: int) -> str:
    return f"tenant:{tenant_id}:version"


def tenant_cache_version(tenant: TenantSettings) -> int:
    key = _version_key(tenant.pk)
    version = cache.get(key)
    if version is None:
        cache.add(key, _fresh_version(), timeout=None)  # another worker may have started it first
        version = cache.get(key) or _fresh_version()
    return version


def _fresh_version() -> int:
    return time.time_ns() // 1000


def tenant_cache_key(tenant: TenantSettings, name: str) -> str:
    """The key of ``name`` in ``tenant``'s current cache generation."""
    if tenant is None or tenant.pk is None:
        raise ValueError("A tenant cache key needs a saved tenant.")
    return f"tenant:{tenant.pk}:v{tenant_cache_version(tenant)}:{name}"


def tenant_counter_key(tenant: TenantSettings, name: str) -> str:
    """The key of a counter of ``tenant`` that must outlive invalidation (rate limits):
    forgetting a business's cached figures must not hand its clients a new budget."""
    if tenant is None or tenant.pk is None:
        raise ValueError("A tenant cache key needs a saved tenant.")
    return f"tenant:{tenant.pk}:counter:{name}"


def tenant_cache_get_or_set(*, tenant: TenantSettings, name: str, compute: Callable[[], T], timeout: int) -> T:
    """``name``'s cached value in ``tenant``, computed (and stored) when missing."""
    key = tenant_cache_key(tenant, name)
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout=timeout)
    return value


def tenant_cache_invalidate(*, tenant_id: int) -> None:
    """Forget every entry of the tenant, and only of it: now, for the rest of the running
    transaction, and again when it commits, because a concurrent request may have
    cached the old values in between. By id, so that a write hook need not load the tenant."""
    _next_generation(tenant_id)
    transaction.on_commit(lambda: _next_generation(tenant_id))


def _next_generation(tenant_id: int) -> None:
    key = _version_key(tenant_id)
    try:
        cache.incr(key)
    except ValueError:  # no count: any new one is past every old generation
        cache.add(key, _fresh_version(), timeout=None)


# Resolution: the only keys that carry no tenant, because they name one ------------------

RESOLUTION_SECONDS = 300


def resolution_cache_key(field: str, value: str) -> str:
    """The key under which the tenant whose ``field`` (slug or custom_domain) is ``value`` is kept."""
    return f"tenancy:tenant-by-{field}:{value}"


def cached_tenant(field: str, value: str) -> TenantSettings | None:
    """The tenant whose ``field`` is ``value``, from the cache once warm. Misses are not
    cached: hosts and slugs come from outside, and must not fill the cache."""
    key = resolution_cache_key(field, value)
    tenant = cache.get(key)
    if tenant is None:
        tenant = apps.get_model("core", "TenantSettings").objects.filter(**{field: value}).first()
        if tenant is not None:
            cache.set(key, tenant, timeout=RESOLUTION_SECONDS)
    return tenant


def forget_resolution(tenants: models.QuerySet) -> None:
    """Drop the cached resolution of every tenant in ``tenants`` (by slug and by domain)."""
    keys = []
    for slug, domain in tenants.values_list("slug", "custom_domain"):
        keys.append(resolution_cache_key("slug", slug))
        if domain:
            keys.append(resolution_cache_key("custom_domain", domain))
    if keys:
        cache.delete_many(keys)


class TenantSettingsQuerySet(models.QuerySet):
    """Bulk changes to tenants forget their cached resolution, before and after, so a
    renamed, moved or deactivated tenant is never served from the cache."""

    def update(self, **kwargs):
        if isinstance(kwargs.get("custom_domain"), str):
            kwargs["custom_domain"] = normalise_custom_domain(kwargs["custom_domain"])
        forget_resolution(self)
        changed = super().update(**kwargs)
        forget_resolution(self)
        return changed

    update.alters_data = True

    def delete(self):
        forget_resolution(self)
        return super().delete()

    delete.alters_data = True
