"""The tables a business's rows live in, as its export, restore and deletion walk them:
every tenant table (scoped models and their join tables), parents before children."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db import models

from core.tenancy import project_models, tenant_table_models


@dataclass(frozen=True)
class TenantTable:
    """One table holding rows of businesses, and how its rows find their business."""

    model: type[models.Model]
    tenant_lookup: str  # the ORM lookup of a row's tenant id, e.g. ``client__tenant_id``

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def db_table(self) -> str:
        return self.model._meta.db_table

    @property
    def exported(self) -> bool:
        """False for a model declaring ``lifecycle_exported = False`` (rows that must not
        outlive the moment: outstanding password links, the export archives themselves).
        Deletion removes them all the same."""
        return getattr(self.model, "lifecycle_exported", True)

    @cached_property
    def fields(self) -> list[models.Field]:
        return list(self.model._meta.concrete_fields)

    def rows_of(self, tenant_id: int) -> models.QuerySet:
        """The table's rows of the business, in id order, through the model's own manager
        (scoped to the tenant in scope; join tables have no scoping manager of their own)."""
        return self.model.objects.filter(**{self.tenant_lookup: tenant_id}).order_by("pk")

    def references(self) -> list[type[models.Model]]:
        """The other tenant tables' models this table's rows point to."""
        return [
            field.related_model
            for field in self.fields
            if field.is_relation and field.related_model is not self.model and field.name != "tenant"
        ]


def tenant_tables() -> list[TenantTable]:
    """Every table that holds rows of businesses (the users' included), each after the
    tables it refers to: the order of a restore, and reversed, of a deletion."""
    found = {model: TenantTable(model, lookup) for model, lookup in tenant_table_models(project_models()).values()}
    ordered: list[TenantTable] = []
    placed: set[type[models.Model]] = set()
    pending = list(found.values())
    while pending:
        ready = [t for t in pending if all(m in placed or m not in found for m in t.references())]
        if not ready:
            cycle = ", ".join(t.label for t in pending)
            raise RuntimeError(f"The references between {cycle} go round in a circle: no table can come first.")
        for table in ready:
            ordered.append(table)
            placed.add(table.model)
        pending = [t for t in pending if t.model not in placed]
    return ordered


def shared_references(tables: list[TenantTable]) -> dict[str, dict[str, type[models.Model]]]:
    """Per table, its columns that point to rows every business shares (a disclaimer
    text, a permission), by model: an archive names those rows by natural key, since
    their ids may differ in the database it is restored into."""
    own = {table.model for table in tables}
    return {
        table.label: {
            field.attname: field.related_model
            for field in table.fields
            if field.is_relation and field.name != "tenant" and field.related_model not in own
        }
        for table in tables
    }
