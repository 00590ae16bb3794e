import django_filters
from django.db.models import QuerySet

from core.filters import BoundedDateFilter, UTCDateTimeFilter, member_filter
from crm import selectors
from crm.models import Lead


class LeadFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Lead.Status.choices)
    source = django_filters.MultipleChoiceFilter(choices=Lead.Source.choices)
    owner = member_filter()
    unassigned = django_filters.BooleanFilter(field_name="owner", lookup_expr="isnull")
    is_open = django_filters.BooleanFilter(method="filter_is_open", label="Open (true) or closed (false) leads.")
    follow_up_due = django_filters.BooleanFilter(
        method="filter_follow_up_due", label="Open leads whose follow-up is today or overdue."
    )
    follow_up_before = BoundedDateFilter(field_name="next_follow_up", lookup_expr="lte")
    created_after = UTCDateTimeFilter(field_name="created_at", lookup_expr="gte")
    converted = django_filters.BooleanFilter(field_name="converted_client", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Lead
        fields = ["status", "source", "owner", "converted_client"]

    def filter_is_open(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return (
            queryset.filter(status__in=Lead.OPEN_STATUSES) if value else queryset.exclude(status__in=Lead.OPEN_STATUSES)
        )

    def filter_follow_up_due(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        due = selectors.leads_with_follow_up_due(tenant=self.request.tenant, queryset=queryset)
        return due if value else queryset.exclude(pk__in=due.values("pk"))
