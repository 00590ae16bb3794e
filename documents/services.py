"""Writes of the documents app. Every function takes the tenant (or a row of it) explicitly."""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from accounts.models import User
from core.models import BusinessEvent, TenantSettings
from core.services import business_event_record
from core.tenancy import delete_after_commit
from documents.models import Document, DocumentTag

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # 20 MB; DOCUMENTS_MAX_UPLOAD_BYTES overrides it


def max_upload_bytes() -> int:
    return int(getattr(settings, "DOCUMENTS_MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def document_check_file(*, file: File | None) -> None:
    """Refuse a missing, empty or too large file (a 400, never a stored file)."""
    if not file:
        raise ValidationError({"file": "Choose a file to upload."})
    size = getattr(file, "size", None)
    if not size:
        raise ValidationError({"file": "The file is empty."})
    limit = max_upload_bytes()
    if size > limit:
        raise ValidationError({"file": f"The file is {_megabytes(size)} MB; the limit is {_megabytes(limit)} MB."})


def _original_name(file: File) -> str:
    return os.path.basename((file.name or "").replace("\\", "/"))[:255] or "file"


def document_describe_file(*, document: Document, file: File) -> None:
    """Fill the name, size and type a document's file arrived with."""
    name = _original_name(file)
    document.original_name = name
    document.size = file.size
    claimed = getattr(file, "content_type", None)
    document.content_type = (mimetypes.guess_type(name)[0] or claimed or "application/octet-stream")[:100]


def _check_tags(*, tenant: TenantSettings, tags: Iterable[DocumentTag]) -> list[DocumentTag]:
    tags = list(tags)
    if any(tag.tenant_id != tenant.pk for tag in tags):
        raise ValidationError({"tags": "Use the business's own tags."})
    return tags


def _title_from(name: str) -> str:
    stem = os.path.splitext(name)[0].replace("_", " ").replace("-", " ").strip()
    return (stem or name)[:200]


@transaction.atomic
def document_upload(
    *,
    tenant: TenantSettings,
    file: File | None = None,
    uploaded_by: User | None = None,
    title: str = "",
    description: str = "",
    category: str = Document.Category.OTHER,
    expires_on: date | None = None,
    tags: Iterable[DocumentTag] = (),
) -> Document:
    """Store an uploaded file as a document of ``tenant`` (under the tenant's folder)."""
    document_check_file(file=file)
    tags = _check_tags(tenant=tenant, tags=tags)
    uploader = uploaded_by if getattr(uploaded_by, "is_authenticated", False) else None
    document = Document(
        tenant=tenant,
        title=(title or "").strip() or _title_from(_original_name(file)),
        description=description,
        category=category,
        expires_on=expires_on,
        uploaded_by=uploader,
        file=file,
    )
    document_describe_file(document=document, file=file)
    document.save()
    document.tags.set(tags)
    business_event_record(
        tenant=tenant,
        kind=BusinessEvent.Kind.DOCUMENT_UPLOADED,
        summary=f"{document.title} uploaded ({document.original_name})",
        performed_by=uploader,
        subject=document,
    )
    return document


@transaction.atomic
def document_update(
    *, document: Document, file: File | None = None, tags: Iterable[DocumentTag] | None = None, **changes
) -> Document:
    """Change a document's details, tags or file; a replaced file is deleted once committed."""
    replaced = None
    if file is not None:
        document_check_file(file=file)
        replaced = document.file.name or None
        document.file = file
        document_describe_file(document=document, file=file)
    if "title" in changes:
        changes["title"] = (changes["title"] or "").strip() or _title_from(document.original_name)
    for name, value in changes.items():
        setattr(document, name, value)
    document.save()
    if tags is not None:
        document.tags.set(_check_tags(tenant=document.tenant, tags=tags))
    if replaced and replaced != document.file.name:
        delete_after_commit(document.file.storage, replaced)
    return document


def document_delete(*, document: Document) -> None:
    """Delete a document; its file goes once the deletion is committed (see models)."""
    document.delete()
