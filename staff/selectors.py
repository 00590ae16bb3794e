"""Reads of the staff app. Every function takes the tenant explicitly."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models
from django.utils import timezone

from core.models import TenantSettings
from core.tenancy.scoping import scope_queryset
from staff.models import LeaveRequest, Shift, StaffProfile, TimesheetEntry, TrainingRecord


def tenant_today(*, tenant: TenantSettings) -> date:
    """Today's date where the business is."""
    return timezone.localdate(timezone=tenant.zone)


def staff_profile_for_user(*, tenant: TenantSettings, user) -> StaffProfile | None:
    """The staff profile of ``user`` in ``tenant`` (None for someone without one)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return scope_queryset(StaffProfile.objects.select_related("user"), tenant).filter(user=user).first()


def training_records_expiring(
    *, tenant: TenantSettings, within_days: int, queryset: models.QuerySet | None = None
) -> models.QuerySet:
    """Training that has expired or expires in the next ``within_days`` days."""
    queryset = TrainingRecord.objects.all() if queryset is None else queryset
    horizon = tenant_today(tenant=tenant) + timedelta(days=within_days)
    return scope_queryset(queryset, tenant).filter(expires_on__isnull=False, expires_on__lte=horizon)


def overlapping_shifts(*, shift: Shift) -> models.QuerySet:
    """The staff member's other shifts that overlap ``shift``."""
    return (
        Shift.objects.filter(
            staff_profile_id=shift.staff_profile_id, starts_at__lt=shift.ends_at, ends_at__gt=shift.starts_at
        )
        .exclude(pk=shift.pk)
        .order_by("starts_at")
    )


def overlapping_leave(*, leave: LeaveRequest) -> models.QuerySet:
    """The staff member's other pending or approved leave on any of the same days."""
    return (
        LeaveRequest.objects.filter(
            staff_profile_id=leave.staff_profile_id,
            status__in=[LeaveRequest.Status.PENDING, LeaveRequest.Status.APPROVED],
            start_date__lte=leave.end_date,
            end_date__gte=leave.start_date,
        )
        .exclude(pk=leave.pk)
        .order_by("start_date")
    )


def open_timesheet_entry(*, staff_profile: StaffProfile) -> TimesheetEntry | None:
    """The entry the staff member is clocked in on, if any."""
    return TimesheetEntry.objects.filter(staff_profile=staff_profile, clock_out__isnull=True).first()


def overlapping_timesheet_entries(*, entry: TimesheetEntry) -> models.QuerySet:
    """Other entries of the staff member whose worked time overlaps ``entry``."""
    others = TimesheetEntry.objects.filter(staff_profile_id=entry.staff_profile_id).exclude(pk=entry.pk)
    if entry.clock_out is not None:
        others = others.filter(clock_in__lt=entry.clock_out)
    return others.filter(models.Q(clock_out__isnull=True) | models.Q(clock_out__gt=entry.clock_in)).order_by("clock_in")
