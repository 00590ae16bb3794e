"""The plan that would distribute the schema on Citus, generated from the models'
tenancy declarations: which table is distributed by ``tenant_id``, which is a
reference table (copied to every worker), which stays on the coordinator, and the
keys Citus refuses that must change first. Printed by ``manage.py citus_plan``;
nothing here runs it.

* The tenant table, the global tables and Django's own tables are reference tables:
  small, shared by every business, read everywhere.
* Every tenant table (root, child, join table) whose tenant is never NULL is
  distributed by ``tenant_id``, all in one co-location group, so a business's rows of
  every table sit on one worker and joins between them stay there.
* A tenant table whose tenant may be NULL (``accounts_user`` and what hangs off it: the
  platform operators belong to no business) is a reference table: Citus refuses NULL
  in a distribution column.
* Between two distributed tables Citus accepts only foreign keys that include the
  distribution column; each single-column key Django made is dropped where the
  tenant-bound key ``(tenant_id, x_id) -> (tenant_id, id)`` covers it (that key stays).
  A primary key or unique constraint of a distributed table must include
  ``tenant_id`` too: each is widened by it, which keeps its meaning, because the
  columns it had name one business's rows already (an id, a parent's id).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from enum import StrEnum

from django.apps import apps
from django.db import connection as default_connection
from django.db import models

from ..declarations import Kind, tenancy_of
from ..proofs import quoted
from .citus_constraints import FOREIGN_KEY, PRIMARY_KEY, TENANT_COLUMN, Key, catalog_keys, model_keys


class Placement(StrEnum):
    DISTRIBUTED = "distributed"
    REFERENCE = "reference"
    LOCAL = "local"


# Tables no model declares, and why they stay where they are.
LOCAL_TABLES = {"django_migrations": "migration history of the coordinator, which runs migrate"}
NULLABLE_TENANT = (
    "its tenant_id is NULL for platform operators, who belong to no business, "
    "and Citus refuses NULL in a distribution column"
)


@dataclass
class CitusPlan:
    """What the plan does to each table, in the order it does it."""

    placements: dict[str, Placement] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    reference_order: list[str] = field(default_factory=list)
    distributed_order: list[str] = field(default_factory=list)  # the anchor first
    dropped: list[tuple[Key, Key]] = field(default_factory=list)  # (single-column key, its tenant-bound cover)
    uncovered: list[Key] = field(default_factory=list)  # kept, and refused by Citus
    widened: list[Key] = field(default_factory=list)
    source: str = "models"  # or "catalog"

    def tables(self, placement: Placement) -> set[str]:
        return {table for table, where in self.placements.items() if where is placement}

    @property
    def anchor(self) -> str | None:
        return self.distributed_order[0] if self.distributed_order else None


def citus_plan(connection=None, *, catalog: bool | None = None) -> CitusPlan:
    """The plan for the schema of ``connection`` (by default Django's): its keys come
    from PostgreSQL's catalog there, from the models on any other database (or where
    ``catalog=False`` says so)."""
    connection = connection or default_connection
    if catalog is None:
        catalog = connection.vendor == "postgresql"
    all_models = _schema_models()
    plan = CitusPlan()
    for model in all_models:
        placement, reason = _placement(model)
        plan.placements[model._meta.db_table] = placement
        plan.reasons[model._meta.db_table] = reason
    for table, reason in LOCAL_TABLES.items():
        plan.placements[table], plan.reasons[table] = Placement.LOCAL, reason

    if catalog:
        keys, plan.source = catalog_keys(connection), "catalog"
    else:
        keys = model_keys(all_models)
    distributed = plan.tables(Placement.DISTRIBUTED)
    foreign = [k for k in keys if k.kind == FOREIGN_KEY]
    for key in foreign:
        if key.table in distributed and key.target_table in distributed and TENANT_COLUMN not in key.columns:
            cover = _tenant_bound_cover(key, foreign)
            if cover is None:
                plan.uncovered.append(key)
            else:
                plan.dropped.append((key, cover))
    plan.widened = [
        k for k in keys if k.kind != FOREIGN_KEY and k.table in distributed and TENANT_COLUMN not in k.columns
    ]
    dropped = {key for key, _cover in plan.dropped}
    kept = [k for k in foreign if k not in dropped]
    plan.reference_order = _parents_first(plan.tables(Placement.REFERENCE), kept)
    plan.distributed_order = _parents_first(distributed, kept)
    return plan


def citus_plan_sql(connection=None, *, catalog: bool | None = None) -> list[str]:
    """The plan as lines of plain SQL: statements (each ending ``;``) and comments."""
    plan = citus_plan(connection, catalog=catalog)
    lines = [
        "-- Citus plan of this schema: not run by anything; read it, then run it on the coordinator",
        "-- (CREATE EXTENSION citus; workers added) with the migrations applied.",
        "-- Generated from the models' tenancy declarations (core.tenancy.citus_plan_sql) by",
        f"-- `manage.py citus_plan`; keys read from the {plan.source}.",
        f"-- {len(plan.distributed_order)} distributed, {len(plan.reference_order)} reference, "
        f"{len(plan.tables(Placement.LOCAL))} local; {len(plan.dropped)} single-column foreign keys dropped, "
        f"{len(plan.widened)} keys widened by tenant_id.",
        "",
        "-- 1. Foreign keys between distributed tables without tenant_id, which Citus refuses:",
        "--    each is covered by the composite tenant-bound key named beside it, which stays.",
    ]
    for key, cover in plan.dropped:
        lines.append(f"ALTER TABLE {quoted(key.table)} DROP CONSTRAINT {quoted(key.name)};  -- {cover.name}")
    for key in plan.uncovered:
        lines.append(
            f"-- NOT READY: {key.table}.{key.columns[0]} -> {key.target_table} has no tenant-bound key "
            f"({key.name} kept; Citus will refuse it)"
        )
    lines += ["", "-- 2. Primary keys and unique constraints of distributed tables, widened by tenant_id."]
    for key in plan.widened:
        what = "PRIMARY KEY" if key.kind == PRIMARY_KEY else "UNIQUE"
        columns = ", ".join(quoted(c) for c in (TENANT_COLUMN, *key.columns))
        lines.append(
            f"ALTER TABLE {quoted(key.table)} DROP CONSTRAINT {quoted(key.name)}, "
            f"ADD CONSTRAINT {quoted(key.name)} {what} ({columns});"
        )
    lines += ["", "-- 3. Reference tables, parents before children: a copy on every worker."]
    for table in plan.reference_order:
        if plan.reasons[table] == NULLABLE_TENANT:
            lines.append(f"-- {table}: {NULLABLE_TENANT}.")
        lines.append(f"SELECT create_reference_table({_literal(table)});")
    lines += ["", "-- 4. Distributed by tenant_id, one co-location group: a business's rows share a worker."]
    for table in plan.distributed_order:
        colocate = "none" if table == plan.anchor else plan.anchor
        lines.append(
            f"SELECT create_distributed_table({_literal(table)}, {_literal(TENANT_COLUMN)}, "
            f"colocate_with => {_literal(colocate)});"
        )
    lines += ["", "-- 5. Local tables, left on the coordinator."]
    lines += [f"-- {table}: {plan.reasons[table]}." for table in sorted(plan.tables(Placement.LOCAL))]
    return lines


def _schema_models() -> list[type[models.Model]]:
    """One model per table Django creates: the project's, the packages', the join tables."""
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.managed and not opts.proxy and not opts.swapped:
            found.setdefault(opts.db_table, model)
    return [found[table] for table in sorted(found)]


def _placement(model: type[models.Model]) -> tuple[Placement, str]:
    owner = model._meta.auto_created or model  # a join table goes where its owning side goes
    tenancy = tenancy_of(owner)
    if tenancy is None:
        return Placement.REFERENCE, "declares no tenancy: Django's or a package's own table"
    if tenancy.kind is Kind.TENANT_TABLE:
        return Placement.REFERENCE, "the tenant table: its id is the distribution value"
    if tenancy.kind is Kind.GLOBAL:
        return Placement.REFERENCE, "global: shared by every business on purpose"
    if _tenant_field(owner, tenancy.path).null:
        return Placement.REFERENCE, NULLABLE_TENANT
    return Placement.DISTRIBUTED, f"tenant rows ({tenancy.kind})"


def _tenant_field(model: type[models.Model], path: str) -> models.Field:
    """The tenant a row carries: its own ``tenant`` field where it has one, else the
    one at the end of its declared path (a child's tenant is its parent's)."""
    current = model
    for name in path.split("__"):
        if _has_own_tenant(current):
            return current._meta.get_field("tenant")
        current = current._meta.get_field(name).related_model
    raise LookupError(f"{model._meta.label}: tenant path {path!r} ends at no tenant")


def _has_own_tenant(model: type[models.Model]) -> bool:
    try:
        return model._meta.get_field("tenant").concrete
    except Exception:
        return False


def _tenant_bound_cover(key: Key, foreign: list[Key]) -> Key | None:
    """The composite key ``(tenant_id, column) -> (tenant_id, target)`` of a single-column
    foreign key, if the table has one."""
    wanted = {TENANT_COLUMN, key.columns[0]}
    target_wanted = {TENANT_COLUMN, key.target_columns[0]}
    for other in foreign:
        if (
            other.table == key.table
            and other.target_table == key.target_table
            and set(other.columns) == wanted
            and set(other.target_columns) == target_wanted
            and other.columns.index(TENANT_COLUMN) == other.target_columns.index(TENANT_COLUMN)
        ):
            return other
    return None


def _parents_first(tables: set[str], foreign: list[Key]) -> list[str]:
    """``tables`` ordered so that a table comes after every table it refers to (Citus
    distributes a table only once what it refers to is distributed or a reference
    table); alphabetical where the keys leave a choice, so the plan is the same each run."""
    parents = {table: set() for table in tables}
    for key in foreign:
        if key.table in tables and key.target_table in tables and key.target_table != key.table:
            parents[key.table].add(key.target_table)
    ready = [table for table, needs in parents.items() if not needs]
    heapq.heapify(ready)
    ordered: list[str] = []
    while ready:
        table = heapq.heappop(ready)
        ordered.append(table)
        for child, needs in parents.items():
            if table in needs:
                needs.discard(table)
                if not needs:
                    heapq.heappush(ready, child)
    # A cycle of references (none today) keeps its tables, alphabetically, at the end.
    return ordered + sorted(tables - set(ordered))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
