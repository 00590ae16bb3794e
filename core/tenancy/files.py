"""Uploaded files: every file lives under its tenant's folder and is served only after
the tenant check of the view that holds it.

* :func:`tenant_upload_to` names every stored file ``tenants/<slug>/<model>/<8 hex>_<name>``
  (``manage.py check`` refuses a file field that does not use it, tenancy.E040);
* :func:`file_response` is the one answer of every download endpoint: a 404 when the
  row has no file or the storage lost it, else the file as an opaque attachment,
  streamed by Django or, with ``TENANT_FILES_ACCEL_REDIRECT``, sent by nginx;
* :func:`move_tenant_files` moves files stored before tenancy into their tenant's folder
  (``manage.py move_tenant_files``).
"""

from __future__ import annotations

import os
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, Storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename
from drf_spectacular.types import OpenApiTypes

from core.models import TenantSettings

from .context import TenantScopeError, tenant_context, unscoped_all_tenants
from .declarations import is_tenant_scoped, owning_tenant_id

MAX_NAME_LENGTH = 80
# A longer "extension" is part of the name: it must not crowd the name out of its limit.
MAX_EXTENSION_LENGTH = 16
# The random part tenant_upload_to puts before a name (and a download leaves out).
RANDOM_PREFIX = re.compile(r"^[0-9a-f]{8}_")


def tenant_folder(tenant: TenantSettings, model: type[models.Model]) -> str:
    """``tenants/<slug>/<model>/``: where the files of ``model``'s rows of ``tenant`` live."""
    return f"tenants/{tenant.slug}/{model._meta.model_name}/"


def sanitised_name(filename: str) -> str:
    """The last component of ``filename``, without separators, NULs or unsafe characters,
    at most ``MAX_NAME_LENGTH`` long, never empty."""
    base = os.path.basename(filename.replace("\\", "/").replace("\x00", ""))
    stem, extension = os.path.splitext(base)
    if len(extension) > MAX_EXTENSION_LENGTH:
        stem, extension = base, ""
    try:
        return get_valid_filename(f"{stem[: MAX_NAME_LENGTH - len(extension)]}{extension}".strip(". "))
    except SuspiciousFileOperation:  # nothing usable was left of the name
        return "file"


def tenant_upload_to(instance: models.Model, filename: str) -> str:
    """``tenants/<slug>/<model>/<8 hex>_<sanitised name>``: no traversal, no overwrite."""
    tenant_id = owning_tenant_id(instance)
    if tenant_id is None:
        raise TenantScopeError(f"A {type(instance).__name__} file needs a tenant.")
    tenant = TenantSettings.objects.only("slug").get(pk=tenant_id)
    return f"{tenant_folder(tenant, type(instance))}{uuid.uuid4().hex[:8]}_{sanitised_name(filename)}"


def display_name(name: str) -> str:
    """The name a stored file was uploaded as: its last component, less the random part."""
    return os.path.basename(name).split("_", 1)[-1]


# Downloads -----------------------------------------------------------------------------

# Downloads are always opaque attachments: a browser never renders an uploaded file
# (no stored HTML or SVG running on the API's origin), and the schema names one type.
DOWNLOAD_CONTENT_TYPE = "application/octet-stream"
DOWNLOAD_RESPONSES = {(200, DOWNLOAD_CONTENT_TYPE): OpenApiTypes.BINARY}
NO_FILE = "There is no file to download."
FILE_MISSING = "The file is missing from storage."


def accel_redirect_prefix(storage: Storage) -> str:
    """The internal nginx location that serves ``storage``'s files, or "" to stream them.

    Only a local folder can be handed to nginx; other storages (S3) always stream
    through Django, which has just checked the tenant."""
    prefix = getattr(settings, "TENANT_FILES_ACCEL_REDIRECT", "")
    return prefix if prefix and isinstance(storage, FileSystemStorage) else ""


def file_response(field_file: FieldFile, *, download_name: str | None = None) -> HttpResponse | FileResponse:
    """The answer of every download endpoint, for a file the caller has already found
    through a tenant-scoped queryset: 200 with the file as an attachment, or 404 (JSON,
    through DRF) when the row has no file or the storage no longer has it."""
    if not field_file or not field_file.name:
        raise Http404(NO_FILE)
    storage, name = field_file.storage, field_file.name
    filename = download_name or display_name(name)
    prefix = accel_redirect_prefix(storage)
    if prefix:
        # Checked here, so a lost file is this API's JSON 404 and not nginx's page.
        if not storage.exists(name):
            raise Http404(FILE_MISSING)
        response = HttpResponse(content_type=DOWNLOAD_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{quote(name)}"
        return response
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise Http404(FILE_MISSING) from exc
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=DOWNLOAD_CONTENT_TYPE)


# Moving files stored before tenancy ----------------------------------------------------


def tenant_file_fields() -> list[tuple[type[models.Model], list[models.FileField]]]:
    """Every tenant model with file fields, and those fields, from the app registry."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not is_tenant_scoped(model):
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        if fields:
            found.append((model, fields))
    return found


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


def delete_after_commit(storage: Storage, *names: str) -> None:
    """Delete stored files once the transaction that stopped needing them commits (never
    if it rolls back). A storage failing then is logged, not raised: the write has
    committed, and an orphaned file is a lesser harm than an error answered for it."""
    for name in names:
        if name:
            transaction.on_commit(lambda name=name: storage.delete(name), robust=True)
