from datetime import timedelta

import django_filters

from compliance.models import (
    AccidentReport,
    ComplianceItem,
    Equipment,
    EquipmentInspection,
    HazardFinding,
    IncidentReport,
    RAMSDocument,
    RiskAssessment,
    ScoreAuditLog,
    SignOff,
)
from core.filters import BoundedDateFilter, UTCDateTimeFilter, member_filter


class ComplianceItemFilter(django_filters.FilterSet):
    owner = member_filter()
    due_after = BoundedDateFilter(field_name="due_date", lookup_expr="gte")
    due_before = BoundedDateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = ComplianceItem
        fields = ["category", "frequency", "status", "owner"]


class ReportFilter(django_filters.FilterSet):
    """Reports (incidents, accidents): who reported them and when it happened."""

    reported_by = member_filter()
    occurred_after = UTCDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = UTCDateTimeFilter(field_name="occurred_at", lookup_expr="lt")


class IncidentReportFilter(ReportFilter):
    class Meta:
        model = IncidentReport
        fields = ["severity", "status", "reported_by"]


class RiskAssessmentFilter(django_filters.FilterSet):
    assessor = member_filter()
    review_before = BoundedDateFilter(field_name="review_due", lookup_expr="lte")

    class Meta:
        model = RiskAssessment
        fields = ["status", "assessor", "area"]


class HazardFindingFilter(django_filters.FilterSet):
    action_owner = member_filter()
    min_risk_score = django_filters.NumberFilter(field_name="risk_score", lookup_expr="gte")

    class Meta:
        model = HazardFinding
        fields = ["assessment", "resolved", "action_owner", "likelihood", "severity"]


class EquipmentFilter(django_filters.FilterSet):
    due_within_days = django_filters.NumberFilter(
        method="filter_due_within_days",
        min_value=0,
        max_value=3650,
        label="Active equipment whose next inspection is due within this many days (or overdue).",
    )

    class Meta:
        model = Equipment
        fields = ["is_active", "location"]

    def filter_due_within_days(self, queryset, name, value):
        horizon = self.request.tenant.today() + timedelta(days=int(value))
        return queryset.filter(is_active=True, next_inspection_due__lte=horizon)


class EquipmentInspectionFilter(django_filters.FilterSet):
    inspector = member_filter()
    inspected_after = BoundedDateFilter(field_name="inspected_on", lookup_expr="gte")
    inspected_before = BoundedDateFilter(field_name="inspected_on", lookup_expr="lte")

    class Meta:
        model = EquipmentInspection
        fields = ["equipment", "passed", "inspector"]


class AccidentReportFilter(ReportFilter):
    class Meta:
        model = AccidentReport
        fields = ["riddor_reportable", "hospital_visit", "first_aid_given", "reported_by"]


class SignOffFilter(django_filters.FilterSet):
    signed_by = member_filter()

    class Meta:
        model = SignOff
        fields = ["incident", "signed_by", "role_at_signing"]


class ScoreAuditLogFilter(django_filters.FilterSet):
    changed_by = member_filter()
    created_after = UTCDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = ScoreAuditLog
        fields = ["changed_by"]


class RAMSDocumentFilter(django_filters.FilterSet):
    approved_by = member_filter()
    created_by = member_filter()

    class Meta:
        model = RAMSDocument
        fields = ["status", "approved_by", "created_by", "version"]
