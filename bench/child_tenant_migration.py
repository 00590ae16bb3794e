"""The migration that gives every child table its own ``tenant_id``, run on a copy of the
benchmark's database: nothing lost, nothing blocked.

On a copy of ``make bench``'s database of many tenants, the migrations that added the
column are unapplied (the children are as they were before it) and applied again while
a writer keeps inserting shifts the way the previous release does (no ``tenant_id``).
Every tenant table is counted and checksummed before and after (the checksum of each row
without its ``tenant_id``, summed, so the order rows are read in does not matter); after,
no child row lacks a tenant, none differs from its parent's, and every row the writer
added has its tenant. The writer's slowest insert shows how long the migration held it.

    .venv/bin/python -m bench.child_tenant_migration nbne_bench_1000t_1000000b [--write]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any

import psycopg

from bench.dataset import HOST, OWNER, PORT, ROOT, SECRET_KEY, owner_dsn, platform_url, recreate_database, runtime_url
from bench.rls_overhead import results_file, write_section

SECTION = "Every child table carries its tenant: the online migration (`python -m bench.child_tenant_migration`)"
# The migrations that add the children's tenant, each app's, last applied first.
MIGRATIONS = [
    ("payments", "0006_children_carry_tenant", "0005_row_level_security"),
    ("staff", "0007_children_carry_tenant", "0006_staffprofile_tenant_key"),
    ("compliance", "0006_children_carry_tenant", "0005_row_level_security"),
    ("comms", "0006_children_carry_tenant", "0005_row_level_security"),
    ("bookings", "0008_children_carry_tenant", "0007_opening_hours_and_staff_profile"),
    ("accounts", "0009_children_carry_tenant", "0008_password_token_purpose"),
]
# What each child copies its tenant from: (table, parent key, parent table).
CHILDREN_SQL = """
SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text
FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[2]
WHERE c.contype = 'f' AND c.conname LIKE %s AND array_length(c.conkey, 1) = 2
"""


def _env(database: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": runtime_url(database),
        "DATABASE_MIGRATE_URL": f"postgres://{OWNER}@{HOST}:{PORT}/{database}",
        "DATABASE_PLATFORM_URL": platform_url(database),
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    return env


def _migrate(database: str, *target: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", *target, "--noinput", "-v0"],
        cwd=ROOT,
        env=_env(database),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def tenant_tables(connection: psycopg.Connection) -> list[str]:
    """Every table under row-level security, and the tenant table."""
    rows = connection.execute(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relrowsecurity AND relnamespace = 'public'::regnamespace"
    ).fetchall()
    return ["core_tenantsettings", *sorted(name for (name,) in rows)]


def checksums(connection: psycopg.Connection, tables: list[str]) -> dict[str, tuple[int, int]]:
    """Per table: rows, and the sum of a 60-bit hash of each row without its tenant_id."""
    found = {}
    for table in tables:
        count, total = connection.execute(
            f"SELECT count(*), coalesce(sum(('x' || left(md5((to_jsonb(t) - 'tenant_id')::text), 15))::bit(60)"
            f"::bigint), 0) FROM {table} t"
        ).fetchone()
        found[table] = (count, int(total))
    return found


def child_problems(connection: psycopg.Connection) -> dict[str, tuple[int, int]]:
    """Per table with a tenant-bound key (a child's to its parent among them): rows with no
    tenant, and rows whose tenant is not the referenced row's."""
    problems = {}
    for table, column, parent in connection.execute(CHILDREN_SQL, ("%_tenant_fk",)).fetchall():
        missing, different = connection.execute(
            f"SELECT count(*) FILTER (WHERE c.tenant_id IS NULL AND p.tenant_id IS NOT NULL), "
            f"count(*) FILTER (WHERE c.tenant_id IS DISTINCT FROM p.tenant_id) "
            f"FROM {table} c JOIN {parent} p ON p.id = c.{column}"
        ).fetchone()
        earlier_missing, earlier_different = problems.get(table, (0, 0))  # a table may have several keys
        problems[table] = (earlier_missing + missing, earlier_different + different)
    return problems


class ShiftWriter(threading.Thread):
    """Inserts shifts as the previous release does, without a tenant_id, and times each."""

    def __init__(self, database: str) -> None:
        super().__init__(daemon=True)
        self.database = database
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.ids: list[int] = []

    def run(self) -> None:
        with psycopg.connect(owner_dsn(self.database), autocommit=True) as connection:
            profile = connection.execute("SELECT min(id) FROM staff_staffprofile").fetchone()[0]
            while not self.stop.is_set():
                started = time.perf_counter()
                try:
                    row = connection.execute(
                        "INSERT INTO staff_shift (staff_profile_id, starts_at, ends_at, role, location, notes, "
                        "created_at) VALUES (%s, now(), now() + interval '8 hours', 'Migration', '', '', now()) "
                        "RETURNING id",
                        (profile,),
                    ).fetchone()
                    self.ids.append(row[0])
                except psycopg.Error as error:
                    self.errors.append(str(error).splitlines()[0])
                self.latencies.append(time.perf_counter() - started)
                time.sleep(0.01)


def run(source: str) -> dict[str, Any]:
    copy = f"{source}_migration"
    with psycopg.connect(owner_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{source}'")
        recreate_database(admin, copy, template=source)
    try:
        for app, _name, previous in MIGRATIONS:
            _migrate(copy, app, previous)
        with psycopg.connect(owner_dsn(copy), autocommit=True) as connection:
            tables = tenant_tables(connection)
            before = checksums(connection, tables)
        writer = ShiftWriter(copy)
        writer.start()
        time.sleep(0.5)
        seconds = _migrate(copy)
        writer.stop.set()
        writer.join()
        with psycopg.connect(owner_dsn(copy), autocommit=True) as connection:
            after = checksums(connection, tables)
            problems = child_problems(connection)
            written = connection.execute(
                "SELECT count(*), count(*) FILTER (WHERE tenant_id IS NULL) FROM staff_shift WHERE id = ANY(%s)",
                (writer.ids,),
            ).fetchone()
            policies = connection.execute("SELECT tablename, qual FROM pg_policies ORDER BY tablename").fetchall()
    finally:
        with psycopg.connect(owner_dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    shift_rows = before["staff_shift"][0]
    return {
        "source": source,
        "seconds": seconds,
        "tables": [
            {
                "table": table,
                "before": before[table],
                "after": after[table],
                "added": len(writer.ids) if table == "staff_shift" else 0,
                "problems": problems.get(table),
            }
            for table in tables
        ],
        "shift_rows": shift_rows,
        "writer": {
            "inserts": len(writer.latencies),
            "errors": writer.errors[:3],
            "error_count": len(writer.errors),
            "slowest_ms": max(writer.latencies, default=0) * 1000,
            "written": written,
        },
        "policies": policies,
    }


def verdict(result: dict[str, Any]) -> list[str]:
    """What went wrong, if anything: every way the migration could lose or mislabel a row."""
    wrong = []
    for row in result["tables"]:
        table, (count_before, sum_before), (count_after, sum_after) = row["table"], row["before"], row["after"]
        if table == "staff_shift":
            if count_after != count_before + row["added"]:
                wrong.append(f"{table}: {count_before} rows + {row['added']} written, {count_after} after")
        elif (count_before, sum_before) != (count_after, sum_after):
            wrong.append(f"{table}: {count_before} rows / checksum {sum_before} before, {count_after} / {sum_after}")
        if row["problems"] and any(row["problems"]):
            wrong.append(f"{table}: {row['problems'][0]} rows with no tenant, {row['problems'][1]} not their parent's")
    written, unfilled = result["writer"]["written"]
    if unfilled or result["writer"]["error_count"]:
        wrong.append(f"writer: {unfilled} of {written} shifts with no tenant, {result['writer']['error_count']} errors")
    compound = [name for name, qual in result["policies"] if qual.count("tenant_id") != 1 or "EXISTS" in qual]
    if compound:
        wrong.append(f"policies that are not one comparison: {compound}")
    return wrong


def write(result: dict[str, Any], wrong: list[str]) -> None:
    rows = []
    for row in result["tables"]:
        (count_before, sum_before), (count_after, sum_after) = row["before"], row["after"]
        same = "yes" if sum_before == sum_after else ("+ writer's rows" if row["added"] else "**no**")
        child = "" if row["problems"] is None else f"{row['problems'][0]} / {row['problems'][1]}"
        rows.append(f"| `{row['table']}` | {count_before:,} | {count_after:,} | {same} | {child} |")
    writer = result["writer"]
    body = [
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. A copy of `{result['source']}`, the children's tenant "
        "migrations unapplied, then applied again (`manage.py migrate`, as the owner) in "
        f"**{result['seconds']:.1f} s**, while a writer inserted shifts as the previous release does (no "
        f"`tenant_id`): {writer['inserts']:,} inserts, {writer['error_count']} errors, the slowest "
        f"{writer['slowest_ms']:.0f} ms; {writer['written'][0]:,} written, {writer['written'][1]} without a tenant "
        "after. Rows and a checksum of every row without its `tenant_id` (a 60-bit hash per row, summed) before "
        "and after; for every table with a tenant-bound key (a child's to its parent among them), the rows "
        "with no tenant and the rows whose tenant is not the referenced row's.",
        "",
        "| table | rows before | rows after | checksum equal | bound keys: no tenant / not the referenced row's |",
        "| --- | ---: | ---: | :---: | ---: |",
        *rows,
        "",
        "Every policy after (`SELECT tablename, qual FROM pg_policies`):",
        "",
        "| table | policy |",
        "| --- | --- |",
        *(f"| `{name}` | `{qual}` |" for name, qual in result["policies"]),
        "",
        ("**Nothing lost, nothing mislabelled.**" if not wrong else "**Problems:** " + "; ".join(wrong)),
    ]
    write_section(results_file(), SECTION, "\n".join(body))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", help="a benchmark database (make bench builds it)")
    parser.add_argument("--write", action="store_true", help="record the table in bench/RESULTS.md")
    args = parser.parse_args(argv)
    result = run(args.database)
    wrong = verdict(result)
    print(
        f"  migrated in {result['seconds']:.1f} s; {len(result['tables'])} tables checked; writer "
        f"{result['writer']['inserts']} inserts, slowest {result['writer']['slowest_ms']:.0f} ms"
    )
    for line in wrong:
        print(f"  PROBLEM {line}")
    if args.write:
        write(result, wrong)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
