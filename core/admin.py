from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import format_html

from core.lifecycle.deletion import tenant_delete
from core.lifecycle.onboarding import tenant_create, tenant_create_clean
from core.models import BusinessEvent, PlatformAuditRecord, SentEmail, TenantExport, TenantSettings, TenantUsage
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


class PlatformRecordAdminMixin(RecordAdminMixin):
    """A record of the platform's own (whole businesses' audit, usage, security events):
    read by operators only, never by a business's staff."""

    def has_module_permission(self, request) -> bool:
        return _is_operator(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _is_operator(request) and super().has_view_permission(request, obj)


def _is_operator(request) -> bool:
    # The login page asks too, before anyone is signed in.
    return request.user.is_authenticated and request.user.tenant_id is None


class TenantAddForm(forms.ModelForm):
    """A new business as the onboarding service makes it (core.lifecycle.onboarding):
    its details are checked by the service's own rules, and the owner is invited."""

    owner_email = forms.EmailField(
        label="Owner e-mail",
        max_length=254,
        help_text="The business's owner is created with this address and e-mailed an invitation "
        "to choose their password.",
    )

    # The service's field names, as this form spells them.
    FIELD_OF = {"domain": "custom_domain"}

    class Meta:
        model = TenantSettings
        fields = ("slug", "name", "owner_email", "custom_domain", "timezone", "is_demo")

    def validate_unique(self) -> None:
        """A taken slug or domain is the service's to report, once, in its words."""

    def _post_clean(self) -> None:
        super()._post_clean()
        data = self.cleaned_data
        try:
            tenant_create_clean(
                slug=data.get("slug") or "",
                name=data.get("name") or "",
                owner_email=data.get("owner_email") or "",
                domain=data.get("custom_domain"),
                timezone=data.get("timezone") or "",
            )
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                name = self.FIELD_OF.get(field, field)
                if name not in self.errors:  # a field refused already is not refused twice
                    for problem in problems:
                        self.add_error(name, problem)


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
        # Nor their own limits (core.tenancy.runtime.governance): the platform's to set.
        fixed = ("slug", "is_demo", "is_active", "created_at", "max_concurrent_requests", "statement_timeout_ms")
        return fixed if request.user.is_owner else (*fixed, "custom_domain")

    def has_add_permission(self, request) -> bool:
        return request.user.tenant_id is None and super().has_add_permission(request)

    # Adding a business (operators only) goes through the onboarding service, so it gets
    # its owner and defaults like one made by the command or the API; the change form is
    # the model's own.
    add_fieldsets = ((None, {"fields": TenantAddForm.Meta.fields}),)

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = TenantAddForm
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = tenant_create(
            slug=data["slug"],
            name=data["name"],
            owner_email=data["owner_email"],
            domain=data.get("custom_domain"),
            timezone=data["timezone"],
            is_demo=data.get("is_demo", False),
            performed_by=request.user.username,
        )
        # The admin goes on with the object it was given (its log entry, its redirect).
        tenant = created.tenant
        obj.pk, obj.created_at, obj._state.adding, obj._state.db = tenant.pk, tenant.created_at, False, tenant._state.db
        self.message_user(
            request,
            format_html(
                "{} is invited by e-mail as the owner, {}. Their link sets their password once, until {}: {}",
                created.owner.email,
                created.owner.username,
                created.invitation_expires_at.isoformat(timespec="minutes"),
                created.invitation_url,
            ),
            messages.SUCCESS,
        )

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
class PlatformAuditRecordAdmin(PlatformRecordAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "action", "business_slug", "performed_by")
    list_filter = ("action",)
    search_fields = ("business_slug", "business_name", "performed_by")


@admin.register(TenantUsage)
class TenantUsageAdmin(PlatformRecordAdminMixin, admin.ModelAdmin):
    """Each business's rows, stored bytes and requests a day (core.usage)."""

    list_display = ("day", "business_slug", "rows", "file_bytes", "requests", "measured_at")
    list_filter = ("day",)
    search_fields = ("business_slug",)
    date_hierarchy = "day"


from core.observability import admin as observability_admin  # noqa: E402, F401  (registers SecurityEventAdmin)
