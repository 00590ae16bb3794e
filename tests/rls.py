"""Row-level security in tests: run a block as the runtime role, the application's
filters on or off, against the real PostgreSQL of CI.

The suite runs as the database owner (it creates and migrates the test database);
these helpers switch the test's transaction to the runtime role of ``DATABASE_URL``
with ``SET LOCAL ROLE``, so PostgreSQL applies the policies exactly as it does to the
running application. Platform work in the block (what production sends to the platform
role's own connection, core.tenancy.PlatformRouter) runs as the platform role of
``DATABASE_PLATFORM_URL`` in the same transaction, switched per statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection

from core.tenancy import (
    TRANSACTION_TOKEN_SQL,
    application_filters_off,
    needs_platform_role,
    project_models,
    scope_proof,
    tenant_tables,
)

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
needs_postgresql = pytest.mark.skipif(not ON_POSTGRESQL, reason="row-level security is PostgreSQL's")
TENANT_TABLES = tenant_tables(project_models())


def runtime_role() -> str:
    role = settings.TENANCY_RUNTIME_ROLE
    assert role, "On PostgreSQL, set DATABASE_URL to the runtime role and DATABASE_MIGRATE_URL to the owner."
    return role


def platform_role() -> str:
    role = settings.TENANCY_PLATFORM_ROLE
    assert role, "On PostgreSQL, set DATABASE_PLATFORM_URL to the platform role (BYPASSRLS)."
    return role


_TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN")


class _RoleSwitch:
    """An execute wrapper: each statement runs as the role production would run it as,
    the platform role for platform work, the runtime role for everything else."""

    def __init__(self, runtime: str, platform: str) -> None:
        self.roles = {False: connection.ops.quote_name(runtime), True: connection.ops.quote_name(platform)}
        self.current: str | None = None

    def set(self, role: str) -> None:
        with connection.connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {role}")
        self.current = role

    def __call__(self, execute, sql, params, many, context):
        statement = sql.lstrip()[:9].upper()
        if statement.startswith(_TRANSACTION_CONTROL):
            result = execute(sql, params, many, context)
            if statement.startswith("ROLLBACK"):
                self.current = None  # a savepoint rollback undoes SET LOCAL ROLE
            return result
        wanted = self.roles[needs_platform_role()]
        if wanted != self.current:
            self.set(wanted)
        return execute(sql, params, many, context)


@contextmanager
def as_runtime_role() -> Iterator[str]:
    """The block's queries run as the runtime role (platform work as the platform role),
    inside the test's transaction."""
    role = runtime_role()
    switch = _RoleSwitch(role, platform_role())
    connection.ensure_connection()
    switch.set(switch.roles[False])
    try:
        with connection.execute_wrapper(switch):
            yield role
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@contextmanager
def database_layer_only() -> Iterator[None]:
    """Only PostgreSQL keeps tenants apart: runtime role on, application filters off."""
    with as_runtime_role(), application_filters_off():
        yield


def transaction_token(cursor) -> str:
    cursor.execute(f"SELECT {TRANSACTION_TOKEN_SQL}")
    return cursor.fetchone()[0]


def set_scope(cursor, tenant_id: int | str = "", *, proof: str | None = None) -> None:
    """What the application does at the start of a transaction, by hand: the tenant and
    its proof for this transaction (or the ``proof`` given)."""
    tenant_id = str(tenant_id)
    if proof is None:
        proof = scope_proof(tenant_id, transaction_token(cursor)) if tenant_id else ""
    set_settings(cursor, {"app.tenant_id": tenant_id, "app.tenant_proof": proof})


def set_settings(cursor, values: dict[str, str]) -> None:
    for name, value in values.items():
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
