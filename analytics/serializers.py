from __future__ import annotations

from typing import Any

from rest_framework import serializers

from analytics.models import Recommendation
from core.tenancy import TenantModelSerializer


class RecommendationSerializer(TenantModelSerializer):
    """A recommendation; only its ``status`` can be changed (to accepted, dismissed or done)."""

    class Meta:
        model = Recommendation
        fields = ["id", "kind", "title", "body", "priority", "metric", "status", "generated_at", "valid_until"]
        read_only_fields = ["kind", "title", "body", "priority", "metric", "generated_at", "valid_until"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        others = sorted(set(getattr(self, "initial_data", {}) or {}) - {"status"})
        if others:
            raise serializers.ValidationError({name: ["Only the status can be changed."] for name in others})
        return super().validate(attrs)


class WeekdayCountSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 = Monday.")
    name = serializers.CharField()
    bookings = serializers.IntegerField()


class HourCountSerializer(serializers.Serializer):
    hour = serializers.IntegerField(help_text="Local hour the bookings start in.")
    bookings = serializers.IntegerField()


class TopServiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    bookings = serializers.IntegerField()
    share = serializers.FloatField(help_text="Of the period's bookings that were not cancelled.")


class SummarySerializer(serializers.Serializer):
    """The figures the recommendations are made from."""

    date = serializers.DateField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    bookings = serializers.IntegerField()
    cancellations = serializers.IntegerField()
    cancellation_rate = serializers.FloatField()
    no_shows = serializers.IntegerField()
    no_show_rate = serializers.FloatField(help_text="Of the bookings that were not cancelled.")
    pattern_start = serializers.DateField(help_text="Weekdays and hours are counted over the four weeks from here.")
    by_weekday = WeekdayCountSerializer(many=True)
    by_hour = HourCountSerializer(many=True)
    busiest_weekday = WeekdayCountSerializer(allow_null=True)
    quietest_weekday = WeekdayCountSerializer(allow_null=True)
    busiest_hour = HourCountSerializer(allow_null=True)
    quietest_hour = HourCountSerializer(allow_null=True)
    lapsed_clients = serializers.IntegerField(help_text="Clients with no booking for 60 days or more.")
    lapsed_clients_with_consent = serializers.IntegerField()
    top_service = TopServiceSerializer(allow_null=True)
    revenue_this_week = serializers.DecimalField(max_digits=12, decimal_places=2)
    revenue_last_week = serializers.DecimalField(max_digits=12, decimal_places=2)
    revenue_change_pct = serializers.FloatField(allow_null=True)
