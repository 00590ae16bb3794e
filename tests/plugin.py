"""The shared test plugin (registered by the root conftest.py), used by every app's tests.

Two businesses, A and B, each with an owner, a manager and a staff member, and an API
client signed in as each of them, so that a leak from one business to the other shows;
a platform operator and an anonymous client. Helpers read rows behind the API, and
step the tenancy retrofit through its migrations.

Each name means one thing everywhere: a suite that needs someone else (an admin-site
user with permissions, a second staff member) gives them a name of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client as HttpClient
from rest_framework.test import APIClient

from accounts.factories import OperatorFactory, UserFactory
from accounts.models import User
from accounts.serializers import TenantTokenObtainPairSerializer
from core.factories import TenantFactory
from core.tenancy import unscoped_all_tenants
from tests.faults import PrivateRedis

# API clients -----------------------------------------------------------------------


def bearer(user) -> str:
    return f"Bearer {TenantTokenObtainPairSerializer.get_token(user).access_token}"


def api_client_for(user=None, **headers) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=bearer(user), **headers)
    elif headers:
        client.credentials(**headers)
    return client


# Two businesses and their people ---------------------------------------------------


@pytest.fixture
def tenant_a(db):
    return TenantFactory(slug="tenant-a", name="Tenant A")


@pytest.fixture
def tenant_b(db):
    return TenantFactory(slug="tenant-b", name="Tenant B")


@pytest.fixture
def operator(db):
    return OperatorFactory(username="operator")


def member(tenant, role: User.Role) -> User:
    """A member of the business by role, named ``<slug>-<role>``."""
    return UserFactory(tenant=tenant, username=f"{tenant.slug}-{role.value}", role=role)


def _people_of(business: str) -> None:
    """For business ``a`` or ``b``: ``owner_<b>``, ``manager_<b>`` and ``staff_<b>``, and
    their API clients, signed in: ``client_<b>`` (the owner's), ``manager_client_<b>``,
    ``staff_client_<b>``. Made in a loop so that each name means the same in both."""
    for role in User.Role:
        person = f"{role.value}_{business}"
        client = f"client_{business}" if role is User.Role.OWNER else f"{role.value}_client_{business}"

        def person_fixture(request, role=role) -> User:
            return member(request.getfixturevalue(f"tenant_{business}"), role)

        def client_fixture(request, person=person) -> APIClient:
            return api_client_for(request.getfixturevalue(person))

        globals()[person] = pytest.fixture(person_fixture, name=person)
        globals()[client] = pytest.fixture(client_fixture, name=client)


_people_of("a")
_people_of("b")


@pytest.fixture
def other_staff_a(tenant_a) -> User:
    """A second staff member of tenant A."""
    return UserFactory(tenant=tenant_a, username="tenant-a-staff-2", role=User.Role.STAFF)


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def media_root(settings) -> Path:
    """The test's own MEDIA_ROOT, an empty folder of its tmp_path (set by the root conftest)."""
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def redis_server(tmp_path, settings):
    """The default cache on a Redis of the test's own (the resilient client, with short
    timeouts), which the test may stop and start again."""
    server = PrivateRedis(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "core.resilience.ResilientRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5, "RETRY_SECONDS": 0.2},
        }
    }
    yield server
    server.stop()


# The Django admin -------------------------------------------------------------------


def admin_site_user(tenant, permissions) -> User:
    """A business's user of the Django admin (``is_staff``), named ``<slug>-admin``, with
    ``permissions`` (``Permission`` rows)."""
    user = UserFactory(tenant=tenant, username=f"{tenant.slug}-admin", is_staff=True)
    user.user_permissions.add(*permissions)
    return user


def browser(user, **defaults) -> HttpClient:
    """Django's test client, logged in as ``user`` (the admin works with sessions)."""
    client = HttpClient(**defaults)
    client.force_login(user)
    return client


# Rows behind the API ---------------------------------------------------------------


def fresh(obj):
    """``obj`` reloaded from the database, whatever its tenant."""
    with unscoped_all_tenants("test read"):
        obj.refresh_from_db()
    return obj


def rows(model, **filters) -> list:
    """Rows of a tenant model in every tenant, in pk order."""
    with unscoped_all_tenants("test read"):
        return list(model._base_manager.filter(**filters).order_by("pk"))


def one(model, **filters):
    """The one row of a tenant model that matches, whatever its tenant."""
    with unscoped_all_tenants("test read"):
        return model._base_manager.select_related().get(**filters)


def update_rows(model, filters: dict, **values) -> int:
    """Change rows in any tenant behind the application's back, as a hand-edited database
    would (the tenant column included, which the application never changes)."""
    with unscoped_all_tenants("test write"):
        return model._base_manager.filter(**filters).update(**values)


def move_user(user, tenant) -> None:
    """Move ``user`` to another business behind the application's back, as a hand-edited
    database would: its own rows (tokens, audit entries, groups) carry its business and
    are bound to it by the database, so they go first."""
    from accounts.models import AuditLogEntry, PasswordToken

    with unscoped_all_tenants("test: move a user"):
        for child in (PasswordToken, AuditLogEntry):
            child._base_manager.filter(user=user).delete()
        user.groups.clear()
        user.user_permissions.clear()
    update_rows(type(user), {"pk": user.pk}, tenant=tenant)


def count_rows(model, **filters) -> int:
    """How many rows of a tenant model match, in every tenant."""
    with unscoped_all_tenants("test count"):
        return model._base_manager.filter(**filters).count()


# The tenancy retrofit, migration by migration -------------------------------------


@dataclass(frozen=True)
class Retrofit:
    """Some apps' tenancy retrofit, stepped through with django-test-migrations' ``migrator``.

    Each app's ``0001`` is the schema from before tenancy, ``0002`` adds a nullable tenant,
    ``0003`` backfills it and ``0004`` makes it required. ``pre_tenancy`` lists every app
    at ``0001``, accounts and core first; ``nullable_tenant`` every app at ``0002``;
    ``apps`` the apps whose latest migrations end the retrofit.
    """

    apps: tuple[str, ...]
    pre_tenancy: list[tuple[str, str]]
    nullable_tenant: list[tuple[str, str]]

    def latest(self) -> list[tuple[str, str]]:
        graph = MigrationLoader(None, ignore_no_migrations=True).graph
        return sorted(node for node in graph.leaf_nodes() if node[0] in self.apps)

    def to_pre_tenancy(self, migrator, *, tables: tuple[str, ...] = ()):
        """The apps at 0001, and nothing of tenancy applied (``tables`` have no tenant yet).

        ``apply_initial_migration`` applies the whole plan up to its furthest target, and
        ``accounts.0002``-``0004`` sort before the other apps' 0001 in that plan, so those
        are applied on their own afterwards (their only dependency is ``accounts.0001``).
        """
        migrator.apply_initial_migration(self.pre_tenancy[:2])
        apps = migrator.apply_tested_migration(self.pre_tenancy).apps
        with connection.cursor() as cursor:
            for table in tables:
                columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
                assert "tenant_id" not in columns, f"{table} already has a tenant at 0001"
        return apps

    def to_nullable_tenant(self, migrator):
        return migrator.apply_tested_migration(self.nullable_tenant).apps

    def to_latest(self, migrator):
        return migrator.apply_tested_migration(self.latest()).apps


def assign_tenant(apps, slug: str, app_label: str, model_name: str, **filters) -> None:
    """What operators do at 0002: put the rows that match in the tenant ``slug`` by hand."""
    tenant = apps.get_model("core", "TenantSettings").objects.get(slug=slug)
    apps.get_model(app_label, model_name).objects.filter(**filters).update(tenant=tenant)


def assert_tenant_nullable_then_required(app_label: str, *model_names: str) -> MigrationLoader:
    """From the migration graph alone: the models have no tenant at 0001, a nullable one
    at 0002 and a required one at 0004."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for model_name in model_names:
        key = (app_label, model_name.lower())
        assert "tenant" not in loader.project_state((app_label, "0001_initial")).models[key].fields
        assert loader.project_state((app_label, "0002_tenant")).models[key].fields["tenant"].null is True
        assert loader.project_state((app_label, "0004_tenant_required")).models[key].fields["tenant"].null is False
    return loader


# A real worker and broker, for the suites of background jobs ----------------------

from tests.jobs import job_env, mail_server, worker  # noqa: E402, F401  (fixtures of the plugin)
