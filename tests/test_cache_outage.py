"""The cache is an accelerator, never a dependency: with the cache's Redis stopped,
restarted empty or restored from an older snapshot, every request answers as it would
with no cache, no committed write turns into an error, and no figure is older than the
database. Against a private ``redis-server`` each test starts and stops itself."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db.models.signals import post_save
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.factories import BookingFactory, ClientFactory, ServiceFactory, StaffFactory, next_slot
from bookings.models import Booking
from core.tenancy import tenant_context
from tests.concurrency import receiving

pytestmark = pytest.mark.django_db
DASHBOARD = "/api/bookings/dashboard/"


def booking_body(tenant) -> dict:
    return {
        "client": ClientFactory(tenant=tenant).pk,
        "service": ServiceFactory(tenant=tenant).pk,
        "staff": StaffFactory(tenant=tenant).pk,
        "starts_at": next_slot(days=3).isoformat(),
    }


def test_every_kind_of_request_answers_while_the_cache_is_down(redis_server, tenant_a, owner_a, client_a):
    BookingFactory(tenant=tenant_a, starts_at=next_slot(days=1))
    anon_a = APIClient(HTTP_X_TENANT_SLUG=tenant_a.slug)
    # Warm: resolution, dashboard and score cached.
    assert anon_a.get("/api/tenant/").status_code == 200
    assert client_a.get(DASHBOARD).status_code == 200

    redis_server.stop()

    assert anon_a.get("/api/tenant/").json()["slug"] == tenant_a.slug  # resolution from the database
    assert anon_a.get("/api/bookings/public/services/").status_code == 200
    assert len(client_a.get(DASHBOARD).json()["upcoming"]) == 1
    assert client_a.get("/api/compliance/score/").status_code == 200
    created = client_a.post("/api/bookings/bookings/", booking_body(tenant_a), format="json")
    assert created.status_code == 201, created.content
    assert len(client_a.get(DASHBOARD).json()["upcoming"]) == 2
    health = APIClient().get("/healthz")
    assert (health.status_code, health.json()["status"], health.json()["cache"]) == (200, "degraded", "unavailable")


def test_a_cache_lost_between_the_write_and_its_commit_never_fails_the_write(redis_server, tenant_a, client_a):
    """The cache dies while the booking is being written, before COMMIT: the booking is
    committed and the client is told so."""

    def cache_dies(sender, instance, created, **kwargs):
        if created:
            redis_server.stop()

    body = booking_body(tenant_a)
    with receiving(post_save, cache_dies, sender=Booking):
        response = client_a.post("/api/bookings/bookings/", body, format="json")
    assert response.status_code == 201, response.content
    with tenant_context(tenant_a):
        assert Booking.objects.filter(pk=response.json()["id"]).exists()


def test_a_cache_restored_from_an_older_snapshot_never_serves_older_figures(redis_server, tenant_a, client_a):
    BookingFactory(tenant=tenant_a, starts_at=next_slot(days=1))
    assert len(client_a.get(DASHBOARD).json()["upcoming"]) == 1  # cached
    backup = redis_server.snapshot()  # holds the dashboard with one booking

    assert client_a.post("/api/bookings/bookings/", booking_body(tenant_a), format="json").status_code == 201
    assert len(client_a.get(DASHBOARD).json()["upcoming"]) == 2

    redis_server.restore(backup)
    assert len(client_a.get(DASHBOARD).json()["upcoming"]) == 2


def test_an_outage_is_logged_once_and_its_end_once(redis_server, tenant_a, client_a, caplog):
    caplog.set_level(logging.WARNING, logger="nbne.resilience")
    redis_server.stop()
    for _ in range(10):
        assert client_a.get(DASHBOARD).status_code == 200
    outage = [r for r in caplog.records if "cache unavailable" in r.getMessage()]
    assert len(outage) == 1

    redis_server.start()
    deadline = timezone.now() + timedelta(seconds=5)
    while timezone.now() < deadline and not any("available again" in r.getMessage() for r in caplog.records):
        assert client_a.get(DASHBOARD).status_code == 200
    assert len([r for r in caplog.records if "cache available again" in r.getMessage()]) == 1


def test_rate_limits_fall_back_to_a_local_limit_not_to_none(redis_server, tenant_a, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"public_booking": "3/minute"}}
    redis_server.stop()
    anon_a = APIClient(HTTP_X_TENANT_SLUG=tenant_a.slug)
    codes = [anon_a.post("/api/bookings/public/bookings/", {}, format="json").status_code for _ in range(5)]
    assert codes == [400, 400, 400, 429, 429]


def test_the_health_check_says_which_part_is_down_and_answers_plain_http(redis_server, settings):
    settings.SECURE_SSL_REDIRECT = True
    healthy = APIClient().get("/healthz")
    assert (healthy.status_code, healthy.json()) == (200, {"status": "ok", "database": "ok", "cache": "ok"})
    assert APIClient().get("/api/tenant/").status_code == 301  # everything else still goes to HTTPS
    redis_server.stop()
    degraded = APIClient().get("/healthz")
    assert (degraded.status_code, degraded.json()["status"], degraded.json()["cache"]) == (
        200,
        "degraded",
        "unavailable",
    )
