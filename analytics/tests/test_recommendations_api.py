"""Recommendations and the summary through the real HTTP API with real JWTs."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from analytics.factories import RecommendationFactory
from analytics.models import Recommendation
from bookings.factories import BookingFactory, ClientFactory, ServiceFactory, StaffFactory
from bookings.models import Booking
from core.tenancy import unscoped_all_tenants
from tests.isolation import snapshot
from tests.plugin import api_client_for

pytestmark = pytest.mark.django_db

RECOMMENDATIONS = "/api/analytics/recommendations/"
GENERATE = "/api/analytics/recommendations/generate/"
SUMMARY = "/api/analytics/summary/"
S = Recommendation.Status


def detail(pk: int) -> str:
    return f"{RECOMMENDATIONS}{pk}/"


def days_ago(days: int, hour: int = 10) -> datetime:
    zone = ZoneInfo("Europe/London")
    return datetime.combine(timezone.localdate(timezone=zone) - timedelta(days=days), time(hour), zone)


def daily_bookings(tenant, *, service_name: str, no_shows: int, count: int = 7) -> None:
    """One booking a day at 10:00 over the last ``count`` days, the first ``no_shows`` missed."""
    service = ServiceFactory(tenant=tenant, name=service_name, price=Decimal("40.00"))
    staff, client = StaffFactory(tenant=tenant), ClientFactory(tenant=tenant)
    for n in range(count):
        status = Booking.Status.NO_SHOW if n < no_shows else Booking.Status.COMPLETED
        BookingFactory(
            tenant=tenant, service=service, staff=staff, client=client, starts_at=days_ago(n + 1), status=status
        )


def recommendations_of(tenant) -> list[Recommendation]:
    with unscoped_all_tenants("test read"):
        return list(Recommendation._base_manager.filter(tenant=tenant).order_by("pk"))


# Roles ------------------------------------------------------------------------------


def test_staff_read_but_cannot_change_or_generate(staff_a, tenant_a):
    recommendation = RecommendationFactory(tenant=tenant_a)
    staff = api_client_for(staff_a)

    assert staff.get(RECOMMENDATIONS).json()["count"] == 1
    assert staff.get(detail(recommendation.pk)).status_code == 200
    assert staff.patch(detail(recommendation.pk), {"status": "accepted"}).status_code == 403
    assert staff.post(GENERATE).status_code == 403
    assert staff.get(SUMMARY).status_code == 200
    recommendation.refresh_from_db()
    assert recommendation.status == S.NEW


def test_a_manager_accepts_then_completes_a_recommendation(manager_a, tenant_a):
    recommendation = RecommendationFactory(tenant=tenant_a)
    manager = api_client_for(manager_a)

    accepted = manager.patch(detail(recommendation.pk), {"status": "accepted"})
    done = manager.patch(detail(recommendation.pk), {"status": "done"})

    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    assert (done.status_code, done.json()["status"]) == (200, "done")
    recommendation.refresh_from_db()
    assert recommendation.status == S.DONE


@pytest.mark.parametrize(
    "start,wanted",
    [(S.DONE, "new"), (S.DONE, "accepted"), (S.ACCEPTED, "new"), (S.DISMISSED, "done"), (S.NEW, "maybe")],
)
def test_status_changes_outside_the_workflow_are_a_400(client_a, tenant_a, start, wanted):
    recommendation = RecommendationFactory(tenant=tenant_a, status=start)

    response = client_a.patch(detail(recommendation.pk), {"status": wanted})

    assert response.status_code == 400
    assert "status" in response.json()
    recommendation.refresh_from_db()
    assert recommendation.status == start


def test_only_the_status_can_be_patched(client_a, tenant_a):
    recommendation = RecommendationFactory(tenant=tenant_a, title="Promote cuts", priority=3)

    response = client_a.patch(detail(recommendation.pk), {"status": "accepted", "title": "Edited", "priority": 1})

    assert response.status_code == 400
    assert set(response.json()) == {"title", "priority"}
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.title, recommendation.priority) == (S.NEW, "Promote cuts", 3)


def test_recommendations_cannot_be_created_replaced_or_deleted(client_a, tenant_a):
    recommendation = RecommendationFactory(tenant=tenant_a)

    assert client_a.post(RECOMMENDATIONS, {"kind": "review_pricing"}).status_code == 405
    assert client_a.put(detail(recommendation.pk), {"status": "accepted"}).status_code == 405
    assert client_a.delete(detail(recommendation.pk)).status_code == 405


# Generate and summary --------------------------------------------------------------


def test_generate_uses_the_callers_business_only(client_a, tenant_a, tenant_b):
    daily_bookings(tenant_a, service_name="Cut and finish", no_shows=0)
    # Counted with A's, B's no-shows would make A a no-show problem (12 of 19).
    daily_bookings(tenant_b, service_name="Deep tissue massage", no_shows=12, count=12)
    b_kept = RecommendationFactory(tenant=tenant_b, status=S.NEW)
    before_b = snapshot(tenant_b)

    response = client_a.post(GENERATE)

    assert response.status_code == 201, response.content
    rows = response.json()
    assert {row["kind"] for row in rows} == {"fill_quiet_slots", "promote_top_service"}
    promote = next(row for row in rows if row["kind"] == "promote_top_service")
    assert (promote["metric"]["service"], promote["metric"]["bookings"], promote["metric"]["share"]) == (
        "Cut and finish",
        7,
        1.0,
    )
    assert [r.pk for r in recommendations_of(tenant_a)] == [row["id"] for row in rows]
    assert snapshot(tenant_b) == before_b
    assert [r.pk for r in recommendations_of(tenant_b)] == [b_kept.pk]


def test_the_summary_shows_the_callers_figures_only(client_b, tenant_a, tenant_b):
    daily_bookings(tenant_a, service_name="Cut and finish", no_shows=0)
    daily_bookings(tenant_b, service_name="Deep tissue massage", no_shows=2)

    response = client_b.get(SUMMARY)

    assert response.status_code == 200
    data = response.json()
    assert (data["bookings"], data["no_shows"], data["no_show_rate"]) == (7, 2, round(2 / 7, 4))
    assert data["top_service"]["name"] == "Deep tissue massage"
    assert data["top_service"]["bookings"] == 7
    assert len(data["by_weekday"]) == 7
    assert sum(day["bookings"] for day in data["by_weekday"]) == 7


def test_filters_and_ordering(client_a, tenant_a):
    high = RecommendationFactory(tenant=tenant_a, kind="reduce_no_shows", priority=1, status=S.NEW)
    low = RecommendationFactory(tenant=tenant_a, kind="promote_top_service", priority=3, status=S.ACCEPTED)

    def ids(query: dict) -> list[int]:
        response = client_a.get(RECOMMENDATIONS, query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids({"status": "accepted"}) == [low.pk]
    assert ids({"kind": "reduce_no_shows"}) == [high.pk]
    assert ids({"priority": 3}) == [low.pk]
    assert ids({"ordering": "-priority"}) == [low.pk, high.pk]
    assert ids({"ordering": "priority"}) == [high.pk, low.pk]


def test_b_cannot_touch_a_recommendations(client_b, tenant_a):
    recommendation = RecommendationFactory(tenant=tenant_a)
    before = snapshot(tenant_a)

    assert client_b.get(detail(recommendation.pk)).status_code == 404
    assert client_b.patch(detail(recommendation.pk), {"status": "dismissed"}).status_code == 404
    assert client_b.get(RECOMMENDATIONS).json()["count"] == 0
    assert snapshot(tenant_a) == before
