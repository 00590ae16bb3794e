"""Training records (what has expired or soon will) and usual working hours."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from staff.factories import TrainingRecordFactory, WorkingHoursFactory
from staff.models import TrainingRecord, WorkingHours
from staff.tests.conftest import ids
from tests.plugin import count_rows

pytestmark = pytest.mark.django_db

TRAINING = "/api/staff/training-records/"
HOURS = "/api/staff/working-hours/"


def in_days(n: int) -> date:
    return date.today() + timedelta(days=n)


def test_expiring_within_days_lists_expired_and_soon_to_expire_training(team_a):
    expired = TrainingRecordFactory(
        staff_profile=team_a.sam_profile, completed_on=in_days(-400), expires_on=in_days(-3)
    )
    soon = TrainingRecordFactory(staff_profile=team_a.kim_profile, completed_on=in_days(-300), expires_on=in_days(10))
    later = TrainingRecordFactory(staff_profile=team_a.kim_profile, completed_on=in_days(-30), expires_on=in_days(200))
    never = TrainingRecordFactory(staff_profile=team_a.sam_profile, expires_on=None)
    manager = team_a.client("manager")

    assert ids(manager.get(TRAINING, {"expiring_within_days": 30})) == {expired.pk, soon.pk}
    assert ids(manager.get(TRAINING, {"expiring_within_days": 0})) == {expired.pk}
    assert ids(manager.get(TRAINING)) == {expired.pk, soon.pk, later.pk, never.pk}
    flags = {item["id"]: item["is_expired"] for item in manager.get(TRAINING).json()["results"]}
    assert flags == {expired.pk: True, soon.pk: False, later.pk: False, never.pk: False}


@pytest.mark.parametrize("value", ["soon", "-1"])
def test_a_bad_expiring_within_days_is_a_400(team_a, value):
    response = team_a.client("manager").get(TRAINING, {"expiring_within_days": value})

    assert response.status_code == 400, response.content


def test_a_certificate_expires_after_it_was_gained(team_a):
    response = team_a.client("sam").post(
        TRAINING,
        {"title": "First aid", "completed_on": in_days(-5).isoformat(), "expires_on": in_days(-10).isoformat()},
    )

    assert response.status_code == 400, response.content
    assert "expires_on" in response.json()
    assert count_rows(TrainingRecord) == 0


def test_staff_record_their_own_training_and_see_only_theirs(team_a):
    kims = TrainingRecordFactory(staff_profile=team_a.kim_profile)
    sam = team_a.client("sam")

    created = sam.post(TRAINING, {"title": "Balayage masterclass", "completed_on": in_days(-2).isoformat()})
    assert created.status_code == 201, created.content
    assert created.json()["staff_profile"] == team_a.sam_profile.pk
    assert ids(sam.get(TRAINING)) == {created.json()["id"]}
    assert sam.get(f"{TRAINING}{kims.pk}/").status_code == 404

    for_kim = sam.post(
        TRAINING, {"staff_profile": team_a.kim_profile.pk, "title": "X", "completed_on": in_days(-2).isoformat()}
    )
    assert for_kim.status_code == 400, for_kim.content
    assert count_rows(TrainingRecord, staff_profile=team_a.kim_profile) == 1


def test_one_row_of_working_hours_per_weekday(team_a):
    manager = team_a.client("manager")
    body = {"staff_profile": team_a.sam_profile.pk, "weekday": 0, "starts_at": "09:00", "ends_at": "17:00"}

    assert manager.post(HOURS, body).status_code == 201
    again = manager.post(HOURS, {**body, "starts_at": "10:00"})
    assert again.status_code == 400, again.content
    assert "weekday" in again.json()
    assert count_rows(WorkingHours, staff_profile=team_a.sam_profile) == 1
    # Another day, or a colleague's Monday, is fine.
    assert manager.post(HOURS, {**body, "weekday": 1}).status_code == 201
    assert manager.post(HOURS, {**body, "staff_profile": team_a.kim_profile.pk}).status_code == 201


def test_moving_hours_onto_a_taken_weekday_is_refused(team_a):
    WorkingHoursFactory(staff_profile=team_a.sam_profile, weekday=2)
    thursday = WorkingHoursFactory(staff_profile=team_a.sam_profile, weekday=3)

    response = team_a.client("sam").patch(f"{HOURS}{thursday.pk}/", {"weekday": 2})

    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    "change", [{"starts_at": "17:00", "ends_at": "09:00"}, {"weekday": 7}], ids=["ends-before-start", "weekday-7"]
)
def test_working_hours_must_make_sense(team_a, change):
    body = {"weekday": 4, "starts_at": "09:00", "ends_at": "17:00", **change}

    response = team_a.client("sam").post(HOURS, body)

    assert response.status_code == 400, response.content
    assert count_rows(WorkingHours) == 0


def test_staff_see_only_their_own_working_hours(team_a):
    sams = WorkingHoursFactory(staff_profile=team_a.sam_profile, weekday=0)
    kims = WorkingHoursFactory(staff_profile=team_a.kim_profile, weekday=0)

    assert ids(team_a.client("sam").get(HOURS)) == {sams.pk}
    assert team_a.client("sam").delete(f"{HOURS}{kims.pk}/").status_code == 404
    assert ids(team_a.client("manager").get(HOURS, {"weekday": 0})) == {sams.pk, kims.pk}
