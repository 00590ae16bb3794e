from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm

from accounts.models import AuditLogEntry, PasswordToken, User
from accounts.selectors import user_username_taken
from core.tenancy import TenantAdminMixin

USERNAME_TAKEN = "A user with that username already exists in this business."


class BusinessUserFormMixin:
    """A username is checked against the users of the user's own business only.

    Django's creation form compares a new name with every user of every business: it
    would tell one business the names of another (and on PostgreSQL, where row-level
    security hides them, the insert would fail with a 500). The model form's own unique
    checks skip the (tenant, username) constraint, because the tenant is set by the
    admin rather than typed. So both happen here, once the admin has set the tenant.
    """

    def clean_username(self):
        return self.cleaned_data.get("username")

    def _post_clean(self) -> None:
        super()._post_clean()
        user = self.instance
        username = self.cleaned_data.get("username")
        if username and user_username_taken(tenant=user.tenant, username=username, exclude_pk=user.pk):
            self.add_error("username", USERNAME_TAKEN)
        if user.tenant_id is None and not user.is_superuser:
            field = next((name for name in ("tenant", "is_superuser") if name in self.fields), None)
            self.add_error(field, "Choose the business this user belongs to; only platform operators have none.")


class UserCreationForm(BusinessUserFormMixin, AdminUserCreationForm):
    pass


class UserChangeForm(BusinessUserFormMixin, DjangoUserChangeForm):
    pass


@admin.register(User)
class UserAdmin(TenantAdminMixin, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
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
