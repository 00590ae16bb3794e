"""Usernames are unique within a business, not across the platform.

A login names its business (host or ``X-Tenant-Slug``); platform operators sign in on the
platform host. No answer to one business (staff API, admin, login) depends on whether a
name exists in another, and no business can take a name another will need.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import Client as HttpClient
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.factories import TEST_PASSWORD, OperatorFactory, UserFactory
from accounts.models import User
from core.factories import TenantFactory
from tests.plugin import admin_site_user, api_client_for, browser, count_rows, one
from tests.rls import as_runtime_role, needs_postgresql

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/token/"
PROFILES = "/api/staff/profiles/"
USERS = "/admin/accounts/user/"


def sign_in(username: str, password: str = TEST_PASSWORD, **headers):
    return APIClient(**headers).post(LOGIN, {"username": username, "password": password})


# The database ----------------------------------------------------------------------


def test_a_name_is_unique_within_a_business_and_among_operators_only(tenant_a, tenant_b):
    UserFactory(tenant=tenant_a, username="sam")
    UserFactory(tenant=tenant_b, username="sam")
    OperatorFactory(username="sam")

    for duplicate in (
        lambda: UserFactory(tenant=tenant_a, username="sam"),
        lambda: OperatorFactory(username="sam"),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            duplicate()
    assert count_rows(User, username="sam") == 3


# Logins ----------------------------------------------------------------------------


def test_each_business_signs_in_its_own_user_of_a_shared_name(tenant_a, tenant_b):
    UserFactory(tenant=tenant_a, username="sam", password="sam-of-a-passphrase")
    UserFactory(tenant=tenant_b, username="sam", password="sam-of-b-passphrase")

    by_header = sign_in("sam", "sam-of-a-passphrase", HTTP_X_TENANT_SLUG="tenant-a")
    by_host = sign_in("sam", "sam-of-b-passphrase", HTTP_HOST="tenant-b.localhost")

    assert by_header.status_code == by_host.status_code == 200, (by_header.content, by_host.content)
    assert AccessToken(by_header.json()["access"])["tenant_slug"] == "tenant-a"
    assert AccessToken(by_host.json()["access"])["tenant_slug"] == "tenant-b"
    # Each password opens only its own business's account.
    assert sign_in("sam", "sam-of-b-passphrase", HTTP_X_TENANT_SLUG="tenant-a").status_code == 401


def test_a_login_never_finds_a_user_of_another_business(tenant_a, tenant_b):
    UserFactory(tenant=tenant_b, username="only-in-b")

    in_b = sign_in("only-in-b", HTTP_X_TENANT_SLUG="tenant-a")
    free = sign_in("nobody-anywhere", HTTP_X_TENANT_SLUG="tenant-a")

    assert in_b.status_code == free.status_code == 401
    assert in_b.json() == free.json()


def test_members_sign_in_with_their_business_named_and_operators_with_none(owner_a, operator):
    unnamed = sign_in(owner_a.username)
    wrong_password = sign_in(owner_a.username, "not-the-password")
    assert unnamed.status_code == wrong_password.status_code == 401
    assert unnamed.json() == wrong_password.json()

    assert sign_in(operator.username).status_code == 200
    assert sign_in(operator.username, HTTP_X_TENANT_SLUG="tenant-a").status_code == 401


def test_an_operator_and_a_member_may_share_a_name(tenant_a):
    UserFactory(tenant=tenant_a, username="admin", password="member-passphrase-1")
    OperatorFactory(username="admin", password="operator-passphrase-1")

    member = sign_in("admin", "member-passphrase-1", HTTP_X_TENANT_SLUG="tenant-a")
    operator = sign_in("admin", "operator-passphrase-1")

    assert member.status_code == operator.status_code == 200
    assert (AccessToken(member.json()["access"])["role"], AccessToken(operator.json()["access"])["role"]) == (
        "owner",
        "operator",
    )


# The staff API: a business names its people freely --------------------------------


def test_a_business_whose_slug_prefixes_another_neither_learns_nor_takes_its_names(db):
    """The red team's case: "health-club" owned every "health-club-x-…" name."""
    health_club = TenantFactory(slug="health-club")
    health_club_x = TenantFactory(slug="health-club-x")
    UserFactory(tenant=health_club_x, username="health-club-x-owner")
    prefix_owner = api_client_for(UserFactory(tenant=health_club, username="health-club-owner"))

    taken_elsewhere = prefix_owner.post(PROFILES, {"username": "x-owner"})
    full_name_elsewhere = prefix_owner.post(PROFILES, {"username": "health-club-x-owner"})
    free = prefix_owner.post(PROFILES, {"username": "x-manager"})

    assert taken_elsewhere.status_code == full_name_elsewhere.status_code == free.status_code == 201
    assert [r.json()["username"] for r in (taken_elsewhere, full_name_elsewhere, free)] == [
        "x-owner",
        "health-club-x-owner",
        "x-manager",
    ]
    # Health Club X still has every name it needs.
    own_owner = one(User, tenant=health_club_x, username="health-club-x-owner")
    response = api_client_for(own_owner).post(PROFILES, {"username": "x-owner"})
    assert response.status_code == 201, response.content


# The admin ------------------------------------------------------------------------


@pytest.fixture
def user_admin_a(tenant_a):
    """Tenant A's staff user, allowed to manage A's users in the admin."""
    return admin_site_user(
        tenant_a,
        Permission.objects.filter(
            content_type__app_label="accounts", codename__in=["add_user", "change_user", "view_user"]
        ),
    )


def admin_browser(user):
    """The admin, logged in as ``user``: a 500 is an answer the tests compare, not a crash."""
    return browser(user, raise_request_exception=False)


def add_user(web: HttpClient, username: str, **extra) -> object:
    data = {"username": username, "usable_password": "false", "password1": "", "password2": "", "role": "staff"}
    return web.post(f"{USERS}add/", {**data, **extra})


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors if response.context else {}


def test_admin_adds_a_name_used_in_another_business_exactly_like_a_free_one(user_admin_a, tenant_a, tenant_b):
    UserFactory(tenant=tenant_b, username="bravo-sam")
    web = admin_browser(user_admin_a)

    in_b = add_user(web, "bravo-sam")
    free = add_user(web, "alpha-jo")

    assert in_b.status_code == free.status_code == 302, (form_errors(in_b), form_errors(free))
    assert count_rows(User, tenant=tenant_a, username__in=["bravo-sam", "alpha-jo"]) == 2


@pytest.mark.parametrize("name", ["tenant-a-owner", "Tenant-A-Owner"])
def test_admin_refuses_a_name_of_its_own_business_with_a_form_error(user_admin_a, owner_a, name):
    response = add_user(admin_browser(user_admin_a), name)

    assert response.status_code == 200
    assert form_errors(response)["username"] == ["A user with that username already exists in this business."]


def test_admin_renaming_onto_a_taken_name_is_a_form_error_and_onto_another_businesss_is_fine(
    user_admin_a, owner_a, owner_b, tenant_a
):
    member = UserFactory(tenant=tenant_a, username="alpha-kim", role="staff")
    web = admin_browser(user_admin_a)
    page = web.get(f"{USERS}{member.pk}/change/")
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if key in ("username", "first_name", "last_name", "email", "role", "is_active") and value is not None
    }
    data.update({"date_joined_0": "2026-01-01", "date_joined_1": "10:00:00", "is_active": "on"})

    taken = web.post(f"{USERS}{member.pk}/change/", {**data, "username": owner_a.username})
    assert taken.status_code == 200
    assert form_errors(taken)["username"] == ["A user with that username already exists in this business."]

    elsewhere = web.post(f"{USERS}{member.pk}/change/", {**data, "username": owner_b.username})
    assert elsewhere.status_code == 302, form_errors(elsewhere)
    member.refresh_from_db()
    assert (member.username, member.tenant_id) == (owner_b.username, tenant_a.pk)


def test_an_operator_adding_a_user_chooses_its_business_and_never_gets_a_500(operator, owner_a, tenant_b):
    web = admin_browser(operator)

    no_business = add_user(web, "new-member")
    assert no_business.status_code == 200
    assert form_errors(no_business)["tenant"]

    in_b = add_user(web, owner_a.username, tenant=str(tenant_b.pk))
    assert in_b.status_code == 302, form_errors(in_b)
    assert one(User, tenant=tenant_b, username=owner_a.username).role == "staff"

    again = add_user(web, owner_a.username, tenant=str(tenant_b.pk))
    assert again.status_code == 200
    assert form_errors(again)["username"]


@needs_postgresql
def test_admin_adds_a_name_used_in_another_business_as_the_runtime_role(user_admin_a, tenant_a, tenant_b):
    """Where row-level security hides B's users, the form's old check missed the name and
    the insert hit the platform-wide unique index: a 500."""
    UserFactory(tenant=tenant_b, username="bravo-sam")
    web = admin_browser(user_admin_a)
    with as_runtime_role():
        response = add_user(web, "bravo-sam")
    assert response.status_code == 302, form_errors(response)


# Commands ---------------------------------------------------------------------------


def test_createsuperuser_names_operators_whatever_the_businesses_call_their_users(owner_a, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "operator-passphrase-1")
    call_command("createsuperuser", "--noinput", "--username", owner_a.username, "--email", "ops@example.com")

    operator = one(User, tenant=None, username=owner_a.username)
    assert operator.is_operator
    with pytest.raises(CommandError, match="A platform operator with that username already exists"):
        call_command("createsuperuser", "--noinput", "--username", owner_a.username, "--email", "ops@example.com")
