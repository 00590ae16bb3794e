from django.contrib import admin

from bookings.models import (
    Booking,
    ClassPackage,
    Client,
    ClientCredit,
    IntakeProfile,
    IntakeWellbeingDisclaimer,
    Service,
    Staff,
)
from core.tenancy.admin import TenantAdminMixin


@admin.register(Service)
class ServiceAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "duration_minutes", "price", "capacity", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)


@admin.register(Staff)
class StaffAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "email", "is_active")
    search_fields = ("name", "email")
    filter_horizontal = ("services",)


@admin.register(Client)
class ClientAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "email", "phone", "created_at")
    search_fields = ("name", "email", "phone")


@admin.register(Booking)
class BookingAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("starts_at", "client", "service", "staff", "status", "source")
    list_filter = ("status", "source")
    search_fields = ("client__name", "service__name", "staff__name")
    list_select_related = ("client", "service", "staff")
    readonly_fields = ("ends_at", "created_at", "cancelled_at")


@admin.register(ClassPackage)
class ClassPackageAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "service", "credits", "price", "is_active")


@admin.register(ClientCredit)
class ClientCreditAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("client", "package", "remaining", "total", "expires_at")


@admin.register(IntakeProfile)
class IntakeProfileAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("client", "disclaimer", "updated_at")


@admin.register(IntakeWellbeingDisclaimer)
class IntakeWellbeingDisclaimerAdmin(admin.ModelAdmin):
    list_display = ("version", "title", "is_current", "published_at")

    def has_change_permission(self, request, obj=None) -> bool:
        # Shared by every business: only platform operators edit it.
        return request.user.tenant_id is None and super().has_change_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return request.user.tenant_id is None and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.tenant_id is None and super().has_delete_permission(request, obj)
