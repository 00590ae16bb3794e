"""What ``migrate`` leaves behind on PostgreSQL besides the schema: the runtime and
platform roles' grants, and the current key of the tenant proofs in the owner's private
table."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connections

from ..proofs import SCOPE_KEY_TABLE, scope_key, scope_key_pads


def store_scope_key(connection) -> None:
    """Keep the current key, and only it, in the owner's private table (after migrate,
    as the owner). A proof under another key (a changed DJANGO_SECRET_KEY) shows nothing."""
    inner, outer = scope_key_pads(scope_key())
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [SCOPE_KEY_TABLE])
        if cursor.fetchone()[0] is None:
            return  # no tenant table has row-level security yet
        cursor.execute(f"DELETE FROM {SCOPE_KEY_TABLE} WHERE inner_pad <> %s OR outer_pad <> %s", [inner, outer])
        cursor.execute(
            f"INSERT INTO {SCOPE_KEY_TABLE} (inner_pad, outer_pad) SELECT %s, %s "
            f"WHERE NOT EXISTS (SELECT FROM {SCOPE_KEY_TABLE})",
            [inner, outer],
        )


def grant_runtime_role(connection, role: str, *, sequences: str = "USAGE, SELECT") -> None:
    """Let a role (the runtime role, the platform role) read and write every table and
    sequence the owner has made or will make in the schema; never TRUNCATE (it ignores
    RLS) nor any DDL. The private schema of the proof key is not granted."""
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
        for statement in (
            f"GRANT USAGE ON SCHEMA {schema} TO {quoted}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {quoted}",
            f"GRANT {sequences} ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {sequences} ON SEQUENCES TO {quoted}",
        ):
            cursor.execute(statement)


def grant_after_migrate(sender, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: the runtime and platform roles can use what the migrations
    just made, and the database knows the current key of the tenant proofs."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    user = connection.settings_dict.get("USER")
    runtime, platform = settings.TENANCY_RUNTIME_ROLE, settings.TENANCY_PLATFORM_ROLE
    if runtime and runtime != user:
        grant_runtime_role(connection, runtime)
    if platform and platform != user:
        # A business restored with its own ids (import_tenant) moves each sequence past
        # them, which takes UPDATE on the sequence; the runtime role never does.
        grant_runtime_role(connection, platform, sequences="USAGE, SELECT, UPDATE")
    store_scope_key(connection)
