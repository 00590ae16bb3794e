"""Timesheets: clocking in and out, hours worked, and who may read whose."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.factories import UserFactory
from staff.factories import TimesheetEntryFactory
from staff.models import TimesheetEntry
from staff.tests.conftest import ids
from tests.plugin import api_client_for, count_rows, rows

pytestmark = pytest.mark.django_db

TIMESHEETS = "/api/staff/timesheets/"
CLOCK_IN = f"{TIMESHEETS}clock-in/"


def clock_out(pk: int) -> str:
    return f"{TIMESHEETS}{pk}/clock-out/"


def test_clocking_in_opens_an_entry_for_the_current_user_and_only_one(team_a):
    sam = team_a.client("sam")

    response = sam.post(CLOCK_IN, {})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["staff_profile"] == team_a.sam_profile.pk
    assert body["clock_out"] is None and body["is_open"] is True and body["hours"] is None
    entry = rows(TimesheetEntry, pk=body["id"])[0]
    assert abs(entry.clock_in - timezone.now()) < timedelta(seconds=30)

    again = sam.post(CLOCK_IN, {})
    assert again.status_code == 400, again.content
    assert count_rows(TimesheetEntry, staff_profile=team_a.sam_profile) == 1


def test_clocking_out_closes_the_entry_once(team_a):
    open_entry = TimesheetEntryFactory(
        staff_profile=team_a.sam_profile, clock_in=timezone.now() - timedelta(hours=4), clock_out=None, break_minutes=0
    )
    sam = team_a.client("sam")

    response = sam.post(clock_out(open_entry.pk), {"break_minutes": 30, "note": "Busy lunch"})

    assert response.status_code == 200, response.content
    assert response.json()["is_open"] is False
    assert Decimal(response.json()["hours"]) == Decimal("3.50")
    entry = rows(TimesheetEntry, pk=open_entry.pk)[0]
    assert entry.clock_out is not None and (entry.break_minutes, entry.note) == (30, "Busy lunch")

    again = sam.post(clock_out(open_entry.pk), {})
    assert again.status_code == 400, again.content
    assert rows(TimesheetEntry, pk=open_entry.pk)[0].clock_out == entry.clock_out

    # Closed, Sam can clock in again.
    assert sam.post(CLOCK_IN, {}).status_code == 201


def test_hours_deduct_the_break(team_a):
    start = timezone.now() - timedelta(days=1, hours=9)
    entry = TimesheetEntryFactory(
        staff_profile=team_a.sam_profile, clock_in=start, clock_out=start + timedelta(hours=8), break_minutes=30
    )

    response = team_a.client("sam").get(f"{TIMESHEETS}{entry.pk}/")

    assert response.status_code == 200, response.content
    assert response.json()["hours"] == "7.50"


def test_staff_cannot_read_another_staff_members_timesheets(team_a):
    sams = TimesheetEntryFactory(staff_profile=team_a.sam_profile)
    kims = TimesheetEntryFactory(staff_profile=team_a.kim_profile)
    kims_open = TimesheetEntryFactory(
        staff_profile=team_a.kim_profile, clock_in=timezone.now() - timedelta(hours=1), clock_out=None
    )
    sam = team_a.client("sam")

    assert ids(sam.get(TIMESHEETS)) == {sams.pk}
    assert ids(sam.get(TIMESHEETS, {"staff_profile": team_a.kim_profile.pk})) == set()
    assert sam.get(f"{TIMESHEETS}{kims.pk}/").status_code == 404
    assert sam.post(clock_out(kims_open.pk), {}).status_code == 404
    assert rows(TimesheetEntry, pk=kims_open.pk)[0].clock_out is None
    assert ids(team_a.client("manager").get(TIMESHEETS)) == {sams.pk, kims.pk, kims_open.pk}


def test_staff_clock_in_only_themselves_managers_may_clock_in_anyone(team_a):
    refused = team_a.client("sam").post(CLOCK_IN, {"staff_profile": team_a.kim_profile.pk})
    assert refused.status_code == 400, refused.content
    assert "staff_profile" in refused.json()
    assert count_rows(TimesheetEntry) == 0

    allowed = team_a.client("manager").post(CLOCK_IN, {"staff_profile": team_a.kim_profile.pk, "note": "Forgot"})
    assert allowed.status_code == 201, allowed.content
    assert allowed.json()["staff_profile"] == team_a.kim_profile.pk


def test_clocking_in_needs_a_staff_profile(tenant_a):
    newcomer = UserFactory(tenant=tenant_a, username="tenant-a-new", role="staff")

    response = api_client_for(newcomer).post(CLOCK_IN, {})

    assert response.status_code == 400, response.content
    assert "staff_profile" in response.json()


def test_staff_add_notes_but_only_managers_correct_clock_times(team_a):
    entry = TimesheetEntryFactory(staff_profile=team_a.sam_profile)
    url = f"{TIMESHEETS}{entry.pk}/"
    sam = team_a.client("sam")

    assert sam.patch(url, {"note": "Covered the till"}).status_code == 200
    earlier = (entry.clock_in - timedelta(hours=2)).isoformat()
    refused = sam.patch(url, {"clock_in": earlier})
    assert refused.status_code == 403, refused.content
    assert rows(TimesheetEntry, pk=entry.pk)[0].clock_in == entry.clock_in

    corrected = team_a.client("manager").patch(url, {"clock_in": earlier})
    assert corrected.status_code == 200, corrected.content
    assert rows(TimesheetEntry, pk=entry.pk)[0].clock_in == entry.clock_in - timedelta(hours=2)


def test_staff_cannot_write_or_delete_entries_directly(team_a):
    entry = TimesheetEntryFactory(staff_profile=team_a.sam_profile)
    start = timezone.now() - timedelta(days=3)
    sam = team_a.client("sam")

    created = sam.post(
        TIMESHEETS, {"clock_in": start.isoformat(), "clock_out": (start + timedelta(hours=12)).isoformat()}
    )
    assert created.status_code == 403, created.content
    assert sam.delete(f"{TIMESHEETS}{entry.pk}/").status_code == 403
    assert count_rows(TimesheetEntry) == 1


def test_manual_entries_may_not_overlap(team_a):
    start = timezone.now() - timedelta(days=2)
    TimesheetEntryFactory(staff_profile=team_a.sam_profile, clock_in=start, clock_out=start + timedelta(hours=8))
    manager = team_a.client("manager")
    body = {
        "staff_profile": team_a.sam_profile.pk,
        "clock_in": (start + timedelta(hours=7)).isoformat(),
        "clock_out": (start + timedelta(hours=10)).isoformat(),
    }

    assert manager.post(TIMESHEETS, body).status_code == 400
    body["clock_in"] = (start + timedelta(hours=8)).isoformat()
    assert manager.post(TIMESHEETS, body).status_code == 201


def test_open_entries_filter(team_a):
    TimesheetEntryFactory(staff_profile=team_a.sam_profile)
    open_entry = TimesheetEntryFactory(
        staff_profile=team_a.kim_profile, clock_in=timezone.now() - timedelta(hours=1), clock_out=None
    )

    assert ids(team_a.client("manager").get(TIMESHEETS, {"is_open": "true"})) == {open_entry.pk}
