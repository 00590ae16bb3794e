"""Demo data for the staff app: the team, a fortnight of rota either side of today, leave in
every state, training (some expired or expiring soon), usual hours, timesheets and absences."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from core.models import TenantSettings
from staff import services
from staff.models import AbsenceRecord, LeaveRequest, StaffProfile, TimesheetEntry, TrainingRecord, WorkingHours

# first name, last name, job title, employment type, hourly rate
TEAM = {
    "salon": [
        ("Aisha", "Khan", "Senior stylist", "full_time", "15.50"),
        ("Tom", "Reilly", "Stylist", "full_time", "13.20"),
        ("Megan", "Ellis", "Colourist", "part_time", "14.00"),
        ("Chloe", "Barnes", "Junior stylist", "full_time", "11.44"),
        ("Ruby", "Osei", "Receptionist", "casual", "11.44"),
    ],
    "restaurant": [
        ("Luca", "Moretti", "Head chef", "full_time", "18.00"),
        ("Priya", "Shah", "Front of house lead", "full_time", "13.50"),
        ("Dan", "Hughes", "Sous chef", "full_time", "15.00"),
        ("Ellie", "Ward", "Waiter", "casual", "11.44"),
        ("Kofi", "Mensah", "Kitchen porter", "part_time", "11.44"),
        ("Hannah", "Price", "Bartender", "part_time", "12.00"),
    ],
    "health_club": [
        ("Jordan", "Blake", "Personal trainer", "full_time", "16.00"),
        ("Sophie", "Turner", "Yoga instructor", "part_time", "20.00"),
        ("Marcus", "Webb", "Lifeguard", "full_time", "12.10"),
        ("Nadia", "Hussain", "Swim teacher", "part_time", "17.50"),
        ("Ben", "Carter", "Receptionist", "casual", "11.44"),
    ],
    "therapy": [
        ("Helen", "Moss", "Clinical psychologist", "full_time", "38.00"),
        ("Owen", "Pryce", "CBT therapist", "part_time", "30.00"),
        ("Grace", "Adeyemi", "Counsellor", "part_time", "26.00"),
        ("Laura", "Fenwick", "Practice administrator", "full_time", "13.00"),
    ],
    "agency": [
        ("Sam", "Taylor", "Developer", "full_time", "28.00"),
        ("Jess", "Morgan", "Account manager", "full_time", "22.00"),
        ("Ravi", "Patel", "Designer", "part_time", "25.00"),
    ],
}
# Job titles of the three demo accounts: owner, manager, staff.
DEMO_TITLES = {
    "salon": ("Owner", "Salon manager", "Stylist"),
    "restaurant": ("Owner", "Restaurant manager", "Waiter"),
    "health_club": ("Owner", "Club manager", "Fitness instructor"),
    "therapy": ("Clinical director", "Practice manager", "Counsellor"),
    "agency": ("Founder", "Operations manager", "Support engineer"),
}
# Where people work on a shift.
LOCATIONS = {
    "salon": ["Salon floor", "Colour bar", "Reception"],
    "restaurant": ["Kitchen", "Restaurant floor", "Bar"],
    "health_club": ["Gym floor", "Pool", "Studio 1", "Reception"],
    "therapy": ["Room 1", "Room 2", "Online sessions"],
    "agency": ["Studio", "Remote"],
}
# title, provider, years valid (None: never expires)
TRAINING = {
    "salon": [
        ("COSHH: hair colour and chemical safety", "Habia", 1),
        ("Allergy alert (skin) testing", "L'Oréal Academy", 2),
        ("First aid at work", "St John Ambulance", 3),
        ("Advanced balayage", "Wella Studio", None),
    ],
    "restaurant": [
        ("Food hygiene level 2", "Highfield", 3),
        ("Allergen awareness", "Food Standards Agency", 1),
        ("Personal licence (alcohol)", "BIIAB", None),
        ("Fire marshal", "North East Fire Training", 3),
    ],
    "health_club": [
        ("National Pool Lifeguard Qualification", "RLSS UK", 2),
        ("Emergency first aid at work", "St John Ambulance", 3),
        ("Level 3 personal trainer", "Active IQ", None),
        ("Safeguarding children", "NSPCC Learning", 3),
    ],
    "therapy": [
        ("Safeguarding adults level 3", "NHS e-Learning", 3),
        ("Information governance and GDPR", "NHS e-Learning", 1),
        ("Suicide risk assessment", "Zero Suicide Alliance", 2),
        ("Clinical supervision skills", "BACP", None),
    ],
    "agency": [
        ("Secure development", "OWASP", 2),
        ("GDPR for product teams", "ICO", 1),
        ("First aid at work", "St John Ambulance", 3),
    ],
}
LEAVE_REASONS = ["Family holiday", "Wedding", "Moving house", "Long weekend away", "Hospital appointment"]
DECISION_NOTES = {
    LeaveRequest.Status.APPROVED: ["Enjoy your break.", "Cover arranged.", ""],
    LeaveRequest.Status.REJECTED: ["Two of the team are already off that week; can you move it?", "Peak week, sorry."],
}


def _hours_for(tenant: TenantSettings, employment_type: str, rng: random.Random) -> tuple[list[int], int, int]:
    """Weekdays, start hour and end hour of someone's usual week, inside opening hours."""
    opening = tenant.opening_hour
    closing = min(tenant.closing_hour, 23)
    length = {"full_time": 8, "part_time": 6, "casual": 5}[employment_type]
    length = min(length, closing - opening)
    start = opening + rng.randint(0, max(0, closing - opening - length))
    days = {
        "full_time": sorted(rng.sample(range(7), 5)),
        "part_time": sorted(rng.sample(range(7), 3)),
        "casual": sorted(rng.sample(range(7), 2)),
    }[employment_type]
    return days, start, start + length


def _at(day: date, hour: int, zone: ZoneInfo, minutes: int = 0) -> datetime:
    return datetime.combine(day, time(hour), zone) + timedelta(minutes=minutes)


def seed_demo_data(*, tenant: TenantSettings, kind: str, rng: random.Random, users: dict) -> None:
    zone = tenant.zone
    now = timezone.now()
    today = timezone.localtime(now, zone).date()
    owner, manager = users["owner"], users["manager"]

    # The team: the demo accounts, then more staff with accounts of their own.
    profiles: list[StaffProfile] = []
    for role, title in zip(("owner", "manager", "staff"), DEMO_TITLES[kind], strict=True):
        profiles.append(
            StaffProfile.objects.create(
                tenant=tenant,
                user=users[role],
                job_title=title,
                phone=f"07700 9{rng.randint(10000, 99999)}",
                employment_type=StaffProfile.EmploymentType.FULL_TIME,
                start_date=today - timedelta(days=rng.randint(400, 2500)),
                hourly_rate=None if role == "owner" else Decimal("16.50" if role == "manager" else "12.60"),
            )
        )
    for first, last, title, employment_type, rate in TEAM[kind]:
        profiles.append(
            services.staff_profile_create(
                tenant=tenant,
                created_by=owner,
                username=first.lower(),
                first_name=first,
                last_name=last,
                email=f"{first.lower()}.{last.lower()}@{tenant.slug}.example.com",
                role=User.Role.STAFF,
                job_title=title,
                phone=f"07700 9{rng.randint(10000, 99999)}",
                employment_type=employment_type,
                start_date=today - timedelta(days=rng.randint(30, 1500)),
                hourly_rate=Decimal(rate),
            )
        )
    staff_only = profiles[2:]

    # Usual hours.
    usual: dict[int, tuple[list[int], int, int]] = {}
    for profile in profiles:
        days, start, end = _hours_for(tenant, profile.employment_type, rng)
        usual[profile.pk] = (days, start, end)
        for weekday in days:
            WorkingHours.objects.create(
                staff_profile=profile, weekday=weekday, starts_at=time(start), ends_at=time(end)
            )

    # Leave in every state (asked by the person, decided by the manager, or the owner
    # for the manager's own).
    def ask(profile: StaffProfile, start: date, days: int, leave_type: str = LeaveRequest.Type.ANNUAL):
        return services.leave_request_create(
            tenant=tenant,
            staff_profile=profile,
            requested_by=profile.user,
            type=leave_type,
            start_date=start,
            end_date=start + timedelta(days=days - 1),
            reason="Unwell" if leave_type == LeaveRequest.Type.SICK else rng.choice(LEAVE_REASONS),
        )

    def decide(leave: LeaveRequest, status: str) -> None:
        decider = owner if leave.staff_profile.user_id == manager.pk else manager
        note = rng.choice(DECISION_NOTES[status])
        if status == LeaveRequest.Status.APPROVED:
            services.leave_request_approve(leave=leave, decided_by=decider, note=note, notify=False)
        else:
            services.leave_request_reject(leave=leave, decided_by=decider, note=note, notify=False)

    approved_now = ask(staff_only[1], today - timedelta(days=2), 5)
    decide(approved_now, LeaveRequest.Status.APPROVED)
    decide(ask(staff_only[0], today + timedelta(days=24), 7), LeaveRequest.Status.APPROVED)
    decide(ask(profiles[1], today + timedelta(days=40), 3), LeaveRequest.Status.APPROVED)
    decide(ask(staff_only[3], today - timedelta(days=5), 2, LeaveRequest.Type.SICK), LeaveRequest.Status.APPROVED)
    decide(ask(staff_only[2], today + timedelta(days=10), 4), LeaveRequest.Status.REJECTED)
    ask(staff_only[2], today + timedelta(days=31), 4)  # pending: asked again for later
    ask(profiles[2], today + timedelta(days=18), 2)  # pending: the demo staff account's own request
    ask(staff_only[-1], today + timedelta(days=50), 10, LeaveRequest.Type.UNPAID)  # pending
    services.leave_request_cancel(
        leave=ask(staff_only[0], today + timedelta(days=60), 2), cancelled_by=staff_only[0].user
    )
    on_leave = {
        (leave.staff_profile_id, leave.start_date + timedelta(days=n))
        for leave in LeaveRequest.objects.filter(status=LeaveRequest.Status.APPROVED)
        for n in range(leave.days)
    }

    # A fortnight of rota, the past week with timesheets, from the usual hours.
    locations = LOCATIONS[kind]
    clocked_in_now = False
    for offset in range(-7, 7):
        day = today + timedelta(days=offset)
        for profile in profiles:
            days, start, end = usual[profile.pk]
            if day.weekday() not in days or (profile.pk, day) in on_leave:
                continue
            starts_at, ends_at = _at(day, start, zone), _at(day, end, zone)
            services.shift_create(
                tenant=tenant,
                staff_profile=profile,
                starts_at=starts_at,
                ends_at=ends_at,
                role=profile.job_title,
                location=rng.choice(locations),
                notes="Cover for the team member on leave" if rng.random() < 0.08 else "",
            )
            clock_in = starts_at + timedelta(minutes=rng.randint(-10, 12))
            if ends_at <= now:
                TimesheetEntry.objects.create(
                    staff_profile=profile,
                    clock_in=clock_in,
                    clock_out=min(ends_at + timedelta(minutes=rng.randint(-5, 25)), now),
                    break_minutes=30 if end - start >= 6 else 0,
                    note="Stayed to close up" if rng.random() < 0.1 else "",
                )
            elif clock_in <= now and profile.user_id not in (owner.pk, manager.pk, users["staff"].pk):
                # On shift right now: clocked in, not out yet.
                TimesheetEntry.objects.create(staff_profile=profile, clock_in=clock_in)
                clocked_in_now = True
    off_today = [p for p in staff_only[1:] if today.weekday() not in usual[p.pk][0] and (p.pk, today) not in on_leave]
    if not clocked_in_now and off_today:
        # Someone is always in, so the "who is on shift" view has a row: called in for extra cover.
        TimesheetEntry.objects.create(
            staff_profile=off_today[0], clock_in=now - timedelta(minutes=rng.randint(20, 90)), note="Extra cover"
        )

    # Training: everyone has some; a few expired or due in the next few weeks.
    courses = TRAINING[kind]
    for index, profile in enumerate(profiles):
        for title, provider, years in rng.sample(courses, k=min(len(courses), rng.randint(1, 3))):
            completed_on = today - timedelta(days=rng.randint(60, 900))
            expires_on = completed_on + timedelta(days=365 * years) if years else None
            if expires_on is not None and index == 1:
                completed_on, expires_on = today - timedelta(days=365 * years - 12), today + timedelta(days=12)
            elif expires_on is not None and index == 3:
                completed_on, expires_on = today - timedelta(days=365 * years + 20), today - timedelta(days=20)
            TrainingRecord.objects.create(
                staff_profile=profile,
                title=title,
                provider=provider,
                completed_on=completed_on,
                expires_on=expires_on,
                certificate_reference=f"{provider[:3].upper()}-{rng.randint(100000, 999999)}",
            )
    # Whatever the draws (they depend on the time of day the seed runs), the team shows
    # one certificate due within weeks and one expired.
    for shown, profile, completed_days_ago, expires_in_days in (
        (Q(expires_on__gte=today, expires_on__lte=today + timedelta(days=30)), profiles[2], 340, 25),
        (Q(expires_on__lt=today), profiles[3], 385, -20),
    ):
        if not TrainingRecord.objects.filter(shown).exists():
            title, provider, _years = courses[0]
            TrainingRecord.objects.create(
                staff_profile=profile,
                title=title,
                provider=provider,
                completed_on=today - timedelta(days=completed_days_ago),
                expires_on=today + timedelta(days=expires_in_days),
                certificate_reference=f"{provider[:3].upper()}-{rng.randint(100000, 999999)}",
            )

    # Absences, recorded by the manager.
    for profile, days_ago, reason, notes in [
        (staff_only[3], 5, AbsenceRecord.Reason.SICK, "Called in before opening; flu."),
        (staff_only[-1], 9, AbsenceRecord.Reason.NO_SHOW, "No call, no show; spoke to them the next day."),
        (staff_only[0], 3, AbsenceRecord.Reason.LATE, "Bus cancelled, 25 minutes late."),
        (profiles[2], 12, AbsenceRecord.Reason.LATE, "Car trouble, 10 minutes late."),
    ]:
        services.absence_record_create(
            tenant=tenant,
            staff_profile=profile,
            recorded_by=manager,
            date=today - timedelta(days=days_ago),
            reason=reason,
            notes=notes,
        )
