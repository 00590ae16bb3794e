from django.contrib import admin

from core.admin import RecordAdminMixin
from core.tenancy import TenantAdminMixin
from payments.models import Customer, PaymentSession, PaymentTransaction


@admin.register(Customer)
class CustomerAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "email", "phone", "client", "created_at")
    search_fields = ("name", "email", "phone", "provider_customer_ref")
    list_select_related = ("client",)


class PaymentTransactionInline(TenantAdminMixin, admin.TabularInline):
    model = PaymentTransaction
    extra = 0
    can_delete = False
    fields = ("kind", "amount", "status", "provider_ref", "failure_reason", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PaymentSession)
class PaymentSessionAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Sessions are opened and moved on through the API's state machine; the admin shows them."""

    list_display = ("id", "customer", "purpose", "amount", "currency", "status", "created_at")
    list_filter = ("status", "purpose")
    search_fields = ("customer__name", "customer__email", "idempotency_key", "provider_ref")
    list_select_related = ("customer",)
    inlines = [PaymentTransactionInline]
    readonly_fields = (
        "customer",
        "purpose",
        "booking",
        "class_package",
        "amount",
        "currency",
        "status",
        "idempotency_key",
        "provider_ref",
        "created_at",
        "updated_at",
        "completed_at",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PaymentTransaction)
class PaymentTransactionAdmin(RecordAdminMixin, TenantAdminMixin, admin.ModelAdmin):
    list_display = ("session", "kind", "amount", "status", "provider_ref", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("provider_ref", "session__customer__name")
    list_select_related = ("session",)
