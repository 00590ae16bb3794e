"""An archive (``core.lifecycle.archive``) restored into this database as one business.

All or nothing: everything is checked first (the archive against its manifest, the
migration state, the slug and domain), then every row is written in one transaction
as the platform role, which alone may see whether an id is free in every business.
Ids are kept where they are free and given anew where another row holds them, and
every reference is rewritten to follow; files are copied into the business's own
folder. The restored business is then counted table by table against the manifest.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.color import no_style
from django.db import IntegrityError, connections, models, router, transaction

from core.lifecycle.archive import ArchiveRefused, OpenedArchive, file_member, migration_state, open_archive
from core.lifecycle.audit import platform_audit_record
from core.lifecycle.tables import TenantTable, shared_references, tenant_tables
from core.models import PlatformAuditRecord, TenantSettings
from core.tenancy import tenant_cache_purge, tenant_folder, unscoped_all_tenants, validate_tenant_slug

BATCH = 1000
Progress = Callable[[str], None]


@dataclass
class RestoreReport:
    tenant: TenantSettings
    rows: dict[str, int] = field(default_factory=dict)
    remapped: dict[str, int] = field(default_factory=dict)
    files: int = 0
    notes: list[str] = field(default_factory=list)


def tenant_import(
    *, source: Path, slug: str | None = None, performed_by: str, progress: Progress | None = None
) -> RestoreReport:
    """Restore the archive at ``source`` as a new business (``slug``, else the archive's)."""
    report = progress or (lambda message: None)
    with tempfile.TemporaryDirectory(prefix="tenant-import-") as work, open_archive(source, Path(work)) as archive:
        tables = _check(archive)
        settings_row = archive.settings()
        new_slug = slug or settings_row["slug"]
        notes = _check_business(settings_row, new_slug, copy=slug is not None)
        saved_files: list[tuple[Any, str]] = []
        try:
            # The platform role's transaction (routed by the bypass): every write below
            # commits together, or none does.
            with (
                unscoped_all_tenants(f"import_tenant {new_slug}"),
                transaction.atomic(using=router.db_for_write(TenantSettings)),
            ):
                result = _Restore(archive, tables, saved_files, report).run(settings_row, new_slug, notes)
                platform_audit_record(
                    action=PlatformAuditRecord.Action.IMPORTED,
                    tenant=result.tenant,
                    performed_by=performed_by,
                    details={
                        "from": archive.manifest["tenant"],
                        "rows": result.rows,
                        "remapped": result.remapped,
                        "files": result.files,
                    },
                )
        except BaseException as exc:
            for storage, name in saved_files:
                storage.delete(name)
            if isinstance(exc, IntegrityError):
                # A row written meanwhile took what the checks found free (an id, the slug).
                raise ArchiveRefused(f"The restore met a row written meanwhile ({exc}); try again.") from exc
            raise
    tenant_cache_purge(tenant_id=result.tenant.pk)
    return result


def _check(archive: OpenedArchive) -> list[tuple[TenantTable, dict[str, Any]]]:
    """The archive's tables against this database's: same migrations, same columns."""
    here, there = migration_state(), archive.manifest["migrations"]
    if here != there:
        ahead = [f"{a}.{n}" for a, n in there if [a, n] not in here][:5]
        behind = [f"{a}.{n}" for a, n in here if [a, n] not in there][:5]
        raise ArchiveRefused(
            "The archive was made at another migration state than this database's "
            f"(only in the archive: {', '.join(ahead) or 'none'}; only here: {', '.join(behind) or 'none'}). "
            "Migrate both to the same release first."
        )
    entries = {entry["model"]: entry for entry in archive.manifest["tables"]}
    tables = []
    for table in tenant_tables():
        entry = entries.pop(table.label, None)
        if entry is None:
            if table.exported:
                raise ArchiveRefused(f"The archive has no table {table.label}.")
            continue
        if entry["columns"] != [f.attname for f in table.fields]:
            raise ArchiveRefused(f"The columns of {table.label} in the archive are not this database's.")
        tables.append((table, entry))
    if entries:
        raise ArchiveRefused(f"The archive holds tables this database has not: {', '.join(sorted(entries))}.")
    return tables


def _check_business(settings_row: dict[str, Any], slug: str, *, copy: bool) -> list[str]:
    try:
        validate_tenant_slug(slug)
    except ValidationError as exc:
        raise ArchiveRefused(f"'{slug}' cannot name a business: {' '.join(exc.messages)}") from exc
    if TenantSettings.objects.filter(slug=slug).exists():
        raise ArchiveRefused(
            f"A business called '{slug}' exists here. Restore under another slug (--slug), or delete it first."
        )
    domain = settings_row.get("custom_domain")
    if domain and TenantSettings.objects.filter(custom_domain=domain).exists():
        if not copy:
            raise ArchiveRefused(f"The domain {domain} belongs to another business here.")
        settings_row["custom_domain"] = None
        return [f"The domain {domain} stays with the business that has it; the copy has none."]
    return []


class _Restore:
    """One restore's state: the ids given anew per table, the files copied so far.

    It runs under :func:`tenant_import`'s bypass, where the models' managers show every
    business's rows (whether an id is free is a question about all of them); each
    query that reads the restored business's rows names it."""

    def __init__(self, archive: OpenedArchive, tables, saved_files: list, report: Progress) -> None:
        self.archive, self.tables, self.saved_files, self.report = archive, tables, saved_files, report
        self.new_ids: dict[type[models.Model], dict[Any, Any]] = {}
        self.shared = shared_references([table for table, _entry in tables])
        self.shared_ids: dict[tuple[type[models.Model], tuple], Any] = {}

    def run(self, settings_row: dict[str, Any], slug: str, notes: list[str]) -> RestoreReport:
        self.old_tenant_id, self.old_slug = settings_row["id"], settings_row["slug"]
        self.tenant = self._restore_business(settings_row, slug)
        result = RestoreReport(self.tenant, notes=notes)
        for table, entry in self.tables:
            kept, remapped = self._restore_table(table, entry)
            result.rows[table.label] = kept + remapped
            if remapped:
                result.remapped[table.label] = remapped
            self.report(f"{table.label}: {kept + remapped} rows ({remapped} with new ids)")
        result.files = len(self.saved_files)
        self._verify(result)
        return result

    def _restore_business(self, row: dict[str, Any], slug: str) -> TenantSettings:
        values = {f.attname: f.to_python(row[f.attname]) for f in TenantSettings._meta.concrete_fields}
        values["slug"] = slug
        # A generation no entry of an earlier business with this id was cached under: above
        # the archive's, and above the last one of a business deleted under this id (whose
        # entries outlive it when the cache was unreachable as it went).
        deleted = PlatformAuditRecord.objects.filter(
            action=PlatformAuditRecord.Action.DELETED, business_id=values["id"]
        ).values_list("details__cache_generation", flat=True)
        values["cache_generation"] = max([values["cache_generation"] or 0, *(g or 0 for g in deleted)]) + 1
        if TenantSettings.objects.filter(pk=values["id"]).exists():
            values["id"] = None
        tenant = TenantSettings(**values)
        tenant.full_clean(exclude=["slug", "custom_domain"], validate_unique=False)
        given = self._insert(TenantSettings, [tenant], with_ids=tenant.pk is not None)
        if given:
            tenant.pk = given[0]
        return tenant

    def _restore_table(self, table: TenantTable, entry: dict[str, Any]) -> tuple[int, int]:
        """Rows whose id is free keep it; then the others get new ids from the sequence
        (moved past every kept one first), and references to them are rewritten."""
        model, pk, taken, kept = table.model, table.model._meta.pk.attname, set(), 0
        for batch in self._batches(entry):
            taken.update(model.objects.filter(pk__in=[row[pk] for row in batch]).values_list("pk", flat=True))
            free = [self._row(table, row) for row in batch if row[pk] not in taken]
            self._insert(model, free, with_ids=True)
            kept += len(free)
        if not taken:
            return kept, 0
        given = self.new_ids.setdefault(model, {})
        for batch in self._batches(entry):
            moved = [row for row in batch if row[pk] in taken]
            objs = [self._row(table, {**row, pk: None}) for row in moved]
            for row, new in zip(moved, self._insert(model, objs, with_ids=False), strict=True):
                given[row[pk]] = new
        return kept, len(taken)

    def _batches(self, entry: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        batch = []
        for values in self.archive.rows(entry["member"]):
            batch.append(dict(zip(entry["columns"], values, strict=True)))
            if len(batch) == BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    def _row(self, table: TenantTable, values: dict[str, Any]) -> models.Model:
        shared = self.shared[table.label]
        for f in table.fields:
            value = values[f.attname]
            if value is None:
                continue
            if f.name == "tenant":
                values[f.attname] = self.tenant.pk
            elif f.attname in shared:
                values[f.attname] = self._shared_id(shared[f.attname], value)
            elif f.is_relation:
                values[f.attname] = self.new_ids.get(f.related_model, {}).get(value, value)
            elif isinstance(f, models.FileField):
                values[f.attname] = self._copy_file(table.model, f, value) if value else value
            else:
                values[f.attname] = f.to_python(value)
        obj = table.model(**values)
        if self.tenant.pk != self.old_tenant_id and hasattr(obj, "lifecycle_rebind"):
            try:
                obj.lifecycle_rebind(old_tenant_id=self.old_tenant_id)
            except Exception as exc:  # a secret this deployment's keys cannot read, say
                raise ArchiveRefused(f"A {table.label} row cannot be moved to the new business: {exc}") from exc
        return obj

    def _shared_id(self, model: type[models.Model], key: list[Any]) -> Any:
        if (model, tuple(key)) not in self.shared_ids:
            try:
                found = model._default_manager.get_by_natural_key(*key)
            except model.DoesNotExist as exc:
                raise ArchiveRefused(
                    f"The archive refers to the {model._meta.verbose_name} {key}, which this database lacks."
                ) from exc
            self.shared_ids[model, tuple(key)] = found.pk
        return self.shared_ids[model, tuple(key)]

    def _copy_file(self, model: type[models.Model], field: models.FileField, name: str) -> str:
        """The file into the business's own folder (``tenants/<slug>/<model>/``): a copy
        never names another business's file, even one the archive lacks."""
        wanted = f"{tenant_folder(self.tenant, model)}{os.path.basename(name)}"
        path = self.archive.path(file_member(name))
        if not path.is_file():
            return wanted  # missing when exported: the row names a file in its own folder
        with path.open("rb") as content:
            saved = field.storage.save(wanted, File(content))
        self.saved_files.append((field.storage, saved))
        return saved

    def _insert(self, model: type[models.Model], objs: list[models.Model], *, with_ids: bool) -> list[Any]:
        """Insert ``objs`` as they are (no ``auto_now`` stamping: a restored row keeps its
        times), in batches; the ids the database gave, when ``with_ids`` is False."""
        if not objs:
            return []
        alias = router.db_for_write(model)
        connection = connections[alias]
        fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
        returning = [] if with_ids else [model._meta.pk]
        given = []
        size = connection.ops.bulk_batch_size(fields, objs) or len(objs)
        for start in range(0, len(objs), size):
            rows = model.objects._insert(
                objs[start : start + size], fields=fields, returning_fields=returning, raw=True, using=alias
            )
            given += [row[0] for row in rows or []]
        if with_ids:
            # The sequence moves past the kept ids: a later row never draws one of them.
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                    cursor.execute(statement)
        return given

    def _verify(self, result: RestoreReport) -> None:
        """Every table holds as many rows of the new business as the archive had."""
        for table, entry in self.tables:
            count = table.model.objects.filter(**{table.tenant_lookup: self.tenant.pk}).count()
            if count != entry["rows"]:
                raise ArchiveRefused(f"{table.label}: {count} rows restored of {entry['rows']}; nothing was kept.")
