"""Moving files stored before tenancy into their tenant's folder (``manage.py
move_tenant_files``): a one-off of the retrofit, kept beside the command that runs it."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from functools import partial

from django.core.files.storage import Storage
from django.db import models, transaction

from core.models import TenantSettings
from core.tenancy import RANDOM_PREFIX, tenant_context, tenant_file_fields, tenant_folder, unscoped_all_tenants


@dataclass
class FileMoveReport:
    """What a run of :func:`move_tenant_files` moved (or would move) and could not find."""

    dry_run: bool
    models: list[str] = field(default_factory=list)
    moved: Counter[str] = field(default_factory=Counter)
    missing: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.moved.values())

    def lines(self) -> list[str]:
        verb = "would move" if self.dry_run else "moved"
        found = Counter(entry.split(" ", 1)[0] for entry in self.missing)
        lines = [f"missing: {entry}" for entry in self.missing]
        lines += [f"{label}: {verb} {self.moved[label]}, missing {found[label]}" for label in self.models]
        lines.append(f"Total: {verb} {self.total}, missing {len(self.missing)}.")
        return lines


def _delete_unless_referenced(storage: Storage, name: str) -> None:
    """Delete a moved file's old copy, unless another row (of any tenant) still names it:
    that row moves later and needs it as its source."""
    with unscoped_all_tenants("move_tenant_files: is a moved file still referenced"):
        for model, fields in tenant_file_fields():
            for file_field in fields:
                if file_field.storage is storage and model._base_manager.filter(**{file_field.name: name}).exists():
                    return
    storage.delete(name)


def _move_row(model, file_field: models.FileField, pk, report: FileMoveReport) -> None:
    manager = model._default_manager
    row = manager.get(pk=pk)
    storage, old = file_field.storage, getattr(row, file_field.attname).name
    label = model._meta.label
    if not storage.exists(old):
        report.missing.append(f"{label} #{pk} {file_field.name}: {old}")
        return
    if report.dry_run:
        report.moved[label] += 1
        return
    # The name tenant_upload_to gives the row, from the name the file was uploaded as.
    wanted = file_field.generate_filename(row, RANDOM_PREFIX.sub("", os.path.basename(old)))
    try:
        with storage.open(old, "rb") as source:
            new = storage.save(wanted, source)
    except FileNotFoundError:  # gone since it was looked for
        report.missing.append(f"{label} #{pk} {file_field.name}: {old}")
        return
    try:
        with transaction.atomic():
            # Just the column: save() would run signals and auto_now fields for a rename.
            updated = manager.filter(pk=pk, **{file_field.attname: old}).update(**{file_field.attname: new})
            if updated:
                transaction.on_commit(partial(_delete_unless_referenced, storage, old))
    except BaseException:
        storage.delete(new)
        raise
    if updated:
        report.moved[label] += 1
    else:  # the row changed its file meanwhile; it keeps the new one it has
        storage.delete(new)


def move_tenant_files(*, dry_run: bool = False) -> FileMoveReport:
    """Move every tenant row's file that is not under ``tenants/<slug>/<model>/`` there.

    Each tenant's rows are read and updated in that tenant's scope (row-level security
    on PostgreSQL applies as for a request). A file is copied through its storage, the
    row's column updated, and the old copy deleted once the update is committed; a file
    missing from storage is reported and its row left alone. Running it again moves
    nothing."""
    fields = tenant_file_fields()
    report = FileMoveReport(dry_run=dry_run, models=[model._meta.label for model, _ in fields])
    for tenant in TenantSettings.objects.order_by("pk"):
        with tenant_context(tenant):
            for model, model_fields in fields:
                folder = tenant_folder(tenant, model)
                for file_field in model_fields:
                    stored = model._default_manager.order_by("pk").values_list("pk", file_field.attname)
                    # Compared here, not in SQL: LIKE ignores case on SQLite.
                    for pk in [pk for pk, name in stored if name and not name.startswith(folder)]:
                        _move_row(model, file_field, pk, report)
    return report
