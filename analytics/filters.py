"""Filters of the analytics app's lists."""

from __future__ import annotations

import django_filters

from analytics.models import Recommendation


class RecommendationFilter(django_filters.FilterSet):
    class Meta:
        model = Recommendation
        fields = ["status", "kind", "priority"]
