"""The keys of the schema as the Citus plan (``migration.citus``) reads them: from
PostgreSQL's catalog when there is one to ask, else from the models.

The catalog is authoritative (a constraint renamed by some past migration keeps its
real name there); the models give the same answer on a machine without PostgreSQL,
named as Django's PostgreSQL backend names constraints, with the tenant-bound keys
:mod:`.sql` adds wherever two tables both carry a required tenant. The test suite
compares the two on PostgreSQL, so a plan printed from SQLite can be trusted while
they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from django.db import models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from ..proofs import constraint_name

TENANT_COLUMN = "tenant_id"

FOREIGN_KEY, PRIMARY_KEY, UNIQUE = "f", "p", "u"  # pg_constraint.contype


@dataclass(frozen=True, order=True)
class Key:
    """One primary key, unique constraint or foreign key of a table."""

    table: str
    name: str
    kind: str  # FOREIGN_KEY, PRIMARY_KEY or UNIQUE
    columns: tuple[str, ...]
    target_table: str = ""
    target_columns: tuple[str, ...] = ()


class _PostgresNames(BaseDatabaseSchemaEditor):
    """Django's constraint names as its PostgreSQL backend makes them (at most 63
    bytes), without a PostgreSQL connection: only the naming of the editor is used."""

    def __init__(self) -> None:
        self.connection = SimpleNamespace(ops=SimpleNamespace(max_name_length=lambda: 63))

    def name(self, table: str, columns: list[str], suffix: str) -> str:
        return self._create_index_name(table, columns, suffix=suffix)


_NAMES = _PostgresNames()

_CATALOG_SQL = """
SELECT c.conname, c.contype, t.relname,
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(num, pos)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num ORDER BY k.pos),
       coalesce(f.relname, ''),
       ARRAY(SELECT a.attname::text FROM unnest(coalesce(c.confkey, '{}')) WITH ORDINALITY k(num, pos)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num ORDER BY k.pos)
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
LEFT JOIN pg_class f ON f.oid = c.confrelid
WHERE n.nspname = current_schema() AND c.contype IN ('f', 'p', 'u')
"""


def catalog_keys(connection) -> list[Key]:
    """Every key of the tables in the connection's current schema (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(_CATALOG_SQL)
        rows = cursor.fetchall()
    return sorted(
        Key(table, name, kind, tuple(columns), target, tuple(target_columns))
        for name, kind, table, columns, target, target_columns in rows
    )


def carries_required_tenant(model: type[models.Model]) -> bool:
    """Whether ``model``'s rows carry a tenant of their own that is never NULL: a
    concrete ``tenant`` field, or, for an auto-created join table (whose trigger-filled
    ``tenant_id`` Django never sees), the owning side's."""
    if model._meta.auto_created:
        return carries_required_tenant(model._meta.auto_created)
    try:
        field = model._meta.get_field("tenant")
    except Exception:
        return False
    return bool(field.concrete and not field.null)


def model_keys(all_models: list[type[models.Model]]) -> list[Key]:
    """The keys the models call for, named as Django and the tenancy core name them."""
    keys: list[Key] = []
    for model in all_models:
        table = model._meta.db_table
        opts = model._meta
        keys.append(Key(table, _pkey_name(table), PRIMARY_KEY, (opts.pk.column,)))
        bound = carries_required_tenant(model)
        if bound and any(
            carries_required_tenant(other) and any(_references(f, model) for f in other._meta.concrete_fields)
            for other in all_models
        ):
            keys.append(Key(table, constraint_name(table, "tenant_key"), UNIQUE, (TENANT_COLUMN, opts.pk.column)))
        for field in opts.concrete_fields:
            if field.unique and not field.primary_key:
                keys.append(Key(table, _pkey_name(table, f"{field.column}_key"), UNIQUE, (field.column,)))
            if not (field.is_relation and field.db_constraint):
                continue
            keys.append(_foreign_key(table, field))
            if field.name != "tenant" and bound and carries_required_tenant(field.related_model):
                keys.append(
                    Key(
                        table,
                        constraint_name(table, f"{field.column}_tenant_fk"),
                        FOREIGN_KEY,
                        (TENANT_COLUMN, field.column),
                        field.related_model._meta.db_table,
                        (TENANT_COLUMN, field.target_field.column),
                    )
                )
        for columns in opts.unique_together:
            cols = [opts.get_field(name).column for name in columns]
            keys.append(Key(table, _NAMES.name(table, cols, "_uniq"), UNIQUE, tuple(cols)))
        for constraint in opts.constraints:
            if isinstance(constraint, models.UniqueConstraint) and constraint.fields and not constraint.condition:
                cols = tuple(opts.get_field(name).column for name in constraint.fields)
                keys.append(Key(table, constraint.name, UNIQUE, cols))
    return sorted(keys)


def _references(field: models.Field, model: type[models.Model]) -> bool:
    return bool(field.is_relation and field.name != "tenant" and field.related_model is model)


def _foreign_key(table: str, field: models.Field) -> Key:
    target = field.related_model._meta.db_table
    target_column = field.target_field.column
    name = _NAMES.name(table, [field.column], f"_fk_{target}_{target_column}")
    return Key(table, name, FOREIGN_KEY, (field.column,), target, (target_column,))


def _pkey_name(table: str, suffix: str = "pkey") -> str:
    # PostgreSQL's own choice for an unnamed constraint (ChooseConstraintName): the
    # table's name shortened until "<table>_<suffix>" fits in 63 bytes.
    return f"{table[: 63 - len(suffix) - 1]}_{suffix}"
