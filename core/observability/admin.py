"""The operators' page of cross-tenant attempts: every attempt, filtered by kind and
business, by day; and a summary of counts per day, pair of businesses and kind."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from core.admin import PlatformRecordAdminMixin

from .models import SecurityEvent

SUMMARY_DAYS = 14


@admin.register(SecurityEvent)
class SecurityEventAdmin(PlatformRecordAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "user_business_slug", "business_slug", "user_id", "address", "route")
    list_filter = ("kind", "business_slug", "user_business_slug")
    search_fields = ("business_slug", "user_business_slug", "address", "request_id", "reason")
    date_hierarchy = "created_at"
    change_list_template = "admin/core/securityevent/change_list.html"

    def get_urls(self):
        summary = self.admin_site.admin_view(self.summary_view)
        return [path("summary/", summary, name="core_securityevent_summary"), *super().get_urls()]

    def summary_view(self, request: HttpRequest) -> HttpResponse:
        """Counts per day, pair of businesses and kind, over the last ``?days=`` (14)."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        try:
            days = max(1, min(int(request.GET.get("days", SUMMARY_DAYS)), 90))
        except ValueError:
            days = SUMMARY_DAYS
        rows = (
            SecurityEvent.objects.filter(created_at__gte=timezone.now() - timedelta(days=days))
            .annotate(day=TruncDate("created_at"))
            .values("day", "user_business_slug", "business_slug", "kind")
            .annotate(
                attempts=Count("id"), users=Count("user_id", distinct=True), addresses=Count("address", distinct=True)
            )
            .order_by("-day", "-attempts")
        )
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "rows": rows, "days": days}
        context["title"] = f"Cross-tenant attempts, last {days} days"
        return TemplateResponse(request, "admin/core/securityevent/summary.html", context)
