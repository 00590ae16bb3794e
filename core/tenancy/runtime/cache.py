"""Cache entries of one tenant: every key carries the tenant, and one tenant's entries
are invalidated at once, in O(1), without touching another's.

Keys look like ``tenant:<id>:g<generation>:<name>``. The generation is the tenant's
``cache_generation`` column in the database, bumped in the transaction of every write
that makes its figures stale: it commits with the write (or not at all), it is read
from the database, and so it never goes backwards, whatever the cache server does
(restarted empty, restored from an old snapshot, unreachable). Old entries are never
read again and expire by their timeout: no key scan.

The bump of a request's writes is made last, just before COMMIT (the tenant middleware
calls ``cache_generations_bump_pending``): the tenant's row is then locked only for the
moment of the commit, after every other lock of the transaction, so two writes of one
business never deadlock on it. Until then, the writing transaction itself reads past
the cache. Counters that must survive invalidation (rate limits) use
``tenant:<id>:counter:<name>``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.core.cache import cache
from django.db import models, transaction
from django.db.models import F

from ..declarations import Tenant, tenant_model
from ..scope import current_scope, scoped
from .domains import normalise_custom_domain

T = TypeVar("T")
_MISSING = object()


def tenant_cache_generation(tenant: Tenant) -> int:
    """The tenant's cache generation as committed (one indexed read: the in-memory row
    may be older, e.g. from the resolution cache)."""
    generation = tenant_model().objects.filter(pk=tenant.pk).values_list("cache_generation", flat=True).first()
    return generation or 0


def tenant_cache_key(tenant: Tenant, name: str) -> str:
    """The key of ``name`` in ``tenant``'s current cache generation."""
    if tenant is None or tenant.pk is None:
        raise ValueError("A tenant cache key needs a saved tenant.")
    return f"tenant:{tenant.pk}:g{tenant_cache_generation(tenant)}:{name}"


def tenant_counter_key(tenant: Tenant, name: str) -> str:
    """The key of a counter of ``tenant`` that must outlive invalidation (rate limits):
    forgetting a business's cached figures must not hand its clients a new budget."""
    if tenant is None or tenant.pk is None:
        raise ValueError("A tenant cache key needs a saved tenant.")
    return f"tenant:{tenant.pk}:counter:{name}"


def tenant_cache_get_or_set(*, tenant: Tenant, name: str, compute: Callable[[], T], timeout: int) -> T:
    """``name``'s cached value in ``tenant``, computed (and stored) when missing.

    A transaction that has itself written to the tenant computes afresh and stores
    nothing: its generation is bumped only as it commits."""
    stale = current_scope().stale_cache_generations
    if stale is not None and tenant.pk in stale:
        return compute()
    key = tenant_cache_key(tenant, name)
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout=timeout)
    return value


def tenant_cache_invalidate(*, tenant_id: int) -> None:
    """Forget every entry of the tenant, and only of it, when the running transaction
    commits (never before, never if it rolls back). By id, so that a write hook need not
    load the tenant."""
    stale = current_scope().stale_cache_generations
    if stale is not None:
        stale.add(tenant_id)
    else:
        _bump(tenant_id)


def tenant_cache_purge(*, tenant_id: int) -> None:
    """Delete every entry of the tenant at once, of every generation, its counters too:
    for a business deleted, or restored under an id a deleted one had, whose old entries
    must not be read by the new. On Redis by ``SCAN`` (never ``KEYS``); an unreachable
    cache answers as empty (``core.resilience``), and its entries expire by timeout."""
    pattern = f"tenant:{int(tenant_id)}:*"
    delete_pattern = getattr(cache, "delete_pattern", None)
    if delete_pattern is not None:
        delete_pattern(pattern)
        return
    # Local memory (one process, the embedded default) has no pattern delete: its keys
    # are read from its own table.
    internal = getattr(cache, "_cache", {})
    prefix = cache.make_key(pattern[:-1])
    for key in [k for k in list(internal) if k.startswith(prefix)]:
        cache.delete(key[len(cache.make_key("")) :])


def _bump(*tenant_ids: int) -> None:
    tenant_model().objects.filter(pk__in=tenant_ids).update(cache_generation=F("cache_generation") + 1)


@contextmanager
def cache_generations_collected() -> Iterator[None]:
    """Within the block (a request's transaction), writes only note which tenants'
    figures they made stale; ``cache_generations_bump_pending`` bumps them."""
    with scoped(stale_cache_generations=set()):
        yield


def cache_generations_bump_pending() -> None:
    """Bump the generations noted in the running block, in the transaction, as its last
    write (in id order, so that transactions never wait on each other in a cycle)."""
    stale = current_scope().stale_cache_generations
    if stale:
        _bump(*sorted(stale))
        stale.clear()


# Resolution: the only keys that carry no tenant, because they name one ------------------

RESOLUTION_SECONDS = 300


def resolution_cache_key(field: str, value: str) -> str:
    """The key under which the tenant whose ``field`` (slug or custom_domain) is ``value`` is kept."""
    return f"tenancy:tenant-by-{field}:{value}"


def cached_tenant(field: str, value: str) -> Tenant | None:
    """The tenant whose ``field`` is ``value``, from the cache once warm. Misses are not
    cached: hosts and slugs come from outside, and must not fill the cache."""
    key = resolution_cache_key(field, value)
    tenant = cache.get(key)
    if tenant is None:
        tenant = tenant_model().objects.filter(**{field: value}).first()
        if tenant is not None:
            cache.set(key, tenant, timeout=RESOLUTION_SECONDS)
    return tenant


def forget_resolution(tenants: models.QuerySet) -> None:
    """Drop the cached resolution of every tenant in ``tenants`` (by slug and by domain),
    now and again when the running transaction commits: a request that resolved the
    tenant in between read the row as it was before the change, and may have cached it."""
    keys = []
    for slug, domain in tenants.values_list("slug", "custom_domain"):
        keys.append(resolution_cache_key("slug", slug))
        if domain:
            keys.append(resolution_cache_key("custom_domain", domain))
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys), robust=True)


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
