from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import AuditLogEntry, PasswordToken, User
from core.tenancy.admin import TenantAdminMixin


@admin.register(User)
class UserAdmin(TenantAdminMixin, DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Business", {"fields": ("tenant", "role")}))
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("Business", {"fields": ("tenant", "role")}))
    list_display = ("username", "email", "role", "is_active")
    list_filter = ("role", "is_active")

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.tenant_id is not None or obj is not None:
            # The tenant of a user never changes, and a tenant's staff cannot pick one.
            return (*readonly, "tenant")
        return readonly


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "user", "action", "ip_address")
    list_filter = ("action",)
    readonly_fields = ("user", "action", "detail", "ip_address", "created_at")


@admin.register(PasswordToken)
class PasswordTokenAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("user", "created_at", "expires_at", "used_at")
    readonly_fields = ("user", "token_hash", "expires_at", "used_at", "created_at")
