import django_filters

from core.filters import BoundedDateFilter, UTCDateTimeFilter
from payments.models import Customer, PaymentSession, PaymentTransaction


class CustomerFilter(django_filters.FilterSet):
    has_client = django_filters.BooleanFilter(field_name="client", lookup_expr="isnull", exclude=True)
    created_after = UTCDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Customer
        fields = ["client", "email"]


class PaymentSessionFilter(django_filters.FilterSet):
    created_after = UTCDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="created_at", lookup_expr="lt")
    completed_after = UTCDateTimeFilter(field_name="completed_at", lookup_expr="gte")
    completed_before = UTCDateTimeFilter(field_name="completed_at", lookup_expr="lt")
    date = BoundedDateFilter(field_name="created_at", lookup_expr="date")

    class Meta:
        model = PaymentSession
        fields = ["status", "purpose", "customer", "booking", "class_package", "currency"]


class PaymentTransactionFilter(django_filters.FilterSet):
    customer = django_filters.ModelChoiceFilter(field_name="session__customer", queryset=Customer.objects.all())
    created_after = UTCDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = PaymentTransaction
        fields = ["session", "kind", "status"]
