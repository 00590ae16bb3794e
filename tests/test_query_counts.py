"""Constant cost per request: every list and detail endpoint runs a pinned number of
queries, whatever the page size, the business's size or the number of businesses; and
the tenant costs no query of its own once resolution is warm."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.factories import UserFactory
from core.factories import TenantFactory
from tests.isolation import Route, build_world, grow_world, router_routes
from tests.plugin import api_client_for

pytestmark = pytest.mark.django_db

# Queries per request, savepoints aside: the user with their tenant (one query), then
# the rows. A list adds its bounded count.
DETAIL_QUERIES = 2
LIST_QUERIES = 3
# Endpoints that also fetch related rows in one more query each (prefetch_related).
EXTRA_QUERIES = {
    "booking-list": 3,  # its page first, then clients, services and staff by id
    "channel-member-detail": 1,
    "channel-member-list": 1,
    "channel-message-detail": 2,
    "channel-message-list": 2,
    "document-detail": 1,
    "document-list": 1,
    "message-attachment-detail": 1,
    "message-attachment-list": 1,
    "payment-session-detail": 1,
    "payment-session-list": 1,
    "staff-detail": 1,
    "staff-list": 1,
}


def pinned(route: Route) -> int:
    return (DETAIL_QUERIES if route.detail else LIST_QUERIES) + EXTRA_QUERIES.get(route.name, 0)


def read_routes() -> list[Route]:
    """GET routes that answer JSON (file downloads are not lists or details)."""
    return [route for route in router_routes() if "get" in route.methods and not route.name.endswith("-download")]


def statements(client, url: str) -> tuple[int, int]:
    client.get(url)  # warm: resolution cached, as after the first request of a worker
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    sql = [query["sql"] for query in captured.captured_queries]
    return response.status_code, len([s for s in sql if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))])


def measure(client, world, routes: list[Route], page_size: int) -> dict[str, tuple[int, int]]:
    found = {}
    for route in routes:
        if route.detail and route.model not in world:
            continue
        url = route.url_in(world, world[route.model].pk if route.detail else None)
        found[route.name] = statements(client, url if route.detail else f"{url}?page_size={page_size}")
    return found


def test_every_list_and_detail_runs_a_pinned_number_of_queries_whatever_the_size(tenant_a, owner_a):
    routes = read_routes()
    world = build_world(tenant_a, owner_a)
    client = api_client_for(owner_a)
    expected = {route.name: (200, pinned(route)) for route in routes if not route.detail or route.model in world}

    small = measure(client, world, routes, page_size=1)
    grow_world(world, tenant_a, times=3)
    for number in range(3):  # other businesses, with rows of every kind
        other = TenantFactory(slug=f"other-{number}")
        build_world(other, UserFactory(tenant=other))
    large = measure(client, world, routes, page_size=100)

    assert small == expected, {name: (small[name], expected[name]) for name in small if small[name] != expected[name]}
    assert large == expected, {name: (large[name], expected[name]) for name in large if large[name] != expected[name]}


def test_the_lists_really_grew_so_the_counts_above_mean_something(tenant_a, owner_a):
    world = build_world(tenant_a, owner_a)
    client = api_client_for(owner_a)
    before = client.get("/api/bookings/bookings/").json()["count"]
    grow_world(world, tenant_a, times=3)
    assert client.get("/api/bookings/bookings/").json()["count"] == before + 3


@pytest.mark.parametrize("named_by", ["header", "host"])
def test_a_warm_resolution_by_header_or_host_runs_no_query(named_by, tenant_a):
    tenant_a.custom_domain = "salon-a.example"
    tenant_a.save()
    naming = {"HTTP_X_TENANT_SLUG": "tenant-a"} if named_by == "header" else {"HTTP_HOST": "salon-a.example"}
    client = APIClient()
    client.get("/api/tenant/", **naming)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/tenant/", **naming)
    assert response.status_code == 200
    assert response.json()["slug"] == "tenant-a"
    assert [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]] == []


def test_a_signed_in_request_fetches_its_user_and_tenant_in_one_query(owner_a):
    client = api_client_for(owner_a)
    client.get("/api/tenant/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/tenant/")
    assert response.status_code == 200
    sql = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(sql) == 1
    assert '"accounts_user"' in sql[0] and '"core_tenantsettings"' in sql[0]
