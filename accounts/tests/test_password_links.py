"""Invitations and password resets: a link e-mailed by the business sets a password once,
at that business only, before it expires; asking for one reveals nobody."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta
from functools import partial

import pytest
from django.core import mail
from django.db.models.signals import post_save
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.factories import TEST_PASSWORD, UserFactory
from accounts.models import AuditLogEntry, PasswordToken, User
from accounts.services import password_token_issue
from accounts.tasks import password_reset_send
from core.tenancy import tenant_context
from staff.factories import StaffProfileFactory
from tests.concurrency import at_once, http_session, receiving
from tests.plugin import count_rows, one, update_rows
from tests.rls import needs_postgresql

RESET = "/api/auth/password-reset/"
SET = "/api/auth/password-set/"
LOGIN = "/api/auth/token/"
RESET_SENT = {"detail": "If that address belongs to an account here, we have sent a link."}
PASSWORD_SET = {"detail": "Your password is set; sign in."}
TOKEN_INVALID = {
    "detail": "This link is invalid, already used or expired; ask for a new one.",
    "code": "token_invalid",
}
NEW_PASSWORD = "a-new-long-passphrase-42"


def at(slug: str, **headers) -> APIClient:
    """An anonymous client of the business ``slug``, named by header as its frontend does."""
    return APIClient(HTTP_X_TENANT_SLUG=slug, **headers)


def link_token(message) -> str:
    return re.search(r"/password/set\?token=([A-Za-z0-9_-]+)", message.body).group(1)


def sign_in(slug: str, username: str, password: str) -> int:
    return at(slug).post(LOGIN, {"username": username, "password": password}).status_code


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """``client.post``, then what the request enqueued on commit (the e-mail tasks) runs,
    as a worker would; the e-mails land in ``mail.outbox``."""

    def posted(client: APIClient, path: str, data: dict | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data)

    return posted


# Asking for a reset ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_known_and_an_unknown_address_get_the_same_answer(owner_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = at("tenant-a").post(RESET, {"email": owner_a.email.upper()})
    with django_capture_on_commit_callbacks(execute=True):
        unknown = at("tenant-a").post(RESET, {"email": "nobody@example.com"})

    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json()) == (202, RESET_SENT)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_reset_email_goes_to_the_user_and_names_their_business(owner_a, post):
    post(at("tenant-a"), RESET, {"email": owner_a.email})

    [message] = mail.outbox
    assert message.to == [owner_a.email]
    assert message.from_email.startswith('"Tenant A" <') or message.from_email.startswith("Tenant A <")
    assert "Tenant A" in message.subject
    assert "Tenant A" in message.body and owner_a.username in message.body
    assert "https://tenant-a.localhost/password/set?token=" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and link_token(message) in html
    # Only the token's hash is kept.
    token = link_token(message)
    assert one(PasswordToken, user=owner_a).token_hash == PasswordToken.hash_of(token) != token


@pytest.mark.django_db
def test_another_businesss_address_is_unknown_here(owner_a, owner_b, post):
    response = post(at("tenant-a"), RESET, {"email": owner_b.email})

    assert (response.status_code, response.json()) == (202, RESET_SENT)
    assert mail.outbox == []
    assert count_rows(PasswordToken) == 0


@pytest.mark.django_db
def test_a_deactivated_user_is_sent_nothing(tenant_a, post):
    user = UserFactory(tenant=tenant_a, is_active=False)
    assert post(at("tenant-a"), RESET, {"email": user.email}).json() == RESET_SENT
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_link_points_at_the_businesss_own_domain(tenant_a, owner_a, post):
    tenant_a.custom_domain = "bookings.salon.example"
    tenant_a.save()
    post(at("tenant-a"), RESET, {"email": owner_a.email})
    assert "https://bookings.salon.example/password/set?token=" in mail.outbox[0].body


@pytest.mark.django_db
def test_reset_requests_are_limited_per_client_known_address_or_not(owner_a, settings):
    settings.PASSWORD_RESET_REQUESTS_PER_HOUR = 2
    client = at("tenant-a", REMOTE_ADDR="198.51.100.7")
    codes = [client.post(RESET, {"email": f"someone{n}@example.com"}).status_code for n in range(3)]
    limited = client.post(RESET, {"email": owner_a.email})

    assert codes == [202, 202, 429]
    assert limited.status_code == 429 and limited.json()["code"] == "too_many_attempts"
    assert 1 <= int(limited["Retry-After"]) <= 3600
    # Another client is not affected.
    assert at("tenant-a", REMOTE_ADDR="198.51.100.8").post(RESET, {"email": owner_a.email}).status_code == 202


@pytest.mark.django_db
def test_reset_requests_are_limited_per_email_address_whoever_asks(tenant_a, settings):
    settings.PASSWORD_RESET_REQUESTS_PER_HOUR = 2
    codes = [
        at("tenant-a", REMOTE_ADDR=f"198.51.100.{n}").post(RESET, {"email": "someone@example.com"}).status_code
        for n in range(3)
    ]
    assert codes == [202, 202, 429]


# Setting the password --------------------------------------------------------------


@pytest.mark.django_db
def test_the_token_sets_the_password_once(owner_a, post):
    post(at("tenant-a"), RESET, {"email": owner_a.email})
    token = link_token(mail.outbox[0])

    first = post(at("tenant-a"), SET, {"token": token, "password": NEW_PASSWORD})
    again = post(at("tenant-a"), SET, {"token": token, "password": "yet-another-passphrase-7"})

    assert (first.status_code, first.json()) == (200, PASSWORD_SET)
    assert (again.status_code, again.json()) == (400, TOKEN_INVALID)
    assert sign_in("tenant-a", owner_a.username, NEW_PASSWORD) == 200
    assert sign_in("tenant-a", owner_a.username, TEST_PASSWORD) == 401
    assert count_rows(AuditLogEntry, user=owner_a, action="password_reset") == 1


@pytest.mark.django_db
def test_an_unknown_an_expired_and_a_superseded_token_get_one_answer(owner_a):
    expired = password_token_issue(tenant=owner_a.tenant, user=owner_a, purpose="reset")
    update_rows(PasswordToken, {"token_hash": PasswordToken.hash_of(expired)}, expires_at=timezone.now())
    older = password_token_issue(tenant=owner_a.tenant, user=owner_a, purpose="reset")
    newest = password_token_issue(tenant=owner_a.tenant, user=owner_a, purpose="reset")

    for token in ("made-up", expired, older):
        response = at("tenant-a").post(SET, {"token": token, "password": NEW_PASSWORD})
        assert (response.status_code, response.json()) == (400, TOKEN_INVALID)
    assert at("tenant-a").post(SET, {"token": newest, "password": NEW_PASSWORD}).status_code == 200


@pytest.mark.django_db
def test_a_reset_token_lasts_an_hour_and_an_invitation_a_week(owner_a, settings):
    assert (settings.PASSWORD_RESET_MINUTES, settings.PASSWORD_INVITE_HOURS) == (60, 168)
    for purpose, lifetime in (("reset", timedelta(hours=1)), ("invite", timedelta(days=7))):
        token = password_token_issue(tenant=owner_a.tenant, user=owner_a, purpose=purpose)
        row = one(PasswordToken, token_hash=PasswordToken.hash_of(token))
        assert abs(row.expires_at - timezone.now() - lifetime) < timedelta(seconds=30)


@pytest.mark.django_db
@pytest.mark.parametrize("named_by", ["header", "host"])
def test_a_token_is_refused_at_another_business(owner_a, tenant_b, named_by):
    token = password_token_issue(tenant=owner_a.tenant, user=owner_a, purpose="reset")
    elsewhere = at("tenant-b") if named_by == "header" else APIClient(HTTP_HOST="tenant-b.localhost")

    response = elsewhere.post(SET, {"token": token, "password": NEW_PASSWORD})

    assert (response.status_code, response.json()) == (400, TOKEN_INVALID)
    # Still good where it belongs.
    assert APIClient(HTTP_HOST="tenant-a.localhost").post(SET, {"token": token, "password": NEW_PASSWORD}).json() == (
        PASSWORD_SET
    )


@pytest.mark.django_db
def test_a_weak_password_is_refused_with_reasons_and_the_token_still_works(owner_a):
    token = password_token_issue(tenant=owner_a.tenant, user=owner_a, purpose="reset")

    weak = at("tenant-a").post(SET, {"token": token, "password": "123"})

    assert weak.status_code == 400
    assert weak.json()["password"] and all(isinstance(reason, str) for reason in weak.json()["password"])
    assert at("tenant-a").post(SET, {"token": token, "password": NEW_PASSWORD}).status_code == 200


@pytest.mark.django_db
def test_failed_password_sets_count_against_the_address(owner_a, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    client = at("tenant-a", REMOTE_ADDR="198.51.100.9")
    codes = [client.post(SET, {"token": f"guess-{n}", "password": NEW_PASSWORD}).status_code for n in range(4)]
    assert codes == [400, 400, 400, 429]
    assert client.post(SET, {"token": "guess", "password": NEW_PASSWORD}).json()["code"] == "too_many_attempts"


@pytest.mark.django_db
def test_a_stale_link_is_not_mailed(owner_a, tenant_a, django_capture_on_commit_callbacks):
    # The worker runs after a newer link was asked for: only the newer one is sent.
    older = password_token_issue(tenant=tenant_a, user=owner_a, purpose="reset")
    password_token_issue(tenant=tenant_a, user=owner_a, purpose="reset")
    with tenant_context(tenant_a):
        assert password_reset_send.run(owner_a.pk, older) is False
    assert mail.outbox == []


# Invitations ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_staff_member_without_a_password_is_invited_and_can_then_sign_in(manager_client_a, post):
    response = post(
        manager_client_a,
        "/api/staff/profiles/",
        {"username": "robin", "first_name": "Robin", "email": "Robin@Example.com", "job_title": "Stylist"},
    )
    assert response.status_code == 201, response.json()
    assert sign_in("tenant-a", "robin", "a-guess") == 401  # no usable password yet

    [message] = mail.outbox
    assert message.to == ["robin@example.com"]
    assert "Tenant A" in message.subject and "robin" in message.body
    set_answer = post(at("tenant-a"), SET, {"token": link_token(message), "password": NEW_PASSWORD})

    assert set_answer.json() == PASSWORD_SET
    assert sign_in("tenant-a", "robin", NEW_PASSWORD) == 200
    robin = one(User, username="robin")
    assert count_rows(AuditLogEntry, user=robin, action="invitation_accepted") == 1


@pytest.mark.django_db
def test_a_staff_member_created_with_a_password_is_not_invited(manager_client_a, post):
    response = post(
        manager_client_a,
        "/api/staff/profiles/",
        {"username": "sam", "email": "sam@example.com", "password": NEW_PASSWORD},
    )
    assert response.status_code == 201
    assert mail.outbox == []


@pytest.mark.django_db
def test_managers_resend_an_invitation_and_the_older_link_stops_working(
    tenant_a, manager_client_a, client_a, staff_client_a, staff_a, post
):
    profile = StaffProfileFactory(tenant=tenant_a, user=staff_a)
    path = f"/api/staff/profiles/{profile.pk}/invite/"

    refused = post(staff_client_a, path)
    first = post(manager_client_a, path)
    second = post(client_a, path)

    assert refused.status_code == 403
    assert first.status_code == second.status_code == 202
    assert [message.to for message in mail.outbox] == [[staff_a.email]] * 2
    older, newer = (link_token(message) for message in mail.outbox)
    assert post(at("tenant-a"), SET, {"token": older, "password": NEW_PASSWORD}).json() == TOKEN_INVALID
    assert post(at("tenant-a"), SET, {"token": newer, "password": NEW_PASSWORD}).json() == PASSWORD_SET


@pytest.mark.django_db
def test_another_businesss_staff_member_cannot_be_invited(tenant_b, staff_b, manager_client_a, post):
    profile = StaffProfileFactory(tenant=tenant_b, user=staff_b)
    assert post(manager_client_a, f"/api/staff/profiles/{profile.pk}/invite/").status_code == 404
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_invitation_needs_an_email_address(tenant_a, manager_client_a, post):
    user = UserFactory(tenant=tenant_a, role=User.Role.STAFF, email="")
    profile = StaffProfileFactory(tenant=tenant_a, user=user)
    response = post(manager_client_a, f"/api/staff/profiles/{profile.pk}/invite/")
    assert response.status_code == 400 and "email" in response.json()
    assert mail.outbox == []


# Parallel use of one token (PostgreSQL) ------------------------------------------


@needs_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.pooled
def test_parallel_uses_of_one_token_set_the_password_once(live_server, owner_a):
    token = password_token_issue(tenant=owner_a.tenant, user=owner_a, purpose="reset")
    first = threading.Lock()

    def hold_first_writer(**kwargs) -> None:
        # The first request to use the token waits before committing, so that every other
        # one reaches the token meanwhile.
        if first.acquire(blocking=False):
            time.sleep(1.0)

    sessions = [http_session(live_server.url, **{"X-Tenant-Slug": "tenant-a"}) for _ in range(4)]
    with receiving(post_save, hold_first_writer, sender=PasswordToken):
        answers = at_once(
            [
                partial(s.post, SET, json={"token": token, "password": f"{NEW_PASSWORD}-{n}"})
                for n, s in enumerate(sessions)
            ]
        )

    assert sorted(answer.status_code for answer in answers) == [200, 400, 400, 400]
    assert all(answer.json() == TOKEN_INVALID for answer in answers if answer.status_code == 400)
    winner = next(n for n, answer in enumerate(answers) if answer.status_code == 200)
    assert sign_in("tenant-a", owner_a.username, f"{NEW_PASSWORD}-{winner}") == 200
    assert count_rows(AuditLogEntry, user=owner_a, action="password_reset") == 1
