"""Tenants' own API keys: encrypted at rest and bound to their row, shown only masked,
managed by owners only, and used by integration clients that serve one tenant each."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import threading
from base64 import b64encode, urlsafe_b64decode, urlsafe_b64encode
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from accounts.factories import UserFactory
from accounts.models import User
from core.factories import TenantFactory, TenantIntegrationKeyFactory
from core.integrations.checks import check_tenant_secrets_key_set, check_tenant_secrets_settings
from core.integrations.clients import (
    REDACTED,
    ElevenLabsClient,
    IntegrationNotConfigured,
    IntegrationRequestError,
    IntegrationScopeError,
    OpenAIClient,
    SmartfloClient,
)
from core.integrations.secrets import (
    SecretDecryptionError,
    SecretsNotConfigured,
    decrypt_secret,
    encrypt_secret,
    generate_key,
    key_id_of,
)
from core.models import TenantIntegrationKey
from core.selectors import integration_key_plaintext
from core.services import integration_key_delete, integration_key_set
from core.tenancy import tenant_context, unscoped_all_tenants
from tests.plugin import api_client_for
from tests.rls import database_layer_only, needs_postgresql

pytestmark = pytest.mark.django_db

KEY_A = "sk-tenant-a-0123456789-abcd"
KEY_B = "sk-tenant-b-9876543210-wxyz"
PLATFORM_OPENAI = "sk-platform-openai-55555-pltf"
PLATFORM_KEYS = {
    "openai": PLATFORM_OPENAI,
    "elevenlabs": "platform-elevenlabs-66666",
    "smartflo": "platform-smartflo-77777",
}
LIST = "/api/tenant/integrations/"


def detail(provider: str) -> str:
    return f"{LIST}{provider}/"


@pytest.fixture(autouse=True)
def secrets_settings(settings):
    """A real key of the test's own (whatever DEBUG says), platform keys, fallback off."""
    settings.TENANT_SECRETS_KEYS = [generate_key()]
    settings.INTEGRATION_PLATFORM_KEYS = dict(PLATFORM_KEYS)
    settings.INTEGRATION_PLATFORM_FALLBACK = []
    return settings


def stored(tenant, provider: str = "openai") -> tuple[str, str] | None:
    """The row's columns as the database holds them, read past the ORM."""
    with unscoped_all_tenants("test: read the raw column"), connection.cursor() as cursor:
        cursor.execute(
            "SELECT encrypted_key, last_four FROM core_tenantintegrationkey WHERE tenant_id = %s AND provider = %s",
            [tenant.pk, provider],
        )
        return cursor.fetchone()


def plaintext(tenant, provider: str = "openai") -> str | None:
    return integration_key_plaintext(tenant=tenant, provider=provider)


# Encryption ----------------------------------------------------------------------


def test_a_secret_round_trips_in_the_stored_format(settings):
    value = encrypt_secret(KEY_A, tenant_id=7, provider="openai")
    version, key_id, body = value.split(":")
    material = urlsafe_b64decode(settings.TENANT_SECRETS_KEYS[0])
    assert (version, key_id) == ("v1", hashlib.sha256(material).hexdigest()[:8])
    assert len(urlsafe_b64decode(body)) == 12 + len(KEY_A) + 16  # nonce, ciphertext, tag
    assert decrypt_secret(value, tenant_id=7, provider="openai") == KEY_A


def test_every_encryption_uses_a_fresh_nonce():
    first, second = (encrypt_secret(KEY_A, tenant_id=7, provider="openai") for _ in range(2))
    assert first != second
    assert first.split(":")[2][:16] != second.split(":")[2][:16]


@pytest.mark.parametrize(("tenant_id", "provider"), [(8, "openai"), (7, "smartflo"), (78, "openai")])
def test_a_ciphertext_bound_to_another_tenant_or_provider_does_not_decrypt(tenant_id, provider):
    value = encrypt_secret(KEY_A, tenant_id=7, provider="openai")
    with pytest.raises(SecretDecryptionError, match="does not belong") as refused:
        decrypt_secret(value, tenant_id=tenant_id, provider=provider)
    assert KEY_A not in str(refused.value)


def test_an_altered_ciphertext_does_not_decrypt():
    value = encrypt_secret(KEY_A, tenant_id=7, provider="openai")
    body = bytearray(urlsafe_b64decode(value.split(":")[2]))
    body[-1] ^= 1
    altered = ":".join([*value.split(":")[:2], urlsafe_b64encode(bytes(body)).decode()])
    with pytest.raises(SecretDecryptionError):
        decrypt_secret(altered, tenant_id=7, provider="openai")
    for garbage in ("", "v1:abc", "v2:00000000:AAAA", "v1:00000000:!!!"):
        with pytest.raises(SecretDecryptionError):
            decrypt_secret(garbage, tenant_id=7, provider="openai")


def test_without_a_key_production_refuses_and_the_deploy_check_says_so(settings):
    settings.TENANT_SECRETS_KEYS = []
    settings.TENANT_SECRETS_DERIVE_DEV_KEY = False
    with pytest.raises(SecretsNotConfigured):
        encrypt_secret(KEY_A, tenant_id=7, provider="openai")
    assert [m.id for m in check_tenant_secrets_key_set()] == ["tenancy.E030"]
    settings.TENANT_SECRETS_KEYS = [generate_key()]
    assert check_tenant_secrets_key_set() == []


def test_the_deploy_check_fails_in_production_without_a_key():
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": generate_key() + generate_key(),
        "TENANT_SECRETS_KEYS": "",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "tenancy.E030" in result.stderr + result.stdout


def test_a_local_copy_derives_its_key_from_the_secret_key(settings):
    settings.TENANT_SECRETS_KEYS = []
    settings.TENANT_SECRETS_DERIVE_DEV_KEY = True
    value = encrypt_secret(KEY_A, tenant_id=7, provider="openai")
    assert decrypt_secret(value, tenant_id=7, provider="openai") == KEY_A
    settings.SECRET_KEY = settings.SECRET_KEY + "-another"
    with pytest.raises(SecretDecryptionError, match="not in TENANT_SECRETS_KEYS"):
        decrypt_secret(value, tenant_id=7, provider="openai")


def test_a_malformed_key_is_reported_without_its_value(settings):
    settings.TENANT_SECRETS_KEYS = ["c2hvcnQ="]  # "short"
    messages = check_tenant_secrets_settings()
    assert [m.id for m in messages] == ["tenancy.E031"]
    assert "c2hvcnQ" not in messages[0].msg
    with pytest.raises(ImproperlyConfigured):
        encrypt_secret(KEY_A, tenant_id=7, provider="openai")


# At rest --------------------------------------------------------------------------


def test_the_column_at_rest_holds_neither_the_key_nor_its_encodings(tenant_a, owner_a):
    integration_key_set(tenant=tenant_a, provider="openai", api_key=KEY_A, by=owner_a)
    encrypted, last_four = stored(tenant_a)
    assert encrypted.startswith("v1:")
    assert last_four == KEY_A[-4:]
    with unscoped_all_tenants("test: the whole row"), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_tenantintegrationkey WHERE tenant_id = %s", [tenant_a.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    for form in (KEY_A, KEY_A[:-4], urlsafe_b64encode(KEY_A.encode()).decode(), b64encode(KEY_A.encode()).decode()):
        assert form not in row
    assert plaintext(tenant_a) == KEY_A


def test_a_ciphertext_moved_into_tenant_bs_row_does_not_decrypt(tenant_a, tenant_b, owner_a, owner_b):
    integration_key_set(tenant=tenant_a, provider="openai", api_key=KEY_A, by=owner_a)
    integration_key_set(tenant=tenant_b, provider="openai", api_key=KEY_B, by=owner_b)
    with unscoped_all_tenants("test: copy A's ciphertext into B's row"):
        TenantIntegrationKey.objects.filter(tenant=tenant_b).update(encrypted_key=stored(tenant_a)[0])
    with pytest.raises(SecretDecryptionError) as refused:
        plaintext(tenant_b)
    assert KEY_A not in str(refused.value) and KEY_B not in str(refused.value)
    assert plaintext(tenant_a) == KEY_A


def test_a_ciphertext_moved_to_another_provider_does_not_decrypt(tenant_a, owner_a):
    integration_key_set(tenant=tenant_a, provider="openai", api_key=KEY_A, by=owner_a)
    TenantIntegrationKeyFactory(tenant=tenant_a, provider="smartflo", encrypted_key=stored(tenant_a)[0])
    with pytest.raises(SecretDecryptionError):
        plaintext(tenant_a, "smartflo")


# Rotation -------------------------------------------------------------------------


def test_rotation_keeps_old_keys_readable_and_moves_them_to_the_new_key(settings, tenant_a, tenant_b, owner_a, owner_b):
    old, new = generate_key(), generate_key()
    old_id, new_id = key_id_of(urlsafe_b64decode(old)), key_id_of(urlsafe_b64decode(new))
    settings.TENANT_SECRETS_KEYS = [old]
    integration_key_set(tenant=tenant_a, provider="openai", api_key=KEY_A, by=owner_a)
    under_old = stored(tenant_a)[0]
    assert under_old.split(":")[1] == old_id

    settings.TENANT_SECRETS_KEYS = [new, old]
    assert plaintext(tenant_a) == KEY_A  # the old key still decrypts
    integration_key_set(tenant=tenant_b, provider="openai", api_key=KEY_B, by=owner_b)
    assert stored(tenant_b)[0].split(":")[1] == new_id  # the new one encrypts

    call_command("rotate_tenant_secrets")
    assert stored(tenant_a)[0].split(":")[1] == new_id
    assert stored(tenant_a)[0] != under_old

    settings.TENANT_SECRETS_KEYS = [new]
    assert (plaintext(tenant_a), plaintext(tenant_b)) == (KEY_A, KEY_B)
    with pytest.raises(SecretDecryptionError, match=old_id):
        decrypt_secret(under_old, tenant_id=tenant_a.pk, provider="openai")


def test_rotation_reports_a_key_it_cannot_read_and_moves_the_others(settings, tenant_a, tenant_b, owner_a, owner_b):
    old, new = generate_key(), generate_key()
    settings.TENANT_SECRETS_KEYS = [old]
    integration_key_set(tenant=tenant_a, provider="openai", api_key=KEY_A, by=owner_a)
    integration_key_set(tenant=tenant_b, provider="openai", api_key=KEY_B, by=owner_b)
    with unscoped_all_tenants("test: copy A's ciphertext into B's row"):
        TenantIntegrationKey.objects.filter(tenant=tenant_b).update(encrypted_key=stored(tenant_a)[0])
    moved = stored(tenant_b)[0]
    settings.TENANT_SECRETS_KEYS = [new, old]
    with pytest.raises(CommandError, match="tenant-b/openai"):
        call_command("rotate_tenant_secrets")
    assert stored(tenant_b)[0] == moved
    settings.TENANT_SECRETS_KEYS = [new]
    assert plaintext(tenant_a) == KEY_A


def test_generate_secrets_key_prints_a_usable_key(capsys, settings):
    call_command("generate_secrets_key")
    key = capsys.readouterr().out.strip()
    settings.TENANT_SECRETS_KEYS = [key]
    assert decrypt_secret(encrypt_secret(KEY_A, tenant_id=1, provider="openai"), tenant_id=1, provider="openai")


# The API ------------------------------------------------------------------------------


def test_the_list_shows_every_provider_and_no_key(client_a):
    response = client_a.get(LIST)
    assert response.status_code == 200
    assert response.json() == [
        {"provider": p, "configured": False, "masked_key": None, "uses_platform_key": False, "updated_at": None}
        for p in ("elevenlabs", "smartflo", "openai")
    ]


def test_a_key_is_write_only_and_answered_masked(client_a, tenant_a, owner_a):
    response = client_a.put(detail("openai"), {"api_key": f"  {KEY_A}\n"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["masked_key"] == "••••" + KEY_A[-4:]
    assert body["configured"] is True and body["uses_platform_key"] is False
    assert "api_key" not in body and KEY_A not in response.content.decode()

    listed = client_a.get(LIST)
    assert KEY_A not in listed.content.decode()
    assert {row["provider"]: row["masked_key"] for row in listed.json()} == {
        "elevenlabs": None,
        "smartflo": None,
        "openai": "••••abcd",
    }
    assert plaintext(tenant_a) == KEY_A  # stored trimmed
    with tenant_context(tenant_a):
        assert TenantIntegrationKey.objects.get().updated_by == owner_a


@pytest.mark.parametrize("key", ["12345678", "sk-0123456"])
def test_a_key_under_twelve_characters_shows_nothing_of_itself(client_a, tenant_a, key):
    response = client_a.put(detail("smartflo"), {"api_key": key})
    assert response.status_code == 200, response.content
    assert response.json()["masked_key"] == "••••"
    assert stored(tenant_a, "smartflo")[1] == ""
    assert plaintext(tenant_a, "smartflo") == key


BAD_BODIES = {
    "missing": {},
    "empty": {"api_key": ""},
    "blank": {"api_key": "          "},
    "too short": {"api_key": "sk-1234"},
    "too long": {"api_key": "k" * 501},
    "inner space": {"api_key": "sk-live 0123456789"},
    "inner tab": {"api_key": "sk-live\t0123456789"},
    "inner newline": {"api_key": "sk-live\n0123456789"},
    "not ascii": {"api_key": "sk-live-0123456789€"},
    "not a string": {"api_key": ["sk-live-0123456789"]},
    "null": {"api_key": None},
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_input_is_a_400_and_leaves_the_stored_key_unchanged(client_a, tenant_a, owner_a, body):
    integration_key_set(tenant=tenant_a, provider="openai", api_key=KEY_A, by=owner_a)
    before = stored(tenant_a)
    response = client_a.put(detail("openai"), body, format="json")
    assert response.status_code == 400, response.content
    assert "api_key" in response.json()
    assert stored(tenant_a) == before
    assert plaintext(tenant_a) == KEY_A


@pytest.mark.parametrize("method", ["put", "delete"])
def test_an_unknown_provider_is_a_json_404(client_a, tenant_a, method):
    response = getattr(client_a, method)(detail("github"), {"api_key": KEY_A}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    with tenant_context(tenant_a):
        assert not TenantIntegrationKey.objects.exists()


@pytest.mark.parametrize("role", [User.Role.MANAGER, User.Role.STAFF])
def test_managers_and_staff_are_refused_with_a_json_403(tenant_a, owner_a, role):
    integration_key_set(tenant=tenant_a, provider="openai", api_key=KEY_A, by=owner_a)
    before = stored(tenant_a)
    client = api_client_for(UserFactory(tenant=tenant_a, role=role))
    for response in (
        client.get(LIST),
        client.put(detail("openai"), {"api_key": KEY_B}),
        client.put(detail("smartflo"), {"api_key": KEY_B}),
        client.delete(detail("openai")),
    ):
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "permission_denied"
        assert KEY_A[-4:] not in response.content.decode()
    assert stored(tenant_a) == before
    assert stored(tenant_a, "smartflo") is None


def test_anonymous_requests_are_refused(tenant_a):
    anonymous = api_client_for(HTTP_X_TENANT_SLUG=tenant_a.slug)
    assert anonymous.get(LIST).status_code == 401
    assert anonymous.put(detail("openai"), {"api_key": KEY_A}).status_code == 401
    with tenant_context(tenant_a):
        assert not TenantIntegrationKey.objects.exists()


def test_an_operator_manages_the_keys_of_the_tenant_it_names(operator, tenant_a, tenant_b):
    assert api_client_for(operator).get(LIST).json()["code"] == "tenant_required"
    as_operator = api_client_for(operator, HTTP_X_TENANT_SLUG=tenant_a.slug)
    assert as_operator.put(detail("openai"), {"api_key": KEY_A}).status_code == 200
    assert plaintext(tenant_a) == KEY_A and stored(tenant_b) is None
    assert as_operator.delete(detail("openai")).status_code == 204
    assert stored(tenant_a) is None


def test_delete_removes_the_key_and_is_idempotent(client_a, tenant_a, owner_a):
    integration_key_set(tenant=tenant_a, provider="openai", api_key=KEY_A, by=owner_a)
    assert client_a.delete(detail("openai")).status_code == 204
    assert stored(tenant_a) is None
    assert client_a.delete(detail("openai")).status_code == 204
    assert client_a.get(LIST).json()[2]["configured"] is False


def test_tenant_b_neither_sees_nor_changes_tenant_as_keys(client_a, client_b, tenant_a, tenant_b, owner_b):
    assert client_a.put(detail("openai"), {"api_key": KEY_A}).status_code == 200
    a_before = stored(tenant_a)

    assert all(row["configured"] is False for row in client_b.get(LIST).json())
    assert client_b.put(detail("openai"), {"api_key": KEY_B}).status_code == 200
    assert stored(tenant_a) == a_before
    assert (plaintext(tenant_a), plaintext(tenant_b)) == (KEY_A, KEY_B)
    assert client_b.delete(detail("openai")).status_code == 204
    assert stored(tenant_a) == a_before and stored(tenant_b) is None

    naming_a = api_client_for(owner_b, HTTP_X_TENANT_SLUG=tenant_a.slug)
    for response in (naming_a.get(LIST), naming_a.put(detail("openai"), {"api_key": KEY_B})):
        assert response.status_code == 403
        assert response.json()["code"] == "tenant_mismatch"
    assert stored(tenant_a) == a_before


@needs_postgresql
def test_row_level_security_alone_keeps_as_keys_from_b(client_b, tenant_a, tenant_b, owner_a):
    integration_key_set(tenant=tenant_a, provider="openai", api_key=KEY_A, by=owner_a)
    a_before = stored(tenant_a)
    with database_layer_only():
        with tenant_context(tenant_b):
            assert not TenantIntegrationKey.objects.exists()
            with pytest.raises(IntegrationNotConfigured):
                OpenAIClient(tenant=tenant_b).api_key  # noqa: B018
        assert all(row["configured"] is False for row in client_b.get(LIST).json())
        assert client_b.put(detail("openai"), {"api_key": KEY_B}).status_code == 200
        assert client_b.delete(detail("openai")).status_code == 204
    assert stored(tenant_a) == a_before


def test_the_list_says_when_the_platform_key_stands_in(client_a, settings):
    settings.INTEGRATION_PLATFORM_FALLBACK = ["openai", "smartflo"]
    settings.INTEGRATION_PLATFORM_KEYS = {**PLATFORM_KEYS, "smartflo": ""}
    rows = {row["provider"]: row for row in client_a.get(LIST).json()}
    assert {p: r["uses_platform_key"] for p, r in rows.items()} == {
        "openai": True,
        "smartflo": False,  # allowed, but there is no platform key
        "elevenlabs": False,
    }
    client_a.put(detail("openai"), {"api_key": KEY_A})
    assert client_a.get(LIST).json()[2]["uses_platform_key"] is False
    assert PLATFORM_OPENAI not in client_a.get(LIST).content.decode()


def test_setting_and_removing_a_key_is_audited_without_it(client_a, tenant_a, owner_a, caplog):
    with caplog.at_level(logging.INFO, logger="nbne.tenancy.audit"):
        client_a.put(detail("openai"), {"api_key": KEY_A})
        client_a.delete(detail("openai"))
    audit = [r.getMessage() for r in caplog.records if r.name == "nbne.tenancy.audit"]
    assert f"integration key set tenant=tenant-a provider=openai user={owner_a.pk}" in audit
    assert f"integration key removed tenant=tenant-a provider=openai user={owner_a.pk}" in audit
    assert not any(KEY_A in message or KEY_A[-4:] in message for message in audit)


def test_a_server_without_an_encryption_key_answers_503_and_stores_nothing(client_a, tenant_a, settings):
    settings.TENANT_SECRETS_KEYS = []
    settings.TENANT_SECRETS_DERIVE_DEV_KEY = False
    response = client_a.put(detail("openai"), {"api_key": KEY_A})
    assert response.status_code == 503
    assert response.json()["code"] == "secrets_not_configured"
    assert stored(tenant_a) is None


# The integration clients, against a real HTTP server ------------------------------------


class ProviderServer:
    """A stand-in for the providers on loopback, recording what each request carried."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                with recorder.lock:
                    recorder.requests.append(
                        {
                            "method": self.command,
                            "path": self.path,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                        }
                    )
                if self.path.endswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", "/elsewhere")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = json.dumps({"ok": True}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args) -> None:  # keep the test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def base_urls(self) -> dict[str, str]:
        return {p: f"http://127.0.0.1:{self.port}/{p}/v1" for p in PLATFORM_KEYS}

    def auth_of(self, record: dict) -> str | None:
        headers = record["headers"]
        if "xi-api-key" in headers:
            return headers["xi-api-key"]
        authorization = headers.get("authorization", "")
        return authorization.removeprefix("Bearer ") if authorization else None


@pytest.fixture
def provider_server(settings):
    server = ProviderServer()
    server.thread.start()
    settings.INTEGRATION_BASE_URLS = server.base_urls()
    yield server
    server.server.shutdown()
    server.server.server_close()


CLIENTS = [
    (OpenAIClient, "authorization", "Bearer "),
    (ElevenLabsClient, "xi-api-key", ""),
    (SmartfloClient, "authorization", "Bearer "),
]


@pytest.mark.parametrize(("client_class", "header", "prefix"), CLIENTS, ids=lambda v: getattr(v, "__name__", None))
def test_a_tenants_client_sends_that_tenants_key(
    provider_server, tenant_a, tenant_b, owner_a, owner_b, client_class, header, prefix
):
    provider = client_class.provider
    integration_key_set(tenant=tenant_a, provider=provider, api_key=KEY_A, by=owner_a)
    integration_key_set(tenant=tenant_b, provider=provider, api_key=KEY_B, by=owner_b)
    response = client_class(tenant=tenant_a).request("POST", "/things", json={"q": 1})
    assert response.status_code == 200 and response.json() == {"ok": True}
    (record,) = provider_server.requests
    assert record["path"] == f"/{provider}/v1/things"
    assert record["headers"][header] == prefix + KEY_A
    assert KEY_B not in json.dumps(record)


def test_a_tenant_without_a_key_is_refused_unless_the_platform_key_may_stand_in(
    provider_server, settings, tenant_a, tenant_b, owner_b
):
    integration_key_set(tenant=tenant_b, provider="openai", api_key=KEY_B, by=owner_b)
    OpenAIClient(tenant=tenant_b).request("GET", "/models")  # B's client, used just before
    with pytest.raises(IntegrationNotConfigured, match="tenant-a"):
        OpenAIClient(tenant=tenant_a).request("GET", "/models")
    assert len(provider_server.requests) == 1

    settings.INTEGRATION_PLATFORM_FALLBACK = ["openai"]
    client_a = OpenAIClient(tenant=tenant_a)
    OpenAIClient(tenant=tenant_b).request("GET", "/models")  # created and used in between
    client_a.request("GET", "/models")
    with pytest.raises(IntegrationNotConfigured):  # allowed for openai only
        ElevenLabsClient(tenant=tenant_a).request("GET", "/voices")
    assert [provider_server.auth_of(r) for r in provider_server.requests] == [KEY_B, KEY_B, PLATFORM_OPENAI]


@pytest.mark.django_db(transaction=True)
def test_concurrent_clients_of_three_tenants_never_send_another_tenants_key(provider_server, settings):
    settings.INTEGRATION_PLATFORM_FALLBACK = ["openai"]
    tenants = [TenantFactory(slug=f"thread-{n}") for n in range(3)]
    expected = {tenants[0].slug: KEY_A, tenants[1].slug: KEY_B, tenants[2].slug: PLATFORM_OPENAI}
    for tenant in tenants[:2]:
        integration_key_set(tenant=tenant, provider="openai", api_key=expected[tenant.slug], by=None)
    start = threading.Barrier(len(tenants), timeout=10)
    failures: list[BaseException] = []

    def worker(tenant) -> None:
        try:
            shared = OpenAIClient(tenant=tenant)
            start.wait()
            for i in range(15):
                client = shared if i % 2 else OpenAIClient(tenant=tenant)  # new and reused clients
                client.request("GET", "/models", headers={"X-Test-Tenant": tenant.slug})
        except BaseException as exc:  # reported in the main thread
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(t,)) for t in tenants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(provider_server.requests) == 45
    sent = {(r["headers"]["x-test-tenant"], provider_server.auth_of(r)) for r in provider_server.requests}
    assert sent == set(expected.items())


def test_a_client_built_for_a_is_refused_in_bs_scope(provider_server, tenant_a, tenant_b, owner_a, owner_b):
    integration_key_set(tenant=tenant_a, provider="openai", api_key=KEY_A, by=owner_a)
    integration_key_set(tenant=tenant_b, provider="openai", api_key=KEY_B, by=owner_b)
    client = OpenAIClient(tenant=tenant_a)
    with tenant_context(tenant_b):
        with pytest.raises(IntegrationScopeError):
            client.request("GET", "/models")
        with pytest.raises(IntegrationScopeError):
            _ = client.api_key
    assert provider_server.requests == []
    with tenant_context(tenant_a):
        client.request("GET", "/models")
    assert [provider_server.auth_of(r) for r in provider_server.requests] == [KEY_A]


def test_a_client_reads_the_key_afresh_for_every_request(provider_server, tenant_a, owner_a):
    integration_key_set(tenant=tenant_a, provider="openai", api_key=KEY_A, by=owner_a)
    client = OpenAIClient(tenant=tenant_a)
    client.request("GET", "/models")
    integration_key_set(tenant=tenant_a, provider="openai", api_key=KEY_B, by=owner_a)
    client.request("GET", "/models")
    integration_key_delete(tenant=tenant_a, provider="openai", by=owner_a)
    with pytest.raises(IntegrationNotConfigured):
        client.request("GET", "/models")
    assert [provider_server.auth_of(r) for r in provider_server.requests] == [KEY_A, KEY_B]
    assert KEY_B not in repr(vars(client))


def test_a_moved_ciphertext_is_never_sent(provider_server, settings, tenant_a, tenant_b, owner_a):
    settings.INTEGRATION_PLATFORM_FALLBACK = ["openai"]  # an unreadable key does not fall back either
    integration_key_set(tenant=tenant_a, provider="openai", api_key=KEY_A, by=owner_a)
    TenantIntegrationKeyFactory(tenant=tenant_b, provider="openai", encrypted_key=stored(tenant_a)[0])
    with pytest.raises(SecretDecryptionError):
        OpenAIClient(tenant=tenant_b).request("GET", "/models")
    assert provider_server.requests == []


def test_the_key_goes_only_to_the_providers_base_url(provider_server, tenant_a, owner_a):
    integration_key_set(tenant=tenant_a, provider="openai", api_key=KEY_A, by=owner_a)
    client = OpenAIClient(tenant=tenant_a)
    for path in (f"http://127.0.0.1:{provider_server.port}/steal", "//evil.example/steal"):
        with pytest.raises(ValueError):
            client.request("GET", path)
    response = client.request("GET", "/redirect")
    assert response.status_code == 302  # not followed
    assert [r["path"] for r in provider_server.requests] == ["/openai/v1/redirect"]
    assert response.request.headers["Authorization"] == REDACTED


def test_failures_reprs_and_answers_carry_no_key(provider_server, settings, tenant_a, owner_a):
    integration_key_set(tenant=tenant_a, provider="elevenlabs", api_key=KEY_A, by=owner_a)
    client = ElevenLabsClient(tenant=tenant_a)
    response = client.request("GET", "/voices")
    assert KEY_A not in repr(client) and KEY_A not in repr(response)
    assert response.request.headers["xi-api-key"] == REDACTED

    provider_server.server.shutdown()
    provider_server.server.server_close()
    with pytest.raises(IntegrationRequestError) as failed:
        client.request("GET", "/voices", timeout=2)
    assert KEY_A not in str(failed.value) and KEY_A not in repr(failed.value)
    assert failed.value.__context__ is None and failed.value.__cause__ is None


# Nothing shows a key whole --------------------------------------------------------------


def test_plaintext_keys_appear_in_no_response_and_no_log(
    provider_server, settings, caplog, tenant_a, tenant_b, owner_a
):
    """Every path (set, list, refusals, use, failures), with SQL logging on."""
    settings.DEBUG = True  # Django logs every query, with its parameters
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    refused_key = "sk-manager-tries-this-4242"
    invalid_key = "sk-live with-a-space-1313"
    owner, manager = api_client_for(owner_a), api_client_for(UserFactory(tenant=tenant_a, role=User.Role.MANAGER))
    bodies = []

    def keep(response):
        bodies.append(response.content.decode())
        return response

    assert keep(owner.put(detail("openai"), {"api_key": KEY_A})).status_code == 200
    assert keep(owner.put(detail("elevenlabs"), {"api_key": invalid_key})).status_code == 400
    assert keep(manager.put(detail("smartflo"), {"api_key": refused_key})).status_code == 403
    assert keep(owner.put(detail("nope"), {"api_key": KEY_B})).status_code == 404
    assert keep(owner.get(LIST)).status_code == 200

    OpenAIClient(tenant=tenant_a).request("GET", "/models")
    errors = []
    with pytest.raises(IntegrationNotConfigured) as not_configured:
        SmartfloClient(tenant=tenant_a).request("GET", "/calls")
    errors.append(not_configured.value)
    with tenant_context(tenant_b), pytest.raises(IntegrationScopeError) as wrong_scope:
        OpenAIClient(tenant=tenant_a).request("GET", "/models")
    errors.append(wrong_scope.value)
    TenantIntegrationKeyFactory(tenant=tenant_b, provider="openai", encrypted_key=stored(tenant_a)[0])
    with pytest.raises(SecretDecryptionError) as unreadable:
        OpenAIClient(tenant=tenant_b).request("GET", "/models")
    errors.append(unreadable.value)
    settings.INTEGRATION_BASE_URLS = {"openai": "http://127.0.0.1:9/v1"}  # nothing listens on discard
    with pytest.raises(IntegrationRequestError) as failed:
        OpenAIClient(tenant=tenant_a).request("GET", "/models", timeout=2)
    errors.append(failed.value)

    formatter = logging.Formatter("%(name)s %(message)s")
    logged = [formatter.format(record) + repr(record.args) for record in caplog.records]
    # The capture saw the paths it is meant to watch.
    assert any("core_tenantintegrationkey" in line for line in logged)
    assert any(line.startswith("nbne.tenancy.audit integration key set") for line in logged)
    assert any(line.startswith("core.integrations.clients integration request ") for line in logged)
    assert any("integration request failed" in line for line in logged)
    for secret in (KEY_A, refused_key, invalid_key, KEY_B, PLATFORM_OPENAI):
        assert not [line for line in logged if secret in line], secret
        assert not [body for body in bodies if secret in body], secret
        assert not [e for e in errors if secret in str(e) or secret in repr(e)], secret
