"""Uploaded files: every file lives under its tenant's folder and is served only after
the tenant check of the view that holds it.

* :func:`tenant_upload_to` names every stored file ``tenants/<slug>/<model>/<8 hex>_<name>``
  (``manage.py check`` refuses a file field that does not use it, tenancy.E040);
* :func:`file_response` is the one answer of every download endpoint: a 404 when the
  row has no file or the storage lost it, else the file as an opaque attachment,
  streamed by Django or, with ``TENANT_FILES_ACCEL_REDIRECT``, sent by nginx;
* :func:`delete_after_commit` deletes a file once the write that dropped it commits.
"""

from __future__ import annotations

import os
import re
import uuid
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

from ..declarations import Tenant, is_tenant_scoped, owning_tenant_id, tenant_model
from ..scope import TenantScopeError

MAX_NAME_LENGTH = 80
# A longer "extension" is part of the name: it must not crowd the name out of its limit.
MAX_EXTENSION_LENGTH = 16
# The random part tenant_upload_to puts before a name (and a download leaves out).
RANDOM_PREFIX = re.compile(r"^[0-9a-f]{8}_")


def tenant_folder(tenant: Tenant, model: type[models.Model]) -> str:
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
    tenant = tenant_model().objects.only("slug").get(pk=tenant_id)
    return f"{tenant_folder(tenant, type(instance))}{uuid.uuid4().hex[:8]}_{sanitised_name(filename)}"


tenant_upload_to.__module__ = "core.tenancy"  # what migration files import: the face


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


def delete_after_commit(storage: Storage, *names: str) -> None:
    """Delete stored files once the transaction that stopped needing them commits (never
    if it rolls back). A storage failing then is logged, not raised: the write has
    committed, and an orphaned file is a lesser harm than an error answered for it."""
    for name in names:
        if name:
            transaction.on_commit(lambda name=name: storage.delete(name), robust=True)
