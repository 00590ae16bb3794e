from __future__ import annotations

from datetime import timedelta

import django_filters
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.tenancy import scope_queryset
from documents.models import Document, DocumentTag

User = get_user_model()


def tenant_users(request):
    """The users of the request's business (another business's user is an invalid choice)."""
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return User.objects.none()
    return scope_queryset(User.objects.all(), tenant)


def _today(request):
    tenant = getattr(request, "tenant", None)
    zone = tenant.zone if tenant is not None else None
    return timezone.localdate(timezone=zone)


class DocumentFilter(django_filters.FilterSet):
    tags = django_filters.ModelMultipleChoiceFilter(
        queryset=DocumentTag.objects.all(), help_text="Documents with any of these tags (repeat the parameter)."
    )
    uploaded_by = django_filters.ModelChoiceFilter(queryset=tenant_users)
    expiring = django_filters.NumberFilter(
        method="filter_expiring",
        min_value=0,
        max_value=3650,
        help_text="Documents that expire within this many days (today included, expired ones left out).",
    )
    expired = django_filters.BooleanFilter(method="filter_expired", help_text="Documents past their expiry date.")

    class Meta:
        model = Document
        fields = ["category", "tags", "uploaded_by"]

    def filter_expiring(self, queryset, name, value):
        today = _today(self.request)
        return queryset.filter(expires_on__gte=today, expires_on__lte=today + timedelta(days=int(value)))

    def filter_expired(self, queryset, name, value):
        today = _today(self.request)
        return queryset.filter(expires_on__lt=today) if value else queryset.exclude(expires_on__lt=today)
