import django_filters

from bookings.models import Booking
from core.filters import BusinessDayFilter, UTCDateTimeFilter


class BookingFilter(django_filters.FilterSet):
    starts_after = UTCDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = UTCDateTimeFilter(field_name="starts_at", lookup_expr="lt")
    date = BusinessDayFilter(field_name="starts_at")

    class Meta:
        model = Booking
        fields = ["status", "source", "client", "service", "staff"]
