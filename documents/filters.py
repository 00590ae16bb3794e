from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from core.filters import member_filter
from documents import selectors
from documents.models import Document, DocumentTag


class DocumentFilter(django_filters.FilterSet):
    tags = django_filters.ModelMultipleChoiceFilter(
        queryset=DocumentTag.objects.all(), help_text="Documents with any of these tags (repeat the parameter)."
    )
    uploaded_by = member_filter()
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

    def filter_expiring(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return selectors.documents_expiring(tenant=self.request.tenant, within_days=int(value), queryset=queryset)

    def filter_expired(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return selectors.documents_expired(tenant=self.request.tenant, expired=value, queryset=queryset)
