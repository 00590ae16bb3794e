from django.contrib import admin

from core.tenancy import TenantAdminMixin
from crm.models import Lead


@admin.register(Lead)
class LeadAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "company", "status", "source", "value", "owner", "next_follow_up", "created_at")
    list_filter = ("status", "source")
    search_fields = ("name", "email", "company", "phone")
    list_select_related = ("owner", "converted_client")
    # Stages change through the API's move/ and convert/, which keep the pipeline's rules.
    readonly_fields = ("status", "lost_reason", "converted_client", "created_at", "updated_at")
    date_hierarchy = "created_at"
