"""The SQL of row-level security, generated from the models' declarations: the policy
function, each table's policy, and the keys that bind references to one tenant.

Every tenant table gets ``ENABLE`` and ``FORCE ROW LEVEL SECURITY`` and one policy, one
comparison of its own ``tenant_id`` (a child that has no column of its own yet, in an
early migration, follows its ``tenant_path`` up to a root). A policy shows the rows of
the tenant :data:`~core.tenancy.proofs.SCOPE_FUNCTION` names, and nothing else, ever.
Tables that others refer to carry ``UNIQUE (tenant_id, id)`` and the references are
composite foreign keys ``(tenant_id, x_id) -> (tenant_id, id)``, so a row can never
point into another tenant.
"""

from __future__ import annotations

from django.db import models

from ..declarations import carries_tenant
from ..proofs import (
    CURRENT_TENANT_SQL,
    LEGACY_AUTH_POLICY,
    POLICY,
    PRIVATE_SCHEMA,
    PROOF_SETTING,
    SCOPE_FUNCTION,
    SCOPE_KEY_TABLE,
    TENANT_SETTING,
    TRANSACTION_TOKEN_SQL,
    constraint_name,
    quoted,
)

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
    return f"({quoted(table)}.tenant_id = {CURRENT_TENANT_SQL})"


def tenant_predicate(model: type[models.Model], tenant_path: str) -> str:
    """SQL true for the rows of ``model`` the running code may see, following its path."""
    table = model._meta.db_table
    *hops, last = tenant_path.split("__")
    if last != "tenant":
        raise ValueError(f"A tenant path ends at a root's tenant, not {tenant_path!r}.")
    if not hops or carries_tenant(model):
        return root_predicate(table)
    # A child: one correlated EXISTS that walks the foreign keys up to the root, each
    # hop by primary key, so it costs an index lookup per row the statement touches.
    joins, current, outer = [], model, f"{quoted(table)}.{quoted(model._meta.get_field(hops[0]).column)}"
    for depth, name in enumerate(hops):
        field = current._meta.get_field(name)
        parent = field.related_model
        alias = f"t{depth}"
        if depth == 0:
            condition = f"{alias}.{quoted(parent._meta.pk.column)} = {outer}"
        else:
            condition = f"{alias}.{quoted(parent._meta.pk.column)} = t{depth - 1}.{quoted(field.column)}"
        joins.append((parent._meta.db_table, alias, condition))
        current = parent
    (first_table, first_alias, first_condition), *rest = joins
    sql = f"SELECT 1 FROM {quoted(first_table)} {first_alias}"
    for joined_table, alias, condition in rest:
        sql += f" JOIN {quoted(joined_table)} {alias} ON {condition}"
    sql += f" WHERE {first_condition} AND t{len(hops) - 1}.tenant_id = {CURRENT_TENANT_SQL}"
    return f"(EXISTS ({sql}))"


def policy_sql(table: str, predicate: str) -> list[str]:
    return [
        f"ALTER TABLE {quoted(table)} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {quoted(table)} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY} ON {quoted(table)}",
        f"CREATE POLICY {POLICY} ON {quoted(table)} USING {predicate} WITH CHECK {predicate}",
        f"DROP POLICY IF EXISTS {LEGACY_AUTH_POLICY} ON {quoted(table)}",
    ]


def drop_policy_sql(table: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS {LEGACY_AUTH_POLICY} ON {quoted(table)}",
        f"DROP POLICY IF EXISTS {POLICY} ON {quoted(table)}",
        f"ALTER TABLE {quoted(table)} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {quoted(table)} DISABLE ROW LEVEL SECURITY",
    ]


# Tenant-bound keys ----------------------------------------------------------------


def tenant_key_sql(table: str, *, online: bool = False) -> list[str]:
    """``UNIQUE (tenant_id, id)``; ``online`` (outside a transaction) builds its index
    without blocking writes first."""
    name = quoted(constraint_name(table, "tenant_key"))
    if not online:
        return [f"ALTER TABLE {quoted(table)} ADD CONSTRAINT {name} UNIQUE (tenant_id, id)"]
    return [
        f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {quoted(table)} (tenant_id, id)",
        f"ALTER TABLE {quoted(table)} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}",
    ]


def tenant_bound_fk_sql(table: str, column: str, target_table: str) -> list[str]:
    """The composite key ``(tenant_id, column) -> target (tenant_id, id)``. Added ``NOT
    VALID`` then validated: outside a transaction the check of the existing rows takes
    a lock that lets writes go on.

    Immediate, unlike Django's deferred keys: a violation fails the statement that
    caused it (an IntegrityError the API answers with 409), not a later COMMIT."""
    name = quoted(constraint_name(table, f"{column}_tenant_fk"))
    return [
        f"ALTER TABLE {quoted(table)} ADD CONSTRAINT {name} FOREIGN KEY (tenant_id, {quoted(column)}) "
        f"REFERENCES {quoted(target_table)} (tenant_id, id) NOT VALID",
        f"ALTER TABLE {quoted(table)} VALIDATE CONSTRAINT {name}",
    ]


def drop_constraint_sql(table: str, suffix: str) -> list[str]:
    return [f"ALTER TABLE {quoted(table)} DROP CONSTRAINT IF EXISTS {quoted(constraint_name(table, suffix))}"]


def tenant_bound_link_sql(through: type[models.Model], owner_column: str, owner_table: str) -> list[str]:
    """Give the join table of a tenant model a tenant of its own, filled from the owning
    side by a trigger (Django never writes it), so its keys to tenant tables can be bound
    and its policy is one comparison. Null only where the owner's may be (users)."""
    table = through._meta.db_table
    owner = next(f.related_model for f in through._meta.concrete_fields if f.is_relation and f.column == owner_column)
    required = (
        []
        if owner._meta.get_field("tenant").null
        else [f"ALTER TABLE {quoted(table)} ALTER COLUMN tenant_id SET NOT NULL"]
    )
    statements = [
        f"ALTER TABLE {quoted(table)} ADD COLUMN IF NOT EXISTS tenant_id bigint",
        f"UPDATE {quoted(table)} link SET tenant_id = owner.tenant_id FROM {quoted(owner_table)} owner "
        f"WHERE owner.id = link.{quoted(owner_column)}",
        *required,
        *fill_tenant_trigger_sql(table, owner_column, owner_table, only_when_empty=False),
    ]
    for field in _bound_link_keys(through):
        statements += tenant_bound_fk_sql(table, field.column, field.related_model._meta.db_table)
    return statements


def _bound_link_keys(through: type[models.Model]) -> list[models.Field]:
    """A join table's keys to tables that carry a tenant (not to global ones, e.g. groups)."""
    return [f for f in through._meta.concrete_fields if f.is_relation and carries_tenant(f.related_model)]


def drop_tenant_bound_link_sql(through: type[models.Model]) -> list[str]:
    table = through._meta.db_table
    statements = []
    for field in _bound_link_keys(through):
        statements += drop_constraint_sql(table, f"{field.column}_tenant_fk")
    return [
        *statements,
        *drop_fill_tenant_trigger_sql(table),
        f"ALTER TABLE {quoted(table)} DROP COLUMN IF EXISTS tenant_id",
    ]


def fill_tenant_trigger_sql(table: str, parent_column: str, parent_table: str, *, only_when_empty: bool) -> list[str]:
    """A trigger that copies into each row written the tenant of the row ``parent_column``
    names: into every row of a join table (Django never writes its tenant), into a
    child's row only when it comes without one (the previous release, raw SQL)."""
    function = quoted(constraint_name(table, "fill_tenant"))
    copy = f"SELECT tenant_id INTO NEW.tenant_id FROM {quoted(parent_table)} WHERE id = NEW.{quoted(parent_column)};"
    if only_when_empty:
        copy = f"IF NEW.tenant_id IS NULL THEN {copy} END IF;"
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{copy} RETURN NEW; END $$",
        f"DROP TRIGGER IF EXISTS {function} ON {quoted(table)}",
        f"CREATE TRIGGER {function} BEFORE INSERT OR UPDATE ON {quoted(table)} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


def drop_fill_tenant_trigger_sql(table: str) -> list[str]:
    function = quoted(constraint_name(table, "fill_tenant"))
    return [f"DROP TRIGGER IF EXISTS {function} ON {quoted(table)}", f"DROP FUNCTION IF EXISTS {function}()"]
