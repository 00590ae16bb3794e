"""Row-level security on PostgreSQL: policies from the declarations, the tenant per
transaction, tenant-bound keys, and the two database roles.

The database keeps tenants apart even where the application forgets to:

* every tenant table gets ``ENABLE`` and ``FORCE ROW LEVEL SECURITY`` and one policy
  generated from the model's declaration: a root compares its ``tenant_id``, a child
  follows its ``tenant_path`` up to a root (:class:`TenantRowLevelSecurity`, a migration
  operation, so a model gets its policy in the migration that creates it);
* the policies read ``app.tenant_id`` and ``app.tenant_bypass``, which
  :class:`DatabaseScopeSync` sets with ``set_config(..., true)`` inside the transaction
  that runs the query, from the tenant in scope: nothing survives the transaction on a
  persistent or pooled connection, and nothing set means no rows at all;
* root tables referenced by other roots carry ``UNIQUE (tenant_id, id)`` and the
  references are composite foreign keys ``(tenant_id, x_id) -> (tenant_id, id)``, so a
  row can never point into another tenant;
* ``DATABASE_URL`` names a runtime role that owns nothing and cannot bypass RLS;
  ``migrate`` runs as the owner of ``DATABASE_MIGRATE_URL`` and grants the runtime and
  platform roles what they need (:func:`grant_runtime_role`). Work across tenants runs
  as the platform role of ``DATABASE_PLATFORM_URL`` (BYPASSRLS, core.tenancy.roles),
  credentials the runtime role does not hold; the application never tells the runtime
  role to bypass.

SQLite, the embedded default, has none of this; the application layers still apply.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections, models, transaction
from django.db.migrations.operations.base import Operation
from psycopg.pq import TransactionStatus

from .context import NO_DATABASE_SCOPE, DatabaseScope, database_scope
from .declarations import Kind, tenancy_of

TENANT_SETTING = "app.tenant_id"
BYPASS_SETTING = "app.tenant_bypass"
POLICY = "tenancy_isolation"
AUTH_POLICY = "tenancy_authentication"

# Each in a sub-SELECT, so PostgreSQL reads the settings once per statement (an InitPlan).
CURRENT_TENANT_SQL = f"(SELECT NULLIF(current_setting('{TENANT_SETTING}', true), '')::bigint)"
BYPASS_SQL = f"((SELECT current_setting('{BYPASS_SETTING}', true)) = 'on')"
AUTH_LOOKUP_SQL = f"((SELECT current_setting('{BYPASS_SETTING}', true)) = 'auth')"
# A root compares tenant_id with a range: the one tenant in scope, every tenant under
# the bypass, nothing (NULL) when neither is set. One range condition serves both on
# the (tenant_id, ...) indexes, where "tenant_id = x OR bypass" would scan the table.
_TENANT_BOUND_SQL = (
    f"(SELECT CASE current_setting('{BYPASS_SETTING}', true) WHEN 'on' THEN {{extreme}} "
    f"ELSE NULLIF(current_setting('{TENANT_SETTING}', true), '')::bigint END)"
)
LOWEST_TENANT_SQL = _TENANT_BOUND_SQL.format(extreme="'-9223372036854775808'::bigint")
HIGHEST_TENANT_SQL = _TENANT_BOUND_SQL.format(extreme="'9223372036854775807'::bigint")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _constraint_name(table: str, suffix: str) -> str:
    """A constraint name within PostgreSQL's 63 bytes, still unique when shortened."""
    name = f"{table}_{suffix}"
    if len(name) <= 63:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: 63 - 9]}_{digest}"


# Policies -----------------------------------------------------------------------


def root_predicate(table: str, *, nullable: bool = False) -> str:
    """SQL true for the rows of a table with a ``tenant_id`` the running code may see."""
    predicate = f"{_q(table)}.tenant_id BETWEEN {LOWEST_TENANT_SQL} AND {HIGHEST_TENANT_SQL}"
    if nullable:  # rows of no tenant (platform operators) only under the bypass
        predicate += f" OR ({_q(table)}.tenant_id IS NULL AND {BYPASS_SQL})"
    return f"({predicate})"


def tenant_predicate(model: type[models.Model], tenant_path: str) -> str:
    """SQL true for the rows of ``model`` the running code may see, following its path."""
    table = model._meta.db_table
    *hops, last = tenant_path.split("__")
    if last != "tenant":
        raise ValueError(f"A tenant path ends at a root's tenant, not {tenant_path!r}.")
    if not hops:
        return root_predicate(table, nullable=model._meta.get_field("tenant").null)
    # A child: one correlated EXISTS that walks the foreign keys up to the root, each
    # hop by primary key, so it costs an index lookup per row the statement touches.
    joins, current, outer = [], model, f"{_q(table)}.{_q(model._meta.get_field(hops[0]).column)}"
    for depth, name in enumerate(hops):
        field = current._meta.get_field(name)
        parent = field.related_model
        alias = f"t{depth}"
        if depth == 0:
            condition = f"{alias}.{_q(parent._meta.pk.column)} = {outer}"
        else:
            condition = f"{alias}.{_q(parent._meta.pk.column)} = t{depth - 1}.{_q(field.column)}"
        joins.append((parent._meta.db_table, alias, condition))
        current = parent
    (first_table, first_alias, first_condition), *rest = joins
    sql = f"SELECT 1 FROM {_q(first_table)} {first_alias}"
    for joined_table, alias, condition in rest:
        sql += f" JOIN {_q(joined_table)} {alias} ON {condition}"
    sql += f" WHERE {first_condition} AND t{len(hops) - 1}.tenant_id = {CURRENT_TENANT_SQL}"
    return f"({BYPASS_SQL} OR EXISTS ({sql}))"


def policy_sql(table: str, predicate: str, *, authentication_readable: bool = False) -> list[str]:
    statements = [
        f"ALTER TABLE {_q(table)} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {_q(table)} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY} ON {_q(table)}",
        f"CREATE POLICY {POLICY} ON {_q(table)} USING {predicate} WITH CHECK {predicate}",
        f"DROP POLICY IF EXISTS {AUTH_POLICY} ON {_q(table)}",
    ]
    if authentication_readable:
        statements.append(f"CREATE POLICY {AUTH_POLICY} ON {_q(table)} FOR SELECT USING {AUTH_LOOKUP_SQL}")
    return statements


def drop_policy_sql(table: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS {AUTH_POLICY} ON {_q(table)}",
        f"DROP POLICY IF EXISTS {POLICY} ON {_q(table)}",
        f"ALTER TABLE {_q(table)} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {_q(table)} DISABLE ROW LEVEL SECURITY",
    ]


# Tenant-bound keys ----------------------------------------------------------------


def tenant_key_sql(table: str) -> list[str]:
    name = _constraint_name(table, "tenant_key")
    return [f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} UNIQUE (tenant_id, id)"]


def tenant_bound_fk_sql(table: str, column: str, target_table: str) -> list[str]:
    # Immediate, unlike Django's deferred keys: a violation fails the statement that
    # caused it (an IntegrityError the API answers with 409), not a later COMMIT.
    name = _constraint_name(table, f"{column}_tenant_fk")
    return [
        f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} FOREIGN KEY (tenant_id, {_q(column)}) "
        f"REFERENCES {_q(target_table)} (tenant_id, id)"
    ]


def drop_constraint_sql(table: str, suffix: str) -> list[str]:
    return [f"ALTER TABLE {_q(table)} DROP CONSTRAINT IF EXISTS {_q(_constraint_name(table, suffix))}"]


def tenant_bound_link_sql(through: type[models.Model], owner_column: str, owner_table: str) -> list[str]:
    """Give a join table between two root models a tenant of its own, filled from the
    owning side by a trigger (Django never writes it), so both of its keys can be bound."""
    table = through._meta.db_table
    function = _constraint_name(table, "fill_tenant")
    statements = [
        f"ALTER TABLE {_q(table)} ADD COLUMN IF NOT EXISTS tenant_id bigint",
        f"UPDATE {_q(table)} link SET tenant_id = owner.tenant_id FROM {_q(owner_table)} owner "
        f"WHERE owner.id = link.{_q(owner_column)}",
        f"ALTER TABLE {_q(table)} ALTER COLUMN tenant_id SET NOT NULL",
        f"CREATE OR REPLACE FUNCTION {_q(function)}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"SELECT tenant_id INTO NEW.tenant_id FROM {_q(owner_table)} WHERE id = NEW.{_q(owner_column)}; "
        f"RETURN NEW; END $$",
        f"DROP TRIGGER IF EXISTS {_q(function)} ON {_q(table)}",
        f"CREATE TRIGGER {_q(function)} BEFORE INSERT OR UPDATE ON {_q(table)} "
        f"FOR EACH ROW EXECUTE FUNCTION {_q(function)}()",
    ]
    for field in through._meta.concrete_fields:
        if field.is_relation:
            statements += tenant_bound_fk_sql(table, field.column, field.related_model._meta.db_table)
    return statements


def drop_tenant_bound_link_sql(through: type[models.Model]) -> list[str]:
    table = through._meta.db_table
    function = _constraint_name(table, "fill_tenant")
    statements = []
    for field in through._meta.concrete_fields:
        if field.is_relation:
            statements += drop_constraint_sql(table, f"{field.column}_tenant_fk")
    return [
        *statements,
        f"DROP TRIGGER IF EXISTS {_q(function)} ON {_q(table)}",
        f"DROP FUNCTION IF EXISTS {_q(function)}()",
        f"ALTER TABLE {_q(table)} DROP COLUMN IF EXISTS tenant_id",
    ]


# The migration operation ----------------------------------------------------------------


def _through(model: type[models.Model], name: str) -> type[models.Model]:
    return model._meta.get_field(name).remote_field.through


class TenantRowLevelSecurity(Operation):
    """Everything the database enforces for one model's tenancy, in its app's migrations.

    ``tenant_path`` is the model's declaration; ``tenant_key`` adds ``UNIQUE (tenant_id,
    id)`` for roots other roots refer to; ``tenant_bound`` names the foreign keys to
    other roots and ``tenant_bound_links`` the many-to-many fields between roots that
    must stay in the tenant. Auto-created join tables are covered as children of this
    model. ``manage.py check`` (tenancy.E020) says when a model and its operations differ.
    """

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

    def forwards_sql(self, model: type[models.Model]) -> list[str]:
        table = model._meta.db_table
        statements = []
        if self.tenant_key:
            statements += tenant_key_sql(table)
        for name in self.tenant_bound:
            field = model._meta.get_field(name)
            statements += tenant_bound_fk_sql(table, field.column, field.related_model._meta.db_table)
        authentication_readable = model._meta.label_lower == settings.AUTH_USER_MODEL.lower()
        statements += policy_sql(
            table, tenant_predicate(model, self.tenant_path), authentication_readable=authentication_readable
        )
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if not through._meta.auto_created:
                continue
            owner_column = field.m2m_column_name()
            if field.name in self.tenant_bound_links:
                statements += tenant_bound_link_sql(through, owner_column, table)
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

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in self.forwards_sql(to_state.apps.get_model(app_label, self.model_name)):
                schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in self.backwards_sql(from_state.apps.get_model(app_label, self.model_name)):
                schema_editor.execute(statement)


def _has_required_tenant(model: type[models.Model]) -> bool:
    tenancy = tenancy_of(model)
    return bool(tenancy and tenancy.kind is Kind.ROOT and not model._meta.get_field("tenant").null)


def expected_operation(model: type[models.Model], all_models: list[type[models.Model]]) -> TenantRowLevelSecurity:
    """The operation ``model``'s declaration and relations call for, today."""
    bound, links = [], []
    if _has_required_tenant(model):
        for field in model._meta.concrete_fields:
            if field.many_to_one and field.name != "tenant" and _has_required_tenant(field.related_model):
                bound.append(field.name)
        for field in model._meta.local_many_to_many:
            if field.remote_field.through._meta.auto_created and _has_required_tenant(field.related_model):
                links.append(field.name)
    # A join table between roots refers to both of its sides by (tenant_id, id).
    referenced = bool(links) or (
        _has_required_tenant(model)
        and any(
            field.related_model is model
            for other in all_models
            if _has_required_tenant(other)
            for field in [*other._meta.concrete_fields, *other._meta.local_many_to_many]
            if (field.many_to_one and field.name != "tenant") or field.many_to_many
        )
    )
    return TenantRowLevelSecurity(
        model._meta.model_name,
        tenancy_of(model).path,
        tenant_key=referenced,
        tenant_bound=bound,
        tenant_bound_links=links,
    )


def tenant_table_models(all_models: list[type[models.Model]]) -> dict[str, tuple[type[models.Model], str]]:
    """Every table that holds tenant rows (scoped models and their auto-created join
    tables), with the model of its rows and the ORM lookup of their tenant's id."""
    found = {}
    for model in all_models:
        tenancy = tenancy_of(model)
        if tenancy is None or not tenancy.is_scoped:
            continue
        found[model._meta.db_table] = (model, tenancy.tenant_id_lookup)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created:
                found[through._meta.db_table] = (through, f"{field.m2m_field_name()}__{tenancy.tenant_id_lookup}")
    return found


def tenant_tables(all_models: list[type[models.Model]]) -> list[str]:
    """Every table that holds tenant rows."""
    return list(tenant_table_models(all_models))


# The tenant per transaction ---------------------------------------------------------

_UNKNOWN = DatabaseScope(tenant_id="?")
_SET_SCOPE_SQL = f"SELECT set_config('{TENANT_SETTING}', %s, true)"
_TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN")


class DatabaseScopeSync:
    """An execute wrapper that tells PostgreSQL the tenant in scope before a query runs.

    The settings are transaction-local, so they are written once per transaction (and
    again only when the scope changes inside it): one round trip per request. A query
    run outside a transaction with a scope gets a transaction of its own, because a
    setting made in autocommit would not outlive the ``set_config`` statement itself.
    """

    def __call__(self, execute, sql, params, many, context):
        connection = context["connection"]
        statement = sql.lstrip()[:9].upper()
        if statement.startswith(_TRANSACTION_CONTROL):
            result = execute(sql, params, many, context)
            if statement.startswith("ROLLBACK"):
                connection.tenancy_synced_scope = _UNKNOWN  # a savepoint rollback undoes settings
            return result
        wanted = database_scope()
        status = connection.connection.info.transaction_status
        if status == TransactionStatus.IDLE:
            connection.tenancy_synced_scope = NO_DATABASE_SCOPE  # a new transaction starts clean
        elif status == TransactionStatus.INERROR:
            return execute(sql, params, many, context)
        if wanted == getattr(connection, "tenancy_synced_scope", _UNKNOWN):
            return execute(sql, params, many, context)
        if connection.get_autocommit():
            with transaction.atomic(using=connection.alias):
                self.write_scope(connection, wanted)
                return execute(sql, params, many, context)
        self.write_scope(connection, wanted)
        return execute(sql, params, many, context)

    @staticmethod
    def write_scope(connection, scope: DatabaseScope) -> None:
        with connection.connection.cursor() as cursor:
            cursor.execute(_SET_SCOPE_SQL, [scope.tenant_id])
        connection.tenancy_synced_scope = scope


database_scope_sync = DatabaseScopeSync()


def install_scope_sync(sender, connection, **kwargs: Any) -> None:
    """connection_created receiver: every PostgreSQL connection syncs the tenant scope."""
    if connection.vendor == "postgresql" and database_scope_sync not in connection.execute_wrappers:
        connection.execute_wrappers.append(database_scope_sync)


# The roles ---------------------------------------------------------------------------


@contextmanager
def as_database_owner(alias: str = "default") -> Iterator[None]:
    """Connect ``alias`` with the owner's credentials (``DATABASE_MIGRATE_URL``) for the
    block, e.g. to migrate; the same database, another role. A no-op when unset."""
    owner = getattr(settings, "DATABASE_OWNER", None)
    with connected_as(alias, owner):
        yield


@contextmanager
def connected_as(alias: str, credentials: dict | None) -> Iterator[None]:
    """Connect ``alias`` with ``credentials`` (a DATABASES entry) for the block; the same
    database, another role. A no-op when None or already so."""
    connection = connections[alias]
    keys = ("USER", "PASSWORD", "HOST", "PORT")
    saved = {key: connection.settings_dict.get(key) for key in keys}
    wanted = {key: credentials.get(key) for key in keys} if credentials else saved
    if wanted == saved:
        yield
        return
    connection.close()
    connection.settings_dict.update(wanted)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def grant_runtime_role(connection, role: str) -> None:
    """Let a role (the runtime role, the platform role) read and write every table and
    sequence the owner has made or will make in the schema; never TRUNCATE (it ignores
    RLS) nor any DDL."""
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
        for statement in (
            f"GRANT USAGE ON SCHEMA {schema} TO {quoted}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {quoted}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {quoted}",
        ):
            cursor.execute(statement)


def grant_after_migrate(sender, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: the runtime and platform roles can use what the migrations
    just made."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    user = connection.settings_dict.get("USER")
    for role in {settings.TENANCY_RUNTIME_ROLE, settings.TENANCY_PLATFORM_ROLE}:
        if role and role != user:
            grant_runtime_role(connection, role)


@dataclass(frozen=True)
class RoleProblem:
    id: str
    message: str


def runtime_role_problems(connection, role: str, tables: list[str]) -> list[RoleProblem]:
    """What lets ``role`` see past row-level security on ``tables``, read from the catalog."""
    problems = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            return [RoleProblem("tenancy.W011", f"The runtime role {role!r} does not exist.")]
        if row[0]:
            problems.append(RoleProblem("tenancy.W012", f"The runtime role {role!r} is a superuser: RLS is bypassed."))
        if row[1]:
            problems.append(RoleProblem("tenancy.W013", f"The runtime role {role!r} has BYPASSRLS."))
        cursor.execute(
            "SELECT c.relname, pg_get_userbyid(c.relowner), c.relrowsecurity, c.relforcerowsecurity "
            "FROM pg_class c WHERE c.relkind = 'r' AND c.relname = ANY(%s) "
            "AND c.relnamespace = current_schema()::regnamespace",
            [tables],
        )
        catalog = {name: (owner, rls, force) for name, owner, rls, force in cursor.fetchall()}
    owned = sorted(name for name, (owner, _, _) in catalog.items() if owner == role)
    if owned:
        problems.append(RoleProblem("tenancy.W014", f"The runtime role {role!r} owns {', '.join(owned)}."))
    unprotected = sorted(name for name in tables if name in catalog and not all(catalog[name][1:]))
    if unprotected:
        problems.append(RoleProblem("tenancy.W015", f"No forced row-level security on {', '.join(unprotected)}."))
    return problems


def platform_role_problems(connection, platform_role: str, runtime_role: str) -> list[RoleProblem]:
    """What keeps the platform role from its work (every tenant's rows), or lets the
    runtime role have the same rights, read from the catalog."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [platform_role])
        row = cursor.fetchone()
    if platform_role == runtime_role:
        return [
            RoleProblem(
                "tenancy.W021",
                f"DATABASE_PLATFORM_URL and DATABASE_URL name the same role {platform_role!r}: the runtime role "
                "would need the platform's rights.",
            )
        ]
    if row is None:
        return [RoleProblem("tenancy.W020", f"The platform role {platform_role!r} does not exist.")]
    if not (row[0] or row[1]):
        return [
            RoleProblem(
                "tenancy.W020",
                f"The platform role {platform_role!r} lacks BYPASSRLS: operators, seed_demo and operator logins "
                "see no rows.",
            )
        ]
    return []
