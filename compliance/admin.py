from django.contrib import admin

from compliance import models
from compliance.services import peace_of_mind_recompute
from core.tenancy import TenantAdminMixin


class RecomputesScore:
    """Changes made in the admin move the score like changes made through the API."""

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        peace_of_mind_recompute(tenant=obj.tenant, reason=f"Changed in the admin: {obj}", performed_by=request.user)

    def delete_model(self, request, obj) -> None:
        tenant = obj.tenant
        super().delete_model(request, obj)
        peace_of_mind_recompute(tenant=tenant, reason=f"Removed in the admin: {obj}", performed_by=request.user)


@admin.register(models.ComplianceCategory)
class ComplianceCategoryAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "weight", "created_at")
    search_fields = ("name",)


@admin.register(models.ComplianceItem)
class ComplianceItemAdmin(TenantAdminMixin, RecomputesScore, admin.ModelAdmin):
    list_display = ("title", "category", "frequency", "due_date", "last_completed_on", "status")
    list_filter = ("status", "frequency")
    search_fields = ("title", "category__name")
    list_select_related = ("category",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(models.IncidentReport)
class IncidentReportAdmin(TenantAdminMixin, RecomputesScore, admin.ModelAdmin):
    list_display = ("title", "occurred_at", "severity", "status", "reported_by")
    list_filter = ("severity", "status")
    search_fields = ("title", "location")
    readonly_fields = ("created_at",)


@admin.register(models.IncidentPhoto)
class IncidentPhotoAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("incident", "caption", "uploaded_at")
    search_fields = ("caption", "incident__title")


@admin.register(models.SignOff)
class SignOffAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("incident", "signed_by", "role_at_signing", "signed_at")
    readonly_fields = ("signed_at",)


@admin.register(models.RiskAssessment)
class RiskAssessmentAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("title", "area", "assessor", "assessed_on", "review_due", "status")
    list_filter = ("status",)
    search_fields = ("title", "area")


@admin.register(models.HazardFinding)
class HazardFindingAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("hazard", "assessment", "likelihood", "severity", "risk_score", "resolved")
    list_filter = ("resolved",)
    search_fields = ("hazard", "assessment__title")
    readonly_fields = ("risk_score",)


@admin.register(models.Equipment)
class EquipmentAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "serial_number", "location", "last_inspected_on", "next_inspection_due", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "serial_number", "location")


@admin.register(models.EquipmentInspection)
class EquipmentInspectionAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("equipment", "inspected_on", "inspector", "passed")
    list_filter = ("passed",)


@admin.register(models.AccidentReport)
class AccidentReportAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("person_involved", "occurred_at", "location", "hospital_visit", "riddor_reportable")
    list_filter = ("riddor_reportable", "hospital_visit")
    search_fields = ("person_involved", "location")


@admin.register(models.RAMSDocument)
class RAMSDocumentAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("title", "version", "status", "approved_by", "approved_on")
    list_filter = ("status",)
    search_fields = ("title", "activity")


@admin.register(models.PeaceOfMindScore)
class PeaceOfMindScoreAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Derived from the records: recomputed by the app, never edited by hand."""

    list_display = ("score", "compliant_items", "total_items", "overdue_items", "computed_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.ScoreAuditLog)
class ScoreAuditLogAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("score", "previous_score", "new_score", "reason", "changed_by", "created_at")
    search_fields = ("reason",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
