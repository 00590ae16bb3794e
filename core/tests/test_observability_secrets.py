"""No log line carries a secret, and Sentry events are tagged and scrubbed: real requests
with passwords, tokens, tickets and e-mailed links, every line they log scanned."""

from __future__ import annotations

import io
import logging
import re

import pytest
import sentry_sdk
from django.core import mail
from rest_framework.test import APIClient
from sentry_sdk.transport import Transport

from accounts.factories import TEST_PASSWORD
from core.observability import context
from core.observability.errors import before_send
from core.observability.logs import ContextFilter, JsonLineFormatter, redact
from core.tenancy import tenant_context

NEW_PASSWORD = "a-new-long-passphrase-42"


@pytest.fixture
def json_lines():
    """Every record any logger emits during the test, formatted as production does."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield lambda: stream.getvalue().splitlines()
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.django_db
def test_no_log_line_carries_a_password_token_or_ticket(
    owner_a, tenant_b, json_lines, django_capture_on_commit_callbacks
):
    at_a = APIClient(HTTP_X_TENANT_SLUG="tenant-a")
    secrets = [TEST_PASSWORD, NEW_PASSWORD, "wrong-password-xyz"]
    assert at_a.post("/api/auth/token/", {"username": owner_a.username, "password": "wrong-password-xyz"}).status_code
    tokens = at_a.post("/api/auth/token/", {"username": owner_a.username, "password": TEST_PASSWORD}).json()
    secrets += [tokens["access"], tokens["refresh"]]
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}
    ticket = at_a.post("/api/comms/ws-ticket/", **bearer).json()["ticket"]
    secrets.append(ticket)
    # Secrets in query strings, in a refused request, in a refresh, in a cross-tenant attempt.
    at_a.get(f"/api/auth/me/?ticket={ticket}&token={tokens['refresh']}", **bearer)
    at_a.get(f"/api/no-such-page/?password={TEST_PASSWORD}", **bearer)
    at_a.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]})
    APIClient(HTTP_X_TENANT_SLUG="tenant-b").get("/api/auth/me/", **bearer)
    # A reset link, e-mailed, then used.
    with django_capture_on_commit_callbacks(execute=True):
        at_a.post("/api/auth/password-reset/", {"email": owner_a.email})
    reset_token = re.search(r"token=([A-Za-z0-9_-]+)", mail.outbox[-1].body).group(1)
    secrets.append(reset_token)
    assert at_a.post("/api/auth/password-set/", {"token": reset_token, "password": NEW_PASSWORD}).status_code == 200

    lines = json_lines()
    assert sum('"logger": "nbne.access"' in line for line in lines) >= 8  # the scan saw the requests
    assert any("tenant_refusal" in line for line in lines)
    leaks = [(secret[:12], line) for line in lines for secret in secrets if secret in line]
    assert leaks == []


def test_redaction_covers_the_shapes_secrets_come_in():
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoxfQ.c2lnbmF0dXJl"
    for text in (
        f"Authorization: Bearer {jwt}",
        "password=hunter22 and more",
        '{"password": "hunter22"}',
        "'new_password': 'hunter22'",
        "https://app.example.com/password/set?token=hunter22&x=1",
        "redis://user:hunter22@redis.example.com:6379/0",
        f"claims {jwt}",
    ):
        assert "hunter22" not in redact(text) and jwt not in redact(text), text


class Captured(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events: list[dict] = []

    def capture_envelope(self, envelope) -> None:
        event = envelope.get_event()
        if event is not None:
            self.events.append(event)


@pytest.fixture
def sentry_events():
    transport = Captured()
    sentry_sdk.init(
        dsn="https://public@sentry.example.invalid/1",
        transport=transport,
        before_send=before_send,
        send_default_pii=False,
        default_integrations=False,
    )
    yield transport.events
    sentry_sdk.init(dsn=None)


def test_sentry_events_name_the_business_and_request_and_carry_no_secret(tenant_a, sentry_events):
    with tenant_context(tenant_a), context.bound(request_id="trace-sentry-1", route="booking-list"):
        sentry_sdk.capture_message("failed with Authorization: Bearer abc.def.ghi and password=hunter22")
    sentry_sdk.flush()
    [event] = sentry_events
    assert event["tags"]["tenant_slug"] == "tenant-a"
    assert event["tags"]["tenant_id"] == str(tenant_a.pk)
    assert event["tags"]["request_id"] == "trace-sentry-1"
    assert "hunter22" not in str(event) and "abc.def.ghi" not in str(event)


@pytest.mark.django_db
def test_the_alert_of_repeated_attempts_reaches_sentry_naming_both(owner_a, tenant_b, settings, sentry_events):
    settings.SECURITY_EVENTS_THRESHOLD = 2
    client = APIClient(HTTP_X_TENANT_SLUG="tenant-b")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {owner_a_access(owner_a)}")
    for _ in range(4):
        client.get("/api/auth/me/")
    sentry_sdk.flush()
    alerts = [e for e in sentry_events if e.get("tags", {}).get("source_business")]
    assert len(alerts) == 1
    assert (alerts[0]["tags"]["source_business"], alerts[0]["tags"]["target_business"]) == ("tenant-a", "tenant-b")


def owner_a_access(owner) -> str:
    from accounts.serializers import TenantTokenObtainPairSerializer

    return str(TenantTokenObtainPairSerializer.get_token(owner).access_token)
