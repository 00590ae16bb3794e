"""When the public booking page offers someone: the business's opening hours per day of
the week, and for a bookable person linked to an employee, the rota and approved leave.

Through the real HTTP API (the public slots and booking endpoints, and the owner's
opening-hours and staff endpoints), with real JWTs and the tenant middleware.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.factories import UserFactory
from bookings import selectors
from bookings.factories import OpeningHoursFactory, ServiceFactory, StaffFactory
from bookings.models import OpeningHours, Staff
from core.models import TenantSettings
from core.references import public_reference as ref
from core.tenancy import tenant_context, unscoped_all_tenants
from staff.factories import LeaveRequestFactory, ShiftFactory, StaffProfileFactory, WorkingHoursFactory
from staff.models import LeaveRequest
from tests.plugin import api_client_for

pytestmark = pytest.mark.django_db

SLOTS = "/api/bookings/public/slots/"
PUBLIC_BOOKINGS = "/api/bookings/public/bookings/"
OPENING_HOURS = "/api/bookings/opening-hours/"
STAFF = "/api/bookings/staff/"


# Helpers ------------------------------------------------------------------------


def zone_of(tenant: TenantSettings) -> ZoneInfo:
    return tenant.zone


def next_weekday(tenant: TenantSettings, weekday: int, *, after_days: int = 2) -> date:
    """The first ``weekday`` (Monday is 0) at least ``after_days`` from the business's today."""
    day = timezone.localdate(timezone=zone_of(tenant)) + timedelta(days=after_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def at(tenant: TenantSettings, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), zone_of(tenant))


def offered(tenant: TenantSettings, service, day: date) -> dict[str, list[str]]:
    """Staff reference -> the local start times the public page offers on ``day``."""
    response = api_client_for(HTTP_X_TENANT_SLUG=tenant.slug).get(
        SLOTS, {"service": ref(service), "date": day.isoformat()}
    )
    assert response.status_code == 200, response.content
    found: dict[str, list[str]] = {}
    for slot in response.json():
        starts = datetime.fromisoformat(slot["starts_at"]).astimezone(zone_of(tenant))
        found.setdefault(slot["staff"], []).append(f"{starts:%H:%M}")
    return found


def every_quarter(first: str, last: str) -> list[str]:
    """``first``, ``last`` and every quarter of an hour between them, as HH:MM."""
    start, end = datetime.strptime(first, "%H:%M"), datetime.strptime(last, "%H:%M")
    times = []
    while start <= end:
        times.append(f"{start:%H:%M}")
        start += timedelta(minutes=15)
    return times


def shift(profile, tenant: TenantSettings, day: date, starts: int, ends: int):
    return ShiftFactory(staff_profile=profile, starts_at=at(tenant, day, starts), ends_at=at(tenant, day, ends))


# Fixtures -----------------------------------------------------------------------


@pytest.fixture
def cut(tenant_a):
    return ServiceFactory(tenant=tenant_a, name="Cut and finish", duration_minutes=45, price=Decimal("38.00"))


@pytest.fixture
def aisha_profile(tenant_a):
    return StaffProfileFactory(tenant=tenant_a, user__first_name="Aisha", user__last_name="Khan")


@pytest.fixture
def aisha(tenant_a, cut, aisha_profile):
    """Bookable, and linked to her employee profile: the rota decides when she is offered."""
    person = StaffFactory(tenant=tenant_a, name="Aisha Khan", staff_profile=aisha_profile)
    person.services.add(cut)
    return person


@pytest.fixture
def tom(tenant_a, cut):
    """Bookable, not linked to anyone on the rota: offered whenever the business is open."""
    person = StaffFactory(tenant=tenant_a, name="Tom Reilly")
    person.services.add(cut)
    return person


@pytest.fixture
def tuesday(tenant_a):
    return next_weekday(tenant_a, 1)


# The rota ------------------------------------------------------------------------


def test_a_linked_staff_member_with_no_shift_and_no_usual_hours_that_day_is_not_offered(
    tenant_a, cut, aisha, tom, aisha_profile, tuesday
):
    WorkingHoursFactory(staff_profile=aisha_profile, weekday=tuesday.weekday() + 1)  # Wednesdays only
    shift(aisha_profile, tenant_a, tuesday + timedelta(days=1), 9, 17)

    slots = offered(tenant_a, cut, tuesday)

    assert ref(aisha) not in slots
    assert slots[ref(tom)] == every_quarter("09:00", "16:15")  # the settings' 9 to 17, as before


def test_shifts_that_day_decide_when_a_linked_staff_member_is_offered(tenant_a, cut, aisha, aisha_profile, tuesday):
    # The rota replaces the usual hours on a day it has a shift for her.
    WorkingHoursFactory(staff_profile=aisha_profile, weekday=tuesday.weekday(), starts_at=time(9), ends_at=time(17))
    shift(aisha_profile, tenant_a, tuesday, 10, 12)
    shift(aisha_profile, tenant_a, tuesday, 14, 16)

    slots = offered(tenant_a, cut, tuesday)

    assert slots[ref(aisha)] == every_quarter("10:00", "11:15") + every_quarter("14:00", "15:15")


def test_usual_hours_apply_on_a_day_the_rota_has_no_shift_for_them(tenant_a, cut, aisha, aisha_profile, tuesday):
    WorkingHoursFactory(staff_profile=aisha_profile, weekday=tuesday.weekday(), starts_at=time(13), ends_at=time(16))
    shift(aisha_profile, tenant_a, tuesday + timedelta(days=1), 9, 17)  # another day's shift changes nothing
    someone_else = StaffProfileFactory(tenant=tenant_a)
    shift(someone_else, tenant_a, tuesday, 9, 10)  # nor does someone else's shift that day

    slots = offered(tenant_a, cut, tuesday)

    assert slots[ref(aisha)] == every_quarter("13:00", "15:15")


def test_a_shift_outside_opening_hours_is_cut_to_them(tenant_a, cut, aisha, aisha_profile, tuesday):
    shift(aisha_profile, tenant_a, tuesday, 7, 11)  # the business opens at 9

    assert offered(tenant_a, cut, tuesday)[ref(aisha)] == every_quarter("09:00", "10:15")


@pytest.mark.parametrize(
    "status",
    [LeaveRequest.Status.PENDING, LeaveRequest.Status.REJECTED, LeaveRequest.Status.CANCELLED],
)
def test_leave_that_is_not_approved_does_not_take_them_off(tenant_a, cut, aisha, aisha_profile, tuesday, status):
    shift(aisha_profile, tenant_a, tuesday, 9, 17)
    LeaveRequestFactory(
        staff_profile=aisha_profile, start_date=tuesday - timedelta(days=1), end_date=tuesday, status=status
    )

    assert offered(tenant_a, cut, tuesday)[ref(aisha)] == every_quarter("09:00", "16:15")


def test_approved_leave_takes_them_off_every_day_it_covers(tenant_a, owner_a, cut, aisha, tom, aisha_profile, tuesday):
    shift(aisha_profile, tenant_a, tuesday, 9, 17)
    WorkingHoursFactory(staff_profile=aisha_profile, weekday=(tuesday + timedelta(days=1)).weekday())
    leave = LeaveRequestFactory(staff_profile=aisha_profile, start_date=tuesday, end_date=tuesday + timedelta(days=1))
    assert ref(aisha) in offered(tenant_a, cut, tuesday)

    approved = api_client_for(owner_a).post(f"/api/staff/leave-requests/{leave.pk}/approve/", {}, format="json")
    assert approved.status_code == 200, approved.content

    for day in (tuesday, tuesday + timedelta(days=1)):
        slots = offered(tenant_a, cut, day)
        assert ref(aisha) not in slots, day
        assert ref(tom) in slots
    # The day after the leave she is back on her usual hours.
    WorkingHoursFactory(staff_profile=aisha_profile, weekday=(tuesday + timedelta(days=2)).weekday())
    assert ref(aisha) in offered(tenant_a, cut, tuesday + timedelta(days=2))


def test_a_deactivated_employee_is_not_offered(tenant_a, owner_a, cut, aisha, aisha_profile, tuesday):
    shift(aisha_profile, tenant_a, tuesday, 9, 17)
    response = api_client_for(owner_a).post(f"/api/staff/profiles/{aisha_profile.pk}/deactivate/")
    assert response.status_code == 200, response.content

    assert ref(aisha) not in offered(tenant_a, cut, tuesday)


def test_a_public_booking_outside_the_rota_is_refused(tenant_a, cut, aisha, aisha_profile, tuesday):
    shift(aisha_profile, tenant_a, tuesday, 9, 12)
    body = {"service": ref(cut), "staff": ref(aisha), "name": "Robin Walker", "email": "robin@example.com"}
    client = api_client_for(HTTP_X_TENANT_SLUG=tenant_a.slug)

    refused = client.post(PUBLIC_BOOKINGS, {**body, "starts_at": at(tenant_a, tuesday, 14).isoformat()}, format="json")
    accepted = client.post(PUBLIC_BOOKINGS, {**body, "starts_at": at(tenant_a, tuesday, 10).isoformat()}, format="json")

    assert refused.status_code == 400, refused.content
    assert refused.json()["starts_at"] == ["This time is not available; choose another slot."]
    assert accepted.status_code == 201, accepted.content


def test_the_slots_cost_the_same_queries_for_one_or_many_linked_staff(tenant_a, cut, tuesday):
    def queries_for_slots() -> int:
        with tenant_context(tenant_a), CaptureQueriesContext(connection) as captured:
            found = selectors.free_slots(tenant=tenant_a, service=cut, day=tuesday)
        assert found
        return len(captured.captured_queries)

    def add_linked_person(number: int) -> None:
        profile = StaffProfileFactory(tenant=tenant_a)
        StaffFactory(tenant=tenant_a, name=f"Person {number}", staff_profile=profile).services.add(cut)
        shift(profile, tenant_a, tuesday, 9, 13)
        WorkingHoursFactory(staff_profile=profile, weekday=tuesday.weekday())
        LeaveRequestFactory(
            staff_profile=profile, start_date=tuesday + timedelta(days=7), end_date=tuesday + timedelta(days=8)
        )

    add_linked_person(0)
    one = queries_for_slots()
    for number in range(1, 6):
        add_linked_person(number)
    StaffFactory(tenant=tenant_a, name="Unlinked").services.add(cut)

    assert queries_for_slots() == one


# Opening hours per day of the week ----------------------------------------------------


def test_without_opening_hours_the_settings_hours_apply_every_day(tenant_a, cut, tom, tuesday):
    TenantSettings.objects.filter(pk=tenant_a.pk).update(opening_hour=10, closing_hour=12)
    tenant_a.refresh_from_db()
    for day in (tuesday, tuesday + timedelta(days=4), tuesday + timedelta(days=5)):  # Tuesday, Saturday, Sunday
        assert offered(tenant_a, cut, day) == {ref(tom): every_quarter("10:00", "11:15")}, day


def test_once_the_week_is_set_a_day_without_hours_is_closed(tenant_a, cut, tom, tuesday):
    OpeningHoursFactory(tenant=tenant_a, weekday=tuesday.weekday(), opens=time(9), closes=time(12))

    assert offered(tenant_a, cut, tuesday) == {ref(tom): every_quarter("09:00", "11:15")}
    assert offered(tenant_a, cut, tuesday + timedelta(days=1)) == {}


def test_each_day_has_its_own_hours(tenant_a, cut, tom, aisha, aisha_profile, tuesday):
    wednesday = tuesday + timedelta(days=1)
    OpeningHoursFactory(tenant=tenant_a, weekday=tuesday.weekday(), opens=time(8, 30), closes=time(11))
    OpeningHoursFactory(tenant=tenant_a, weekday=wednesday.weekday(), opens=time(14), closes=time(20))
    shift(aisha_profile, tenant_a, wednesday, 9, 16)  # the opening hours cut her shift too

    assert offered(tenant_a, cut, tuesday) == {ref(tom): every_quarter("08:30", "10:15")}
    assert offered(tenant_a, cut, wednesday) == {
        ref(tom): every_quarter("14:00", "19:15"),
        ref(aisha): every_quarter("14:00", "15:15"),
    }


def test_a_public_booking_on_a_closed_day_is_refused(tenant_a, cut, tom, tuesday):
    OpeningHoursFactory(tenant=tenant_a, weekday=tuesday.weekday(), opens=time(9), closes=time(17))
    wednesday_ten = at(tenant_a, tuesday + timedelta(days=1), 10)
    body = {"service": ref(cut), "staff": None, "name": "Robin", "email": "robin@example.com"}

    response = api_client_for(HTTP_X_TENANT_SLUG=tenant_a.slug).post(
        PUBLIC_BOOKINGS, {**body, "starts_at": wednesday_ten.isoformat()}, format="json"
    )

    assert response.status_code == 400, response.content
    assert response.json() == {"starts_at": ["This time is not available; choose another slot."]}


# The opening-hours endpoint ---------------------------------------------------------------


def test_managers_set_the_week_and_every_member_reads_it(tenant_a, owner_a):
    owner = api_client_for(owner_a)
    member = api_client_for(UserFactory(tenant=tenant_a, role="staff"))

    created = owner.post(OPENING_HOURS, {"weekday": 1, "opens": "09:00", "closes": "17:30"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json() == {"id": created.json()["id"], "weekday": 1, "opens": "09:00:00", "closes": "17:30:00"}

    assert member.get(OPENING_HOURS).json()["results"] == [created.json()]
    refused = member.post(OPENING_HOURS, {"weekday": 2, "opens": "09:00", "closes": "17:00"}, format="json")
    assert refused.status_code == 403, refused.content
    assert member.delete(f"{OPENING_HOURS}{created.json()['id']}/").status_code == 403


def test_a_day_set_twice_or_closing_before_it_opens_is_a_400(tenant_a, tenant_b, owner_a):
    OpeningHoursFactory(tenant=tenant_b, weekday=2)  # another business's Wednesday is no clash
    owner = api_client_for(owner_a)
    assert (
        owner.post(OPENING_HOURS, {"weekday": 2, "opens": "09:00", "closes": "17:00"}, format="json").status_code == 201
    )

    twice = owner.post(OPENING_HOURS, {"weekday": 2, "opens": "10:00", "closes": "12:00"}, format="json")
    backwards = owner.post(OPENING_HOURS, {"weekday": 3, "opens": "17:00", "closes": "09:00"}, format="json")
    no_such_day = owner.post(OPENING_HOURS, {"weekday": 7, "opens": "09:00", "closes": "17:00"}, format="json")

    assert twice.status_code == 400, twice.content
    assert twice.json() == {"weekday": ["Wednesday has its opening hours already; change that day instead."]}
    assert backwards.status_code == 400, backwards.content
    assert backwards.json() == {"closes": ["The business must close after it opens."]}
    assert no_such_day.status_code == 400, no_such_day.content
    with unscoped_all_tenants("test count"):
        assert list(OpeningHours._base_manager.filter(tenant=tenant_a).values_list("weekday", flat=True)) == [2]


# Linking a bookable person to an employee -------------------------------------------


def test_owners_link_a_bookable_person_to_an_employee(tenant_a, owner_a, tom, aisha_profile):
    response = api_client_for(owner_a).patch(f"{STAFF}{tom.pk}/", {"staff_profile": aisha_profile.pk}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["staff_profile"] == aisha_profile.pk
    tom.refresh_from_db()
    assert tom.staff_profile_id == aisha_profile.pk

    unlinked = api_client_for(owner_a).patch(f"{STAFF}{tom.pk}/", {"staff_profile": None}, format="json")
    assert unlinked.status_code == 200, unlinked.content
    assert unlinked.json()["staff_profile"] is None


def test_another_businesss_employee_cannot_be_linked_and_looks_missing(tenant_a, tenant_b, owner_a, tom):
    foreign = StaffProfileFactory(tenant=tenant_b)
    missing = foreign.pk + 100_000
    owner = api_client_for(owner_a)

    foreign_response = owner.patch(f"{STAFF}{tom.pk}/", {"staff_profile": foreign.pk}, format="json")
    missing_response = owner.patch(f"{STAFF}{tom.pk}/", {"staff_profile": missing}, format="json")
    created = owner.post(STAFF, {"name": "New", "staff_profile": foreign.pk}, format="json")

    assert foreign_response.status_code == missing_response.status_code == created.status_code == 400
    assert foreign_response.json()["staff_profile"][0].replace(str(foreign.pk), "<pk>") == missing_response.json()[
        "staff_profile"
    ][0].replace(str(missing), "<pk>")
    tom.refresh_from_db()
    assert tom.staff_profile_id is None
    with unscoped_all_tenants("test read"):
        assert not Staff._base_manager.filter(name="New").exists()


def test_an_employee_is_one_bookable_person_only(tenant_a, owner_a, aisha, tom, aisha_profile):
    response = api_client_for(owner_a).patch(f"{STAFF}{tom.pk}/", {"staff_profile": aisha_profile.pk}, format="json")

    assert response.status_code == 400, response.content
    assert response.json() == {"staff_profile": ["This staff profile is already linked to Aisha Khan."]}
    # Saving Aisha with her own link again is fine.
    again = api_client_for(owner_a).patch(f"{STAFF}{aisha.pk}/", {"staff_profile": aisha_profile.pk}, format="json")
    assert again.status_code == 200, again.content
