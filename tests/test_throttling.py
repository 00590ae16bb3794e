"""Rate limits per business and per client: atomic under a parallel burst, and per real
client address behind the trusted proxies, never per whatever a client claims."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.factories import UserFactory
from accounts.models import AuditLogEntry
from core.tenancy import tenant_context
from tests.concurrency import at_once, http_session
from tests.rls import needs_postgresql

PUBLIC_BOOKINGS = "/api/bookings/public/bookings/"


@pytest.fixture
def limit_of(settings):
    def set_limit(rate: str) -> None:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"public_booking": rate}}

    return set_limit


@needs_postgresql  # sixty parallel requests writing at once: SQLite serialises and locks instead
@pytest.mark.pooled
@pytest.mark.django_db(transaction=True)
def test_a_parallel_burst_never_passes_the_limit(live_server, tenant_a, limit_of):
    limit_of("30/minute")
    visitor = http_session(live_server.url, **{"X-Tenant-Slug": tenant_a.slug})
    responses = at_once([lambda: visitor.post(PUBLIC_BOOKINGS, json={}) for _ in range(60)])
    codes = [response.status_code for response in responses]
    assert codes.count(429) == 30, codes
    assert all(response.headers.get("Retry-After") for response in responses if response.status_code == 429)


@pytest.mark.django_db
def test_a_client_cannot_pick_a_fresh_identity_with_x_forwarded_for(tenant_a, limit_of):
    limit_of("2/minute")
    visitor = APIClient(HTTP_X_TENANT_SLUG=tenant_a.slug, REMOTE_ADDR="203.0.113.9")
    codes = [
        visitor.post(PUBLIC_BOOKINGS, {}, format="json", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(4)
    ]
    assert codes == [400, 400, 429, 429]


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_visitor_has_a_budget_of_their_own(tenant_a, limit_of, settings):
    limit_of("2/minute")
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = APIClient(HTTP_X_TENANT_SLUG=tenant_a.slug, REMOTE_ADDR="10.1.2.3")

    def post_as(chain: str) -> int:
        return proxy.post(PUBLIC_BOOKINGS, {}, format="json", HTTP_X_FORWARDED_FOR=chain).status_code

    assert [post_as("198.51.100.1") for _ in range(3)] == [400, 400, 429]
    assert post_as("198.51.100.2") == 400  # another visitor through the same proxy
    # What a visitor writes left of the proxies' own entry is not believed.
    assert post_as("192.0.2.77, 198.51.100.1") == 429
    assert post_as("192.0.2.78, 198.51.100.1, 10.9.9.9") == 429


@pytest.mark.django_db
def test_the_audit_log_records_the_visitors_address_behind_a_trusted_proxy(tenant_a, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    user = UserFactory(tenant=tenant_a, username="tenant-a-someone", password="right-password-1")
    response = APIClient(REMOTE_ADDR="10.1.2.3").post(
        "/api/auth/token/",
        {"username": user.username, "password": "right-password-1"},
        format="json",
        HTTP_X_TENANT_SLUG=tenant_a.slug,
        HTTP_X_FORWARDED_FOR="192.0.2.5, 198.51.100.7",
    )
    assert response.status_code == 200, response.content
    with tenant_context(tenant_a):
        assert AuditLogEntry.objects.get(user=user, action="login").ip_address == "198.51.100.7"
