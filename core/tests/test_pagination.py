"""Pagination that never counts past a bound, so a big business's lists cost what a
small one's do, with honest counts and links, and a clear 404 for a page that isn't."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.factories import ServiceFactory
from core.pagination import StandardPagination

pytestmark = pytest.mark.django_db

SERVICES = "/api/bookings/services/"


@pytest.fixture
def five_services(tenant_a, tenant_b):
    ServiceFactory.create_batch(2, tenant=tenant_b)  # never counted for A
    return ServiceFactory.create_batch(5, tenant=tenant_a)


def test_a_short_list_has_an_exact_count_and_the_links_walk_every_page(client_a, five_services):
    seen, url = [], f"{SERVICES}?page_size=2"
    pages = 0
    while url:
        body = client_a.get(url).json()
        assert (body["count"], body["count_is_exact"]) == (5, True)
        seen += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 3
    assert sorted(seen) == sorted(service.pk for service in five_services)

    last = client_a.get(f"{SERVICES}?page_size=2&page=3").json()
    assert last["next"] is None
    assert "page=2" in last["previous"]
    assert "page=" not in client_a.get(f"{SERVICES}?page_size=2&page=2").json()["previous"]


def test_past_the_limit_the_count_stops_and_says_so(client_a, five_services, monkeypatch):
    monkeypatch.setattr(StandardPagination, "count_limit", 3)
    with CaptureQueriesContext(connection) as captured:
        body = client_a.get(f"{SERVICES}?page_size=2").json()

    assert (body["count"], body["count_is_exact"]) == (3, False)
    assert body["next"] is not None
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1 and "LIMIT 4" in counts[0]  # the database stops at the bound too


@pytest.mark.parametrize("page", ["0", "-1", "abc", "4", "99999999999999999999", "1e3"])
def test_a_page_that_does_not_exist_is_a_json_404(client_a, five_services, page):
    response = client_a.get(f"{SERVICES}?page_size=2&page={page}")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_an_empty_list_is_one_empty_page(client_a, tenant_a):
    body = client_a.get(SERVICES).json()
    assert body == {"count": 0, "count_is_exact": True, "next": None, "previous": None, "results": []}
