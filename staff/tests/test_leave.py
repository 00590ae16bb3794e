"""Leave: staff ask, owners and managers decide, only pending requests move."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.models import BusinessEvent
from staff.factories import LeaveRequestFactory
from staff.models import LeaveRequest
from staff.tests.conftest import ids
from tests.plugin import count_rows, rows

pytestmark = pytest.mark.django_db

LEAVE = "/api/staff/leave-requests/"


def days_ahead(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


def leave_of(pk: int) -> LeaveRequest:
    return rows(LeaveRequest, pk=pk)[0]


def events(tenant, kind) -> list[BusinessEvent]:
    return rows(BusinessEvent, tenant=tenant, kind=kind)


def test_staff_request_leave_for_themselves(team_a, tenant_a):
    response = team_a.client("sam").post(
        LEAVE, {"type": "annual", "start_date": days_ahead(20), "end_date": days_ahead(24), "reason": "Holiday"}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["staff_profile"] == team_a.sam_profile.pk
    assert body["status"] == "pending"
    assert body["days"] == 5
    assert [e.object_id for e in events(tenant_a, BusinessEvent.Kind.LEAVE_REQUESTED)] == [str(body["id"])]


def test_a_request_cannot_set_its_own_status(team_a):
    response = team_a.client("sam").post(
        LEAVE, {"start_date": days_ahead(20), "end_date": days_ahead(21), "status": "approved"}
    )

    assert response.status_code == 201, response.content
    assert leave_of(response.json()["id"]).status == "pending"


def test_a_manager_approves_and_rejects(team_a, tenant_a):
    first = LeaveRequestFactory(staff_profile=team_a.sam_profile)
    second = LeaveRequestFactory(staff_profile=team_a.kim_profile)
    manager = team_a.client("manager")

    approved = manager.post(f"{LEAVE}{first.pk}/approve/", {"note": "Enjoy"})
    rejected = manager.post(f"{LEAVE}{second.pk}/reject/", {"note": "Busy week"})

    assert approved.status_code == 200, approved.content
    assert rejected.status_code == 200, rejected.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == team_a.manager.pk
    first, second = leave_of(first.pk), leave_of(second.pk)
    assert (first.status, first.decided_by_id, first.decision_note) == ("approved", team_a.manager.pk, "Enjoy")
    assert first.decided_at is not None
    assert (second.status, second.decision_note) == ("rejected", "Busy week")
    assert [e.object_id for e in events(tenant_a, BusinessEvent.Kind.LEAVE_APPROVED)] == [str(first.pk)]
    assert [e.object_id for e in events(tenant_a, BusinessEvent.Kind.LEAVE_REJECTED)] == [str(second.pk)]


def test_staff_cannot_approve_or_reject_leave_even_their_own(team_a, tenant_a):
    own = LeaveRequestFactory(staff_profile=team_a.sam_profile)
    sam = team_a.client("sam")

    for verb in ("approve", "reject"):
        response = sam.post(f"{LEAVE}{own.pk}/{verb}/")
        assert response.status_code == 403, response.content
        # Refused for the role, not merely because it is their own request.
        assert "owners and managers" in response.json()["detail"]
    assert leave_of(own.pk).status == "pending"
    assert not events(tenant_a, BusinessEvent.Kind.LEAVE_APPROVED)


def test_only_pending_requests_can_be_decided(team_a):
    approved = LeaveRequestFactory(staff_profile=team_a.sam_profile, status="approved")
    cancelled = LeaveRequestFactory(staff_profile=team_a.kim_profile, status="cancelled")
    manager = team_a.client("manager")

    for leave in (approved, cancelled):
        for verb in ("approve", "reject"):
            response = manager.post(f"{LEAVE}{leave.pk}/{verb}/")
            assert response.status_code == 400, response.content
    assert (leave_of(approved.pk).status, leave_of(cancelled.pk).status) == ("approved", "cancelled")


def test_a_manager_does_not_decide_their_own_leave_but_an_owner_may(team_a):
    managers = LeaveRequestFactory(staff_profile=team_a.manager_profile)
    owners = LeaveRequestFactory(staff_profile=team_a.owner_profile)

    assert team_a.client("manager").post(f"{LEAVE}{managers.pk}/approve/").status_code == 403
    assert leave_of(managers.pk).status == "pending"
    assert team_a.client("owner").post(f"{LEAVE}{managers.pk}/approve/").status_code == 200
    assert team_a.client("owner").post(f"{LEAVE}{owners.pk}/approve/").status_code == 200


def test_the_requester_cancels_while_pending(team_a):
    own = LeaveRequestFactory(staff_profile=team_a.sam_profile)
    sam = team_a.client("sam")

    response = sam.post(f"{LEAVE}{own.pk}/cancel/")
    assert response.status_code == 200, response.content
    assert leave_of(own.pk).status == "cancelled"

    again = sam.post(f"{LEAVE}{own.pk}/cancel/")
    assert again.status_code == 400, again.content

    approved = LeaveRequestFactory(staff_profile=team_a.sam_profile, status="approved")
    assert sam.post(f"{LEAVE}{approved.pk}/cancel/").status_code == 400
    assert leave_of(approved.pk).status == "approved"


def test_only_the_requester_cancels(team_a):
    kims = LeaveRequestFactory(staff_profile=team_a.kim_profile)

    assert team_a.client("sam").post(f"{LEAVE}{kims.pk}/cancel/").status_code == 404
    assert team_a.client("manager").post(f"{LEAVE}{kims.pk}/cancel/").status_code == 403
    assert leave_of(kims.pk).status == "pending"


def test_overlapping_leave_is_refused_but_rejected_leave_does_not_count(team_a):
    LeaveRequestFactory(
        staff_profile=team_a.sam_profile,
        start_date=date.today() + timedelta(days=10),
        end_date=date.today() + timedelta(days=14),
    )
    LeaveRequestFactory(
        staff_profile=team_a.sam_profile,
        status="rejected",
        start_date=date.today() + timedelta(days=30),
        end_date=date.today() + timedelta(days=31),
    )
    sam = team_a.client("sam")

    clash = sam.post(LEAVE, {"start_date": days_ahead(14), "end_date": days_ahead(16)})
    assert clash.status_code == 400, clash.content
    assert "start_date" in clash.json()

    assert sam.post(LEAVE, {"start_date": days_ahead(30), "end_date": days_ahead(31)}).status_code == 201
    # A colleague may be off on the same days.
    assert (
        team_a.client("kim").post(LEAVE, {"start_date": days_ahead(10), "end_date": days_ahead(12)}).status_code == 201
    )


def test_leave_ends_on_or_after_it_starts(team_a):
    response = team_a.client("sam").post(LEAVE, {"start_date": days_ahead(10), "end_date": days_ahead(9)})

    assert response.status_code == 400, response.content
    assert count_rows(LeaveRequest) == 0


def test_pending_leave_can_be_changed_decided_leave_cannot(team_a):
    pending = LeaveRequestFactory(staff_profile=team_a.sam_profile)
    approved = LeaveRequestFactory(staff_profile=team_a.sam_profile, status="approved")
    sam = team_a.client("sam")

    assert sam.patch(f"{LEAVE}{pending.pk}/", {"reason": "Wedding"}).status_code == 200
    refused = sam.patch(f"{LEAVE}{approved.pk}/", {"end_date": (approved.end_date + timedelta(days=3)).isoformat()})
    assert refused.status_code == 400, refused.content
    assert leave_of(approved.pk).end_date == approved.end_date


def test_staff_see_only_their_own_leave(team_a):
    sams = LeaveRequestFactory(staff_profile=team_a.sam_profile)
    kims = LeaveRequestFactory(staff_profile=team_a.kim_profile)

    assert ids(team_a.client("sam").get(LEAVE)) == {sams.pk}
    assert team_a.client("sam").get(f"{LEAVE}{kims.pk}/").status_code == 404
    assert ids(team_a.client("manager").get(LEAVE, {"status": "pending"})) == {sams.pk, kims.pk}


def test_staff_cannot_request_leave_for_a_colleague(team_a):
    response = team_a.client("sam").post(
        LEAVE, {"staff_profile": team_a.kim_profile.pk, "start_date": days_ahead(5), "end_date": days_ahead(6)}
    )

    assert response.status_code == 400, response.content
    assert "staff_profile" in response.json()
    assert count_rows(LeaveRequest) == 0
