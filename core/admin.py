from collections import Counter

from django.contrib import admin
from django.db import models

from core.lifecycle.deletion import tenant_delete
from core.models import BusinessEvent, PlatformAuditRecord, SentEmail, TenantExport, TenantSettings
from core.tenancy import TenantAdminMixin


class RecordAdminMixin:
    """An admin page of records the app writes and nobody edits by hand: listed and read,
    never added, changed or deleted here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TenantSettings)
class TenantSettingsAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "custom_domain", "is_demo", "is_active")
    list_filter = ("is_demo", "is_active")
    search_fields = ("name", "slug", "custom_domain")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.tenant_id is not None:
            queryset = queryset.filter(pk=request.user.tenant_id)
        return queryset

    def get_readonly_fields(self, request, obj=None):
        # A business's own staff never rename, move or switch off their business;
        # only its owners point a domain at it.
        if request.user.tenant_id is None:
            return ()
        fixed = ("slug", "is_demo", "is_active", "created_at")
        return fixed if request.user.is_owner else (*fixed, "custom_domain")

    def has_add_permission(self, request) -> bool:
        return request.user.tenant_id is None and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.tenant_id is None and super().has_delete_permission(request, obj)

    # Deleting a business deletes it whole, as delete_tenant does (Django's own delete
    # stops at the first protected reference and deletes nothing).
    def get_deleted_objects(self, objs, request):
        lines, counts = [], Counter()
        for tenant in objs:
            report = tenant_delete(tenant=tenant, performed_by=request.user.username, dry_run=True)
            lines.append(f"{tenant.name} ({tenant.slug}): {report.total_rows} rows and {len(report.files)} files")
            counts.update(report.rows)
        model_count = {label: count for label, count in counts.items() if count}
        return lines, model_count, set(), []

    def delete_model(self, request, obj) -> None:
        tenant_delete(tenant=obj, performed_by=request.user.username, real_data_confirmed=True)

    def delete_queryset(self, request, queryset) -> None:
        for tenant in queryset:
            self.delete_model(request, tenant)


@admin.register(BusinessEvent)
class BusinessEventAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "summary", "performed_by")
    list_filter = ("kind",)
    search_fields = ("summary",)
    readonly_fields = ("kind", "summary", "performed_by", "object_type", "object_id", "created_at")


@admin.register(SentEmail)
class SentEmailAdmin(RecordAdminMixin, TenantAdminMixin, admin.ModelAdmin):
    """What the business's e-mails said and when: a record, never edited by hand (a
    deleted claim would let its message go out again)."""

    list_display = ("claimed_at", "key", "recipient", "subject", "sent_at")
    search_fields = ("key", "recipient", "subject")
    readonly_fields = ("key", "recipient", "subject", "claimed_at", "sent_at")


@admin.register(TenantExport)
class TenantExportAdmin(RecordAdminMixin, TenantAdminMixin, admin.ModelAdmin):
    """The archives the business's owners asked for: a record of the job, never edited by
    hand (the archive itself is downloaded through the API, after its tenant check)."""

    list_display = ("created_at", "status", "requested_by", "size", "rows", "finished_at", "expires_at")
    list_filter = ("status",)
    readonly_fields = ("status", "requested_by", "size", "rows", "error", "created_at", "finished_at", "expires_at")
    exclude = ("archive",)


@admin.register(PlatformAuditRecord)
class PlatformAuditRecordAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "action", "tenant_slug", "performed_by")
    list_filter = ("action",)
    search_fields = ("tenant_slug", "tenant_name", "performed_by")

    def has_module_permission(self, request) -> bool:
        # The platform's own record: operators only, never a business's staff.
        return request.user.tenant_id is None and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.tenant_id is None and super().has_view_permission(request, obj)
