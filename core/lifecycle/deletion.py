"""A business deleted whole: every row of it in every tenant table (its users among
them), its settings row, its files and its cache entries, verified by counting what
remains, and recorded in the platform's audit.

The rows go in one transaction, children before parents, so that no reference is ever
left dangling and nothing is half deleted; the files go once it has committed (a
rollback keeps them), by the names listed before: a demo business recreated in the same
transaction keeps its new files.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass, field

from django.core.files.storage import Storage, default_storage
from django.db import models, router, transaction

from core.lifecycle.audit import platform_audit_record
from core.lifecycle.tables import TenantTable, tenant_tables
from core.models import PlatformAuditRecord, TenantSettings
from core.tenancy import tenant_cache_purge, unscoped_all_tenants

logger = logging.getLogger(__name__)


class DeletionRefused(Exception):
    """The business is not deleted; the message says why, for an operator."""


@dataclass
class DeletionReport:
    tenant_id: int
    slug: str
    dry_run: bool
    rows: dict[str, int] = field(default_factory=dict)
    files: list[tuple[Storage, str]] = field(default_factory=list)
    # Filled once the deletion has committed: files the storage still holds.
    remaining_files: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def lines(self) -> list[str]:
        verb = "would delete" if self.dry_run else "deleted"
        lines = [f"{label}: {verb} {count}" for label, count in self.rows.items() if count]
        lines.append(f"Total: {verb} {self.total_rows} rows in {len(self.rows)} tables and {len(self.files)} files.")
        return lines


def tenant_delete(
    *, tenant: TenantSettings, performed_by: str, dry_run: bool = False, real_data_confirmed: bool = False
) -> DeletionReport:
    """Delete ``tenant`` whole (or, with ``dry_run``, count what that would delete).

    A business not marked demo holds real data: it is deleted only with
    ``real_data_confirmed``. Within a caller's transaction, the files go when it commits.
    """
    if not tenant.is_demo and not real_data_confirmed and not dry_run:
        raise DeletionRefused(f"'{tenant.slug}' holds real data (not marked demo); confirm that it is to be deleted.")
    tables = tenant_tables()
    report = DeletionReport(tenant_id=tenant.pk, slug=tenant.slug, dry_run=dry_run)
    with unscoped_all_tenants(f"delete_tenant {tenant.slug}"):
        report.rows = _counts(tables, tenant.pk)
        report.files = _stored_files(tables, tenant)
        if dry_run:
            return report
        with transaction.atomic(using=router.db_for_write(TenantSettings)):
            generation = TenantSettings.objects.filter(pk=tenant.pk).values_list("cache_generation", flat=True).first()
            for table in reversed(tables):
                _delete_rows(table, tenant.pk)
            TenantSettings.objects.filter(pk=tenant.pk).delete()
            remaining = {label: count for label, count in _counts(tables, tenant.pk).items() if count}
            if remaining or TenantSettings.objects.filter(pk=tenant.pk).exists():
                raise DeletionRefused(f"Rows of '{tenant.slug}' remain ({remaining}): nothing was deleted.")
            platform_audit_record(
                action=PlatformAuditRecord.Action.DELETED,
                tenant=tenant,
                performed_by=performed_by,
                details={
                    "rows": report.rows,
                    "files": len(report.files),
                    "was_demo": tenant.is_demo,
                    # A business restored under this id later starts above it (restore).
                    "cache_generation": generation,
                },
            )
            transaction.on_commit(lambda: _delete_files(report))
    return report


# The helpers below run under tenant_delete's bypass, where the models' managers show
# every business's rows: each query names the business itself.


def _counts(tables: list[TenantTable], tenant_id: int) -> dict[str, int]:
    return {table.label: table.model.objects.filter(**{table.tenant_lookup: tenant_id}).count() for table in tables}


def _delete_rows(table: TenantTable, tenant_id: int) -> None:
    # One statement per table, without loading the rows: the whole business goes, so the
    # per-row signals (a file deleted here, a cache entry there) are done at once below.
    rows = table.model.objects.filter(**{table.tenant_lookup: tenant_id})
    rows._raw_delete(rows.db)


def _stored_files(tables: list[TenantTable], tenant: TenantSettings) -> list[tuple[Storage, str]]:
    """Every stored file of the business: those its rows name (the storage has), and
    whatever else its folder holds."""
    found: dict[str, Storage] = {}
    for table in tables:
        rows = table.model.objects.filter(**{table.tenant_lookup: tenant.pk})
        for file_field in (f for f in table.fields if isinstance(f, models.FileField)):
            for name in rows.exclude(**{file_field.attname: ""}).values_list(file_field.attname, flat=True):
                if name:
                    found.setdefault(name, file_field.storage)
    found = {name: storage for name, storage in found.items() if _still_stored(storage, name)}
    for name in _walk(default_storage, f"tenants/{tenant.slug}"):
        found.setdefault(name, default_storage)
    return [(storage, name) for name, storage in found.items()]


def _walk(storage: Storage, folder: str) -> list[str]:
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    names = [f"{folder}/{name}" for name in files]
    for sub in folders:
        names += _walk(storage, f"{folder}/{sub}")
    return names


def _delete_files(report: DeletionReport) -> None:
    """Delete the listed files, then check each is gone; the cache entries too."""
    for storage, name in report.files:
        try:
            storage.delete(name)
        except Exception:  # any storage's failure: the file is reported as remaining
            logger.warning("delete_tenant %s: could not delete %s", report.slug, name, exc_info=True)
    report.remaining_files = [name for storage, name in report.files if _still_stored(storage, name)]
    _remove_empty_folder(f"tenants/{report.slug}")
    tenant_cache_purge(tenant_id=report.tenant_id)


def _still_stored(storage: Storage, name: str) -> bool:
    try:
        return storage.exists(name)
    except Exception:  # the storage cannot say: count the file as remaining
        return True


def _remove_empty_folder(folder: str) -> None:
    """A local storage keeps empty folders; one with nothing left is removed."""
    if not hasattr(default_storage, "path"):
        return  # object storage (S3) has no folders
    root = default_storage.path(folder)
    for path, _dirs, _files in sorted(os.walk(root), key=lambda entry: -len(entry[0])):
        with contextlib.suppress(OSError):  # not empty (a file came back), or gone already
            os.rmdir(path)
