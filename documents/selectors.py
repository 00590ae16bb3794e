"""Reads of the documents app. Every function takes the tenant explicitly."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet

from core.models import TenantSettings
from core.tenancy import scope_queryset
from documents.models import Document


def _documents(tenant: TenantSettings, queryset: QuerySet | None) -> QuerySet:
    return scope_queryset(queryset if queryset is not None else Document.objects.all(), tenant)


def documents_expiring(*, tenant: TenantSettings, within_days: int, queryset: QuerySet | None = None) -> QuerySet:
    """Documents that expire within ``within_days`` of the business's today (today
    included, expired ones left out)."""
    today = tenant.today()
    return _documents(tenant, queryset).filter(
        expires_on__gte=today, expires_on__lte=today + timedelta(days=within_days)
    )


def documents_expired(*, tenant: TenantSettings, expired: bool = True, queryset: QuerySet | None = None) -> QuerySet:
    """Documents past their expiry date on the business's calendar (or, with ``expired``
    False, the others)."""
    documents = _documents(tenant, queryset)
    past = {"expires_on__lt": tenant.today()}
    return documents.filter(**past) if expired else documents.exclude(**past)
