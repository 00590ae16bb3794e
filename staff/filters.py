import django_filters
from django import forms

from accounts.models import User
from core.filters import BoundedDateFilter, BusinessDayFilter, UTCDateTimeFilter
from staff import selectors
from staff.models import AbsenceRecord, LeaveRequest, Shift, StaffProfile, TimesheetEntry, TrainingRecord


class StaffProfileFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(field_name="user__role", choices=User.Role.choices)
    started_after = BoundedDateFilter(field_name="start_date", lookup_expr="gte")
    started_before = BoundedDateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = StaffProfile
        fields = ["is_active", "employment_type"]


class ShiftFilter(django_filters.FilterSet):
    starts_after = UTCDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = UTCDateTimeFilter(field_name="starts_at", lookup_expr="lt")
    date = BusinessDayFilter(field_name="starts_at")

    class Meta:
        model = Shift
        fields = ["staff_profile", "role", "location"]


class LeaveRequestFilter(django_filters.FilterSet):
    on_or_after = BoundedDateFilter(
        field_name="end_date", lookup_expr="gte", label="Leave that ends on or after this date"
    )
    on_or_before = BoundedDateFilter(
        field_name="start_date", lookup_expr="lte", label="Leave that starts on or before this date"
    )

    class Meta:
        model = LeaveRequest
        fields = ["staff_profile", "status", "type"]


class DaysFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class TrainingRecordFilter(django_filters.FilterSet):
    expiring_within_days = DaysFilter(
        method="filter_expiring",
        min_value=0,
        max_value=3650,
        label="Expired, or expiring within this many days",
    )
    expires_before = BoundedDateFilter(field_name="expires_on", lookup_expr="lt")

    class Meta:
        model = TrainingRecord
        fields = ["staff_profile", "title"]

    def filter_expiring(self, queryset, name, value):
        if value is None:
            return queryset
        return selectors.training_records_expiring(tenant=self.request.tenant, within_days=value, queryset=queryset)


class TimesheetEntryFilter(django_filters.FilterSet):
    is_open = django_filters.BooleanFilter(field_name="clock_out", lookup_expr="isnull", label="Still clocked in")
    clocked_in_after = UTCDateTimeFilter(field_name="clock_in", lookup_expr="gte")
    clocked_in_before = UTCDateTimeFilter(field_name="clock_in", lookup_expr="lt")
    date = BusinessDayFilter(field_name="clock_in")

    class Meta:
        model = TimesheetEntry
        fields = ["staff_profile"]


class AbsenceRecordFilter(django_filters.FilterSet):
    date = BoundedDateFilter()
    date_after = BoundedDateFilter(field_name="date", lookup_expr="gte")
    date_before = BoundedDateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = AbsenceRecord
        fields = ["staff_profile", "reason"]
