"""A child model's own ``tenant_id``, added to a table that already holds rows, online.

A child (``tenant_path = "parent__tenant"``) once reached its tenant through its parent,
so its policy walked up to the root and every scoped query joined. :class:`CarryTenant`
gives it a column of its own, copied from its parent and held equal to it by a composite
foreign key, in steps that keep the table writable on PostgreSQL (in a migration with
``atomic = False``):

1. the column, nullable (a change of the catalog only), and a trigger that fills it from
   the parent on every write that leaves it empty: what the previous release writes
   while the migration runs, and raw SQL ever after;
2. the rows already there, in batches of ``BATCH_ROWS`` by primary key, each committed
   on its own, so no batch holds its locks for long;
3. the foreign keys (to the tenant table, and ``(tenant_id, parent_id) -> parent
   (tenant_id, id)``) added ``NOT VALID``, then validated under a lock that lets writes on;
4. ``NOT NULL`` through a validated ``CHECK``, which PostgreSQL uses instead of scanning
   the table under an exclusive lock; the index built concurrently;
5. the policy, one comparison of the column.

SQLite, the embedded default, gets the column, the copy and ``NOT NULL``.
"""

from __future__ import annotations

from django.db import models
from django.db.migrations.operations import AddField
from django.db.migrations.operations.base import Operation

from ..declarations import path_parent
from ..models import tenant_field
from ..proofs import constraint_name, quoted
from .key_changes import amended
from .operations import TenantRowLevelSecurity
from .sql import (
    drop_constraint_sql,
    drop_fill_tenant_trigger_sql,
    fill_tenant_trigger_sql,
    policy_sql,
    root_predicate,
    tenant_bound_fk_sql,
    tenant_predicate,
)

BATCH_ROWS = 10_000


class CarryTenant(AddField):
    """``tenant`` on the child ``model_name``, copied from the first hop of ``tenant_path``."""

    __module__ = "core.tenancy"  # what migration files import: the face

    def __init__(self, model_name: str, tenant_path: str, null: bool = False) -> None:
        self.tenant_path = tenant_path
        self.null = null
        super().__init__(model_name.lower(), "tenant", tenant_field(null=null))

    def deconstruct(self):
        kwargs = {"model_name": self.model_name, "tenant_path": self.tenant_path}
        if self.null:
            kwargs["null"] = True
        return self.__class__.__qualname__, [], kwargs

    def describe(self) -> str:
        return f"Tenant of {self.model_name}, copied from its {self.parent}"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name}_tenant"

    def reduce(self, operation, app_label):
        # Never folded into a CreateModel or another AddField: the database work is its own.
        return Operation.reduce(self, operation, app_label)

    @property
    def parent(self) -> str:
        return path_parent(self.tenant_path)

    def amend(self, operation: TenantRowLevelSecurity) -> TenantRowLevelSecurity:
        """The model's declaration once its reference to its parent is tenant-bound."""
        return amended(operation, tenant_bound=[*operation.tenant_bound, self.parent])

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor != "postgresql":
            self._sqlite_forwards(app_label, schema_editor, from_state, model)
            return
        table, field = model._meta.db_table, model._meta.get_field("tenant")
        parent = model._meta.get_field(self.parent)
        online = not schema_editor.connection.in_atomic_block
        # The owner fills the rows below: FORCE would hide them from it. The runtime role
        # is not the owner, so the policy binds it all along; step 5 forces it again.
        schema_editor.execute(f"ALTER TABLE {quoted(table)} NO FORCE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {quoted(table)} ADD COLUMN IF NOT EXISTS tenant_id bigint NULL")
        parent_table = parent.related_model._meta.db_table
        for statement in fill_tenant_trigger_sql(table, parent.column, parent_table, only_when_empty=True):
            schema_editor.execute(statement)
        self._backfill(schema_editor, table, parent)
        tenant_fk = str(schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s"))
        tenant_fk_name = schema_editor._fk_constraint_name(model, field, "_fk_%(to_table)s_%(to_column)s")
        schema_editor.execute(f"{tenant_fk} NOT VALID")
        schema_editor.execute(f"ALTER TABLE {quoted(table)} VALIDATE CONSTRAINT {tenant_fk_name}")
        for statement in tenant_bound_fk_sql(table, parent.column, parent_table):
            schema_editor.execute(statement)
        if not field.null:
            check = quoted(constraint_name(table, "tenant_not_null"))
            for statement in (
                f"ALTER TABLE {quoted(table)} ADD CONSTRAINT {check} CHECK (tenant_id IS NOT NULL) NOT VALID",
                f"ALTER TABLE {quoted(table)} VALIDATE CONSTRAINT {check}",
                f"ALTER TABLE {quoted(table)} ALTER COLUMN tenant_id SET NOT NULL",
                f"ALTER TABLE {quoted(table)} DROP CONSTRAINT {check}",
            ):
                schema_editor.execute(statement)
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field], concurrently=online))
        for statement in policy_sql(table, root_predicate(table)):
            schema_editor.execute(statement)

    def _backfill(self, schema_editor, table: str, parent: models.ForeignKey) -> None:
        copy = (
            f"UPDATE {quoted(table)} child SET tenant_id = parent.tenant_id "
            f"FROM {quoted(parent.related_model._meta.db_table)} parent "
            f"WHERE parent.id = child.{quoted(parent.column)} AND child.tenant_id IS NULL"
        )
        if schema_editor.collect_sql:  # sqlmigrate: the statement, not the batches
            schema_editor.execute(copy)
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"SELECT min(id), max(id) FROM {quoted(table)} WHERE tenant_id IS NULL")
            low, high = cursor.fetchone()
        while low is not None and low <= high:
            schema_editor.execute(f"{copy} AND child.id >= %s AND child.id < %s", (low, low + BATCH_ROWS))
            low += BATCH_ROWS

    def _sqlite_forwards(self, app_label, schema_editor, from_state, model) -> None:
        # Nullable first, copied, then required: SQLite rebuilds the table for each.
        interim_state = from_state.clone()
        interim_state.add_field(app_label, self.model_name, "tenant", tenant_field(null=True), True)
        interim = interim_state.apps.get_model(app_label, self.model_name)
        nullable = interim._meta.get_field("tenant")
        schema_editor.add_field(from_state.apps.get_model(app_label, self.model_name), nullable)
        parent = model._meta.get_field(self.parent)
        table, parent_table = model._meta.db_table, parent.related_model._meta.db_table
        schema_editor.execute(
            f"UPDATE {quoted(table)} SET tenant_id = (SELECT tenant_id FROM {quoted(parent_table)} "
            f"WHERE {quoted(parent_table)}.id = {quoted(table)}.{quoted(parent.column)})"
        )
        if not self.null:
            schema_editor.alter_field(interim, nullable, model._meta.get_field("tenant"))

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            model = to_state.apps.get_model(app_label, self.model_name)
            table = model._meta.db_table
            parent_column = model._meta.get_field(self.parent).column
            statements = [
                *policy_sql(table, tenant_predicate(model, self.tenant_path)),
                *drop_constraint_sql(table, f"{parent_column}_tenant_fk"),
                *drop_fill_tenant_trigger_sql(table),
            ]
            for statement in statements:
                schema_editor.execute(statement)
        super().database_backwards(app_label, schema_editor, from_state, to_state)
