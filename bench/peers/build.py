"""Build one variant's database: dropped and made again, migrations generated from its
models, migrated as the owner, loaded with COPY, analysed.

django-tenants gets one schema per business: the first made by ``migrate_schemas``, the
others cloned from it with the library's own ``clone_schema`` (its base-schema way of
creating tenants in bulk; a ``migrate`` per business would take far longer), then
filled with that business's rows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from .dataset import COLUMNS, all_rows, host_of, slug_of
from .settings_base import OWNER_ROLE, PEERS_DIR, RUNTIME_ROLE, database_name

ROOT = PEERS_DIR.parent.parent
VARIANTS = ("none", "core", "tenants", "rls", "scopes", "multitenant")
# The apps whose migrations each variant generates.
APPS = {variant: [variant] for variant in VARIANTS} | {"tenants": ["tenants_shared", "tenants"]}
LIBRARY = {
    "none": "none (baseline)",
    "core": "this core",
    "tenants": "django-tenants",
    "rls": "django-rls-tenants",
    "scopes": "django-scopes",
    "multitenant": "django-multitenant",
}
TABLES = ("service", "client", "booking", "booking_note")


def environment(variant: str, *, role: str = "owner") -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = f"bench.peers.v_{variant}.settings"
    env["PEERS_ROLE"] = role
    env["PYTHONPATH"] = str(ROOT)
    return env


def django(variant: str, *args: str, role: str = "owner", capture: bool = False) -> str:
    """Run ``django-admin`` with the variant's settings, from the repository root."""
    done = subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=ROOT,
        env=environment(variant, role=role),
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return done.stdout or ""


def inproc(variant: str, *args: str, role: str = "owner") -> str:
    """Run ``bench.peers.inproc`` (work inside a Django process) with the variant's settings."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.peers.inproc", *args],
        cwd=ROOT,
        env=environment(variant, role=role),
        check=True,
        text=True,
        stdout=subprocess.PIPE,
    )
    return done.stdout


def connect(dbname: str = "postgres", *, autocommit: bool = True) -> psycopg.Connection:
    return psycopg.connect(
        host=os.environ.get("PEERS_PGHOST", "127.0.0.1"),
        port=os.environ.get("PEERS_PGPORT", "5432"),
        user=OWNER_ROLE,
        dbname=dbname,
        autocommit=autocommit,
    )


def recreate_database(variant: str) -> None:
    name = database_name(variant)
    assert name.startswith("nbne_peers_")  # never any other database
    with connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def migrations_dir(app: str) -> Path:
    return PEERS_DIR / f"v_{app}" / "migrations"


def generate_migrations(variant: str) -> None:
    for app in APPS[variant]:
        folder = migrations_dir(app)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        (folder / "__init__.py").write_text("")
    django(variant, "makemigrations", "--skip-checks", *[f"peers_{app}" for app in APPS[variant]], "-v", "0")
    if variant == "core":
        inproc(variant, "write-rls-migration")


def leaf_migration(app: str) -> str:
    return sorted(p.stem for p in migrations_dir(app).glob("0*.py"))[-1]


def copy_rows(cursor: psycopg.Cursor, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def table_columns(cursor: psycopg.Cursor, schema: str) -> dict[str, set[str]]:
    cursor.execute("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %s", [schema])
    found: dict[str, set[str]] = {}
    for table, column in cursor.fetchall():
        found.setdefault(table, set()).add(column)
    return found


def load_tenant_rows(cursor: psycopg.Cursor, businesses: int, schema_of=None) -> None:
    """COPY every business's rows; only the columns each table has (no ``tenant_id`` in
    a django-tenants schema, nor on the note where the design reaches it by the booking)."""
    present = table_columns(cursor, "public") if schema_of is None else None
    for business, rows in all_rows(businesses):
        if schema_of is not None:
            cursor.execute(f'SET search_path TO "{schema_of(business)}"')
            present = present or table_columns(cursor, schema_of(business))
        for table, table_rows in zip(TABLES, (rows.services, rows.clients, rows.bookings, rows.notes), strict=True):
            keep = [i for i, column in enumerate(COLUMNS[table]) if column in present[table]]
            copy_rows(
                cursor, table, tuple(COLUMNS[table][i] for i in keep), [tuple(r[i] for i in keep) for r in table_rows]
            )
        if schema_of is not None:
            # A transaction per schema: one over 1,000 schemas' tables and indexes would
            # hold more locks than the server's lock table has room for.
            move_sequences(cursor, list(TABLES))
            cursor.connection.commit()
    if schema_of is not None:
        cursor.execute("SET search_path TO public")


def replay_schema(variant: str, businesses: int) -> None:
    """Businesses 2..N's schemas as copies of the first, migrated one: its ``pg_dump``
    (tables, keys, indexes and its django_migrations rows) replayed under each name.

    The library's own ``clone_schema`` (``TENANT_BASE_SCHEMA``) does the same work in
    PL/pgSQL, but slowed as schemas were added (about 0.2 s a schema at 20, 0.4 s at 50)
    and would take most of the run at 1,000; what is measured is serving and migrating
    the schemas, not making them.
    """
    template = slug_of(1)
    dump = subprocess.run(
        [
            "pg_dump",
            "--host",
            os.environ.get("PEERS_PGHOST", "127.0.0.1"),
            "--port",
            os.environ.get("PEERS_PGPORT", "5432"),
            "--username",
            OWNER_ROLE,
            "--schema",
            template,
            "--no-owner",
            "--no-privileges",
            database_name(variant),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    dump = "\n".join(line for line in dump.splitlines() if not line.startswith("--")) + "\n"
    if dump.count(template) != dump.count(f"{template}.") + dump.count(f"SCHEMA {template}"):
        raise RuntimeError("the template schema's name appears where it cannot be replaced safely")
    script = "".join(
        dump.replace(f"{template}.", f"{slug_of(b)}.").replace(f"SCHEMA {template}", f"SCHEMA {slug_of(b)}")
        for b in range(2, businesses + 1)
    )
    subprocess.run(
        [
            "psql",
            "--quiet",
            "--no-psqlrc",
            "--set",
            "ON_ERROR_STOP=1",
            "--host",
            os.environ.get("PEERS_PGHOST", "127.0.0.1"),
            "--port",
            os.environ.get("PEERS_PGPORT", "5432"),
            "--username",
            OWNER_ROLE,
            "--dbname",
            database_name(variant),
        ],
        input=script,
        check=True,
        text=True,
        stdout=subprocess.DEVNULL,
    )


def move_sequences(cursor: psycopg.Cursor, tables: list[str]) -> None:
    """Past the loaded ids, so created bookings take new ones."""
    for table in tables:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))", [table])


def build(variant: str, businesses: int) -> dict[str, float]:
    """Build the variant's database; the seconds each step took."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    recreate_database(variant)
    generate_migrations(variant)
    if variant == "tenants":
        django(variant, "migrate_schemas", "--shared", "--noinput", "-v", "0")
    else:
        django(variant, "migrate", "--noinput", "-v", "0")
    timings["migrate"] = time.perf_counter() - started
    with connect(database_name(variant), autocommit=False) as conn, conn.cursor() as cursor:
        present = table_columns(cursor, "public")["business"]
        extra = ("schema_name",) if "schema_name" in present else ()
        copy_rows(
            cursor,
            "business",
            ("id", "name", "slug", *extra),
            [(b, f"Business {b}", slug_of(b), *([slug_of(b)] if extra else [])) for b in range(1, businesses + 1)],
        )
        move_sequences(cursor, ["business"])
        if variant == "tenants":
            copy_rows(
                cursor,
                "domain",
                ("id", "domain", "tenant_id", "is_primary"),
                [(b, host_of(b), b, True) for b in range(1, businesses + 1)],
            )
            move_sequences(cursor, ["domain"])
        conn.commit()
    if variant == "tenants":
        started = time.perf_counter()
        with connect(database_name(variant)) as conn:
            conn.execute(f'CREATE SCHEMA "{slug_of(1)}"')
        django(variant, "migrate_schemas", "--tenant", "-s", slug_of(1), "--noinput", "-v", "0")
        replay_schema(variant, businesses)
        timings["schemas"] = time.perf_counter() - started
    started = time.perf_counter()
    with connect(database_name(variant), autocommit=False) as conn, conn.cursor() as cursor:
        if variant == "tenants":
            load_tenant_rows(cursor, businesses, schema_of=slug_of)
        else:
            load_tenant_rows(cursor, businesses)
            move_sequences(cursor, list(TABLES))
        if variant == "rls":
            # django-rls-tenants leaves grants to the project: the runtime role reads and
            # writes the tables and is bound by their policies (it owns none of them).
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {RUNTIME_ROLE}")
            cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {RUNTIME_ROLE}")
        conn.commit()
    with connect(database_name(variant)) as conn:
        conn.execute("VACUUM ANALYZE")
    timings["load"] = time.perf_counter() - started
    return timings


NEW_MIGRATION = '''from django.db import migrations, models


class Migration(migrations.Migration):
    """The migration whose time is measured: one nullable column on the booking table."""

    dependencies = [("{label}", "{leaf}")]
    operations = [
        migrations.AddField("booking", "reference", models.CharField(max_length=32, null=True, blank=True)),
    ]
'''


def time_new_migration(variant: str) -> float:
    """Seconds to add one nullable column to the booking table of every business: one
    ``migrate`` for a shared table, ``migrate_schemas`` over every schema for django-tenants."""
    app = "tenants" if variant == "tenants" else variant
    leaf = leaf_migration(app)
    number = int(leaf[:4]) + 1
    path = migrations_dir(app) / f"{number:04d}_booking_reference.py"
    path.write_text(NEW_MIGRATION.format(label=f"peers_{app}", leaf=leaf))
    started = time.perf_counter()
    if variant == "tenants":
        django(variant, "migrate_schemas", "--tenant", "--noinput", "-v", "0")
    else:
        django(variant, "migrate", "--noinput", "-v", "0")
    return time.perf_counter() - started


def catalog_size(variant: str) -> dict[str, int]:
    with connect(database_name(variant)) as conn:
        relations = conn.execute("SELECT count(*) FROM pg_class").fetchone()[0]
        catalog_bytes = conn.execute(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pg_catalog' AND c.relkind = 'r'"
        ).fetchone()[0]
        database_bytes = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        rls_tables = conn.execute(
            "SELECT count(*) FILTER (WHERE relrowsecurity), count(*) FILTER (WHERE relforcerowsecurity) "
            "FROM pg_class WHERE relname IN ('service', 'client', 'booking', 'booking_note')"
        ).fetchone()
    return {
        "relations": relations,
        "catalog_bytes": int(catalog_bytes),
        "database_bytes": int(database_bytes),
        "rls_tables": rls_tables[0],
        "rls_forced_tables": rls_tables[1],
    }
