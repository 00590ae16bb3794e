"""Row-level security in tests: run a block as the runtime role, the application's
filters on or off, against the real PostgreSQL of CI.

The suite runs as the database owner (it creates and migrates the test database);
these helpers switch the test's transaction to the runtime role of ``DATABASE_URL``
with ``SET LOCAL ROLE``, so PostgreSQL applies the policies exactly as it does to the
running application.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection

from core.tenancy.checks import project_models
from core.tenancy.context import application_filters_off
from core.tenancy.rls import tenant_tables

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
needs_postgresql = pytest.mark.skipif(not ON_POSTGRESQL, reason="row-level security is PostgreSQL's")
TENANT_TABLES = tenant_tables(project_models())


def runtime_role() -> str:
    role = settings.TENANCY_RUNTIME_ROLE
    assert role, "On PostgreSQL, set DATABASE_URL to the runtime role and DATABASE_MIGRATE_URL to the owner."
    return role


@contextmanager
def as_runtime_role() -> Iterator[str]:
    """The block's queries run as the runtime role, inside the test's transaction."""
    role = runtime_role()
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")
    try:
        yield role
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@contextmanager
def database_layer_only() -> Iterator[None]:
    """Only PostgreSQL keeps tenants apart: runtime role on, application filters off."""
    with as_runtime_role(), application_filters_off():
        yield


def set_scope(cursor, tenant_id: int | str = "", bypass: str = "") -> None:
    """What the application does at the start of a transaction, by hand."""
    cursor.execute(
        "SELECT set_config('app.tenant_id', %s, true), set_config('app.tenant_bypass', %s, true)",
        [str(tenant_id), bypass],
    )
