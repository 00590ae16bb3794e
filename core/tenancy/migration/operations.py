"""The migration operations of row-level security: a model gets its policy and its
tenant-bound keys in the migration that creates it (:class:`TenantRowLevelSecurity`),
and every policy can be written again when the way policies are written changes
(:class:`TenantPolicies`). SQLite, the embedded default, has none of this; the
application's layers still apply.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.migrations.operations.base import Operation

from ..proofs import quoted
from .sql import (
    drop_constraint_sql,
    drop_policy_sql,
    drop_tenant_bound_link_sql,
    policy_sql,
    root_predicate,
    scope_function_sql,
    tenant_bound_fk_sql,
    tenant_bound_link_sql,
    tenant_key_sql,
    tenant_predicate,
)

# The migration operation ----------------------------------------------------------------


def _through(model: type[models.Model], name: str) -> type[models.Model]:
    return model._meta.get_field(name).remote_field.through


class PostgresSqlOperation(Operation):
    """A migration operation whose SQL (``forwards_sql``/``backwards_sql`` of the model)
    runs on PostgreSQL only: SQLite has no row-level security to keep."""

    def forwards_sql(self, model: type[models.Model], *, online: bool = False) -> list[str]:
        """``online``: the migration is not atomic, so an index can be built concurrently."""
        raise NotImplementedError

    def backwards_sql(self, model: type[models.Model]) -> list[str]:
        raise NotImplementedError

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            model = to_state.apps.get_model(app_label, self.model_name)
            online = not schema_editor.connection.in_atomic_block
            for statement in self.forwards_sql(model, online=online):
                schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in self.backwards_sql(from_state.apps.get_model(app_label, self.model_name)):
                schema_editor.execute(statement)


class TenantRowLevelSecurity(PostgresSqlOperation):
    """Everything the database enforces for one model's tenancy, in its app's migrations.

    ``tenant_path`` is the model's declaration; ``tenant_key`` adds ``UNIQUE (tenant_id,
    id)`` for roots other roots refer to; ``tenant_bound`` names the foreign keys to
    other roots and ``tenant_bound_links`` the many-to-many fields between roots that
    must stay in the tenant. Auto-created join tables are covered as children of this
    model. ``manage.py check`` (tenancy.E020) says when a model and its operations differ.
    """

    __module__ = "core.tenancy"  # what migration files import: the face

    reduces_to_sql = True
    reversible = True

    def __init__(
        self,
        model_name: str,
        tenant_path: str,
        tenant_key: bool = False,
        tenant_bound: tuple[str, ...] | list[str] = (),
        tenant_bound_links: tuple[str, ...] | list[str] = (),
    ) -> None:
        self.model_name = model_name.lower()
        self.tenant_path = tenant_path
        self.tenant_key = tenant_key
        self.tenant_bound = tuple(tenant_bound)
        self.tenant_bound_links = tuple(tenant_bound_links)

    def deconstruct(self):
        kwargs: dict[str, Any] = {"model_name": self.model_name, "tenant_path": self.tenant_path}
        if self.tenant_key:
            kwargs["tenant_key"] = True
        if self.tenant_bound:
            kwargs["tenant_bound"] = list(self.tenant_bound)
        if self.tenant_bound_links:
            kwargs["tenant_bound_links"] = list(self.tenant_bound_links)
        return self.__class__.__qualname__, [], kwargs

    def state_forwards(self, app_label, state) -> None:
        pass

    def describe(self) -> str:
        return f"Row-level security and tenant-bound keys for {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name}_rls"

    def forwards_sql(self, model: type[models.Model], *, online: bool = False) -> list[str]:
        table = model._meta.db_table
        statements = scope_function_sql()
        if self.tenant_key:
            statements += tenant_key_sql(table, online=online)
        for name in self.tenant_bound:
            field = model._meta.get_field(name)
            statements += tenant_bound_fk_sql(table, field.column, field.related_model._meta.db_table)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created and field.name in self.tenant_bound_links:
                statements += tenant_bound_link_sql(through, field.m2m_column_name(), table)
        return statements + self.policies_sql(model)

    def policies_sql(self, model: type[models.Model]) -> list[str]:
        """The policies of the model's table and of its auto-created join tables."""
        statements = policy_sql(model._meta.db_table, tenant_predicate(model, self.tenant_path))
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if not through._meta.auto_created:
                continue
            if field.name in self.tenant_bound_links:
                predicate = root_predicate(through._meta.db_table)
            else:
                owner_field = through._meta.get_field(field.m2m_field_name())
                predicate = tenant_predicate(through, f"{owner_field.name}__{self.tenant_path}")
            statements += policy_sql(through._meta.db_table, predicate)
        return statements

    def backwards_sql(self, model: type[models.Model]) -> list[str]:
        table = model._meta.db_table
        statements = []
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if not through._meta.auto_created:
                continue
            statements += drop_policy_sql(through._meta.db_table)
            if field.name in self.tenant_bound_links:
                statements += drop_tenant_bound_link_sql(through)
        statements += drop_policy_sql(table)
        for name in self.tenant_bound:
            statements += drop_constraint_sql(table, f"{model._meta.get_field(name).column}_tenant_fk")
        if self.tenant_key:
            statements += drop_constraint_sql(table, "tenant_key")
        return statements


def recorded_operations(loader, *, applied_only: bool = False) -> dict[tuple[str, str], TenantRowLevelSecurity]:
    """The declaration each model's migrations add up to, in graph order: its last
    TenantRowLevelSecurity, amended by the tenant keys added after it
    (``key_changes``); with ``applied_only``, of the migrations the database
    has applied."""
    applied = loader.applied_migrations if applied_only else None
    found: dict[tuple[str, str], TenantRowLevelSecurity] = {}
    seen: set[tuple[str, str]] = set()
    for key in loader.graph.leaf_nodes():
        # Each migration once: a later leaf's plan repeats the earlier ones' dependencies,
        # some of them older than what an earlier leaf's plan reached already.
        for node in loader.graph.forwards_plan(key):
            if node in seen or (applied is not None and node not in applied):
                continue
            seen.add(node)
            for operation in loader.graph.nodes[node].operations:
                model_key = (node[0], getattr(operation, "model_name", None))
                if isinstance(operation, TenantRowLevelSecurity):
                    found[model_key] = operation
                elif hasattr(operation, "amend") and model_key in found:  # a TenantKeyChange
                    found[model_key] = operation.amend(found[model_key])
    return found


class TenantPolicies(Operation):
    """Write every tenant table's policy again, as the code writes policies today, from
    the declarations the applied migrations recorded (their TenantRowLevelSecurity);
    keys, columns and triggers stay as they are. For a change in the policies
    themselves, e.g. core's ``0011_policies_without_bypass``.

    Backwards it leaves the policies as they are: they are never looser than an
    earlier migration's, and the models' own operations drop them when unapplied.
    """

    __module__ = "core.tenancy"  # what migration files import: the face

    reduces_to_sql = False
    reversible = True

    def deconstruct(self):
        return self.__class__.__qualname__, [], {}

    def state_forwards(self, app_label, state) -> None:
        pass

    def describe(self) -> str:
        return "Row-level security policies of every tenant table, written again"

    @property
    def migration_name_fragment(self) -> str:
        return "tenant_policies"

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        from django.db.migrations.loader import MigrationLoader

        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in scope_function_sql():
            schema_editor.execute(statement)
        loader = MigrationLoader(schema_editor.connection, ignore_no_migrations=True)
        for (label, model_name), operation in recorded_operations(loader, applied_only=True).items():
            try:
                model = to_state.apps.get_model(label, model_name)
            except LookupError:  # removed since
                continue
            for statement in operation.policies_sql(model):
                schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        pass


class PlatformOnlyTable(PostgresSqlOperation):
    """Row-level security forced with no policy, on a table of the platform's own (the
    audit of whole businesses, security events, usage): the platform role (BYPASSRLS)
    reads and writes it, and the runtime role's SQL sees no row of it, whatever it sets."""

    __module__ = "core.tenancy"  # what migration files import: the face

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name.lower()

    def deconstruct(self):
        return self.__class__.__qualname__, [], {"model_name": self.model_name}

    def state_forwards(self, app_label, state) -> None:
        pass

    def describe(self) -> str:
        return f"Only the platform role reads {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name}_platform_only"

    def forwards_sql(self, model: type[models.Model], *, online: bool = False) -> list[str]:
        table = quoted(model._meta.db_table)
        return [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY", f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY"]

    def backwards_sql(self, model: type[models.Model]) -> list[str]:
        table = quoted(model._meta.db_table)
        return [f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY", f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"]
