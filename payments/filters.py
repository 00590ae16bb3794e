import django_filters

from payments.models import Customer, PaymentSession, PaymentTransaction


class CustomerFilter(django_filters.FilterSet):
    has_client = django_filters.BooleanFilter(field_name="client", lookup_expr="isnull", exclude=True)
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Customer
        fields = ["client", "email"]


class PaymentSessionFilter(django_filters.FilterSet):
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    completed_after = django_filters.IsoDateTimeFilter(field_name="completed_at", lookup_expr="gte")
    completed_before = django_filters.IsoDateTimeFilter(field_name="completed_at", lookup_expr="lt")
    date = django_filters.DateFilter(field_name="created_at", lookup_expr="date")

    class Meta:
        model = PaymentSession
        fields = ["status", "purpose", "customer", "booking", "class_package", "currency"]


class PaymentTransactionFilter(django_filters.FilterSet):
    customer = django_filters.ModelChoiceFilter(field_name="session__customer", queryset=Customer.objects.all())
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = PaymentTransaction
        fields = ["session", "kind", "status"]
