from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from core.tenancy import TenantAdminMixin
from staff.models import (
    AbsenceRecord,
    LeaveRequest,
    Shift,
    StaffProfile,
    TimesheetEntry,
    TrainingRecord,
    WorkingHours,
)
from staff.services import shift_prepare, timesheet_entry_prepare, training_record_prepare, working_hours_prepare


def _rules_form(prepare):
    """A ModelForm that keeps the API's rules (overlaps, one row per weekday...)."""

    class RulesForm(forms.ModelForm):
        def _post_clean(self) -> None:
            super()._post_clean()
            if self._errors:
                return
            try:
                prepare(self.instance)
            except ValidationError as exc:
                self._update_errors(exc)

    return RulesForm


@admin.register(StaffProfile)
class StaffProfileAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "user", "job_title", "employment_type", "start_date", "is_active")
    list_filter = ("is_active", "employment_type")
    search_fields = ("user__username", "user__first_name", "user__last_name", "job_title")
    list_select_related = ("user",)
    readonly_fields = ("created_at",)


@admin.register(Shift)
class ShiftAdmin(TenantAdminMixin, admin.ModelAdmin):
    form = _rules_form(shift_prepare)
    list_display = ("starts_at", "ends_at", "staff_profile", "role", "location")
    search_fields = ("staff_profile__user__first_name", "staff_profile__user__last_name", "role", "location")
    list_select_related = ("staff_profile__user",)


@admin.register(LeaveRequest)
class LeaveRequestAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("staff_profile", "type", "start_date", "end_date", "status", "decided_by")
    list_filter = ("status", "type")
    list_select_related = ("staff_profile__user", "decided_by")
    readonly_fields = ("decided_by", "decided_at", "created_at")


@admin.register(TrainingRecord)
class TrainingRecordAdmin(TenantAdminMixin, admin.ModelAdmin):
    form = _rules_form(training_record_prepare)
    list_display = ("title", "staff_profile", "completed_on", "expires_on")
    search_fields = ("title", "provider", "certificate_reference")
    list_select_related = ("staff_profile__user",)


@admin.register(WorkingHours)
class WorkingHoursAdmin(TenantAdminMixin, admin.ModelAdmin):
    form = _rules_form(working_hours_prepare)
    list_display = ("staff_profile", "weekday", "starts_at", "ends_at")
    list_filter = ("weekday",)
    list_select_related = ("staff_profile__user",)


@admin.register(TimesheetEntry)
class TimesheetEntryAdmin(TenantAdminMixin, admin.ModelAdmin):
    form = _rules_form(timesheet_entry_prepare)
    list_display = ("staff_profile", "clock_in", "clock_out", "break_minutes")
    list_select_related = ("staff_profile__user",)


@admin.register(AbsenceRecord)
class AbsenceRecordAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("staff_profile", "date", "reason", "recorded_by")
    list_filter = ("reason",)
    list_select_related = ("staff_profile__user", "recorded_by")
    readonly_fields = ("recorded_by", "created_at")
