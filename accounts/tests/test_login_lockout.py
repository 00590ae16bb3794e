"""Failed logins: counted per username in its business and per client address; past the
limit even the right password gets a 429 with Retry-After, whether or not the name exists."""

from __future__ import annotations

import logging

import pytest
from rest_framework.test import APIClient

from accounts.factories import TEST_PASSWORD, UserFactory
from accounts.models import AuditLogEntry
from accounts.services import LoginLocked, login_attempt_begin, login_attempt_succeeded
from core.tenancy import unscoped_all_tenants

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/token/"
LOCKED = {"detail": "Too many failed sign-ins; try again later.", "code": "login_locked"}


def attempt(username: str, password: str, *, slug: str | None = "tenant-a", address: str = "198.51.100.10"):
    headers = {"REMOTE_ADDR": address}
    if slug:
        headers["HTTP_X_TENANT_SLUG"] = slug
    return APIClient(**headers).post(LOGIN, {"username": username, "password": password})


def lockout_entries(user) -> int:
    with unscoped_all_tenants("test: the audit log"):
        return AuditLogEntry.objects.filter(user=user, action="login_locked").count()


def test_after_ten_failures_the_right_password_is_refused_with_a_429(owner_a, settings):
    assert (settings.LOGIN_FAILURES_PER_USERNAME, settings.LOGIN_LOCKOUT_MINUTES) == (10, 15)

    codes = [attempt(owner_a.username, f"wrong-{n}").status_code for n in range(25)]
    right = attempt(owner_a.username, TEST_PASSWORD)

    assert codes == [401] * 10 + [429] * 15
    assert right.status_code == 429
    assert right.json() == LOCKED
    assert 1 <= int(right["Retry-After"]) <= 15 * 60
    # Recorded once, although the 429 rolls back the request's own writes.
    assert lockout_entries(owner_a) == 1


def test_an_unknown_username_gets_exactly_the_same_answers(owner_a, caplog):
    def answers(username: str) -> list[tuple[int, dict]]:
        return [(r.status_code, r.json()) for r in (attempt(username, f"wrong-{n}") for n in range(12))]

    with caplog.at_level(logging.WARNING, logger="accounts.services"):
        unknown = answers("nobody-here")
    assert unknown == answers(owner_a.username)
    assert unknown[-1] == (429, LOCKED)
    assert "login_locked tenant=tenant-a username='nobody-here'" in caplog.text


def test_other_users_and_the_same_name_in_another_business_are_unaffected(owner_a, tenant_a, tenant_b):
    colleague = UserFactory(tenant=tenant_a, username="tenant-a-colleague")
    namesake = UserFactory(tenant=tenant_b, username=owner_a.username)
    for n in range(11):
        attempt(owner_a.username, f"wrong-{n}")
    assert attempt(owner_a.username, TEST_PASSWORD).status_code == 429

    assert attempt(colleague.username, TEST_PASSWORD).status_code == 200
    assert attempt(namesake.username, TEST_PASSWORD, slug="tenant-b").status_code == 200


def test_an_address_is_limited_across_usernames_and_a_success_does_not_reset_it(owner_a, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    for n in range(4):
        assert attempt(f"guess-{n}", "wrong").status_code == 401
    assert attempt(owner_a.username, TEST_PASSWORD).status_code == 200  # takes back only itself
    assert attempt("guess-4", "wrong").status_code == 401  # the fifth failure

    refused = attempt(owner_a.username, TEST_PASSWORD)
    assert refused.status_code == 429
    assert refused.json() == LOCKED
    assert refused.has_header("Retry-After")
    assert attempt(owner_a.username, TEST_PASSWORD, address="203.0.113.20").status_code == 200


def test_refusals_by_address_do_not_count_against_the_names_tried(owner_a, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    settings.LOGIN_FAILURES_PER_USERNAME = 3
    for n in range(3):
        attempt(f"spray-{n}", "wrong", address="198.51.100.66")
    answers = {attempt(owner_a.username, "wrong", address="198.51.100.66").status_code for _ in range(5)}
    assert answers == {429}

    assert attempt(owner_a.username, TEST_PASSWORD, address="203.0.113.20").status_code == 200


def test_operators_on_the_platform_host_are_protected_too(operator):
    for n in range(10):
        assert attempt(operator.username, f"wrong-{n}", slug=None).status_code == 401
    assert attempt(operator.username, TEST_PASSWORD, slug=None).status_code == 429


def test_attempts_in_flight_count_so_a_parallel_burst_gets_no_more_guesses(tenant_a, rf):
    """Counted before the password is checked: thirty attempts begun at once, none yet
    finished, are ten guesses and twenty refusals."""
    request = rf.post(LOGIN, REMOTE_ADDR="198.51.100.77")
    begun, refused = [], 0
    for _ in range(30):
        try:
            begun.append(login_attempt_begin(tenant=tenant_a, username="target", request=request))
        except LoginLocked:
            refused += 1
    assert (len(begun), refused) == (10, 20)

    # A success gives back its own count only: nine failures and it leave room for one.
    success = login_attempt_begin(tenant=tenant_a, username="another", request=request)
    for _ in range(9):
        login_attempt_begin(tenant=tenant_a, username="another", request=request)
    login_attempt_succeeded(attempt=success)
    assert login_attempt_begin(tenant=tenant_a, username="another", request=request)
    with pytest.raises(LoginLocked):
        login_attempt_begin(tenant=tenant_a, username="another", request=request)
