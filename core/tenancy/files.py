"""Uploaded files: every file lives under its tenant's folder and is served only after
the tenant check of the view that holds it."""

from __future__ import annotations

import os
import uuid

from django.db import models
from django.http import FileResponse
from django.utils.text import get_valid_filename
from drf_spectacular.types import OpenApiTypes

from core.models import TenantSettings

from .context import TenantScopeError
from .declarations import owning_tenant_id

MAX_NAME_LENGTH = 80


def tenant_upload_to(instance: models.Model, filename: str) -> str:
    """``tenants/<slug>/<model>/<8 hex>_<sanitised name>``: no traversal, no overwrite."""
    tenant_id = owning_tenant_id(instance)
    if tenant_id is None:
        raise TenantScopeError(f"A {type(instance).__name__} file needs a tenant.")
    slug = TenantSettings.objects.values_list("slug", flat=True).get(pk=tenant_id)
    stem, extension = os.path.splitext(os.path.basename(filename.replace("\\", "/")))
    safe = get_valid_filename(f"{stem[: MAX_NAME_LENGTH - len(extension)]}{extension}".strip(". ")) or "file"
    return f"tenants/{slug}/{instance._meta.model_name}/{uuid.uuid4().hex[:8]}_{safe}"


# Downloads are always opaque attachments: a browser never renders an uploaded file
# (no stored HTML or SVG running on the API's origin), and the schema names one type.
DOWNLOAD_CONTENT_TYPE = "application/octet-stream"
DOWNLOAD_RESPONSES = {(200, DOWNLOAD_CONTENT_TYPE): OpenApiTypes.BINARY}


def file_response(field_file: models.fields.files.FieldFile, *, download_name: str | None = None) -> FileResponse:
    """Stream a file the caller has already found through a tenant-scoped queryset."""
    name = download_name or os.path.basename(field_file.name).split("_", 1)[-1]
    return FileResponse(field_file.open("rb"), as_attachment=True, filename=name, content_type=DOWNLOAD_CONTENT_TYPE)
