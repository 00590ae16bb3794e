"""Filters of the comms app's lists."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from comms.models import Channel, ChannelMember, Message
from core.filters import UTCDateTimeFilter, member_filter


class ChannelFilter(filters.FilterSet):
    is_member = filters.BooleanFilter(method="filter_is_member", label="Only channels I am (not) a member of.")
    has_unread = filters.BooleanFilter(method="filter_has_unread", label="Only channels with (without) unread.")

    class Meta:
        model = Channel
        fields = ["is_private", "is_archived"]

    def filter_is_member(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(is_member=value)

    def filter_has_unread(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(unread_count__gt=0) if value else queryset.filter(unread_count=0)


class MemberFilter(filters.FilterSet):
    user = member_filter()

    class Meta:
        model = ChannelMember
        fields = ["user", "is_admin"]


class MessageFilter(filters.FilterSet):
    author = member_filter()
    after = UTCDateTimeFilter(field_name="created_at", lookup_expr="gt")
    before = UTCDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Message
        fields = ["author"]
