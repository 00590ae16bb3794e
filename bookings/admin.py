from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from bookings import models
from bookings.services import booking_prepare
from core.tenancy import TenantAdminMixin


@admin.register(models.Service)
class ServiceAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "duration_minutes", "price", "capacity", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)


@admin.register(models.Staff)
class StaffAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "email", "staff_profile", "is_active")
    list_select_related = ("staff_profile__user",)
    search_fields = ("name", "email")
    filter_horizontal = ("services",)


@admin.register(models.OpeningHours)
class OpeningHoursAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("weekday", "opens", "closes")


@admin.register(models.Client)
class ClientAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "email", "phone", "created_at")
    search_fields = ("name", "email", "phone")


class BookingAdminForm(forms.ModelForm):
    """Keeps the booking rules of the API: the end follows the service, no double-booking."""

    def _post_clean(self) -> None:
        super()._post_clean()
        if self._errors:
            return
        try:
            booking_prepare(booking=self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


@admin.register(models.Booking)
class BookingAdmin(TenantAdminMixin, admin.ModelAdmin):
    form = BookingAdminForm
    list_display = ("starts_at", "client", "service", "staff", "status", "source")
    list_filter = ("status", "source")
    search_fields = ("client__name", "service__name", "staff__name")
    list_select_related = ("client", "service", "staff")
    readonly_fields = ("ends_at", "price", "created_at", "cancelled_at")


@admin.register(models.ClassPackage)
class ClassPackageAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "service", "credits", "price", "is_active")


@admin.register(models.ClientCredit)
class ClientCreditAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("client", "package", "remaining", "total", "expires_at")


@admin.register(models.IntakeProfile)
class IntakeProfileAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("client", "disclaimer", "updated_at")


@admin.register(models.IntakeWellbeingDisclaimer)
class IntakeWellbeingDisclaimerAdmin(admin.ModelAdmin):
    list_display = ("version", "title", "is_current", "published_at")

    def has_change_permission(self, request, obj=None) -> bool:
        # Shared by every business: only platform operators edit it.
        return request.user.tenant_id is None and super().has_change_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return request.user.tenant_id is None and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.tenant_id is None and super().has_delete_permission(request, obj)
