"""Every rule of tenant resolution (DESIGN.md, "Resolving the tenant")."""

from __future__ import annotations

import logging
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from rest_framework.test import APIClient

from accounts.factories import UserFactory
from bookings.factories import ServiceFactory
from core.factories import TenantFactory
from core.tenancy import get_current_tenant, tenant_context
from tests.plugin import api_client_for, move_user

BRANDING = "/api/tenant/"
SERVICES = "/api/bookings/services/"


def slug_of(response) -> str:
    return response.json()["slug"]


# Host ---------------------------------------------------------------------------


def test_custom_domain_names_the_tenant_case_insensitively_and_without_port(db):
    TenantFactory(slug="salon-x", custom_domain="Salon-X.example.com")
    response = APIClient().get(BRANDING, HTTP_HOST="SALON-x.Example.COM:8443")
    assert response.status_code == 200
    assert slug_of(response) == "salon-x"


def test_subdomain_of_the_base_domain_names_the_tenant(db, settings):
    settings.TENANT_BASE_DOMAIN = "nbne.test"
    settings.TENANCY_PLATFORM_HOSTS = ["testserver", "nbne.test"]
    TenantFactory(slug="salon-x")
    assert slug_of(APIClient().get(BRANDING, HTTP_HOST="salon-x.nbne.test")) == "salon-x"


def test_unknown_host_is_refused_like_allowed_hosts(db):
    response = APIClient().get(BRANDING, HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_host"


def test_unknown_subdomain_is_a_json_404(db):
    response = APIClient().get(BRANDING, HTTP_HOST="nobody.localhost")
    assert response.status_code == 404
    assert response.json() == {"detail": "No business is known by that name.", "code": "tenant_not_found"}


def test_nested_subdomain_is_refused(db):
    TenantFactory(slug="salon-x")
    assert APIClient().get(BRANDING, HTTP_HOST="a.salon-x.localhost").status_code == 400


def test_health_check_answers_on_any_host(db):
    assert APIClient().get("/healthz", HTTP_HOST="internal.railway").json()["status"] == "ok"


# Header -------------------------------------------------------------------------


def test_header_names_the_tenant(tenant_a):
    assert slug_of(APIClient().get(BRANDING, HTTP_X_TENANT_SLUG="tenant-a")) == "tenant-a"


def test_unknown_header_slug_is_a_json_404(db):
    response = APIClient().get(BRANDING, HTTP_X_TENANT_SLUG="ghost")
    assert response.status_code == 404
    assert response.json()["code"] == "tenant_not_found"


def test_host_and_header_naming_different_tenants_is_refused(tenant_a, tenant_b):
    response = APIClient().get(BRANDING, HTTP_HOST="tenant-a.localhost", HTTP_X_TENANT_SLUG="tenant-b")
    assert response.status_code == 400
    assert response.json()["code"] == "tenant_conflict"


def test_inactive_tenant_is_refused_to_anonymous_requests(db):
    TenantFactory(slug="closed", is_active=False)
    response = APIClient().get(BRANDING, HTTP_X_TENANT_SLUG="closed")
    assert response.status_code == 403
    assert response.json()["code"] == "tenant_inactive"


def test_public_endpoint_with_no_tenant_named_is_a_400(db):
    response = APIClient().get(BRANDING)
    assert response.status_code == 400
    assert response.json()["code"] == "tenant_required"


def test_anonymous_request_to_tenant_data_is_a_401(tenant_a):
    assert APIClient().get(SERVICES, HTTP_X_TENANT_SLUG="tenant-a").status_code == 401


# The authenticated user -----------------------------------------------------------


def test_user_acts_in_their_own_tenant_without_naming_it(client_a, tenant_a, tenant_b):
    own = ServiceFactory(tenant=tenant_a)
    ServiceFactory(tenant=tenant_b)
    response = client_a.get(SERVICES)
    assert [row["id"] for row in response.json()["results"]] == [own.pk]


@pytest.mark.parametrize(
    "extra", [{"HTTP_X_TENANT_SLUG": "tenant-a"}, {"HTTP_HOST": "tenant-a.localhost"}], ids=["header", "host"]
)
def test_naming_the_users_own_tenant_is_fine(owner_a, extra):
    assert api_client_for(owner_a, **extra).get(SERVICES).status_code == 200


@pytest.mark.parametrize(
    "extra", [{"HTTP_X_TENANT_SLUG": "tenant-b"}, {"HTTP_HOST": "tenant-b.localhost"}], ids=["header", "host"]
)
def test_naming_another_tenant_is_a_403_and_audited(owner_a, tenant_b, extra, caplog):
    with caplog.at_level(logging.WARNING, logger="nbne.tenancy.audit"):
        response = api_client_for(owner_a, **extra).get(SERVICES)
    assert response.status_code == 403
    assert response.json()["code"] == "tenant_mismatch"
    assert "user_tenant=tenant-a requested_tenant=tenant-b" in caplog.text


def test_token_of_a_user_moved_to_another_tenant_is_a_401(owner_a, tenant_b):
    client = api_client_for(owner_a)
    owner_a.tenant = tenant_b
    move_user(owner_a, tenant_b)
    response = client.get(SERVICES)
    assert response.status_code == 401
    assert response.json()["code"] == "token_tenant_stale"


def test_token_of_a_deactivated_tenant_is_a_401(owner_a, tenant_a):
    client = api_client_for(owner_a)
    type(tenant_a).objects.filter(pk=tenant_a.pk).update(is_active=False)
    response = client.get(SERVICES)
    assert response.status_code == 401
    assert response.json()["code"] == "token_tenant_stale"


def test_garbage_token_is_a_json_401(db):
    response = APIClient().get(SERVICES, HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


# Platform operators --------------------------------------------------------------


def test_operator_must_name_a_tenant(operator):
    response = api_client_for(operator).get(SERVICES)
    assert response.status_code == 400
    assert response.json()["code"] == "tenant_required"


def test_operator_naming_a_tenant_sees_only_that_tenant(operator, tenant_a, tenant_b):
    a_service = ServiceFactory(tenant=tenant_a)
    ServiceFactory(tenant=tenant_b)
    response = api_client_for(operator, HTTP_X_TENANT_SLUG="tenant-a").get(SERVICES)
    assert [row["id"] for row in response.json()["results"]] == [a_service.pk]


def test_operator_can_read_their_own_profile_without_a_tenant(operator):
    response = api_client_for(operator).get("/api/auth/me/")
    assert response.status_code == 200
    assert response.json()["is_operator"] is True
    assert response.json()["tenant"] is None


# Fallback --------------------------------------------------------------------------


def test_fallback_tenant_is_off_unless_set(tenant_a, settings):
    assert settings.TENANT_FALLBACK_SLUG == ""
    assert APIClient().get(BRANDING).status_code == 400


def test_fallback_tenant_when_set_serves_unnamed_requests_and_warns_on_deploy_check(tenant_a, settings):
    settings.TENANT_FALLBACK_SLUG = "tenant-a"
    assert slug_of(APIClient().get(BRANDING)) == "tenant-a"
    with pytest.raises(SystemCheckError, match=r"tenancy\.W001"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security")


# The ContextVar ----------------------------------------------------------------------


def test_tenant_scope_ends_with_the_request(client_a):
    client_a.get(SERVICES)
    assert get_current_tenant() is None


def test_tenant_scope_ends_even_when_the_view_fails(client_a, monkeypatch):
    from bookings import views

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.DashboardView, "get", explode)
    client_a.raise_request_exception = False
    assert client_a.get("/api/bookings/dashboard/").status_code == 500
    assert get_current_tenant() is None


def test_a_new_thread_never_inherits_the_tenant(tenant_a):
    seen = []
    with tenant_context(tenant_a):
        worker = threading.Thread(target=lambda: seen.append(get_current_tenant()))
        worker.start()
        worker.join()
    assert seen == [None]


def test_login_through_another_tenants_frontend_is_refused_like_a_wrong_password(owner_a, tenant_b):
    client = APIClient(HTTP_X_TENANT_SLUG="tenant-b")
    from accounts.factories import TEST_PASSWORD

    foreign = client.post("/api/auth/token/", {"username": owner_a.username, "password": TEST_PASSWORD})
    wrong = client.post("/api/auth/token/", {"username": owner_a.username, "password": "nope"})
    assert foreign.status_code == wrong.status_code == 401
    assert foreign.json() == wrong.json()


def test_an_operator_user_object_never_has_a_tenant_and_no_superuser_flag_leaks_to_members(tenant_a):
    member = UserFactory(tenant=tenant_a, is_superuser=True)
    member.refresh_from_db()
    assert member.is_superuser is False


@pytest.mark.parametrize(
    "path, signed_in",
    [("/api/tenant/", False), ("/api/bookings/public/services/", False), ("/api/bookings/bookings/", True)],
)
def test_answers_say_what_they_depend_on_and_stay_out_of_shared_caches(path, signed_in, tenant_a, owner_a):
    client = api_client_for(owner_a) if signed_in else APIClient()
    response = client.get(path, HTTP_X_TENANT_SLUG=tenant_a.slug)
    assert response.status_code == 200
    vary = {value.strip().lower() for value in response["Vary"].split(",")}
    assert {"x-tenant-slug", "host", "authorization"} <= vary
    assert {"private", "no-store"} <= {value.strip() for value in response["Cache-Control"].split(",")}


def test_a_refusal_naming_a_business_stays_out_of_shared_caches_too(db):
    response = APIClient().get("/api/tenant/", HTTP_X_TENANT_SLUG="no-such-business")
    assert response.status_code == 404
    assert "x-tenant-slug" in response["Vary"].lower() and "no-store" in response["Cache-Control"]
