"""Compliance items (derived status, completion) and equipment (inspections and what falls due)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from compliance.dates import add_months
from compliance.factories import (
    ComplianceCategoryFactory,
    ComplianceItemFactory,
    EquipmentFactory,
    EquipmentInspectionFactory,
)
from compliance.models import Equipment, EquipmentInspection
from compliance.tests.helpers import tenant_rows
from core.models import BusinessEvent
from tests.plugin import fresh

ITEMS = "/api/compliance/items/"
EQUIPMENT = "/api/compliance/equipment/"
DUE = "/api/compliance/equipment/inspections-due/"
INSPECTIONS = "/api/compliance/inspections/"


def complete(client, item, **body):
    return client.post(f"{ITEMS}{item.pk}/complete/", body, format="json")


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


# Items ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start,months,expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 5, 15), 12, date(2027, 5, 15)),
    ],
)
def test_months_are_calendar_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    "due_in,status",
    [(-1, "overdue"), (0, "due_soon"), (30, "due_soon"), (31, "compliant")],
)
def test_status_follows_the_due_date(tenant_a, today, due_in, status):
    item = ComplianceItemFactory(tenant=tenant_a, due_date=today + timedelta(days=due_in))
    assert fresh(item).status == status


@pytest.mark.parametrize(
    "frequency,months",
    [("monthly", 1), ("quarterly", 3), ("annually", 12)],
)
def test_completing_a_recurring_item_sets_the_next_due_date(manager_client_a, tenant_a, today, frequency, months):
    item = ComplianceItemFactory(tenant=tenant_a, frequency=frequency, due_date=today - timedelta(days=10))
    done = today - timedelta(days=2)

    response = complete(manager_client_a, item, completed_on=done.isoformat(), evidence_note="Certificate filed.")

    assert response.status_code == 200, response.content
    item = fresh(item)
    assert (item.last_completed_on, item.due_date) == (done, add_months(done, months))
    assert item.status == ("due_soon" if frequency == "monthly" else "compliant")
    assert item.evidence_note == "Certificate filed."
    assert response.json()["due_date"] == add_months(done, months).isoformat()


def test_a_one_off_item_is_compliant_once_done(manager_client_a, tenant_a, today):
    item = ComplianceItemFactory(tenant=tenant_a, frequency="once", due_date=today - timedelta(days=3))
    assert fresh(item).status == "overdue"

    response = complete(manager_client_a, item)

    assert response.status_code == 200
    item = fresh(item)
    assert (item.status, item.last_completed_on, item.due_date) == ("compliant", today, today - timedelta(days=3))


@pytest.mark.parametrize("when", ["future", "before_last"])
def test_a_completion_date_in_the_future_or_before_the_last_is_refused(manager_client_a, tenant_a, today, when):
    item = ComplianceItemFactory(tenant=tenant_a, last_completed_on=today - timedelta(days=5))
    completed_on = today + timedelta(days=1) if when == "future" else today - timedelta(days=6)

    response = complete(manager_client_a, item, completed_on=completed_on.isoformat())

    assert response.status_code == 400
    assert "completed_on" in response.json()
    assert fresh(item).last_completed_on == today - timedelta(days=5)


def test_a_not_applicable_item_cannot_be_completed(manager_client_a, tenant_a):
    item = ComplianceItemFactory(tenant=tenant_a, status="not_applicable")

    response = complete(manager_client_a, item)

    assert response.status_code == 400
    assert fresh(item).last_completed_on is None


def test_not_applicable_is_kept_and_any_other_status_is_derived(manager_client_a, tenant_a, today):
    item = ComplianceItemFactory(tenant=tenant_a, due_date=today - timedelta(days=1))

    assert manager_client_a.patch(f"{ITEMS}{item.pk}/", {"status": "not_applicable"}, format="json").json()[
        "status"
    ] == ("not_applicable")
    # Asking for "compliant" makes it applicable again; the dates say overdue.
    assert manager_client_a.patch(f"{ITEMS}{item.pk}/", {"status": "compliant"}, format="json").json()["status"] == (
        "overdue"
    )


def test_the_member_responsible_may_complete_their_own_item_only(staff_client_a, staff_a, tenant_a):
    own = ComplianceItemFactory(tenant=tenant_a, owner=staff_a)
    other = ComplianceItemFactory(tenant=tenant_a)

    assert complete(staff_client_a, own).status_code == 200
    refused = complete(staff_client_a, other)

    assert refused.status_code == 403
    assert fresh(other).last_completed_on is None


def test_items_filter_by_status_and_due_date(staff_client_a, tenant_a, today):
    category = ComplianceCategoryFactory(tenant=tenant_a)
    late = ComplianceItemFactory(tenant=tenant_a, category=category, due_date=today - timedelta(days=4))
    ComplianceItemFactory(tenant=tenant_a, category=category, due_date=today + timedelta(days=90))

    overdue = staff_client_a.get(ITEMS, {"status": "overdue"}).json()
    before = staff_client_a.get(ITEMS, {"due_before": today.isoformat(), "category": category.pk}).json()

    assert [row["id"] for row in overdue["results"]] == [late.pk]
    assert [row["id"] for row in before["results"]] == [late.pk]


# Equipment --------------------------------------------------------------------------


@pytest.fixture
def equipment(tenant_a, today):
    def make(name, due_in, **extra):
        return EquipmentFactory(tenant=tenant_a, name=name, next_inspection_due=today + timedelta(days=due_in), **extra)

    return {
        "soon": make("Pool hoist", 5),
        "edge": make("Treadmill", 30),
        "later": make("Squat rack", 40),
        "late": make("Defibrillator", -3),
        "retired": make("Old rower", 0, is_active=False),
    }


def test_inspections_due_lists_active_equipment_due_within_30_days_by_default(staff_client_a, equipment):
    assert names(staff_client_a.get(DUE)) == ["Defibrillator", "Pool hoist", "Treadmill"]


def test_inspections_due_looks_as_far_ahead_as_asked(staff_client_a, equipment):
    assert names(staff_client_a.get(DUE, {"within_days": 40})) == [
        "Defibrillator",
        "Pool hoist",
        "Treadmill",
        "Squat rack",
    ]
    assert names(staff_client_a.get(DUE, {"within_days": 0})) == ["Defibrillator"]


def test_the_equipment_list_filters_what_falls_due(staff_client_a, equipment):
    due = names(staff_client_a.get(EQUIPMENT, {"due_within_days": 5, "ordering": "next_inspection_due"}))
    everything = names(staff_client_a.get(EQUIPMENT))

    assert due == ["Defibrillator", "Pool hoist"]
    assert sorted(everything) == ["Defibrillator", "Old rower", "Pool hoist", "Squat rack", "Treadmill"]


@pytest.mark.parametrize("query", [{"within_days": -1}, {"within_days": "soon"}])
def test_a_bad_look_ahead_is_a_400(staff_client_a, equipment, query):
    assert staff_client_a.get(DUE, query).status_code == 400
    assert staff_client_a.get(EQUIPMENT, {"due_within_days": query["within_days"]}).status_code == 400


def test_a_passed_inspection_makes_the_next_one_due_an_interval_later(staff_client_a, staff_a, tenant_a, today):
    hoist = EquipmentFactory(tenant=tenant_a, name="Pool hoist", inspection_interval_days=180)
    inspected_on = today - timedelta(days=2)

    response = staff_client_a.post(
        INSPECTIONS, {"equipment": hoist.pk, "inspected_on": inspected_on.isoformat(), "passed": True}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["inspector"] == staff_a.pk
    hoist = fresh(hoist)
    assert (hoist.last_inspected_on, hoist.next_inspection_due) == (inspected_on, inspected_on + timedelta(days=180))
    event = tenant_rows(BusinessEvent, tenant_a, kind=BusinessEvent.Kind.INSPECTION_RECORDED)
    assert [(e.object_id, e.performed_by_id) for e in event] == [(str(response.json()["id"]), staff_a.pk)]


def test_a_failed_inspection_makes_the_equipment_due_at_once(staff_client_a, tenant_a, today):
    rack = EquipmentFactory(tenant=tenant_a, inspection_interval_days=90)

    staff_client_a.post(INSPECTIONS, {"equipment": rack.pk, "passed": False, "notes": "Cracked weld."}, format="json")

    rack = fresh(rack)
    assert (rack.last_inspected_on, rack.next_inspection_due) == (today, today)
    assert names(staff_client_a.get(DUE, {"within_days": 0})) == [rack.name]


def test_a_back_dated_inspection_does_not_move_the_dates_back(staff_client_a, tenant_a, today):
    hoist = EquipmentFactory(tenant=tenant_a, inspection_interval_days=30)
    staff_client_a.post(INSPECTIONS, {"equipment": hoist.pk}, format="json")

    response = staff_client_a.post(
        INSPECTIONS, {"equipment": hoist.pk, "inspected_on": (today - timedelta(days=20)).isoformat()}, format="json"
    )

    assert response.status_code == 201
    hoist = fresh(hoist)
    assert (hoist.last_inspected_on, hoist.next_inspection_due) == (today, today + timedelta(days=30))
    assert len(tenant_rows(EquipmentInspection, tenant_a)) == 2


def test_inspections_in_the_future_or_of_retired_equipment_are_refused(staff_client_a, tenant_a, today):
    active = EquipmentFactory(tenant=tenant_a)
    retired = EquipmentFactory(tenant=tenant_a, is_active=False)

    future = staff_client_a.post(
        INSPECTIONS, {"equipment": active.pk, "inspected_on": (today + timedelta(days=1)).isoformat()}, format="json"
    )
    gone = staff_client_a.post(INSPECTIONS, {"equipment": retired.pk}, format="json")

    assert (future.status_code, gone.status_code) == (400, 400)
    assert "inspected_on" in future.json() and "equipment" in gone.json()
    assert tenant_rows(EquipmentInspection, tenant_a) == []


def test_equipment_never_inspected_is_due_today(manager_client_a, today):
    response = manager_client_a.post(
        EQUIPMENT, {"name": "Sauna heater", "inspection_interval_days": 365}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["next_inspection_due"] == today.isoformat()


def test_a_new_interval_moves_the_next_due_date(manager_client_a, tenant_a, today):
    oven = EquipmentFactory(tenant=tenant_a, inspection_interval_days=180)
    manager_client_a.post(INSPECTIONS, {"equipment": oven.pk}, format="json")
    assert fresh(oven).next_inspection_due == today + timedelta(days=180)

    response = manager_client_a.patch(f"{EQUIPMENT}{oven.pk}/", {"inspection_interval_days": 30}, format="json")

    assert response.json()["next_inspection_due"] == (today + timedelta(days=30)).isoformat()


def test_serial_numbers_are_unique_in_a_business_only(manager_client_a, client_b, tenant_a):
    EquipmentFactory(tenant=tenant_a, serial_number="AED-1")
    EquipmentFactory(tenant=tenant_a, serial_number="")

    clash = manager_client_a.post(EQUIPMENT, {"name": "Second AED", "serial_number": "AED-1"}, format="json")
    blank = manager_client_a.post(EQUIPMENT, {"name": "Fire blanket", "serial_number": ""}, format="json")
    elsewhere = client_b.post(EQUIPMENT, {"name": "Their AED", "serial_number": "AED-1"}, format="json")

    assert clash.status_code == 400 and "serial_number" in clash.json()
    assert (blank.status_code, elsewhere.status_code) == (201, 201)


def test_equipment_with_an_inspection_history_is_retired_not_deleted(manager_client_a, tenant_a):
    inspected = EquipmentFactory(tenant=tenant_a)
    EquipmentInspectionFactory(equipment=inspected)
    unused = EquipmentFactory(tenant=tenant_a)

    assert manager_client_a.delete(f"{EQUIPMENT}{inspected.pk}/").status_code == 400
    assert manager_client_a.delete(f"{EQUIPMENT}{unused.pk}/").status_code == 204
    assert [e.pk for e in tenant_rows(Equipment, tenant_a)] == [inspected.pk]
