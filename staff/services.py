"""Writes of the staff app. Every function takes the tenant (or a row of it) explicitly.

Services raise Django's ``ValidationError`` for input the rules refuse (a 400) and
``PermissionDenied`` for what the caller's role does not allow (a 403).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.selectors import user_username_taken
from accounts.services import audit_log_record, user_invite
from core.models import BusinessEvent, TenantSettings
from core.permissions import MANAGERS, OWNERS, has_role
from core.services import business_event_record
from core.tenancy import in_tenant_scope
from core.transitions import transition, transition_lock
from staff import selectors, tasks
from staff.models import (
    AbsenceRecord,
    LeaveRequest,
    Shift,
    StaffProfile,
    TimesheetEntry,
    TrainingRecord,
    WorkingHours,
)

# What a staff-role user may not change on their own profile.
MANAGED_PROFILE_FIELDS = ("job_title", "employment_type", "start_date", "hourly_rate", "is_active")


def _is_owner(user) -> bool:
    return has_role(user, OWNERS)


def _is_manager(user) -> bool:
    return has_role(user, MANAGERS)


def _lock_profile(profile: StaffProfile) -> None:
    """Serialise concurrent writes for one staff member (overlap checks)."""
    StaffProfile.objects.select_for_update().filter(pk=profile.pk).first()


def _require_same_tenant(tenant: TenantSettings, profile: StaffProfile) -> None:
    if profile.tenant_id != tenant.pk:
        raise ValidationError({"staff_profile": "This staff member belongs to another business."})


def _require_active(profile: StaffProfile) -> None:
    if not profile.is_active:
        raise ValidationError({"staff_profile": f"{profile.display_name} is no longer an active staff member."})


# Staff profiles ------------------------------------------------------------------


def staff_username(*, username: str) -> str:
    """A staff member's login name as the business chooses it, in its one spelling.

    Usernames are unique within a business only (a login names its business by host or
    ``X-Tenant-Slug``), so a business names its people freely and the same name may be
    in use in another business; no prefix reserves a namespace.
    """
    username = (username or "").strip().lower()
    if not username:
        raise ValidationError({"username": "Choose a username."})
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages}) from exc
    if len(username) > User._meta.get_field("username").max_length:
        raise ValidationError({"username": "This username is too long."})
    return username


def _check_role_assignable(*, role: str, performed_by) -> None:
    if role not in (User.Role.MANAGER, User.Role.STAFF):
        raise ValidationError({"role": "Staff members are created as managers or staff."})
    if role == User.Role.MANAGER and not _is_owner(performed_by):
        raise PermissionDenied("Only an owner may appoint a manager.")


@transaction.atomic
def staff_profile_create(
    *,
    tenant: TenantSettings,
    created_by: User | None,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    role: str = User.Role.STAFF,
    password: str | None = None,
    **profile_fields: Any,
) -> StaffProfile:
    """Create a staff member's account and profile together: both rows or neither."""
    if created_by is not None and not _is_manager(created_by):
        raise PermissionDenied("Only the business's owners and managers may add staff.")
    _check_role_assignable(role=role, performed_by=created_by)
    username = staff_username(username=username)
    if user_username_taken(tenant=tenant, username=username):
        raise ValidationError({"username": "This username is already taken."})

    user = User(
        tenant=tenant,
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip().lower(),
        role=role,
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent request took the name first
        raise ValidationError({"username": "This username is already taken."}) from exc

    profile = StaffProfile.objects.create(tenant=tenant, user=user, **profile_fields)
    if not password and user.email:
        # They choose their own password, from the invitation sent once this commits.
        user_invite(tenant=tenant, user=user, by=created_by)
    business_event_record(
        tenant=tenant,
        kind=BusinessEvent.Kind.STAFF_CREATED,
        summary=f"{profile.display_name} joined the team as {profile.job_title or user.get_role_display().lower()}",
        performed_by=created_by,
        subject=profile,
    )
    return profile


def staff_profile_of_owner_create(*, tenant: TenantSettings, owner: User) -> StaffProfile:
    """Put a new business's owner on its team (``core.lifecycle.onboarding``), so they
    can rota, clock in and book leave for themselves like everyone they add after."""
    if owner.tenant_id != tenant.pk or owner.role != User.Role.OWNER:
        raise ValueError("Only the business's own owner is put on its team this way.")
    with in_tenant_scope(tenant):
        return StaffProfile.objects.create(tenant=tenant, user=owner, job_title=User.Role.OWNER.label)


def _check_role_change(*, profile: StaffProfile, role: str, performed_by) -> None:
    current = profile.user.role
    if role == current:
        return
    if not _is_manager(performed_by):
        raise PermissionDenied("Only the business's owners and managers may change a role.")
    if current == User.Role.OWNER or role == User.Role.OWNER:
        raise ValidationError({"role": "An owner's role is not changed here."})
    if profile.user_id == getattr(performed_by, "pk", None):
        raise ValidationError({"role": "You cannot change your own role."})
    if User.Role.MANAGER in (role, current) and not _is_owner(performed_by):
        raise PermissionDenied("Only an owner may appoint or change a manager.")


def _check_active_change(*, profile: StaffProfile, is_active: bool, performed_by) -> None:
    if is_active == profile.is_active:
        return
    if not _is_manager(performed_by):
        raise PermissionDenied("Only the business's owners and managers may deactivate staff.")
    if profile.user.role == User.Role.OWNER:
        raise ValidationError({"is_active": "An owner cannot be deactivated here."})
    if profile.user_id == getattr(performed_by, "pk", None):
        raise ValidationError({"is_active": "You cannot deactivate yourself."})
    if profile.user.role == User.Role.MANAGER and not _is_owner(performed_by):
        raise PermissionDenied("Only an owner may deactivate a manager.")


@transaction.atomic
def staff_profile_update(
    *, profile: StaffProfile, performed_by: User, user_changes: dict[str, Any] | None = None, **changes: Any
) -> StaffProfile:
    """Change a staff member's details. Staff-role users may only change their own contact details."""
    user_changes = dict(user_changes or {})
    user = profile.user
    if not _is_manager(performed_by):
        if profile.user_id != getattr(performed_by, "pk", None):
            raise PermissionDenied("You can only change your own profile.")
        managed = [
            name for name in MANAGED_PROFILE_FIELDS if name in changes and changes[name] != getattr(profile, name)
        ]
        if managed:
            raise PermissionDenied(f"Only managers may change {', '.join(managed).replace('_', ' ')}.")
    # Sending the name back as read is no change (names stored before the lower-case rule
    # included).
    if "username" in user_changes and (user_changes.pop("username") or "").strip().lower() != user.username.lower():
        raise ValidationError({"username": "A username cannot be changed."})
    old_role = user.role
    if "role" in user_changes:
        _check_role_change(profile=profile, role=user_changes["role"], performed_by=performed_by)
    if "is_active" in changes:
        _check_active_change(profile=profile, is_active=changes["is_active"], performed_by=performed_by)
        user_changes["is_active"] = changes["is_active"]
    if "email" in user_changes:
        user_changes["email"] = (user_changes["email"] or "").strip().lower()

    for name, value in changes.items():
        setattr(profile, name, value)
    profile.save()
    if user_changes:
        for name, value in user_changes.items():
            setattr(user, name, value)
        user.save(update_fields=list(user_changes))
    if user.role != old_role and getattr(performed_by, "tenant_id", None) is not None:
        audit_log_record(
            user=performed_by,
            action="staff_role_changed",
            detail={"username": user.username, "from": old_role, "to": user.role},
        )
    return profile


def _activity(profile: StaffProfile) -> str:
    return "active" if profile.is_active else "inactive"


@transaction.atomic
def staff_profile_set_active(*, profile: StaffProfile, is_active: bool, performed_by: User) -> StaffProfile:
    """Deactivate (or reactivate) a staff member; a deactivated member cannot sign in."""
    if not _is_manager(performed_by):
        raise PermissionDenied("Only the business's owners and managers may deactivate staff.")
    _check_active_change(profile=profile, is_active=is_active, performed_by=performed_by)
    profile = transition(
        row=profile,
        state=_activity,
        allowed=["inactive" if is_active else "active"],
        refused="This staff member is already {state}.",
        error_key="is_active",
        changes={"is_active": is_active},
    )
    profile.user.is_active = is_active
    profile.user.save(update_fields=["is_active"])
    return profile


def staff_profile_invite(*, profile: StaffProfile, performed_by: User) -> None:
    """Send the staff member a new invitation: a link that sets their password (the
    links sent before stop working)."""
    if not _is_manager(performed_by):
        raise PermissionDenied("Only the business's owners and managers may invite staff.")
    user_invite(tenant=profile.tenant, user=profile.user, by=performed_by)


# Shifts --------------------------------------------------------------------------


def shift_prepare(shift: Shift) -> None:
    """Refuse a shift that ends before it starts or overlaps the person's other shifts.

    Shared by the API's services and the admin's form, so both keep the same rules.
    """
    if shift.ends_at <= shift.starts_at:
        raise ValidationError({"ends_at": "A shift ends after it starts."})
    if (shift.ends_at - shift.starts_at).total_seconds() > 24 * 3600:
        raise ValidationError({"ends_at": "A shift lasts at most 24 hours."})
    _lock_profile(shift.staff_profile)
    clash = selectors.overlapping_shifts(shift=shift).first()
    if clash is not None:
        tenant = shift.staff_profile.tenant
        when = f"{tenant.local(clash.starts_at):%a %d %b %H:%M} to {tenant.local(clash.ends_at):%H:%M}"
        raise ValidationError({"starts_at": f"{shift.staff_profile.display_name} already has a shift {when}."})


@transaction.atomic
def shift_create(*, tenant: TenantSettings, staff_profile: StaffProfile, **fields: Any) -> Shift:
    _require_same_tenant(tenant, staff_profile)
    _require_active(staff_profile)
    shift = Shift(staff_profile=staff_profile, **fields)
    shift_prepare(shift)
    shift.save()
    return shift


@transaction.atomic
def shift_update(*, shift: Shift, **changes: Any) -> Shift:
    if "staff_profile" in changes and changes["staff_profile"] != shift.staff_profile:
        _require_active(changes["staff_profile"])
    for name, value in changes.items():
        setattr(shift, name, value)
    shift_prepare(shift)
    shift.save()
    return shift


# Leave ---------------------------------------------------------------------------


def _leave_prepare(leave: LeaveRequest) -> None:
    if leave.end_date < leave.start_date:
        raise ValidationError({"end_date": "Leave ends on or after the day it starts."})
    _lock_profile(leave.staff_profile)
    clash = selectors.overlapping_leave(leave=leave).first()
    if clash is not None:
        raise ValidationError(
            {
                "start_date": f"{leave.staff_profile.display_name} already has {clash.get_status_display().lower()} "
                f"leave from {clash.start_date:%d %b %Y} to {clash.end_date:%d %b %Y}."
            }
        )


def _describe(leave: LeaveRequest) -> str:
    span = (
        f"{leave.start_date:%d %b}"
        if leave.start_date == leave.end_date
        else f"{leave.start_date:%d %b} to {leave.end_date:%d %b}"
    )
    return f"{leave.get_type_display().lower()} for {leave.staff_profile.display_name}, {span}"


@transaction.atomic
def leave_request_create(
    *,
    tenant: TenantSettings,
    staff_profile: StaffProfile,
    requested_by: User,
    start_date: date,
    end_date: date,
    type: str = LeaveRequest.Type.ANNUAL,
    reason: str = "",
) -> LeaveRequest:
    """Ask for time off; it waits for a manager's decision."""
    _require_same_tenant(tenant, staff_profile)
    _require_active(staff_profile)
    leave = LeaveRequest(
        staff_profile=staff_profile, type=type, start_date=start_date, end_date=end_date, reason=reason
    )
    _leave_prepare(leave)
    leave.save()
    business_event_record(
        tenant=tenant,
        kind=BusinessEvent.Kind.LEAVE_REQUESTED,
        summary=f"Leave requested: {_describe(leave)}",
        performed_by=requested_by,
        subject=leave,
    )
    return leave


@transaction.atomic
def leave_request_update(*, leave: LeaveRequest, **changes: Any) -> LeaveRequest:
    """Change a request that has not been decided yet."""
    if leave.status != LeaveRequest.Status.PENDING:
        raise ValidationError({"status": f"A {leave.get_status_display().lower()} request cannot be changed."})
    if "staff_profile" in changes and changes.pop("staff_profile") != leave.staff_profile:
        raise ValidationError({"staff_profile": "A leave request stays with its staff member."})
    for name, value in changes.items():
        setattr(leave, name, value)
    _leave_prepare(leave)
    leave.save()
    return leave


def _decide(*, leave: LeaveRequest, status: str, decided_by, note: str, notify: bool) -> LeaveRequest:
    """Approve or reject a pending request, and say so in the activity feed."""
    if not _is_manager(decided_by):
        raise PermissionDenied("Only the business's owners and managers may decide leave.")
    if leave.staff_profile.user_id == getattr(decided_by, "pk", None) and not _is_owner(decided_by):
        raise PermissionDenied("Your own leave is decided by someone else.")
    leave = transition(
        row=leave,
        allowed=[LeaveRequest.Status.PENDING],
        refused="This request is already {state}.",
        changes={
            "status": status,
            "decided_by": decided_by if getattr(decided_by, "is_authenticated", False) else None,
            "decided_at": timezone.now(),
            "decision_note": note,
        },
    )
    approved = status == LeaveRequest.Status.APPROVED
    tenant = leave.staff_profile.tenant
    business_event_record(
        tenant=tenant,
        kind=BusinessEvent.Kind.LEAVE_APPROVED if approved else BusinessEvent.Kind.LEAVE_REJECTED,
        summary=f"Leave {'approved' if approved else 'rejected'}: {_describe(leave)}",
        performed_by=decided_by,
        subject=leave,
    )
    if notify:
        # The staff member hears of the decision once it commits (staff.tasks).
        with in_tenant_scope(tenant):
            tasks.leave_decision_send.delay_on_commit(leave.pk)
    return leave


@transaction.atomic
def leave_request_approve(
    *, leave: LeaveRequest, decided_by: User, note: str = "", notify: bool = True
) -> LeaveRequest:
    """Approve a pending request; the staff member is e-mailed (``notify`` False: not)."""
    return _decide(leave=leave, status=LeaveRequest.Status.APPROVED, decided_by=decided_by, note=note, notify=notify)


@transaction.atomic
def leave_request_reject(*, leave: LeaveRequest, decided_by: User, note: str = "", notify: bool = True) -> LeaveRequest:
    """Reject a pending request; the staff member is e-mailed (``notify`` False: not)."""
    return _decide(leave=leave, status=LeaveRequest.Status.REJECTED, decided_by=decided_by, note=note, notify=notify)


@transaction.atomic
def leave_request_cancel(*, leave: LeaveRequest, cancelled_by: User) -> LeaveRequest:
    """Withdraw one's own request while it is still pending."""
    if leave.staff_profile.user_id != getattr(cancelled_by, "pk", None):
        raise PermissionDenied("Only the person who asked for the leave may cancel it.")
    return transition(
        row=leave,
        allowed=[LeaveRequest.Status.PENDING],
        refused="A {state} request cannot be cancelled.",
        changes={"status": LeaveRequest.Status.CANCELLED},
    )


# Training and working hours ------------------------------------------------------


def training_record_prepare(record: TrainingRecord) -> None:
    if record.expires_on is not None and record.expires_on < record.completed_on:
        raise ValidationError({"expires_on": "A certificate expires after it was gained."})


def working_hours_prepare(hours: WorkingHours) -> None:
    if hours.ends_at <= hours.starts_at:
        raise ValidationError({"ends_at": "Working hours end after they start (on the same day)."})
    taken = WorkingHours.objects.filter(staff_profile_id=hours.staff_profile_id, weekday=hours.weekday).exclude(
        pk=hours.pk
    )
    if taken.exists():
        day = WorkingHours.Weekday(hours.weekday).label
        raise ValidationError({"weekday": f"{hours.staff_profile.display_name} already has hours on {day}."})


def _save_with(instance, prepare, changes: dict[str, Any]):
    for name, value in changes.items():
        setattr(instance, name, value)
    prepare(instance)
    instance.save()
    return instance


@transaction.atomic
def training_record_save(*, record: TrainingRecord, **changes: Any) -> TrainingRecord:
    return _save_with(record, training_record_prepare, changes)


@transaction.atomic
def working_hours_save(*, hours: WorkingHours, **changes: Any) -> WorkingHours:
    _lock_profile(changes.get("staff_profile", getattr(hours, "staff_profile", None)))
    return _save_with(hours, working_hours_prepare, changes)


# Timesheets ----------------------------------------------------------------------


def timesheet_entry_prepare(entry: TimesheetEntry) -> None:
    if entry.clock_out is not None:
        if entry.clock_out <= entry.clock_in:
            raise ValidationError({"clock_out": "Clocking out comes after clocking in."})
        worked = (entry.clock_out - entry.clock_in).total_seconds() / 60
        if entry.break_minutes >= worked:
            raise ValidationError({"break_minutes": "The break is longer than the time worked."})
    if entry.clock_in > timezone.now():
        raise ValidationError({"clock_in": "Clocking in cannot be in the future."})
    _lock_profile(entry.staff_profile)
    clash = selectors.overlapping_timesheet_entries(entry=entry).first()
    if clash is not None:
        if clash.clock_out is None and entry.clock_out is None:
            raise ValidationError({"clock_in": f"{entry.staff_profile.display_name} is already clocked in."})
        raise ValidationError({"clock_in": "This overlaps another timesheet entry of the same person."})


@transaction.atomic
def timesheet_entry_save(*, entry: TimesheetEntry, **changes: Any) -> TimesheetEntry:
    """A manager's correction or a manual entry."""
    if entry.pk is not None and "staff_profile" in changes and changes.pop("staff_profile") != entry.staff_profile:
        raise ValidationError({"staff_profile": "A timesheet entry stays with its staff member."})
    return _save_with(entry, timesheet_entry_prepare, changes)


@transaction.atomic
def timesheet_clock_in(
    *, tenant: TenantSettings, staff_profile: StaffProfile, performed_by: User, note: str = ""
) -> TimesheetEntry:
    """Open a timesheet entry now; refused while one is still open."""
    _require_same_tenant(tenant, staff_profile)
    if not _is_manager(performed_by) and staff_profile.user_id != getattr(performed_by, "pk", None):
        raise PermissionDenied("You can only clock yourself in.")
    _require_active(staff_profile)
    _lock_profile(staff_profile)
    if selectors.open_timesheet_entry(staff_profile=staff_profile) is not None:
        raise ValidationError({"clock_in": f"{staff_profile.display_name} is already clocked in."})
    entry = TimesheetEntry(staff_profile=staff_profile, clock_in=timezone.now(), note=note)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:  # a concurrent clock-in won
        raise ValidationError({"clock_in": f"{staff_profile.display_name} is already clocked in."}) from exc
    return entry


@transaction.atomic
def timesheet_clock_out(
    *, entry: TimesheetEntry, performed_by: User, break_minutes: int | None = None, note: str | None = None
) -> TimesheetEntry:
    """Close an open entry now."""
    if not _is_manager(performed_by) and entry.staff_profile.user_id != getattr(performed_by, "pk", None):
        raise PermissionDenied("You can only clock yourself out.")
    entry = transition_lock(
        row=entry,
        state=lambda entry: "open" if entry.clock_out is None else "clocked_out",
        allowed=["open"],
        refused="This entry is already {state}.",
        error_key="clock_out",
    )
    entry.clock_out = timezone.now()
    if break_minutes is not None:
        entry.break_minutes = break_minutes
    if note is not None:
        entry.note = note
    worked = (entry.clock_out - entry.clock_in).total_seconds() / 60
    if entry.break_minutes and entry.break_minutes >= worked:
        raise ValidationError({"break_minutes": "The break is longer than the time worked."})
    entry.save(update_fields=["clock_out", "break_minutes", "note"])
    return entry


# Absences ------------------------------------------------------------------------


def absence_record_prepare(absence: AbsenceRecord) -> None:
    today = absence.staff_profile.tenant.today()
    if absence.date > today:
        raise ValidationError({"date": "An absence is recorded on the day or afterwards."})


@transaction.atomic
def absence_record_create(
    *, tenant: TenantSettings, staff_profile: StaffProfile, recorded_by: User, **fields: Any
) -> AbsenceRecord:
    _require_same_tenant(tenant, staff_profile)
    absence = AbsenceRecord(
        staff_profile=staff_profile,
        recorded_by=recorded_by if getattr(recorded_by, "is_authenticated", False) else None,
        **fields,
    )
    absence_record_prepare(absence)
    absence.save()
    return absence


@transaction.atomic
def absence_record_update(*, absence: AbsenceRecord, **changes: Any) -> AbsenceRecord:
    return _save_with(absence, absence_record_prepare, changes)
