from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.tenancy import TenantChildModel, TenantModel


class StaffProfile(TenantModel):
    """A member of the business's team: their account plus employment details."""

    class EmploymentType(models.TextChoices):
        FULL_TIME = "full_time", "Full time"
        PART_TIME = "part_time", "Part time"
        CASUAL = "casual", "Casual"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    job_title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    employment_type = models.CharField(max_length=16, choices=EmploymentType.choices, default=EmploymentType.FULL_TIME)
    start_date = models.DateField(default=timezone.localdate)
    hourly_rate = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name", "id"]
        indexes = [
            models.Index(fields=["tenant", "is_active"], name="staff_profile_tenant_active"),
            models.Index(fields=["tenant", "created_at"], name="staff_profile_tenant_created"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.username


class Shift(TenantChildModel):
    """A block of rostered work for one staff member."""

    tenant_path = "staff_profile__tenant"

    staff_profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    role = models.CharField(max_length=80, blank=True, help_text="What they do on this shift, e.g. 'Front of house'.")
    location = models.CharField(max_length=120, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="staff_shift_ends_after_start")
        ]
        indexes = [
            models.Index(fields=["staff_profile", "starts_at"], name="staff_shift_profile_start"),
            models.Index(fields=["starts_at"], name="staff_shift_start"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_profile} {self.starts_at:%Y-%m-%d %H:%M}"


class LeaveRequest(TenantChildModel):
    """Time off asked for by a staff member and decided by a manager."""

    class Type(models.TextChoices):
        ANNUAL = "annual", "Annual leave"
        SICK = "sick", "Sick leave"
        UNPAID = "unpaid", "Unpaid leave"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"

    tenant_path = "staff_profile__tenant"

    staff_profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="leave_requests")
    type = models.CharField(max_length=16, choices=Type.choices, default=Type.ANNUAL)
    start_date = models.DateField()
    end_date = models.DateField()
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="staff_leave_ends_after_start")
        ]
        indexes = [
            models.Index(fields=["staff_profile", "start_date"], name="staff_leave_profile_start"),
            models.Index(fields=["status", "start_date"], name="staff_leave_status_start"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_profile} {self.get_type_display()} {self.start_date}-{self.end_date}"

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class TrainingRecord(TenantChildModel):
    """A course or certificate a staff member holds."""

    tenant_path = "staff_profile__tenant"

    staff_profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="training_records")
    title = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True)
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    certificate_reference = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expires_on", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("completed_on")),
                name="staff_training_expires_after",
            )
        ]
        indexes = [
            models.Index(fields=["staff_profile", "expires_on"], name="staff_training_profile_expiry"),
            models.Index(fields=["expires_on"], name="staff_training_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.staff_profile})"

    def is_expired_on(self, day: date) -> bool:
        return self.expires_on is not None and self.expires_on < day

    @property
    def is_expired(self) -> bool:
        return self.is_expired_on(timezone.localdate())


class WorkingHours(TenantChildModel):
    """A staff member's usual hours on one day of the week."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    tenant_path = "staff_profile__tenant"

    staff_profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, validators=[MaxValueValidator(6)])
    starts_at = models.TimeField()
    ends_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "starts_at", "id"]
        verbose_name_plural = "working hours"
        constraints = [
            models.UniqueConstraint(fields=["staff_profile", "weekday"], name="staff_hours_unique_weekday"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="staff_hours_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_profile} {self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class TimesheetEntry(TenantChildModel):
    """Time actually worked: clocked in, and out once the shift is over."""

    tenant_path = "staff_profile__tenant"

    staff_profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="timesheet_entries")
    clock_in = models.DateTimeField()
    clock_out = models.DateTimeField(null=True, blank=True)
    break_minutes = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(720)])
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-clock_in", "-id"]
        verbose_name_plural = "timesheet entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(clock_out__isnull=True) | Q(clock_out__gt=F("clock_in")),
                name="staff_timesheet_out_after_in",
            ),
            # One open entry per person at a time, even under concurrent clock-ins.
            models.UniqueConstraint(
                fields=["staff_profile"], condition=Q(clock_out__isnull=True), name="staff_timesheet_one_open"
            ),
        ]
        indexes = [
            models.Index(fields=["staff_profile", "clock_in"], name="staff_timesheet_profile_in"),
            models.Index(fields=["clock_in"], name="staff_timesheet_in"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_profile} {self.clock_in:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.clock_out is None

    @property
    def hours(self) -> Decimal | None:
        """Hours worked, breaks deducted; None while still on shift."""
        if self.clock_out is None or self.clock_in is None:
            return None
        seconds = (self.clock_out - self.clock_in).total_seconds() - 60 * (self.break_minutes or 0)
        return (Decimal(max(seconds, 0)) / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class AbsenceRecord(TenantChildModel):
    """An unplanned absence, a no-show or a late arrival, recorded by a manager."""

    class Reason(models.TextChoices):
        SICK = "sick", "Sick"
        NO_SHOW = "no_show", "No-show"
        LATE = "late", "Late"
        OTHER = "other", "Other"

    tenant_path = "staff_profile__tenant"

    staff_profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="absences")
    date = models.DateField()
    reason = models.CharField(max_length=16, choices=Reason.choices)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["staff_profile", "date"], name="staff_absence_profile_date"),
            models.Index(fields=["date"], name="staff_absence_date"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_profile} {self.get_reason_display()} {self.date}"
