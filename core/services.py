"""Writes of the core app."""

from __future__ import annotations

from django.db import models

from core.models import BusinessEvent, TenantSettings


def business_event_record(
    *,
    tenant: TenantSettings,
    kind: str,
    summary: str,
    performed_by=None,
    subject: models.Model | None = None,
) -> BusinessEvent:
    """Write one entry of the tenant's activity feed."""
    return BusinessEvent.objects.create(
        tenant=tenant,
        kind=kind,
        summary=summary[:300],
        performed_by=performed_by if getattr(performed_by, "is_authenticated", False) else None,
        object_type=subject._meta.model_name if subject is not None else "",
        object_id=str(subject.pk) if subject is not None else "",
    )
