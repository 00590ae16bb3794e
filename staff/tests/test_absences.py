"""Absences are recorded by managers; staff see their own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from staff.factories import AbsenceRecordFactory
from staff.models import AbsenceRecord
from staff.tests.conftest import ids
from tests.plugin import count_rows, rows

pytestmark = pytest.mark.django_db

ABSENCES = "/api/staff/absences/"


def test_a_manager_records_an_absence(team_a):
    response = team_a.client("manager").post(
        ABSENCES,
        {"staff_profile": team_a.sam_profile.pk, "date": date.today().isoformat(), "reason": "late", "notes": "20m"},
    )

    assert response.status_code == 201, response.content
    absence = rows(AbsenceRecord, pk=response.json()["id"])[0]
    assert absence.recorded_by_id == team_a.manager.pk
    assert response.json()["recorded_by"] == team_a.manager.pk


def test_an_absence_is_not_recorded_ahead(team_a):
    response = team_a.client("manager").post(
        ABSENCES,
        {
            "staff_profile": team_a.sam_profile.pk,
            "date": (date.today() + timedelta(days=3)).isoformat(),
            "reason": "sick",
        },
    )

    assert response.status_code == 400, response.content
    assert count_rows(AbsenceRecord) == 0


def test_staff_see_their_own_absences_and_cannot_record_or_change_any(team_a):
    sams = AbsenceRecordFactory(staff_profile=team_a.sam_profile, recorded_by=team_a.manager)
    kims = AbsenceRecordFactory(staff_profile=team_a.kim_profile, recorded_by=team_a.manager)
    sam = team_a.client("sam")

    assert ids(sam.get(ABSENCES)) == {sams.pk}
    assert sam.get(f"{ABSENCES}{kims.pk}/").status_code == 404
    created = sam.post(ABSENCES, {"date": date.today().isoformat(), "reason": "sick"})
    assert created.status_code == 403, created.content
    assert sam.patch(f"{ABSENCES}{sams.pk}/", {"reason": "other"}).status_code == 403
    assert sam.delete(f"{ABSENCES}{sams.pk}/").status_code == 403
    assert rows(AbsenceRecord, pk=sams.pk)[0].reason == "sick"
    assert count_rows(AbsenceRecord) == 2
