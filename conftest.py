"""Root fixtures: two tenants with their own users and API clients, so leaks are visible."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.servers.basehttp import WSGIServer
from rest_framework.test import APIClient

from accounts.factories import OperatorFactory, UserFactory
from accounts.serializers import TenantTokenObtainPairSerializer
from core.factories import TenantFactory
from core.ratelimit import local_counts_reset

# The live server of the parallel-request tests listens with a backlog of 10; a burst of
# dozens of simultaneous connections then overflows it and is reset by the kernel, as a
# real server with its usual backlog (gunicorn's 2048) would not be.
WSGIServer.request_queue_size = 128


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """Create, migrate and use the test database as its owner (DATABASE_MIGRATE_URL):
    the runtime role may not create databases or tables. Suites about row-level
    security switch to the runtime role themselves (tests/rls.py)."""
    owner = getattr(settings, "DATABASE_OWNER", None)
    if owner:
        settings.DATABASES["default"].update({key: owner.get(key) for key in ("USER", "PASSWORD", "HOST", "PORT")})


@pytest.fixture(autouse=True)
def _fast_and_unthrottled(settings, tmp_path):
    cache.clear()  # no test sees another's cached entries (ids are reused after a rollback)
    local_counts_reset()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()  # as a deployment's mounted volume is there already
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"public_booking": "10000/minute"},
    }


def bearer(user) -> str:
    return f"Bearer {TenantTokenObtainPairSerializer.get_token(user).access_token}"


def api_client_for(user=None, **headers) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=bearer(user), **headers)
    elif headers:
        client.credentials(**headers)
    return client


@pytest.fixture
def tenant_a(db):
    return TenantFactory(slug="tenant-a", name="Tenant A")


@pytest.fixture
def tenant_b(db):
    return TenantFactory(slug="tenant-b", name="Tenant B")


@pytest.fixture
def user_a(tenant_a):
    return UserFactory(tenant=tenant_a, username="tenant-a-owner")


@pytest.fixture
def user_b(tenant_b):
    return UserFactory(tenant=tenant_b, username="tenant-b-owner")


@pytest.fixture
def operator(db):
    return OperatorFactory(username="operator")


@pytest.fixture
def client_a(user_a) -> APIClient:
    return api_client_for(user_a)


@pytest.fixture
def client_b(user_b) -> APIClient:
    return api_client_for(user_b)


@pytest.fixture
def anon() -> APIClient:
    return APIClient()
