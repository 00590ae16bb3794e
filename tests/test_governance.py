"""Keeping one busy business from slowing the others: its cap on requests in flight
holds across parallel requests, is given back on every way out of a request (an error,
a statement timeout, a client that gives up or drops a stream, a process that died),
leaves the other businesses alone, and is no cap at all while Redis is down; its
statements are stopped at its time limit. Against a Redis of each test's own."""

from __future__ import annotations

import time

import pytest
import requests
from rest_framework.test import APIClient

from core.tenancy import SLOT_REFUSED, request_slot_take, request_slots_reset, requests_of_day, slots_in_use
from tests.concurrency import at_once, http_session
from tests.rls import needs_postgresql

pytestmark = pytest.mark.urls("tests.governance_urls")
BRANDING = "/api/tenant/"


@pytest.fixture
def slots_redis(redis_server):
    """Request slots (the default cache's Redis) on a Redis of this test's own."""
    request_slots_reset()
    yield redis_server
    request_slots_reset()


def visitor(tenant, **kwargs) -> APIClient:
    return APIClient(HTTP_X_TENANT_SLUG=tenant.slug, **kwargs)


def eventually(condition, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.django_db
def test_a_business_at_its_cap_is_refused_and_the_others_are_not(slots_redis, tenant_a, tenant_b, settings):
    settings.TENANT_MAX_CONCURRENT_REQUESTS = 2
    held = [request_slot_take(tenant_a) for _ in range(2)]
    assert SLOT_REFUSED not in held and None not in held

    refused = visitor(tenant_a).get(BRANDING)
    assert refused.status_code == 429
    assert refused.json()["code"] == "business_busy"
    assert int(refused["Retry-After"]) >= 1
    assert visitor(tenant_b).get(BRANDING).status_code == 200

    held[0].release()
    assert visitor(tenant_a).get(BRANDING).status_code == 200
    assert slots_in_use(tenant_a) == 1  # the request gave its slot back


@pytest.mark.django_db
def test_a_business_of_its_own_cap(slots_redis, tenant_a, tenant_b, settings):
    settings.TENANT_MAX_CONCURRENT_REQUESTS = 1
    tenant_a.max_concurrent_requests = 3
    tenant_a.save()
    request_slot_take(tenant_a), request_slot_take(tenant_b)
    assert visitor(tenant_a).get(BRANDING).status_code == 200
    assert visitor(tenant_b).get(BRANDING).status_code == 429

    tenant_b.max_concurrent_requests = 0  # no cap for B
    tenant_b.save()
    assert visitor(tenant_b).get(BRANDING).status_code == 200


@pytest.mark.django_db
def test_no_cap_while_redis_is_down(slots_redis, tenant_a, settings):
    settings.TENANT_MAX_CONCURRENT_REQUESTS = 1
    request_slot_take(tenant_a)
    assert visitor(tenant_a).get(BRANDING).status_code == 429
    slots_redis.stop()
    assert [visitor(tenant_a).get(BRANDING).status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.django_db
def test_a_slot_of_a_process_that_died_lapses(slots_redis, tenant_a, settings):
    settings.TENANT_MAX_CONCURRENT_REQUESTS = 2
    settings.TENANT_REQUEST_SLOT_SECONDS = 2
    request_slot_take(tenant_a)  # its process dies: never given back
    time.sleep(1.2)
    request_slot_take(tenant_a)  # a long request, still in flight
    assert visitor(tenant_a).get(BRANDING).status_code == 429
    # The first lease ends while the second (and the set's own expiry) goes on.
    assert eventually(lambda: visitor(tenant_a).get(BRANDING).status_code == 200, seconds=1.5)


@pytest.mark.django_db
def test_a_slot_is_given_back_after_the_view_fails(slots_redis, tenant_a, settings):
    settings.TENANT_MAX_CONCURRENT_REQUESTS = 1
    assert visitor(tenant_a, raise_request_exception=False).get("/governed/fail/").status_code == 500
    assert slots_in_use(tenant_a) == 0
    assert visitor(tenant_a).get(BRANDING).status_code == 200


@pytest.mark.django_db
def test_each_business_requests_are_counted_by_day(slots_redis, tenant_a, tenant_b, settings):
    from django.utils import timezone

    settings.TENANT_MAX_CONCURRENT_REQUESTS = 0  # counted with no cap too
    for _ in range(3):
        visitor(tenant_a).get(BRANDING)
    visitor(tenant_b).get(BRANDING)
    APIClient().get("/healthz")
    APIClient().get("/api/schema/")  # the platform host: no business
    assert requests_of_day(timezone.now().date()) == {tenant_a.pk: 3, tenant_b.pk: 1}


@needs_postgresql
@pytest.mark.django_db
def test_a_slow_statement_is_stopped_at_the_business_limit(slots_redis, tenant_a, tenant_b, settings):
    settings.TENANT_STATEMENT_TIMEOUT_MS = 200
    tenant_b.statement_timeout_ms = 5000
    tenant_b.save()
    stopped = visitor(tenant_a).get("/governed/statement/", {"seconds": "2"})
    assert stopped.status_code == 503
    assert stopped.json()["code"] == "statement_timeout"
    assert slots_in_use(tenant_a) == 0
    assert visitor(tenant_b).get("/governed/statement/", {"seconds": "0.5"}).status_code == 200


# Parallel requests of several businesses at once: SQLite serialises them. Not among the
# suites run again through PgBouncer: the cap lives in Redis, and a small server pool
# there only staggers the requests' arrival, so that fewer of them overlap at all.
@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_cap_holds_under_parallel_requests(live_server, slots_redis, tenant_a, tenant_b, settings):
    settings.TENANT_MAX_CONCURRENT_REQUESTS = 3
    a = http_session(live_server.url, **{"X-Tenant-Slug": tenant_a.slug})
    b = http_session(live_server.url, **{"X-Tenant-Slug": tenant_b.slug})
    sleep = {"seconds": "3"}  # long enough that all eleven overlap on a busy machine
    calls = [lambda: a.get("/governed/sleep/", params=sleep) for _ in range(8)]
    calls += [lambda: b.get("/governed/sleep/", params=sleep) for _ in range(3)]
    codes = [response.status_code for response in at_once(calls)]
    assert sorted(codes[:8]) == [200] * 3 + [429] * 5, codes
    assert codes[8:] == [200] * 3, codes  # B at its own cap, never refused for A's
    assert slots_in_use(tenant_a) == slots_in_use(tenant_b) == 0


@pytest.mark.django_db(transaction=True)
def test_a_slot_is_given_back_when_the_client_gives_up(live_server, slots_redis, tenant_a, settings):
    settings.TENANT_MAX_CONCURRENT_REQUESTS = 1
    a = http_session(live_server.url, **{"X-Tenant-Slug": tenant_a.slug})
    with pytest.raises(requests.Timeout):
        a.get("/governed/sleep/", params={"seconds": "1"}, timeout=0.3)
    assert slots_in_use(tenant_a) == 1  # the view goes on without its client
    assert eventually(lambda: slots_in_use(tenant_a) == 0)
    assert a.get(BRANDING).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_stream_holds_its_slot_until_the_client_drops_it(live_server, slots_redis, tenant_a, settings):
    settings.TENANT_MAX_CONCURRENT_REQUESTS = 1
    a = http_session(live_server.url, **{"X-Tenant-Slug": tenant_a.slug})
    download = a.get("/governed/stream/", stream=True, timeout=5)
    assert download.status_code == 200
    assert len(next(download.iter_content(65536))) > 0
    assert slots_in_use(tenant_a) == 1
    assert a.get(BRANDING).status_code == 429  # the stream is still a request in flight
    download.close()  # the client goes away mid-download
    assert eventually(lambda: slots_in_use(tenant_a) == 0)
    assert a.get(BRANDING).status_code == 200
