"""Login, token claims and refresh."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.factories import TEST_PASSWORD, UserFactory
from accounts.models import AuditLogEntry, User
from core.tenancy import unscoped_all_tenants
from tests.plugin import api_client_for, move_user, update_rows

LOGIN = "/api/auth/token/"
REFRESH = "/api/auth/token/refresh/"


def login(user, **headers):
    """Sign in as ``user`` naming their business, as each business's frontend does."""
    if user.tenant is not None:
        headers.setdefault("HTTP_X_TENANT_SLUG", user.tenant.slug)
    return APIClient(**headers).post(LOGIN, {"username": user.username, "password": TEST_PASSWORD})


@pytest.mark.parametrize("role", ["owner", "manager", "staff"])
def test_tokens_carry_tenant_and_role(tenant_a, role):
    user = UserFactory(tenant=tenant_a, role=role)
    response = login(user)
    assert response.status_code == 200
    for kind, token_class in (("access", AccessToken), ("refresh", RefreshToken)):
        claims = token_class(response.json()[kind]).payload
        assert (claims["tenant_id"], claims["tenant_slug"], claims["role"]) == (tenant_a.pk, "tenant-a", role)
    assert response.json()["tenant"] == {"tenant_id": tenant_a.pk, "tenant_slug": "tenant-a", "role": role}


def test_operator_tokens_carry_no_tenant(operator):
    claims = AccessToken(login(operator).json()["access"]).payload
    assert (claims["tenant_id"], claims["tenant_slug"], claims["role"]) == (None, None, "operator")


def test_login_naming_own_tenant_works_and_is_audited(owner_a):
    assert login(owner_a, HTTP_X_TENANT_SLUG="tenant-a").status_code == 200
    with unscoped_all_tenants("test"):
        assert AuditLogEntry.objects.filter(user=owner_a, action="login").count() == 1


def test_login_to_an_inactive_tenant_is_refused(owner_a, tenant_a):
    type(tenant_a).objects.filter(pk=tenant_a.pk).update(is_active=False)
    response = login(owner_a)
    # Like every request naming an inactive business, before any user is looked at.
    assert response.status_code == 403
    assert response.json()["code"] == "tenant_inactive"


def test_refresh_issues_a_new_access_token_with_the_same_claims(owner_a, tenant_a):
    refresh = login(owner_a).json()["refresh"]
    response = APIClient().post(REFRESH, {"refresh": refresh})
    assert response.status_code == 200
    assert AccessToken(response.json()["access"]).payload["tenant_id"] == tenant_a.pk


def test_refresh_after_moving_tenant_is_refused(owner_a, tenant_b):
    refresh = login(owner_a).json()["refresh"]
    move_user(owner_a, tenant_b)
    response = APIClient().post(REFRESH, {"refresh": refresh})
    assert response.status_code == 401
    assert response.json()["code"] == "token_tenant_stale"


def test_refresh_after_the_tenant_is_deactivated_is_refused(owner_a, tenant_a):
    refresh = login(owner_a).json()["refresh"]
    type(tenant_a).objects.filter(pk=tenant_a.pk).update(is_active=False)
    assert APIClient().post(REFRESH, {"refresh": refresh}).status_code == 401


def test_refresh_of_a_garbage_token_is_a_401(db):
    assert APIClient().post(REFRESH, {"refresh": "garbage"}).status_code == 401


def test_me_shows_the_users_tenant_and_role(client_a, tenant_a):
    body = client_a.get("/api/auth/me/").json()
    assert body["tenant"] == {"id": tenant_a.pk, "slug": "tenant-a", "name": "Tenant A"}
    assert body["role"] == "owner"


def test_me_cannot_change_role_or_tenant(client_a, owner_a, tenant_b):
    client_a.patch("/api/auth/me/", {"role": "staff", "tenant": tenant_b.pk, "first_name": "Ada"})
    owner_a.refresh_from_db()
    assert (owner_a.role, owner_a.tenant.slug, owner_a.first_name) == ("owner", "tenant-a", "Ada")


def test_audit_log_lists_only_own_tenant_and_only_for_managers(owner_a, owner_b, tenant_a):
    login(owner_a)
    login(owner_b)
    staff = UserFactory(tenant=tenant_a, role="staff")
    rows = api_client_for(owner_a).get("/api/auth/audit-log/").json()["results"]
    assert {row["user"] for row in rows} == {owner_a.username}
    assert api_client_for(staff).get("/api/auth/audit-log/").status_code == 403


# Refresh and the admin's login, naming another business ----------------------------


def test_refresh_naming_another_business_is_refused_like_any_other_request(owner_a, tenant_b):
    refresh = login(owner_a).json()["refresh"]
    elsewhere = api_client_for(owner_a, HTTP_X_TENANT_SLUG="tenant-b").get("/api/auth/me/")
    by_header = APIClient(HTTP_X_TENANT_SLUG="tenant-b").post(REFRESH, {"refresh": refresh})
    by_host = APIClient(HTTP_HOST="tenant-b.localhost").post(REFRESH, {"refresh": refresh})

    mismatch = {"detail": "Your account does not belong to this business.", "code": "tenant_mismatch"}
    assert elsewhere.status_code == by_header.status_code == by_host.status_code == 403
    assert [elsewhere.json(), by_header.json(), by_host.json()] == [mismatch] * 3
    assert "access" not in by_header.json()
    for own in (APIClient(HTTP_X_TENANT_SLUG="tenant-a"), APIClient(HTTP_HOST="tenant-a.localhost"), APIClient()):
        assert own.post(REFRESH, {"refresh": refresh}).status_code == 200


def test_an_operators_refresh_may_name_any_business(operator, tenant_a):
    refresh = login(operator).json()["refresh"]
    assert APIClient(HTTP_X_TENANT_SLUG="tenant-a").post(REFRESH, {"refresh": refresh}).status_code == 200


def admin_login(username: str, password: str = TEST_PASSWORD, **headers):
    browser = HttpClient(**headers)
    response = browser.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password, "next": "/admin/"}
    )
    return browser, response


def test_admin_login_on_another_businesss_host_is_refused_like_a_wrong_password(owner_a, tenant_b):
    update_rows(User, {"pk": owner_a.pk}, is_staff=True)

    _, own = admin_login(owner_a.username, HTTP_HOST="tenant-a.localhost")
    assert own.status_code == 302

    for headers in ({"HTTP_HOST": "tenant-b.localhost"}, {"HTTP_X_TENANT_SLUG": "tenant-b"}):
        browser, foreign = admin_login(owner_a.username, **headers)
        _, wrong = admin_login(owner_a.username, "not-the-password", **headers)
        assert foreign.status_code == wrong.status_code == 200
        assert foreign.context["form"].errors == wrong.context["form"].errors
        assert "_auth_user_id" not in browser.session


def test_operators_log_in_to_the_admin_on_the_platform_host_only(operator, tenant_a):
    _, platform = admin_login(operator.username)
    _, tenant_host = admin_login(operator.username, HTTP_HOST="tenant-a.localhost")
    _, wrong = admin_login(operator.username, "not-the-password", HTTP_HOST="tenant-a.localhost")

    assert platform.status_code == 302
    assert tenant_host.status_code == 200
    assert tenant_host.context["form"].errors == wrong.context["form"].errors
