from datetime import date, time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.factories import UserFactory
from core.factories import TenantFactory
from staff.models import (
    AbsenceRecord,
    LeaveRequest,
    Shift,
    StaffProfile,
    TimesheetEntry,
    TrainingRecord,
    WorkingHours,
)


def _hour(days: int, hour: int):
    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory, tenant=factory.SelfAttribute("..tenant"), role="staff")
    job_title = "Team member"
    phone = "07700 900222"
    employment_type = StaffProfile.EmploymentType.FULL_TIME
    start_date = factory.LazyFunction(lambda: date.today() - timedelta(days=365))
    hourly_rate = Decimal("12.50")


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    staff_profile = factory.SubFactory(StaffProfileFactory)
    # One shift a day, so a person's shifts never overlap.
    starts_at = factory.Sequence(lambda n: _hour(days=1 + n, hour=9))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=8))
    role = "Floor"
    location = "Main site"


class LeaveRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeaveRequest

    staff_profile = factory.SubFactory(StaffProfileFactory)
    type = LeaveRequest.Type.ANNUAL
    # A week a request, so a person's requests never overlap.
    start_date = factory.Sequence(lambda n: date.today() + timedelta(days=30 + 7 * n))
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=2))
    reason = "Family holiday"


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    staff_profile = factory.SubFactory(StaffProfileFactory)
    title = factory.Sequence(lambda n: f"First aid at work {n}")
    provider = "St John Ambulance"
    completed_on = factory.LazyFunction(lambda: date.today() - timedelta(days=200))
    expires_on = factory.LazyAttribute(lambda o: o.completed_on + timedelta(days=3 * 365))
    certificate_reference = factory.Sequence(lambda n: f"CERT-{n:05d}")


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    staff_profile = factory.SubFactory(StaffProfileFactory)
    weekday = factory.Sequence(lambda n: n % 7)
    starts_at = time(9, 0)
    ends_at = time(17, 0)


class TimesheetEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimesheetEntry

    staff_profile = factory.SubFactory(StaffProfileFactory)
    # Closed entries, one a day in the past, so they never overlap and never block a clock-in.
    clock_in = factory.Sequence(lambda n: _hour(days=-1 - n, hour=9))
    clock_out = factory.LazyAttribute(lambda o: o.clock_in + timedelta(hours=8))
    break_minutes = 30


class AbsenceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AbsenceRecord

    staff_profile = factory.SubFactory(StaffProfileFactory)
    date = factory.LazyFunction(lambda: date.today() - timedelta(days=3))
    reason = AbsenceRecord.Reason.SICK
    notes = "Called in sick"
    recorded_by = factory.SubFactory(
        UserFactory, tenant=factory.SelfAttribute("..staff_profile.tenant"), role="manager"
    )
