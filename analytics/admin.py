from django.contrib import admin

from analytics.models import Recommendation
from core.tenancy import TenantAdminMixin


@admin.register(Recommendation)
class RecommendationAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "priority", "status", "generated_at", "valid_until")
    list_filter = ("status", "kind", "priority")
    search_fields = ("title", "body")
    readonly_fields = ("generated_at",)
