"""Cache entries are per tenant: keys carry the tenant, invalidation is per tenant.

In CI these run on the real Redis of REDIS_URL (django-redis); locally on local memory.
"""

from __future__ import annotations

import os
import threading

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from rest_framework.test import APIClient

from core.factories import TenantFactory
from core.tenancy import tenant_cache_generation, tenant_cache_get_or_set, tenant_cache_invalidate, tenant_cache_key
from tests.concurrency import at_once
from tests.rls import needs_postgresql

pytestmark = pytest.mark.django_db


def test_ci_runs_these_on_redis():
    backend = settings.CACHES["default"]["BACKEND"]
    assert ("RedisCache" in backend) == bool(os.environ.get("REDIS_URL"))


def test_the_same_name_makes_different_keys_per_tenant(tenant_a, tenant_b):
    key_a, key_b = tenant_cache_key(tenant_a, "dashboard"), tenant_cache_key(tenant_b, "dashboard")
    assert key_a != key_b
    assert f"tenant:{tenant_a.pk}:" in key_a and f"tenant:{tenant_b.pk}:" in key_b


def test_a_tenant_never_reads_another_tenants_entry(tenant_a, tenant_b):
    assert tenant_cache_get_or_set(tenant=tenant_a, name="figures", compute=lambda: "A's", timeout=60) == "A's"
    assert tenant_cache_get_or_set(tenant=tenant_b, name="figures", compute=lambda: "B's", timeout=60) == "B's"
    assert tenant_cache_get_or_set(tenant=tenant_a, name="figures", compute=lambda: "again", timeout=60) == "A's"


def test_invalidating_one_tenant_leaves_the_other_cached(tenant_a, tenant_b):
    for tenant in (tenant_a, tenant_b):
        tenant_cache_get_or_set(tenant=tenant, name="figures", compute=lambda t=tenant: t.slug, timeout=60)
    version_b = tenant_cache_generation(tenant_b)

    tenant_cache_invalidate(tenant_id=tenant_a.pk)

    computed = []
    for tenant in (tenant_a, tenant_b):
        tenant_cache_get_or_set(
            tenant=tenant, name="figures", compute=lambda t=tenant: computed.append(t.slug), timeout=60
        )
    assert computed == ["tenant-a"]
    assert tenant_cache_generation(tenant_b) == version_b


def test_a_cache_server_that_forgets_or_goes_back_never_serves_older_figures(tenant_a):
    """The generation lives in the database: emptying the cache, or bringing back an
    older copy of it (a restored snapshot), cannot make a stale entry current again."""
    assert tenant_cache_get_or_set(tenant=tenant_a, name="figures", compute=lambda: "old", timeout=60) == "old"
    old_key = tenant_cache_key(tenant_a, "figures")
    tenant_cache_invalidate(tenant_id=tenant_a.pk)
    assert tenant_cache_get_or_set(tenant=tenant_a, name="figures", compute=lambda: "new", timeout=60) == "new"

    cache.clear()  # restarted empty
    assert tenant_cache_get_or_set(tenant=tenant_a, name="figures", compute=lambda: "newer", timeout=60) == "newer"
    cache.set(old_key, "old", timeout=60)  # an old snapshot comes back, with the old entry
    assert tenant_cache_get_or_set(tenant=tenant_a, name="figures", compute=lambda: "never", timeout=60) == "newer"


@needs_postgresql  # threads writing the generations at once: SQLite locks its test database
def test_concurrent_computations_of_two_tenants_never_mix(tenant_a, tenant_b):
    both_computing = threading.Barrier(2, timeout=10)
    results: dict[str, list] = {"tenant-a": [], "tenant-b": []}

    def compute_for(tenant):
        def compute():
            both_computing.wait()  # both tenants are inside compute() at once
            return f"figures of {tenant.slug}"

        return compute

    def worker(tenant):
        for _ in range(20):
            tenant_cache_invalidate(tenant_id=tenant.pk)  # every round computes, in both threads at once
            value = tenant_cache_get_or_set(tenant=tenant, name="figures", compute=compute_for(tenant), timeout=60)
            results[tenant.slug].append(value)

    threads = [threading.Thread(target=worker, args=(t,)) for t in (tenant_a, tenant_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {"tenant-a": ["figures of tenant-a"] * 20, "tenant-b": ["figures of tenant-b"] * 20}


DASHBOARD = "/api/bookings/dashboard/"


def test_the_dashboard_is_cached_per_tenant_and_a_booking_refreshes_only_its_own(
    client_a, client_b, tenant_a, tenant_b
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bookings.factories import BookingFactory, next_slot

    first = BookingFactory(tenant=tenant_a, starts_at=next_slot(days=1))
    with CaptureQueriesContext(connection) as computing:
        assert [b["id"] for b in client_a.get(DASHBOARD).json()["upcoming"]] == [first.pk]
    computed_with = len(computing)  # read now: the next request resets the query log
    assert client_b.get(DASHBOARD).json()["upcoming"] == []
    with CaptureQueriesContext(connection) as cached:
        assert [b["id"] for b in client_a.get(DASHBOARD).json()["upcoming"]] == [first.pk]
    assert len(cached) < computed_with  # served from the cache

    version_b = tenant_cache_generation(tenant_b)
    second = BookingFactory(tenant=tenant_a, starts_at=next_slot(days=2))
    assert [b["id"] for b in client_a.get(DASHBOARD).json()["upcoming"]] == [first.pk, second.pk]
    assert tenant_cache_generation(tenant_b) == version_b
    assert client_b.get(DASHBOARD).json()["upcoming"] == []


# Resolution by slug and domain ---------------------------------------------------------


def _tenant_queries(run) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        run()
    return sum("core_tenantsettings" in q["sql"] for q in queries.captured_queries)


def test_resolution_by_slug_and_domain_costs_no_query_once_warm(tenant_a, anon):
    type(tenant_a).objects.filter(pk=tenant_a.pk).update(custom_domain="salon.example.com")
    by_header = lambda: anon.get("/api/tenant/", HTTP_X_TENANT_SLUG="tenant-a")  # noqa: E731
    by_domain = lambda: anon.get("/api/tenant/", HTTP_HOST="salon.example.com")  # noqa: E731
    for request in (by_header, by_domain):
        assert _tenant_queries(request) == 1
        assert _tenant_queries(request) == 0
        assert request().json()["slug"] == "tenant-a"


def test_a_changed_domain_or_slug_is_never_served_from_the_cache(tenant_a, anon):
    tenant_a.custom_domain = "old.example.com"
    tenant_a.save()
    assert anon.get("/api/tenant/", HTTP_HOST="old.example.com").status_code == 200
    assert anon.get("/api/tenant/", HTTP_X_TENANT_SLUG="tenant-a").status_code == 200

    tenant_a.custom_domain = "new.example.com"
    tenant_a.slug = "tenant-a-renamed"
    tenant_a.save()

    assert anon.get("/api/tenant/", HTTP_HOST="old.example.com").status_code == 400
    assert anon.get("/api/tenant/", HTTP_X_TENANT_SLUG="tenant-a").status_code == 404
    assert anon.get("/api/tenant/", HTTP_HOST="new.example.com").json()["slug"] == "tenant-a-renamed"


@needs_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ["save", "bulk update"])
def test_a_deactivation_applies_from_the_first_request_after_commit_whatever_was_read_meanwhile(change):
    """A request resolving the business while the deactivation is not yet committed reads
    it as active and caches it so; the commit must forget that too."""
    tenant = TenantFactory(slug="tenant-c")

    def status_seen_by_another_request() -> int:
        return at_once([lambda: APIClient().get("/api/tenant/", HTTP_X_TENANT_SLUG="tenant-c").status_code])[0]

    assert status_seen_by_another_request() == 200
    with transaction.atomic():
        if change == "save":
            tenant.is_active = False
            tenant.save()
        else:
            type(tenant).objects.filter(pk=tenant.pk).update(is_active=False)
        assert status_seen_by_another_request() == 200  # not committed yet
    assert status_seen_by_another_request() == 403


def test_a_tenant_deactivated_in_bulk_is_refused_at_once(tenant_a, anon):
    assert anon.get("/api/tenant/", HTTP_X_TENANT_SLUG="tenant-a").status_code == 200
    type(tenant_a).objects.filter(pk=tenant_a.pk).update(is_active=False)
    response = anon.get("/api/tenant/", HTTP_X_TENANT_SLUG="tenant-a")
    assert response.status_code == 403
    assert response.json()["code"] == "tenant_inactive"


def test_a_write_bumps_the_generation_in_its_own_transaction(tenant_a):
    from django.db import transaction

    from bookings.factories import BookingFactory

    generation = tenant_cache_generation(tenant_a)
    with transaction.atomic():
        BookingFactory(tenant=tenant_a)
        transaction.set_rollback(True)
    assert tenant_cache_generation(tenant_a) == generation  # rolled back with the write
    BookingFactory(tenant=tenant_a)
    assert tenant_cache_generation(tenant_a) > generation


def test_the_compliance_score_is_cached_per_tenant_and_forgotten_by_a_recompute(owner_a, client_a, client_b, tenant_b):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    score = "/api/compliance/score/"
    first = client_a.get(score).json()
    # The first read computes the score, and a computation forgets what was cached while
    # it ran; the read after it stores the result.
    assert client_a.get(score).json() == first
    with CaptureQueriesContext(connection) as cached:
        assert client_a.get(score).json() == first
    assert not any("compliance_peaceofmindscore" in q["sql"] for q in cached.captured_queries)

    version_b = tenant_cache_generation(tenant_b)
    recomputed = client_a.post(f"{score}recompute/", {"reason": "test"}).json()
    assert recomputed["computed_at"] != first["computed_at"]
    assert client_a.get(score).json()["computed_at"] == recomputed["computed_at"]
    assert tenant_cache_generation(tenant_b) == version_b
    assert client_b.get(score).json()["computed_at"] != recomputed["computed_at"]


def test_rate_limits_are_counted_per_business_and_survive_invalidation(tenant_a, tenant_b, settings):
    """The public booking limit is per client per business, kept under the business's
    keys: using it up at A leaves B's untouched, and forgetting A's cached figures (as
    every new booking does) does not hand out a fresh budget."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"public_booking": "2/minute"}}
    url = "/api/bookings/public/bookings/"
    at_a, at_b = APIClient(HTTP_X_TENANT_SLUG="tenant-a"), APIClient(HTTP_X_TENANT_SLUG="tenant-b")

    assert [at_a.post(url, {}, format="json").status_code for _ in range(2)] == [400, 400]
    assert at_a.post(url, {}, format="json").status_code == 429
    assert at_b.post(url, {}, format="json").status_code == 400
    tenant_cache_invalidate(tenant_id=tenant_a.pk)
    assert at_a.post(url, {}, format="json").status_code == 429
