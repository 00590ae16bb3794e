"""The application-level layer: fail-closed queries, write guards, the scoped mixin."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction
from django.db.models import Count
from rest_framework import serializers, viewsets

from bookings.factories import BookingFactory, ClientFactory, ServiceFactory, StaffFactory
from bookings.models import Booking, Client, Service
from core.tenancy import (
    TenantQuerySetMixin,
    TenantScopeError,
    TenantSerializer,
    no_tenant,
    scope_queryset,
    tenant_context,
    unscoped_all_tenants,
)
from tests.plugin import bearer

# Declared at import time, with no tenant in scope: binding happens when it runs.
ACTIVE_SERVICES = Service.objects.filter(is_active=True)


@pytest.fixture
def two_services(tenant_a, tenant_b):
    return ServiceFactory(tenant=tenant_a, name="A cut"), ServiceFactory(tenant=tenant_b, name="B cut")


def test_a_query_with_no_tenant_in_scope_raises(two_services):
    with no_tenant(), pytest.raises(TenantScopeError, match="no tenant in scope"):
        list(Service.objects.all())


@pytest.mark.parametrize(
    "run",
    [
        lambda qs: qs.count(),
        lambda qs: qs.exists(),
        lambda qs: qs.first(),
        lambda qs: list(qs.values_list("pk")),
        lambda qs: qs.update(description="x"),
        lambda qs: qs.delete(),
        lambda qs: qs.aggregate(n=Count("pk")),
        lambda qs: list(Booking.objects.filter(service__in=qs)),
    ],
    ids=["count", "exists", "first", "values", "update", "delete", "aggregate", "subquery"],
)
def test_every_way_of_running_a_query_fails_closed(two_services, run):
    with no_tenant(), pytest.raises(TenantScopeError):
        run(Service.objects.all())


def test_scoped_queries_see_only_the_tenant_in_scope(two_services, tenant_a):
    with tenant_context(tenant_a):
        assert list(Service.objects.values_list("name", flat=True)) == ["A cut"]
        assert Service.objects.count() == 1
        assert Service.objects.filter(name="B cut").update(description="changed") == 0


def test_querysets_declared_at_import_bind_when_they_run(two_services, tenant_a, tenant_b):
    with tenant_context(tenant_a):
        assert [s.name for s in ACTIVE_SERVICES.all()] == ["A cut"]
    with tenant_context(tenant_b):
        assert [s.name for s in ACTIVE_SERVICES.all()] == ["B cut"]


def test_a_queryset_bound_to_one_tenant_refuses_to_run_for_another(two_services, tenant_a, tenant_b):
    with tenant_context(tenant_a):
        queryset = Service.objects.all()
        list(queryset)
    queryset = queryset.filter(is_active=True)
    with tenant_context(tenant_b), pytest.raises(TenantScopeError, match="bound to tenant"):
        list(queryset)


def test_an_explicit_tenant_filter_binds_the_query_instead_of_repeating(two_services, tenant_a, tenant_b):
    with tenant_context(tenant_a):
        queryset = scope_queryset(Service.objects.all(), tenant_a)
        assert str(queryset.query).count('"tenant_id" =') == 1
        assert str(scope_queryset(queryset, tenant_a).query).count('"tenant_id" =') == 1
        assert [s.name for s in queryset] == ["A cut"]
        # Narrowed to one tenant and run in another's scope: refused, not an empty answer.
        with pytest.raises(TenantScopeError, match="bound to tenant"):
            list(scope_queryset(Service.objects.all(), tenant_b))
    with no_tenant(), pytest.raises(TenantScopeError, match="no tenant in scope"):
        list(scope_queryset(Service.objects.all(), tenant_a))


class ServicePickSerializer(TenantSerializer):
    # A queryset the manager does not bind: only the serializer's own narrowing applies.
    service = serializers.PrimaryKeyRelatedField(queryset=Service._base_manager.all())
    services = serializers.PrimaryKeyRelatedField(queryset=Service._base_manager.all(), many=True)


def test_related_fields_accept_only_rows_of_the_tenant_in_scope_when_validating(two_services, tenant_a):
    own, foreign = two_services
    serializer = ServicePickSerializer(data={"service": foreign.pk, "services": [own.pk, foreign.pk]})
    # Its fields are built before any tenant is in scope, and narrowed when it validates.
    assert set(serializer.fields) == {"service", "services"}
    with tenant_context(tenant_a):
        assert not serializer.is_valid()
        assert {name: [e.code for e in errors] for name, errors in serializer.errors.items()} == {
            "service": ["does_not_exist"],
            "services": ["does_not_exist"],
        }
        valid = ServicePickSerializer(data={"service": own.pk, "services": [own.pk]})
        assert valid.is_valid(), valid.errors


def test_reverse_relations_are_scoped_too(tenant_a, tenant_b):
    client = ClientFactory(tenant=tenant_a)
    with no_tenant(), pytest.raises(TenantScopeError):
        list(client.bookings.all())


def test_the_bypass_is_explicit_and_audited(two_services, caplog):
    with caplog.at_level(logging.INFO, logger="nbne.tenancy.audit"), unscoped_all_tenants("nightly report"):
        assert Service.objects.count() == 2
    assert "tenant_bypass reason=nightly report" in caplog.text
    with pytest.raises(ValueError):
        unscoped_all_tenants("").__enter__()


# Write guards --------------------------------------------------------------------------


def test_a_row_takes_the_tenant_in_scope(tenant_a):
    with tenant_context(tenant_a):
        service = Service.objects.create(name="Trim", duration_minutes=15, price=5)
    assert service.tenant == tenant_a


def test_a_row_of_another_tenant_cannot_be_written_in_scope(tenant_a, tenant_b):
    with tenant_context(tenant_b), pytest.raises(TenantScopeError):
        Service.objects.create(tenant=tenant_a, name="Sneaky", duration_minutes=15, price=5)
    with unscoped_all_tenants("test"):
        assert not Service.objects.filter(name="Sneaky").exists()


def test_the_tenant_of_a_row_never_changes(tenant_a, tenant_b):
    service = ServiceFactory(tenant=tenant_a)
    with unscoped_all_tenants("test"):
        service = Service.objects.get(pk=service.pk)
        service.tenant = tenant_b
        with pytest.raises(TenantScopeError, match="never changes"):
            service.save()
        with pytest.raises(TenantScopeError, match="never changes"):
            Service.objects.filter(pk=service.pk).update(tenant=tenant_b)


def test_a_row_cannot_point_at_another_tenants_row(tenant_a, tenant_b):
    booking = BookingFactory(tenant=tenant_b)
    booking.service = ServiceFactory(tenant=tenant_a)
    with pytest.raises(TenantScopeError, match="another tenant"):
        booking.save()


def test_bulk_create_is_guarded(tenant_a, tenant_b):
    with tenant_context(tenant_b), pytest.raises(TenantScopeError):
        Client.objects.bulk_create([Client(tenant=tenant_a, name="x")])


def test_many_to_many_links_never_cross_tenants(tenant_a, tenant_b):
    staff = StaffFactory(tenant=tenant_b)
    foreign = ServiceFactory(tenant=tenant_a)
    with pytest.raises(TenantScopeError), transaction.atomic():
        staff.services.add(foreign)
    with unscoped_all_tenants("test"):
        assert staff.services.count() == 0


# The DRF mixin ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get_queryset", "get_object", "get_parent"])
def test_a_viewset_cannot_override_the_scoped_methods(method):
    with pytest.raises(TypeError, match=method):
        type("Leaky", (TenantQuerySetMixin, viewsets.ModelViewSet), {method: lambda self, *a: None})


def test_tenant_is_never_writable_from_input(client_b, tenant_a, tenant_b):
    response = client_b.post(
        "/api/bookings/services/",
        {"name": "Smuggled", "duration_minutes": 30, "price": "10.00", "tenant": tenant_a.pk},
    )
    assert response.status_code == 201
    assert "tenant" not in response.json()
    with unscoped_all_tenants("test"):
        assert Service.objects.get(name="Smuggled").tenant == tenant_b


def test_a_duplicate_name_in_the_same_tenant_is_a_400_but_free_in_another(client_a, client_b):
    body = {"name": "Balayage", "duration_minutes": 120, "price": "90.00"}
    assert client_a.post("/api/bookings/services/", body).status_code == 201
    assert client_a.post("/api/bookings/services/", body).status_code == 400
    assert client_b.post("/api/bookings/services/", body).status_code == 201


def test_a_foreign_id_is_audited_with_both_tenants(client_b, tenant_a, caplog):
    foreign = ServiceFactory(tenant=tenant_a)
    with caplog.at_level(logging.WARNING, logger="nbne.tenancy.audit"):
        assert client_b.get(f"/api/bookings/services/{foreign.pk}/").status_code == 404
    assert "reason=foreign_service" in caplog.text
    assert "user_tenant=tenant-b" in caplog.text


def test_the_foreign_id_audit_runs_after_the_response_is_sent(owner_b, tenant_a, caplog):
    """The answer to a foreign id leaves before the lookup of its owner starts, so it
    cannot be told from a missing id by its timing either."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from django.test.client import RequestFactory

    foreign = ServiceFactory(tenant=tenant_a)
    environ = RequestFactory().get(f"/api/bookings/services/{foreign.pk}/", HTTP_AUTHORIZATION=bearer(owner_b)).environ
    statuses = []
    # As the test client does: the test's transaction holds its connection open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with caplog.at_level(logging.WARNING, logger="nbne.tenancy.audit"):
            response = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
            assert statuses == ["404 Not Found"]
            assert "reason=foreign_service" not in caplog.text  # sent, not yet looked up
            response.close()  # what the server does once the client has the answer
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert "reason=foreign_service" in caplog.text


def test_a_malformed_id_is_a_plain_404(client_b):
    assert client_b.get("/api/bookings/services/not-a-number/").status_code == 404
    assert client_b.get("/api/bookings/services/99999999999999999999999/").status_code == 404


def test_a_body_naming_a_foreign_row_is_audited_with_both_tenants(client_b, tenant_a, caplog):
    foreign = ServiceFactory(tenant=tenant_a)
    with caplog.at_level(logging.WARNING, logger="nbne.tenancy.audit"):
        response = client_b.post(
            "/api/bookings/packages/", {"service": foreign.pk, "name": "x", "credits": 5, "price": 1}
        )
    assert response.status_code == 400
    assert "reason=foreign_service kind=foreign_reference user=" in caplog.text
    assert "user_tenant=tenant-b requested_tenant=tenant-a" in caplog.text


def test_a_missing_row_of_a_shared_model_is_a_plain_404(client_a):
    response = client_a.get("/api/bookings/disclaimers/0/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "moment,status",
    [
        ("2026-07-11T00:11:25-20:39", 200),
        ("2026-11-23T10:00:00+01:00", 200),
        ("0340-07-11T00:11:25-20:39", 400),  # before the years the platform accepts
        ("0001-01-01T00:00:00+15:00", 400),
    ],
)
def test_datetime_filters_take_any_offset_without_a_server_error(client_a, moment, status):
    assert client_a.get("/api/bookings/bookings/", {"starts_after": moment}).status_code == status


def test_a_filter_by_another_businesss_row_answers_as_for_a_missing_one(client_a, owner_b):
    """django-filter's generated ?user= filter offers only the business's own users."""
    missing = client_a.get("/api/auth/audit-log/", {"user": 987654321})
    foreign = client_a.get("/api/auth/audit-log/", {"user": owner_b.pk})
    assert missing.status_code == foreign.status_code == 400
    assert missing.json() == foreign.json()
