"""What the matrix cannot see: tenant B's token naming tenant A's parents in chains
(sign-offs, photos, findings, inspections), A's objects behind B's custom actions, and
filters naming A's people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from compliance.factories import (
    ComplianceCategoryFactory,
    ComplianceItemFactory,
    EquipmentFactory,
    HazardFindingFactory,
    IncidentPhotoFactory,
    IncidentReportFactory,
    RAMSDocumentFactory,
    RiskAssessmentFactory,
)
from compliance.models import (
    ComplianceItem,
    EquipmentInspection,
    HazardFinding,
    IncidentPhoto,
    IncidentReport,
    SignOff,
)
from compliance.tests.helpers import tenant_rows
from core.models import BusinessEvent
from tests.plugin import fresh

BASE = "/api/compliance"


@pytest.fixture
def a_rows(tenant_a, owner_a, today):
    assessment = RiskAssessmentFactory(tenant=tenant_a, assessor=owner_a, created_by=owner_a)
    incident = IncidentReportFactory(tenant=tenant_a, reported_by=owner_a, severity="critical")
    return {
        "incident": incident,
        "photo": IncidentPhotoFactory(incident=incident),
        "assessment": assessment,
        "finding": HazardFindingFactory(assessment=assessment),
        "equipment": EquipmentFactory(tenant=tenant_a, inspection_interval_days=30),
        "item": ComplianceItemFactory(tenant=tenant_a, due_date=today - timedelta(days=3)),
        "rams": RAMSDocumentFactory(tenant=tenant_a, created_by=owner_a),
    }


def writes_of(tenant) -> dict:
    return {
        "sign-offs": len(tenant_rows(SignOff, tenant)),
        "photos": len(tenant_rows(IncidentPhoto, tenant)),
        "findings": len(tenant_rows(HazardFinding, tenant)),
        "inspections": len(tenant_rows(EquipmentInspection, tenant)),
        "events": len(tenant_rows(BusinessEvent, tenant)),
    }


def test_b_signing_off_a_incident_is_a_400_and_writes_nothing(client_b, a_rows, tenant_a, tenant_b):
    before_a, before_b = writes_of(tenant_a), writes_of(tenant_b)

    response = client_b.post(f"{BASE}/sign-offs/", {"incident": a_rows["incident"].pk}, format="json")

    assert response.status_code == 400
    assert "incident" in response.json()
    assert fresh(a_rows["incident"]).status == IncidentReport.Status.OPEN
    assert (writes_of(tenant_a), writes_of(tenant_b)) == (before_a, before_b)


def test_b_uploading_a_photo_to_a_incident_is_a_400_and_stores_nothing(
    client_b, a_rows, tenant_a, tenant_b, media_root
):
    before_a, before_b = writes_of(tenant_a), writes_of(tenant_b)

    response = client_b.post(
        f"{BASE}/incident-photos/",
        {"incident": a_rows["incident"].pk, "image": SimpleUploadedFile("x.png", b"\x89PNG", "image/png")},
        format="multipart",
    )

    assert response.status_code == 400
    assert "incident" in response.json()
    assert (writes_of(tenant_a), writes_of(tenant_b)) == (before_a, before_b)
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_b_adding_a_finding_to_a_assessment_is_a_400(client_b, a_rows, tenant_a, tenant_b):
    before_a, before_b = writes_of(tenant_a), writes_of(tenant_b)

    response = client_b.post(
        f"{BASE}/hazard-findings/",
        {
            "assessment": a_rows["assessment"].pk,
            "hazard": "Wet floor",
            "who_at_risk": "Everyone",
            "likelihood": 3,
            "severity": 2,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "assessment" in response.json()
    assert (writes_of(tenant_a), writes_of(tenant_b)) == (before_a, before_b)


def test_b_moving_its_finding_to_a_assessment_is_a_400(client_b, a_rows, tenant_b):
    own = HazardFindingFactory(assessment=RiskAssessmentFactory(tenant=tenant_b))

    response = client_b.patch(
        f"{BASE}/hazard-findings/{own.pk}/", {"assessment": a_rows["assessment"].pk}, format="json"
    )

    assert response.status_code == 400
    assert fresh(own).assessment.tenant_id == tenant_b.pk


def test_a_finding_stays_with_its_assessment(client_b, tenant_b):
    own = HazardFindingFactory(assessment=RiskAssessmentFactory(tenant=tenant_b))
    other = RiskAssessmentFactory(tenant=tenant_b)

    response = client_b.patch(f"{BASE}/hazard-findings/{own.pk}/", {"assessment": other.pk}, format="json")

    assert response.status_code == 400
    assert fresh(own).assessment_id != other.pk


def test_b_inspecting_a_equipment_is_a_400_and_moves_no_date(client_b, a_rows, tenant_a, tenant_b):
    equipment = a_rows["equipment"]
    due = fresh(equipment).next_inspection_due
    before_a, before_b = writes_of(tenant_a), writes_of(tenant_b)

    response = client_b.post(f"{BASE}/inspections/", {"equipment": equipment.pk}, format="json")

    assert response.status_code == 400
    assert (fresh(equipment).last_inspected_on, fresh(equipment).next_inspection_due) == (None, due)
    assert (writes_of(tenant_a), writes_of(tenant_b)) == (before_a, before_b)


def test_b_naming_its_own_equipment_with_a_inspector_is_a_400(client_b, owner_a, tenant_b):
    own = EquipmentFactory(tenant=tenant_b)

    response = client_b.post(f"{BASE}/inspections/", {"equipment": own.pk, "inspector": owner_a.pk}, format="json")

    assert response.status_code == 400
    assert "inspector" in response.json()
    assert tenant_rows(EquipmentInspection, tenant_b) == []


def test_b_filing_an_item_under_a_category_is_a_400(client_b, tenant_a, tenant_b, today):
    category = ComplianceCategoryFactory(tenant=tenant_a)

    response = client_b.post(
        f"{BASE}/items/", {"category": category.pk, "title": "PAT", "due_date": today.isoformat()}, format="json"
    )

    assert response.status_code == 400
    assert tenant_rows(ComplianceItem, tenant_b) == []


@pytest.mark.parametrize(
    "method,path",
    [
        ("post", "items/{item}/complete/"),
        ("post", "rams/{rams}/approve/"),
        ("get", "rams/{rams}/download/"),
        ("get", "incident-photos/{photo}/download/"),
    ],
)
def test_b_custom_actions_on_a_objects_are_404(client_b, a_rows, tenant_a, method, path):
    item_before = vars(fresh(a_rows["item"])).copy()
    url = f"{BASE}/" + path.format(**{name: row.pk for name, row in a_rows.items()})

    response = getattr(client_b, method)(url)

    assert response.status_code == 404
    assert fresh(a_rows["rams"]).status == "draft"
    item_after = vars(fresh(a_rows["item"]))
    assert {k: item_after[k] for k in ("last_completed_on", "due_date", "status")} == {
        k: item_before[k] for k in ("last_completed_on", "due_date", "status")
    }


@pytest.mark.parametrize(
    "path,param",
    [
        ("incidents/", "reported_by"),
        ("items/", "owner"),
        ("risk-assessments/", "assessor"),
        ("inspections/", "inspector"),
        ("accidents/", "reported_by"),
        ("rams/", "created_by"),
        ("sign-offs/", "signed_by"),
        ("score-audit-log/", "changed_by"),
    ],
)
def test_filtering_by_a_person_of_another_business_is_a_400(client_b, owner_a, a_rows, path, param):
    response = client_b.get(f"{BASE}/{path}", {param: owner_a.pk})

    assert response.status_code == 400
    assert param in response.json()


def test_b_score_counts_nothing_of_a(client_a, client_b, a_rows):
    a_score = client_a.get(f"{BASE}/score/").json()
    b_score = client_b.get(f"{BASE}/score/").json()

    assert (a_score["total_items"], a_score["overdue_items"], a_score["open_critical_incidents"]) == (1, 1, 1)
    assert (b_score["total_items"], b_score["overdue_items"], b_score["open_critical_incidents"]) == (0, 0, 0)
