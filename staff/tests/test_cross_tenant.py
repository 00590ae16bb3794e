"""Tenant B against tenant A's staff data: what the route matrix cannot see on its own.

B's token naming A's rows in a body, in an action URL or in a username must fail
exactly like a missing row, and write nothing in either tenant.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from core.models import BusinessEvent
from staff.factories import LeaveRequestFactory, ShiftFactory, TimesheetEntryFactory
from staff.models import LeaveRequest, Shift, StaffProfile, TimesheetEntry
from staff.tests.conftest import at, ids
from tests.isolation import snapshot
from tests.plugin import count_rows, one, rows

pytestmark = pytest.mark.django_db

API = "/api/staff/"


@pytest.fixture
def teams(team_a, team_b):
    return team_a, team_b


def test_b_posting_a_shift_for_a_profile_of_a_is_refused_and_nothing_is_written(teams, tenant_a, tenant_b):
    team_a, team_b = teams
    before = snapshot(tenant_a), snapshot(tenant_b)
    body = {"starts_at": at(2, 9).isoformat(), "ends_at": at(2, 17).isoformat()}

    foreign = team_b.client("owner").post(f"{API}shifts/", {**body, "staff_profile": team_a.sam_profile.pk})
    missing = team_b.client("owner").post(f"{API}shifts/", {**body, "staff_profile": 10**9})

    assert foreign.status_code == 400, foreign.content
    assert str(foreign.json()["staff_profile"]).replace(str(team_a.sam_profile.pk), "N") == str(
        missing.json()["staff_profile"]
    ).replace(str(10**9), "N")
    assert (snapshot(tenant_a), snapshot(tenant_b)) == before
    assert count_rows(Shift) == 0


@pytest.mark.parametrize(
    "path,body",
    [
        ("leave-requests/", {"start_date": "2030-01-07", "end_date": "2030-01-08"}),
        ("training-records/", {"title": "First aid", "completed_on": "2025-01-01"}),
        ("working-hours/", {"weekday": 1, "starts_at": "09:00", "ends_at": "17:00"}),
        ("timesheets/", {"clock_in": "2025-01-01T09:00:00Z", "clock_out": "2025-01-01T17:00:00Z"}),
        ("timesheets/clock-in/", {}),
        ("absences/", {"date": "2025-01-01", "reason": "sick"}),
    ],
)
def test_b_naming_a_profile_of_a_in_any_child_is_refused(teams, tenant_a, tenant_b, path, body):
    team_a, team_b = teams
    before = snapshot(tenant_a), snapshot(tenant_b)

    response = team_b.client("manager").post(f"{API}{path}", {**body, "staff_profile": team_a.sam_profile.pk})

    assert response.status_code == 400, response.content
    assert "staff_profile" in response.json()
    assert (snapshot(tenant_a), snapshot(tenant_b)) == before


def test_b_approving_or_rejecting_a_leave_of_a_is_a_404(teams, tenant_a):
    team_a, team_b = teams
    leave = LeaveRequestFactory(staff_profile=team_a.sam_profile)

    for verb in ("approve", "reject", "cancel"):
        response = team_b.client("owner").post(f"{API}leave-requests/{leave.pk}/{verb}/")
        missing = team_b.client("owner").post(f"{API}leave-requests/{10**9}/{verb}/")
        assert response.status_code == 404, response.content
        assert response.content == missing.content

    assert rows(LeaveRequest, pk=leave.pk)[0].status == "pending"
    assert not rows(BusinessEvent, kind=BusinessEvent.Kind.LEAVE_APPROVED)


def test_b_cannot_clock_out_or_read_a_timesheet_of_a(teams):
    team_a, team_b = teams
    entry = TimesheetEntryFactory(
        staff_profile=team_a.sam_profile, clock_in=timezone.now() - timedelta(hours=2), clock_out=None
    )
    b = team_b.client("owner")

    assert b.post(f"{API}timesheets/{entry.pk}/clock-out/", {}).status_code == 404
    assert b.get(f"{API}timesheets/{entry.pk}/").status_code == 404
    assert entry.pk not in ids(b.get(f"{API}timesheets/"))
    assert rows(TimesheetEntry, pk=entry.pk)[0].clock_out is None


def test_b_cannot_read_change_or_deactivate_a_profile_of_a(teams):
    team_a, team_b = teams
    b = team_b.client("owner")
    url = f"{API}profiles/{team_a.sam_profile.pk}/"

    assert b.get(url).status_code == 404
    assert b.patch(url, {"job_title": "Hijacked"}).status_code == 404
    assert b.post(f"{url}deactivate/").status_code == 404
    assert ids(b.get(f"{API}profiles/")).isdisjoint(
        {team_a.owner_profile.pk, team_a.manager_profile.pk, team_a.sam_profile.pk, team_a.kim_profile.pk}
    )
    assert b.get(f"{API}profiles/me/").json()["id"] == team_b.owner_profile.pk
    profile = rows(StaffProfile, pk=team_a.sam_profile.pk)[0]
    assert (profile.job_title, profile.is_active) == ("Stylist", True)


def test_b_cannot_discover_or_take_the_usernames_of_a(teams, tenant_a, tenant_b):
    """A name in use in A gets B exactly what a free name gets, and is B's own to use."""
    team_a, team_b = teams
    b = team_b.client("owner")
    assert team_a.client("owner").post(f"{API}profiles/", {"username": "jo"}).status_code == 201

    in_a = b.post(f"{API}profiles/", {"username": "jo"})
    free = b.post(f"{API}profiles/", {"username": "free-name"})
    a_full_name = b.post(f"{API}profiles/", {"username": team_a.sam.username})

    assert in_a.status_code == free.status_code == a_full_name.status_code == 201, (in_a.content, free.content)
    assert in_a.json()["username"] == "jo"
    assert one(User, tenant=tenant_b, username="jo").tenant_id == tenant_b.pk
    assert one(User, tenant=tenant_a, username="jo").tenant_id == tenant_a.pk
    assert one(User, tenant=tenant_b, username=team_a.sam.username).pk != team_a.sam.pk
    # Only B's own names are taken in B.
    again = b.post(f"{API}profiles/", {"username": "JO"})
    assert again.status_code == 400, again.content
    assert again.json()["username"] == ["This username is already taken."]


def test_b_moving_its_shift_to_a_profile_of_a_is_refused(teams, tenant_a):
    team_a, team_b = teams
    own = ShiftFactory(staff_profile=team_b.sam_profile)
    before = snapshot(tenant_a)

    response = team_b.client("manager").patch(f"{API}shifts/{own.pk}/", {"staff_profile": team_a.sam_profile.pk})

    assert response.status_code == 400, response.content
    assert rows(Shift, pk=own.pk)[0].staff_profile_id == team_b.sam_profile.pk
    assert snapshot(tenant_a) == before


def test_filtering_by_a_profile_of_a_reveals_nothing(teams):
    team_a, team_b = teams
    LeaveRequestFactory(staff_profile=team_a.sam_profile, start_date=date.today(), end_date=date.today())

    response = team_b.client("owner").get(f"{API}leave-requests/", {"staff_profile": team_a.sam_profile.pk})

    assert response.status_code in (200, 400), response.content
    if response.status_code == 200:
        assert response.json()["results"] == []
