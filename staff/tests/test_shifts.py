"""The rota: a staff member's shifts never overlap; staff see and change only their own."""

from __future__ import annotations

import pytest

from core.tenancy import unscoped_all_tenants
from staff.factories import ShiftFactory
from staff.models import Shift, StaffProfile
from staff.tests.conftest import at, ids
from tests.plugin import count_rows, rows

pytestmark = pytest.mark.django_db

SHIFTS = "/api/staff/shifts/"


def shift(profile, start, end, **extra) -> dict:
    return {"staff_profile": profile.pk, "starts_at": start.isoformat(), "ends_at": end.isoformat(), **extra}


def test_a_staff_members_shifts_may_not_overlap(team_a):
    manager = team_a.client("manager")
    first = manager.post(SHIFTS, shift(team_a.sam_profile, at(2, 9), at(2, 17), role="Stylist"), format="json")
    assert first.status_code == 201, first.content

    overlapping = manager.post(SHIFTS, shift(team_a.sam_profile, at(2, 16), at(2, 20)), format="json")
    inside = manager.post(SHIFTS, shift(team_a.sam_profile, at(2, 10), at(2, 11)), format="json")

    for response in (overlapping, inside):
        assert response.status_code == 400, response.content
        assert "starts_at" in response.json()
    assert count_rows(Shift, staff_profile=team_a.sam_profile) == 1

    # Back to back is fine, and so is a colleague at the same time.
    assert manager.post(SHIFTS, shift(team_a.sam_profile, at(2, 17), at(2, 21)), format="json").status_code == 201
    assert manager.post(SHIFTS, shift(team_a.kim_profile, at(2, 9), at(2, 17)), format="json").status_code == 201


def test_moving_a_shift_onto_another_is_refused(team_a):
    ShiftFactory(staff_profile=team_a.sam_profile, starts_at=at(3, 9), ends_at=at(3, 13))
    later = ShiftFactory(staff_profile=team_a.sam_profile, starts_at=at(3, 14), ends_at=at(3, 18))

    response = team_a.client("manager").patch(f"{SHIFTS}{later.pk}/", {"starts_at": at(3, 12).isoformat()})

    assert response.status_code == 400, response.content
    assert rows(Shift, pk=later.pk)[0].starts_at == at(3, 14)


def test_handing_a_shift_to_a_busy_colleague_is_refused(team_a):
    ShiftFactory(staff_profile=team_a.kim_profile, starts_at=at(3, 9), ends_at=at(3, 17))
    sams = ShiftFactory(staff_profile=team_a.sam_profile, starts_at=at(3, 10), ends_at=at(3, 14))

    response = team_a.client("manager").patch(f"{SHIFTS}{sams.pk}/", {"staff_profile": team_a.kim_profile.pk})

    assert response.status_code == 400, response.content
    assert rows(Shift, pk=sams.pk)[0].staff_profile_id == team_a.sam_profile.pk


def test_a_shift_ends_after_it_starts(team_a):
    response = team_a.client("manager").post(SHIFTS, shift(team_a.sam_profile, at(2, 17), at(2, 9)), format="json")

    assert response.status_code == 400, response.content
    assert "ends_at" in response.json()
    assert count_rows(Shift) == 0


def test_a_deactivated_staff_member_is_not_rostered(team_a):
    with unscoped_all_tenants("test setup"):
        StaffProfile._base_manager.filter(pk=team_a.kim_profile.pk).update(is_active=False)

    response = team_a.client("manager").post(SHIFTS, shift(team_a.kim_profile, at(2, 9), at(2, 17)), format="json")

    assert response.status_code == 400, response.content
    assert "staff_profile" in response.json()


def test_staff_see_and_change_only_their_own_shifts(team_a):
    sams = ShiftFactory(staff_profile=team_a.sam_profile)
    kims = ShiftFactory(staff_profile=team_a.kim_profile)
    sam = team_a.client("sam")

    assert ids(sam.get(SHIFTS)) == {sams.pk}
    assert ids(team_a.client("manager").get(SHIFTS)) == {sams.pk, kims.pk}
    assert sam.get(f"{SHIFTS}{kims.pk}/").status_code == 404
    assert sam.patch(f"{SHIFTS}{kims.pk}/", {"notes": "mine now"}).status_code == 404
    assert sam.delete(f"{SHIFTS}{kims.pk}/").status_code == 404
    assert rows(Shift, pk=kims.pk)[0].notes == ""

    own = sam.patch(f"{SHIFTS}{sams.pk}/", {"notes": "Swapped with Kim"})
    assert own.status_code == 200, own.content
    # Nor can they give their shift to a colleague.
    handed = sam.patch(f"{SHIFTS}{sams.pk}/", {"staff_profile": team_a.kim_profile.pk})
    assert handed.status_code == 400, handed.content
    assert rows(Shift, pk=sams.pk)[0].staff_profile_id == team_a.sam_profile.pk


def test_staff_cannot_create_a_shift_for_a_colleague(team_a):
    sam = team_a.client("sam")

    refused = sam.post(SHIFTS, shift(team_a.kim_profile, at(4, 9), at(4, 17)), format="json")
    assert refused.status_code == 400, refused.content
    assert "staff_profile" in refused.json()
    assert count_rows(Shift) == 0

    # Without naming anyone, the shift is their own.
    own = sam.post(SHIFTS, {"starts_at": at(4, 9).isoformat(), "ends_at": at(4, 17).isoformat()}, format="json")
    assert own.status_code == 201, own.content
    assert own.json()["staff_profile"] == team_a.sam_profile.pk


def test_shifts_filter_by_staff_member_and_day(team_a):
    sams = ShiftFactory(staff_profile=team_a.sam_profile, starts_at=at(5, 9), ends_at=at(5, 17))
    ShiftFactory(staff_profile=team_a.kim_profile, starts_at=at(6, 9), ends_at=at(6, 17))
    manager = team_a.client("manager")

    assert ids(manager.get(SHIFTS, {"staff_profile": team_a.sam_profile.pk})) == {sams.pk}
    assert ids(manager.get(SHIFTS, {"date": at(5, 9).date().isoformat()})) == {sams.pk}
