"""Reads of the staff app. Every function takes the tenant explicitly."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta

from django.db import models

from core.models import TenantSettings
from core.tenancy import scope_queryset
from staff.models import LeaveRequest, Shift, StaffProfile, TimesheetEntry, TrainingRecord, WorkingHours

TimeWindow = tuple[datetime, datetime]


def staff_profiles_of_user(*, tenant: TenantSettings, user) -> models.QuerySet[StaffProfile]:
    """The staff profile of ``user`` in ``tenant``, as a query (empty for someone without one)."""
    if not getattr(user, "is_authenticated", False):
        return StaffProfile.objects.none()
    return scope_queryset(StaffProfile.objects.select_related("user"), tenant).filter(user=user)


def staff_profile_for_user(*, tenant: TenantSettings, user) -> StaffProfile | None:
    """The staff profile of ``user`` in ``tenant`` (None for someone without one)."""
    return staff_profiles_of_user(tenant=tenant, user=user).first()


def staff_profiles_active(*, tenant: TenantSettings) -> models.QuerySet:
    """The business's current team, with their accounts (for their names)."""
    return scope_queryset(StaffProfile.objects.select_related("user"), tenant).filter(is_active=True)


def training_records_expiring(
    *, tenant: TenantSettings, within_days: int, queryset: models.QuerySet | None = None
) -> models.QuerySet:
    """Training that has expired or expires in the next ``within_days`` days."""
    queryset = TrainingRecord.objects.all() if queryset is None else queryset
    horizon = tenant.today() + timedelta(days=within_days)
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


def staff_working_windows(
    *, tenant: TenantSettings, staff_profile_ids: Collection[int], day: date
) -> dict[int, list[TimeWindow]]:
    """When each of the staff profiles works on ``day`` (a day of the business's time zone).

    The rota decides: the person's shifts that day, if the rota has any for them;
    otherwise their usual hours for that weekday; with neither, they are not working.
    Approved leave covering the day means not working at all (pending, rejected or
    cancelled leave changes nothing), and so does a deactivated profile.

    Windows are sorted, merged where they touch, and cut to the day; a profile that is
    not working maps to ``[]``. Three queries, whatever the number of profiles.
    """
    windows: dict[int, list[TimeWindow]] = {pk: [] for pk in staff_profile_ids}
    if not windows:
        return windows
    zone = tenant.zone
    day_start = datetime.combine(day, time.min, zone)
    day_end = datetime.combine(day + timedelta(days=1), time.min, zone)
    on_leave = set(
        scope_queryset(LeaveRequest.objects.all(), tenant)
        .filter(
            staff_profile_id__in=windows,
            status=LeaveRequest.Status.APPROVED,
            start_date__lte=day,
            end_date__gte=day,
        )
        .values_list("staff_profile_id", flat=True)
    )
    working = [pk for pk in windows if pk not in on_leave]
    if not working:
        return windows
    rostered: dict[int, list[TimeWindow]] = {}
    for profile_id, starts_at, ends_at in (
        scope_queryset(Shift.objects.all(), tenant)
        .filter(
            staff_profile_id__in=working,
            staff_profile__is_active=True,
            starts_at__lt=day_end,
            ends_at__gt=day_start,
        )
        .values_list("staff_profile_id", "starts_at", "ends_at")
    ):
        rostered.setdefault(profile_id, []).append((max(starts_at, day_start), min(ends_at, day_end)))
    usual: dict[int, list[TimeWindow]] = {}
    for profile_id, starts_at, ends_at in (
        scope_queryset(WorkingHours.objects.all(), tenant)
        .filter(staff_profile_id__in=working, staff_profile__is_active=True, weekday=day.weekday())
        .values_list("staff_profile_id", "starts_at", "ends_at")
    ):
        usual.setdefault(profile_id, []).append(
            (datetime.combine(day, starts_at, zone), datetime.combine(day, ends_at, zone))
        )
    for profile_id in working:
        # A shift that day replaces the usual hours: the rota is what was planned.
        windows[profile_id] = _merged(rostered.get(profile_id) or usual.get(profile_id) or [])
    return windows


def _merged(windows: list[TimeWindow]) -> list[TimeWindow]:
    merged: list[TimeWindow] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
