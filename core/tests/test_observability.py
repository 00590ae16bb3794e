"""Seeing each business: request ids, /metrics, cross-tenant attempts and SQL comments."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from prometheus_client import REGISTRY
from rest_framework.test import APIClient

from accounts.tasks import password_reset_send
from bookings.factories import ServiceFactory
from core.models import SecurityEvent
from core.observability import context, jobs, metrics
from core.observability.logs import ContextFilter
from core.observability.sql import sql_comment
from core.tenancy import tenant_context, unscoped_all_tenants
from tests.plugin import api_client_for
from tests.rls import needs_postgresql

METRICS_TOKEN = "metrics-token-0123456789"


def attempts(kind: str) -> float:
    return REGISTRY.get_sample_value("tenancy_cross_tenant_attempts_total", {"kind": kind}) or 0.0


def security_events(**filters) -> list[SecurityEvent]:
    with unscoped_all_tenants("test: read security events"):
        return list(SecurityEvent.objects.filter(**filters))


@pytest.fixture
def records(caplog):
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(ContextFilter())  # as the console handler has it
    return caplog


# /metrics ----------------------------------------------------------------------------


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = METRICS_TOKEN


def test_metrics_do_not_exist_without_a_token_set(db, settings):
    settings.METRICS_TOKEN = ""
    response = APIClient().get("/metrics", HTTP_AUTHORIZATION="Bearer anything")
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.usefixtures("metrics_on")
@pytest.mark.parametrize(
    ("authorization", "status", "code"),
    [(None, 401, "not_authenticated"), ("Bearer wrong", 403, "permission_denied"), (METRICS_TOKEN, 401, None)],
)
def test_metrics_are_refused_without_the_bearer_token(authorization, status, code):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = APIClient().get("/metrics", **headers)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    if code:
        assert response.json()["code"] == code
    assert b"http_requests_total" not in response.content


@pytest.mark.django_db
@pytest.mark.usefixtures("metrics_on")
def test_metrics_are_served_on_the_platform_host_with_the_token():
    response = APIClient().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    assert response.status_code == 200
    assert b"tenancy_cross_tenant_attempts_total" in response.content


@pytest.mark.usefixtures("metrics_on")
def test_metrics_are_never_served_on_a_business_host(tenant_a):
    response = APIClient(HTTP_HOST="tenant-a.localhost").get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    assert response.status_code == 404
    assert b"http_requests_total" not in response.content


def test_only_the_busiest_businesses_get_a_label_of_their_own(tenant_a, tenant_b, settings):
    settings.METRICS_BUSINESS_LABELS, settings.METRICS_BUSINESS_WINDOW_SECONDS = 1, 0
    metrics.business_labels.reset()
    assert metrics.business_labels.label("tenant-a") == "tenant-a"
    assert metrics.business_labels.label("tenant-b") == "other"
    assert metrics.business_labels.label("tenant-a") == "tenant-a"
    assert metrics.business_labels.label(None) == "none"


def test_requests_are_counted_per_business(tenant_a, settings):
    settings.METRICS_BUSINESS_LABELS, settings.METRICS_BUSINESS_WINDOW_SECONDS = 5, 0
    metrics.business_labels.reset()
    labels = {"business": "tenant-a", "method": "GET", "status": "2xx"}
    before = REGISTRY.get_sample_value("http_requests_total", labels) or 0
    assert APIClient(HTTP_X_TENANT_SLUG="tenant-a").get("/api/tenant/").status_code == 200
    assert REGISTRY.get_sample_value("http_requests_total", labels) == before + 1


# Request ids ---------------------------------------------------------------------------


def test_a_request_id_is_generated_and_echoed(tenant_a):
    response = APIClient(HTTP_X_TENANT_SLUG="tenant-a").get("/api/tenant/")
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.parametrize(
    ("sent", "peer", "kept"),
    [
        ("frontend-0123456789", "127.0.0.1", True),
        ("frontend-0123456789", "203.0.113.9", False),  # not from a trusted proxy
        ("bad id\nforged=1", "127.0.0.1", False),
        ("x" * 65, "127.0.0.1", False),
    ],
)
def test_a_request_id_is_kept_only_from_a_trusted_proxy_and_well_formed(tenant_a, sent, peer, kept):
    client = APIClient(HTTP_X_TENANT_SLUG="tenant-a", REMOTE_ADDR=peer)
    echoed = client.get("/api/tenant/", HTTP_X_REQUEST_ID=sent)["X-Request-ID"]
    assert (echoed == sent) is kept
    assert context.TRUSTED_REQUEST_ID.fullmatch(echoed)


def test_the_access_line_names_the_route_business_status_and_request(tenant_a, records):
    response = APIClient(HTTP_X_TENANT_SLUG="tenant-a").get("/api/tenant/", HTTP_X_REQUEST_ID="trace-12345678")
    line = next(r for r in records.records if r.name == "nbne.access")
    assert (line.request_id, line.route, line.status) == ("trace-12345678", "tenant-branding", response.status_code)
    assert (line.tenant_id, line.tenant_slug) == (tenant_a.pk, "tenant-a")
    assert line.duration_ms >= 0


def test_a_task_message_carries_the_request_id_that_enqueued_it(tenant_a, records):
    headers: dict = {}
    with context.bound(request_id="trace-enqueued-1"):
        jobs.add_request_id(headers=headers)
    assert headers == {jobs.TASK_REQUEST_ID_HEADER: "trace-enqueued-1"}
    # As the worker runs it: the header's id is the context of the task's lines.
    with tenant_context(tenant_a):
        password_reset_send.apply(args=(0, "no-token"), headers=headers)
    line = next(r for r in records.records if r.name == "nbne.tasks")
    assert (line.request_id, line.route) == ("trace-enqueued-1", f"task:{password_reset_send.name}")


# Cross-tenant attempts -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_mismatch_is_counted_recorded_and_logged_with_both_businesses(owner_a, tenant_b, records):
    before = attempts("mismatch")
    client = api_client_for(owner_a, HTTP_X_TENANT_SLUG="tenant-b", REMOTE_ADDR="127.0.0.1")
    response = client.get("/api/auth/me/", HTTP_X_REQUEST_ID="attempt-12345678")
    assert response.status_code == 403
    assert attempts("mismatch") == before + 1
    [event] = security_events(kind="mismatch")
    assert (event.user_business_slug, event.business_slug, event.business_id) == ("tenant-a", "tenant-b", tenant_b.pk)
    assert (event.user_id, event.request_id, event.address) == (owner_a.pk, "attempt-12345678", "127.0.0.1")


@pytest.mark.django_db
def test_another_businesss_id_in_the_url_is_a_foreign_id(client_a, tenant_b):
    service = ServiceFactory(tenant=tenant_b)
    before = attempts("foreign_id")
    assert client_a.get(f"/api/bookings/services/{service.pk}/").status_code == 404
    assert attempts("foreign_id") == before + 1
    [event] = security_events(kind="foreign_id")
    assert (event.user_business_slug, event.business_slug, event.reason) == ("tenant-a", "tenant-b", "foreign_service")


@pytest.mark.django_db
def test_many_attempts_raise_one_alert_per_window_naming_both_businesses(owner_a, tenant_b, settings, records):
    settings.SECURITY_EVENTS_THRESHOLD = 3
    client = api_client_for(owner_a, HTTP_X_TENANT_SLUG="tenant-b")
    for _ in range(6):
        client.get("/api/auth/me/")
    alerts = [r for r in records.records if r.name == "nbne.security.alert"]
    assert len(alerts) == 1
    assert alerts[0].levelno == logging.ERROR
    assert (alerts[0].source_business, alerts[0].target_business) == ("tenant-a", "tenant-b")
    assert len(security_events()) == 6


# SQL comments -----------------------------------------------------------------------------


def test_the_comment_is_url_encoded_and_cannot_close_itself(tenant_a):
    with tenant_context(tenant_a), context.bound(route="it's*/ DROP", request_id="r-12345678"):
        comment = sql_comment()
    assert comment == f"/*request_id='r-12345678',route='it%27s%2A%2F%20DROP',tenant_id='{tenant_a.pk}'*/ "


@needs_postgresql
def test_every_statement_of_a_request_names_its_business_and_route(tenant_a, client_a):
    seen: list[str] = []

    def capture(execute, sql, params, many, ctx):
        seen.append(sql)
        return execute(sql, params, many, ctx)

    connection.ensure_connection()
    with connection.execute_wrapper(capture):
        response = client_a.get("/api/bookings/services/", HTTP_X_REQUEST_ID="trace-sql-1234")
    assert response.status_code == 200
    scoped = [sql for sql in seen if f"tenant_id='{tenant_a.pk}'" in sql]
    work = [sql for sql in seen if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]  # control: bare
    assert scoped and all(sql.startswith("/*request_id='trace-sql-1234',route='service-list'") for sql in work)


# The operators' page ----------------------------------------------------------------------


@pytest.mark.django_db
def test_operators_see_attempts_and_their_daily_counts_and_businesses_do_not(operator, owner_a, tenant_b):
    from django.test import Client

    api_client_for(owner_a, HTTP_X_TENANT_SLUG="tenant-b").get("/api/auth/me/")
    as_operator = Client()
    as_operator.force_login(operator)
    listing = as_operator.get("/admin/core/securityevent/?kind=mismatch")
    assert listing.status_code == 200 and b"tenant-b" in listing.content
    summary = as_operator.get("/admin/core/securityevent/summary/")
    assert summary.status_code == 200
    assert b"<td>mismatch</td><td>1</td>" in summary.content
    owner_a.is_staff = True
    owner_a.save()
    as_owner = Client(HTTP_HOST="tenant-a.localhost")
    as_owner.force_login(owner_a)
    assert as_owner.get("/admin/core/securityevent/").status_code in (403, 404, 302)
    assert as_owner.get("/admin/core/securityevent/summary/").status_code in (403, 404, 302)
