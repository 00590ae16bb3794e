"""The Citus plan (``manage.py citus_plan``) places every table of the schema once, and
what it would leave behind is what Citus accepts: checked against PostgreSQL's own
catalog after the migrations, without a Citus cluster.

Citus accepts a foreign key between two distributed tables only when it includes the
distribution column on both sides, a foreign key from a reference table only to another
reference table, and no NULL in a distribution column.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection

from core.tenancy import Placement, citus_plan, citus_plan_sql, project_models, tenant_tables
from tests.rls import needs_postgresql

pytestmark = pytest.mark.django_db

CREATE = re.compile(r"^SELECT create_(reference|distributed)_table\('([^']+)'")
LOCAL = re.compile(r"^-- (\w+): ")


def _plan_output(*args: str) -> str:
    out = io.StringIO()
    call_command("citus_plan", *args, stdout=out)
    return out.getvalue()


def _named(lines: list[str]) -> list[tuple[str, str]]:
    """(placement, table) for every table the plan's SQL names, as often as it names it."""
    named, local_section = [], False
    for line in lines:
        if line.startswith("-- 5. Local tables"):
            local_section = True
        elif (found := CREATE.match(line)) is not None:
            named.append((found[1], found[2]))
        elif local_section and (found := LOCAL.match(line)) is not None:
            named.append(("local", found[1]))
    return named


# Anywhere, SQLite too ------------------------------------------------------------------


def test_the_command_prints_sql_naming_every_tenant_table(tmp_path):
    output = _plan_output()
    assert output.startswith("-- Citus plan"), output[:200]
    assert "not run" in output.splitlines()[0]
    placed = {table for _placement, table in _named(output.splitlines())}
    missing = sorted(set(tenant_tables(project_models())) - placed)
    assert not missing, f"tenant tables the plan does not place: {missing}"
    assert "SELECT create_reference_table('core_tenantsettings');" in output
    # Deterministic, and the same written to a file.
    assert _plan_output() == output
    target = tmp_path / "citus.sql"
    _plan_output("--output", str(target))
    assert target.read_text() == output


def test_one_co_location_group_anchored_on_the_first_distributed_table():
    lines = citus_plan_sql()
    distributed = [line for line in lines if line.startswith("SELECT create_distributed_table(")]
    assert distributed, "the plan distributes nothing"
    anchor = CREATE.match(distributed[0])[2]
    assert distributed[0].endswith("colocate_with => 'none');")
    assert all(line.endswith(f"colocate_with => '{anchor}');") for line in distributed[1:])
    # Reference tables come first: a distributed table's keys may point at them.
    first_distributed = lines.index(distributed[0])
    assert not [line for line in lines[first_distributed:] if "create_reference_table" in line]


def test_users_are_reference_tables_because_operators_have_no_tenant():
    plan = citus_plan()
    for table in ("accounts_user", "accounts_user_groups", "accounts_auditlogentry", "accounts_passwordtoken"):
        assert plan.placements[table] is Placement.REFERENCE, table
    lines = citus_plan_sql()
    at = lines.index("SELECT create_reference_table('accounts_user');")
    assert lines[at - 1].startswith("-- accounts_user:") and "NULL" in lines[at - 1]


# Against PostgreSQL's catalog -----------------------------------------------------------


def _rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _public_tables() -> set[str]:
    return {
        name
        for (name,) in _rows(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
        )
    }


def _catalog_foreign_keys() -> list[tuple[str, str, list[str], str, list[str]]]:
    """(name, table, columns, target table, target columns) of every foreign key."""
    return _rows(
        """
        SELECT c.conname, t.relname,
               ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(num, pos)
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num ORDER BY k.pos),
               f.relname,
               ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(num, pos)
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num ORDER BY k.pos)
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_class f ON f.oid = c.confrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE c.contype = 'f' AND n.nspname = current_schema()
        ORDER BY 2, 1
        """
    )


@needs_postgresql
def test_the_plan_names_every_table_of_the_schema_exactly_once():
    named = _named(citus_plan_sql())
    tables = [table for _placement, table in named]
    twice = sorted({table for table in tables if tables.count(table) > 1})
    assert not twice, f"tables the plan names more than once: {twice}"
    schema = _public_tables()
    assert not sorted(schema - set(tables)), f"tables of the schema the plan leaves out: {sorted(schema - set(tables))}"
    assert not sorted(set(tables) - schema), f"tables the plan names that do not exist: {sorted(set(tables) - schema)}"


def _tenant_bound(columns: list[str], target_columns: list[str]) -> bool:
    """Whether a key pairs tenant_id with tenant_id, as Citus requires of co-located tables."""
    return (
        "tenant_id" in columns
        and "tenant_id" in target_columns
        and (columns.index("tenant_id") == target_columns.index("tenant_id"))
    )


@needs_postgresql
def test_foreign_keys_left_between_distributed_tables_include_tenant_id():
    plan = citus_plan()
    distributed = plan.tables(Placement.DISTRIBUTED)
    dropped = {(key.table, key.name) for key, _cover in plan.dropped}
    refused = [
        f"{table}.{','.join(columns)} -> {target}.{','.join(target_columns)} ({name})"
        for name, table, columns, target, target_columns in _catalog_foreign_keys()
        if table in distributed
        and target in distributed
        and (table, name) not in dropped
        and not _tenant_bound(columns, target_columns)
    ]
    assert not refused, (
        f"{len(refused)} foreign keys between distributed tables without tenant_id on both sides "
        "(no tenant-bound key covers them yet):\n" + "\n".join(refused)
    )


@needs_postgresql
def test_no_reference_table_refers_to_a_distributed_table():
    plan = citus_plan()
    distributed, reference = plan.tables(Placement.DISTRIBUTED), plan.tables(Placement.REFERENCE)
    wrong = [
        f"{table}.{','.join(columns)} -> {target} ({name})"
        for name, table, columns, target, _target_columns in _catalog_foreign_keys()
        if table in reference and target in distributed
    ]
    assert not wrong, "reference tables referring to distributed tables:\n" + "\n".join(wrong)


@needs_postgresql
def test_every_distributed_table_has_a_required_tenant_id():
    distributed = citus_plan().tables(Placement.DISTRIBUTED)
    columns = {
        table: (nullable, data_type)
        for table, nullable, data_type in _rows(
            "SELECT table_name, is_nullable, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'tenant_id'"
        )
    }
    problems = [
        f"{table}: no tenant_id column" if table not in columns else f"{table}: tenant_id is NULL-able"
        for table in sorted(distributed)
        if columns.get(table, ("",))[0] != "NO"
    ]
    assert not problems, f"{len(problems)} distributed tables without a required tenant_id:\n" + "\n".join(problems)
    # One co-location group needs one type of distribution column.
    types = {columns[table][1] for table in distributed}
    assert len(types) == 1, f"tenant_id of distributed tables has several types: {sorted(types)}"


@needs_postgresql
def test_the_plan_from_the_models_is_the_plan_from_the_catalog():
    """So the plan printed where there is no PostgreSQL (SQLite) names real constraints."""
    from_catalog, from_models = citus_plan_sql(), citus_plan_sql(catalog=False)
    assert "read from the catalog" in from_catalog[3] and "read from the models" in from_models[3]
    assert from_models[4:] == from_catalog[4:]
