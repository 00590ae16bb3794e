"""One business to one archive (``core.lifecycle.archive``): its settings, every row of
every tenant table, the files its rows name, and a manifest.

The export reads as the runtime role in the business's own scope: row-level security
and the models' scoping show it that business and nothing else, so it needs no bypass.
It reads one snapshot (``REPEATABLE READ``): a booking made while it runs is either in
every table it touches or in none. It streams: rows are read a page at a time by id and
written through a temporary file per table, so memory stays flat in the size of the
business.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.db import connection, models, transaction
from django.utils import timezone

from core.lifecycle.archive import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    SETTINGS_MEMBER,
    ArchiveWriter,
    archive_writer,
    file_member,
    json_line,
    migration_state,
    table_member,
)
from core.lifecycle.tables import TenantTable, shared_references, tenant_tables
from core.models import TenantSettings
from core.tenancy import no_tenant, tenant_context

PAGE = 2000
Progress = Callable[[str], None]


def tenant_export(*, tenant: TenantSettings, target: IO[bytes], progress: Progress | None = None) -> dict[str, Any]:
    """Write ``tenant``'s archive to ``target``; the manifest it ends with."""
    report = progress or (lambda message: None)
    with (
        one_snapshot(),
        tenant_context(tenant),
        tempfile.TemporaryDirectory(prefix="tenant-export-") as work,
        archive_writer(target) as writer,
    ):
        tables, stored_files = [], []
        every_table = tenant_tables()
        shared = shared_references(every_table)
        for table in every_table:
            if not table.exported:
                continue
            entry, names = _export_table(table, tenant, Path(work), writer, shared[table.label])
            tables.append(entry)
            stored_files += names
            report(f"{table.label}: {entry['rows']} rows")
        settings_row = {f.attname: getattr(tenant, f.attname) for f in TenantSettings._meta.concrete_fields}
        settings_entry = _add_json(writer, SETTINGS_MEMBER, settings_row)
        files = [_export_file(writer, storage, name) for storage, name in _unique(stored_files)]
        report(f"files: {sum('member' in f for f in files)} ({sum(f.get('size', 0) for f in files)} bytes)")
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created_at": timezone.now(),
            "tenant": {"id": tenant.pk, "slug": tenant.slug, "name": tenant.name},
            "migrations": migration_state(),
            "settings": settings_entry,
            "tables": tables,
            "files": files,
        }
        _add_json(writer, MANIFEST, manifest)
    return manifest


@contextmanager
def one_snapshot() -> Iterator[None]:
    """A read-only transaction that sees one snapshot of the database throughout. When
    the caller holds a transaction already (a test's), the snapshot is the caller's."""
    outermost = not connection.in_atomic_block
    # With nothing in scope, the first statement is ours: PostgreSQL takes the level only
    # before any other statement of the transaction (the tenant's settings included).
    with no_tenant(), transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _export_table(
    table: TenantTable, tenant: TenantSettings, work: Path, writer: ArchiveWriter, shared: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[Any, str]]]:
    columns = [field.attname for field in table.fields]
    natural = {columns.index(attname): model for attname, model in shared.items()}
    file_columns = {i: f.storage for i, f in enumerate(table.fields) if isinstance(f, models.FileField)}
    keys: dict[tuple[type[models.Model], Any], list[Any]] = {}
    names: list[tuple[Any, str]] = []
    path = work / f"{table.label}.jsonl"
    rows = 0
    with path.open("wb") as out:
        for values in _pages(table.rows_of(tenant.pk), columns):
            values = list(values)
            for i, model in natural.items():
                if values[i] is not None:
                    values[i] = _natural_key(model, values[i], keys)
            for i, storage in file_columns.items():
                if values[i]:
                    names.append((storage, values[i]))
            out.write(json_line(values))
            rows += 1
    member = table_member(table.label)
    size = path.stat().st_size
    digest = writer.add_file(member, path)
    path.unlink()
    entry = {"model": table.label, "member": member, "columns": columns, "rows": rows, "size": size, "sha256": digest}
    return entry, names


def _pages(rows: models.QuerySet, columns: list[str]) -> Iterator[tuple]:
    """Every row's values, read ``PAGE`` rows at a time by id: memory stays flat whatever
    the cursor (PgBouncer's transaction pooling allows no server-side cursor)."""
    pk = rows.model._meta.pk.attname
    index = columns.index(pk)
    last = None
    while True:
        page = rows if last is None else rows.filter(pk__gt=last)
        chunk = list(page.values_list(*columns)[:PAGE])
        yield from chunk
        if len(chunk) < PAGE:
            return
        last = chunk[-1][index]


def _natural_key(model: type[models.Model], pk: Any, keys: dict) -> list[Any]:
    if (model, pk) not in keys:
        keys[model, pk] = list(model._default_manager.get(pk=pk).natural_key())
    return keys[model, pk]


def _unique(stored: list[tuple[Any, str]]) -> list[tuple[Any, str]]:
    seen, unique = set(), []
    for storage, name in stored:
        if name not in seen:
            seen.add(name)
            unique.append((storage, name))
    return unique


def _export_file(writer: ArchiveWriter, storage: Any, name: str) -> dict[str, Any]:
    """The stored file ``name`` into the archive; a file the storage has lost is listed
    as missing (its row still names it) rather than failing the export."""
    try:
        size = storage.size(name)
        with storage.open(name, "rb") as source:
            digest = writer.add(file_member(name), source, size)
    except (FileNotFoundError, OSError):
        return {"name": name, "missing": True}
    return {"name": name, "member": file_member(name), "size": size, "sha256": digest}


def _add_json(writer: ArchiveWriter, member: str, value: Any) -> dict[str, Any]:
    data = json_line(value)
    digest = writer.add(member, io.BytesIO(data), len(data))
    return {"member": member, "size": len(data), "sha256": digest}
