"""Row-level security on PostgreSQL: policies from the declarations, the tenant per
transaction, tenant-bound keys, and the database roles.

The database keeps tenants apart even where the application forgets to:

* every tenant table gets ``ENABLE`` and ``FORCE ROW LEVEL SECURITY`` and one policy
  generated from the model's declaration: a root compares its ``tenant_id``, a child
  follows its ``tenant_path`` up to a root (:class:`TenantRowLevelSecurity`, a migration
  operation, so a model gets its policy in the migration that creates it);
* a policy shows the rows of one tenant, the one :func:`tenancy_scope_tenant` names, and
  nothing else, ever: no setting shows more, and rows of no tenant (platform operators)
  are never shown. The function returns ``app.tenant_id`` only when ``app.tenant_proof``
  is that id's HMAC, bound to the running transaction, under a key the runtime role
  cannot read (:func:`scope_proof`): SQL run as the runtime role cannot name another
  tenant, nor replay a proof it saw in another connection's query text;
* :class:`DatabaseScopeSync` sets both with ``set_config(..., true)`` inside the
  transaction that runs the query, from the tenant in scope: nothing survives the
  transaction on a persistent or pooled connection, and nothing set means no rows;
* root tables referenced by other roots carry ``UNIQUE (tenant_id, id)`` and the
  references are composite foreign keys ``(tenant_id, x_id) -> (tenant_id, id)``, so a
  row can never point into another tenant;
* ``DATABASE_URL`` names a runtime role that owns nothing and cannot bypass RLS;
  ``migrate`` runs as the owner of ``DATABASE_MIGRATE_URL``, grants the runtime and
  platform roles what they need (:func:`grant_runtime_role`) and stores the proof key.
  Work across tenants runs as the platform role of ``DATABASE_PLATFORM_URL`` (BYPASSRLS,
  core.tenancy.roles), credentials the runtime role does not hold.

SQLite, the embedded default, has none of this; the application layers still apply.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections, models, transaction
from django.db.migrations.operations.base import Operation
from django.utils.crypto import salted_hmac
from psycopg.pq import TransactionStatus

from .context import NO_DATABASE_SCOPE, DatabaseScope, database_scope
from .declarations import Kind, tenancy_of

TENANT_SETTING = "app.tenant_id"
PROOF_SETTING = "app.tenant_proof"
POLICY = "tenancy_isolation"
# The read-only user lookup policy of earlier versions (a setting showed every user);
# dropped wherever policies are written: that lookup is the platform role's now.
LEGACY_AUTH_POLICY = "tenancy_authentication"

# The proof's key lives in a schema of the owner's that no other role may use; the
# function the policies call reads it with the owner's rights (SECURITY DEFINER).
PRIVATE_SCHEMA = "tenancy_private"
SCOPE_KEY_TABLE = f"{PRIVATE_SCHEMA}.scope_key"
SCOPE_FUNCTION = "tenancy_scope_tenant"
# What a proof is bound to: the server process and the start of the running
# transaction, in microseconds. PostgreSQL assigns both; they hold for every statement
# of one transaction (behind PgBouncer in transaction mode too, which keeps a
# transaction on one server connection) and never recur, so a proof seen in another
# connection's query text is worth nothing in any other transaction.
TRANSACTION_TOKEN_SQL = (
    "pg_backend_pid()::text || ':' || (extract(epoch FROM transaction_timestamp()) * 1000000)::bigint::text"
)
# In a sub-SELECT, so PostgreSQL evaluates it once per statement (an InitPlan) and the
# (tenant_id, ...) indexes serve the comparison.
CURRENT_TENANT_SQL = f"(SELECT {SCOPE_FUNCTION}())"


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


def scope_function_sql() -> list[str]:
    """The private key table and the function every policy calls (idempotent).

    ``tenancy_scope_tenant()`` returns ``app.tenant_id`` when ``app.tenant_proof`` is
    HMAC-SHA256(key, "<tenant id>:<transaction token>") in hex, else NULL (no rows). The
    key is stored as HMAC's two padded halves, so plain ``sha256`` computes it without
    an extension. SECURITY DEFINER with a fixed search_path: it reads the key with its
    owner's rights, and nothing the caller sets changes what it runs. PL/pgSQL, whose
    plan is kept for the session (a SQL function is planned again by every statement:
    about 100 µs, against 20). PARALLEL RESTRICTED: ``pg_backend_pid()`` must be the
    leader's.
    """
    proof_message = (
        f"convert_to(coalesce(current_setting('{TENANT_SETTING}', true), '') || ':' || {TRANSACTION_TOKEN_SQL}, 'UTF8')"
    )
    return [
        f"CREATE SCHEMA IF NOT EXISTS {PRIVATE_SCHEMA}",
        f"REVOKE ALL ON SCHEMA {PRIVATE_SCHEMA} FROM PUBLIC",
        f"CREATE TABLE IF NOT EXISTS {SCOPE_KEY_TABLE} (inner_pad bytea NOT NULL, outer_pad bytea NOT NULL)",
        f"CREATE OR REPLACE FUNCTION {SCOPE_FUNCTION}() RETURNS bigint LANGUAGE plpgsql STABLE PARALLEL RESTRICTED "
        f"SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$ BEGIN RETURN ("
        f"SELECT NULLIF(current_setting('{TENANT_SETTING}', true), '')::bigint "
        f"WHERE EXISTS (SELECT FROM {SCOPE_KEY_TABLE} k "
        f"WHERE encode(sha256(k.outer_pad || sha256(k.inner_pad || {proof_message})), 'hex') "
        f"= current_setting('{PROOF_SETTING}', true))); END $$",
    ]


def root_predicate(table: str) -> str:
    """SQL true for the rows of a table with a ``tenant_id`` the running code may see:
    those of the tenant in scope; a row of no tenant never."""
    return f"({_q(table)}.tenant_id = {CURRENT_TENANT_SQL})"


def tenant_predicate(model: type[models.Model], tenant_path: str) -> str:
    """SQL true for the rows of ``model`` the running code may see, following its path."""
    table = model._meta.db_table
    *hops, last = tenant_path.split("__")
    if last != "tenant":
        raise ValueError(f"A tenant path ends at a root's tenant, not {tenant_path!r}.")
    if not hops:
        return root_predicate(table)
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
    return f"(EXISTS ({sql}))"


def policy_sql(table: str, predicate: str) -> list[str]:
    return [
        f"ALTER TABLE {_q(table)} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {_q(table)} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY} ON {_q(table)}",
        f"CREATE POLICY {POLICY} ON {_q(table)} USING {predicate} WITH CHECK {predicate}",
        f"DROP POLICY IF EXISTS {LEGACY_AUTH_POLICY} ON {_q(table)}",
    ]


def drop_policy_sql(table: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS {LEGACY_AUTH_POLICY} ON {_q(table)}",
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


class PostgresSqlOperation(Operation):
    """A migration operation whose SQL (``forwards_sql``/``backwards_sql`` of the model)
    runs on PostgreSQL only: SQLite has no row-level security to keep."""

    def forwards_sql(self, model: type[models.Model]) -> list[str]:
        raise NotImplementedError

    def backwards_sql(self, model: type[models.Model]) -> list[str]:
        raise NotImplementedError

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in self.forwards_sql(to_state.apps.get_model(app_label, self.model_name)):
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
        statements = scope_function_sql()
        if self.tenant_key:
            statements += tenant_key_sql(table)
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
    (core.tenancy.rls_changes); with ``applied_only``, of the migrations the database
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
_SET_SCOPE_SQL = f"SELECT set_config('{TENANT_SETTING}', %s, true), set_config('{PROOF_SETTING}', %s, true)"
_TRANSACTION_TOKEN_QUERY = f"SELECT {TRANSACTION_TOKEN_SQL}"
_TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN")
_HMAC_BLOCK = 64  # SHA-256's block size


def scope_key(secret: str | None = None) -> bytes:
    """The key of the tenant proofs, derived from ``DJANGO_SECRET_KEY`` (or ``secret``):
    the application computes proofs with it, ``migrate`` stores it where only the owner
    reads it."""
    return salted_hmac("core.tenancy.rls.scope_key", "tenant proofs", secret=secret, algorithm="sha256").digest()


def scope_key_pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer padded keys, as the database function uses them."""
    padded = key.ljust(_HMAC_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)


def scope_proof(tenant_id: str, transaction_token: str, key: bytes | None = None) -> str:
    """What ``app.tenant_proof`` must be for ``tenant_id`` in the transaction whose
    token (:data:`TRANSACTION_TOKEN_SQL`) is ``transaction_token``."""
    message = f"{tenant_id}:{transaction_token}".encode()
    return hmac.new(key if key is not None else scope_key(), message, hashlib.sha256).hexdigest()


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


class DatabaseScopeSync:
    """An execute wrapper that tells PostgreSQL the tenant in scope before a query runs.

    The settings are transaction-local, so they are written once per transaction (and
    again only when the scope changes inside it). A tenant comes with its proof, bound
    to the transaction: the transaction's token is read first, so a transaction with a
    tenant costs two round trips before its first query. A query run outside a
    transaction with a scope gets a transaction of its own, because a setting made in
    autocommit would not outlive the ``set_config`` statement itself.
    """

    def __call__(self, execute, sql, params, many, context):
        connection = context["connection"]
        statement = sql.lstrip()[:9].upper()
        status = connection.connection.info.transaction_status
        if status == TransactionStatus.IDLE:
            # A new transaction starts clean, also when its first statement is a
            # SAVEPOINT (an atomic block nested at once in another).
            connection.tenancy_synced_scope = NO_DATABASE_SCOPE
            connection.tenancy_transaction_token = None
        if statement.startswith(_TRANSACTION_CONTROL):
            result = execute(sql, params, many, context)
            if statement.startswith("ROLLBACK"):
                connection.tenancy_synced_scope = _UNKNOWN  # a savepoint rollback undoes settings
            return result
        wanted = database_scope()
        if status == TransactionStatus.INERROR:
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
            proof = ""
            if scope.tenant_id:
                token = getattr(connection, "tenancy_transaction_token", None)
                if token is None:
                    cursor.execute(_TRANSACTION_TOKEN_QUERY)
                    token = connection.tenancy_transaction_token = cursor.fetchone()[0]
                proof = scope_proof(scope.tenant_id, token)
            cursor.execute(_SET_SCOPE_SQL, [scope.tenant_id, proof])
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
    RLS) nor any DDL. The private schema of the proof key is not granted."""
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
    just made, and the database knows the current key of the tenant proofs."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    user = connection.settings_dict.get("USER")
    for role in {settings.TENANCY_RUNTIME_ROLE, settings.TENANCY_PLATFORM_ROLE}:
        if role and role != user:
            grant_runtime_role(connection, role)
    store_scope_key(connection)


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
        # SET ROLE reaches every role the runtime role is a member of.
        cursor.execute(
            "SELECT r.rolname FROM pg_roles r WHERE r.rolname <> %s AND pg_has_role(%s, r.oid, 'MEMBER') "
            "AND (r.rolsuper OR r.rolbypassrls OR r.rolname = ANY(%s)) ORDER BY r.rolname",
            [role, role, sorted({owner for owner, _, _ in catalog.values()})],
        )
        reachable = [name for (name,) in cursor.fetchall()]
        # By oid from the catalog: naming the table would need the schema's USAGE.
        cursor.execute(
            "SELECT has_schema_privilege(%s, n.oid, 'USAGE') AND has_table_privilege(%s, c.oid, 'SELECT') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
            [role, role, PRIVATE_SCHEMA, SCOPE_KEY_TABLE.split(".")[1]],
        )
        reads_key = any(row[0] for row in cursor.fetchall())
    owned = sorted(name for name, (owner, _, _) in catalog.items() if owner == role)
    if owned:
        problems.append(RoleProblem("tenancy.W014", f"The runtime role {role!r} owns {', '.join(owned)}."))
    unprotected = sorted(name for name in tables if name in catalog and not all(catalog[name][1:]))
    if unprotected:
        problems.append(RoleProblem("tenancy.W015", f"No forced row-level security on {', '.join(unprotected)}."))
    if reachable:
        problems.append(
            RoleProblem(
                "tenancy.W016",
                f"The runtime role {role!r} can SET ROLE to {', '.join(reachable)}, which bypass(es) RLS "
                "or own(s) tenant tables.",
            )
        )
    if reads_key:
        problems.append(RoleProblem("tenancy.W017", f"The runtime role {role!r} can read the tenant proof key."))
    if catalog and not proofs_accepted(connection):
        problems.append(
            RoleProblem(
                "tenancy.W018",
                "The database refuses this process's tenant proofs: every tenant table looks empty. Run migrate "
                "(it stores the key derived from DJANGO_SECRET_KEY) with the DJANGO_SECRET_KEY the app runs with.",
            )
        )
    return problems


def proofs_accepted(connection) -> bool:
    """Whether the database accepts a tenant proof made by this process now."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"SELECT to_regprocedure('{SCOPE_FUNCTION}()') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute(_TRANSACTION_TOKEN_QUERY)
        token = cursor.fetchone()[0]
        cursor.execute(_SET_SCOPE_SQL, ["-1", scope_proof("-1", token)])
        cursor.execute(f"SELECT {SCOPE_FUNCTION}()")
        accepted = cursor.fetchone()[0] == -1
        cursor.execute(_SET_SCOPE_SQL, ["", ""])
    return accepted


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
