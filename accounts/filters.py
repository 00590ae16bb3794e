"""Filters of the accounts app's lists."""

from __future__ import annotations

import django_filters

from accounts.models import AuditLogEntry


class AuditLogEntryFilter(django_filters.FilterSet):
    class Meta:
        model = AuditLogEntry
        fields = ["action", "user"]
