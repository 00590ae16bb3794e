"""Who may do what: any member reads and reports; owners and managers run the register,
sign incidents off and approve RAMS (staff get 403 and nothing changes)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.factories import UserFactory
from compliance.factories import (
    AccidentReportFactory,
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
    AccidentReport,
    ComplianceCategory,
    ComplianceItem,
    Equipment,
    HazardFinding,
    IncidentPhoto,
    IncidentReport,
    RAMSDocument,
    RiskAssessment,
    SignOff,
)
from compliance.tests.helpers import tenant_rows
from tests.plugin import api_client_for

BASE = "/api/compliance"
LISTS = [
    "categories",
    "items",
    "incidents",
    "incident-photos",
    "sign-offs",
    "risk-assessments",
    "hazard-findings",
    "equipment",
    "equipment/inspections-due",
    "inspections",
    "accidents",
    "rams",
    "score-audit-log",
]


@pytest.fixture
def world(tenant_a, today):
    category = ComplianceCategoryFactory(tenant=tenant_a)
    incident = IncidentReportFactory(tenant=tenant_a)
    assessment = RiskAssessmentFactory(tenant=tenant_a)
    return {
        "category": category,
        "item": ComplianceItemFactory(tenant=tenant_a, category=category),
        "incident": incident,
        "photo": IncidentPhotoFactory(incident=incident),
        "assessment": assessment,
        "finding": HazardFindingFactory(assessment=assessment),
        "equipment": EquipmentFactory(tenant=tenant_a),
        "accident": AccidentReportFactory(tenant=tenant_a),
        "rams": RAMSDocumentFactory(tenant=tenant_a),
        "today": today,
    }


def manager_only_requests(world) -> list[tuple[str, str, dict, type, str]]:
    """(method, path, body, model, label) of the writes reserved to owners and managers."""
    today = world["today"].isoformat()
    return [
        ("post", "categories/", {"name": "Fire safety", "weight": 5}, ComplianceCategory, "create category"),
        ("patch", f"categories/{world['category'].pk}/", {"weight": 9}, ComplianceCategory, "edit category"),
        ("delete", f"categories/{world['category'].pk}/", {}, ComplianceCategory, "delete category"),
        (
            "post",
            "items/",
            {"category": world["category"].pk, "title": "PAT testing", "due_date": today},
            ComplianceItem,
            "create item",
        ),
        ("patch", f"items/{world['item'].pk}/", {"title": "Renamed"}, ComplianceItem, "edit item"),
        ("delete", f"items/{world['item'].pk}/", {}, ComplianceItem, "delete item"),
        ("patch", f"incidents/{world['incident'].pk}/", {"status": "resolved"}, IncidentReport, "edit incident"),
        ("delete", f"incidents/{world['incident'].pk}/", {}, IncidentReport, "delete incident"),
        ("delete", f"incident-photos/{world['photo'].pk}/", {}, IncidentPhoto, "delete photo"),
        ("post", "sign-offs/", {"incident": world["incident"].pk}, SignOff, "sign off"),
        (
            "post",
            "risk-assessments/",
            {"title": "Cellar", "area": "Cellar", "assessed_on": today, "review_due": today},
            RiskAssessment,
            "create assessment",
        ),
        ("patch", f"risk-assessments/{world['assessment'].pk}/", {"status": "archived"}, RiskAssessment, "edit"),
        (
            "post",
            "hazard-findings/",
            {
                "assessment": world["assessment"].pk,
                "hazard": "Slips",
                "who_at_risk": "All",
                "likelihood": 2,
                "severity": 2,
            },
            HazardFinding,
            "create finding",
        ),
        ("patch", f"hazard-findings/{world['finding'].pk}/", {"resolved": True}, HazardFinding, "edit finding"),
        ("post", "equipment/", {"name": "Pool hoist"}, Equipment, "create equipment"),
        ("patch", f"equipment/{world['equipment'].pk}/", {"is_active": False}, Equipment, "edit equipment"),
        ("patch", f"accidents/{world['accident'].pk}/", {"injury": "None"}, AccidentReport, "edit accident"),
        ("delete", f"accidents/{world['accident'].pk}/", {}, AccidentReport, "delete accident"),
        ("post", f"rams/{world['rams'].pk}/approve/", {}, RAMSDocument, "approve rams"),
        ("delete", f"rams/{world['rams'].pk}/", {}, RAMSDocument, "delete rams"),
    ]


def snapshot(tenant) -> dict:
    models = [
        ComplianceCategory,
        ComplianceItem,
        IncidentReport,
        IncidentPhoto,
        SignOff,
        RiskAssessment,
        HazardFinding,
        Equipment,
        AccidentReport,
        RAMSDocument,
    ]
    return {model.__name__: [vars_of(row) for row in tenant_rows(model, tenant)] for model in models}


def vars_of(row) -> dict:
    return {k: v for k, v in vars(row).items() if not k.startswith("_")}


@pytest.mark.parametrize("path", LISTS)
def test_staff_read_every_list(staff_client_a, world, path):
    response = staff_client_a.get(f"{BASE}/{path}/")

    assert response.status_code == 200, response.content


def test_staff_are_refused_every_manager_write_and_nothing_changes(staff_client_a, world, tenant_a):
    before = snapshot(tenant_a)

    answers = {
        label: getattr(staff_client_a, method)(f"{BASE}/{path}", body, format="json").status_code
        for method, path, body, _model, label in manager_only_requests(world)
    }

    assert answers == {label: 403 for *_rest, label in manager_only_requests(world)}
    assert snapshot(tenant_a) == before


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owners_and_managers_may_make_every_manager_write(tenant_a, world, role):
    client = api_client_for(UserFactory(tenant=tenant_a, role=role))
    answers = {
        label: getattr(client, method)(f"{BASE}/{path}", body, format="json").status_code
        for method, path, body, _model, label in manager_only_requests(world)
        if method != "delete"  # deletes run last below: they would remove rows the others use
    }
    assert set(answers.values()) <= {200, 201}, answers

    deletes = {
        label: getattr(client, method)(f"{BASE}/{path}").status_code
        for method, path, _body, _model, label in manager_only_requests(world)
        if method == "delete"
    }
    # Never a 403. The category still holds its item (409); the incident was signed off
    # above, so it and its photo are kept (400).
    assert deletes == {
        "delete category": 409,
        "delete item": 204,
        "delete incident": 400,
        "delete photo": 400,
        "delete accident": 204,
        "delete rams": 204,
    }


def test_staff_may_report_and_record(staff_client_a, world, tenant_a):
    now = timezone.now()
    created = {
        "incident": staff_client_a.post(
            f"{BASE}/incidents/",
            {"title": "Trip", "description": "Cable.", "occurred_at": now.isoformat(), "severity": "low"},
            format="json",
        ),
        "accident": staff_client_a.post(
            f"{BASE}/accidents/",
            {
                "person_involved": "Client",
                "occurred_at": (now - timedelta(hours=1)).isoformat(),
                "location": "Waiting area",
                "description": "Tripped on a rug.",
            },
            format="json",
        ),
        "inspection": staff_client_a.post(f"{BASE}/inspections/", {"equipment": world["equipment"].pk}, format="json"),
        "rams draft": staff_client_a.post(
            f"{BASE}/rams/", {"title": "Home visits", "activity": "Visits", "version": "0.9"}, format="json"
        ),
        "rams edit": staff_client_a.patch(f"{BASE}/rams/{world['rams'].pk}/", {"activity": "Basins"}, format="json"),
        "score": staff_client_a.post(f"{BASE}/score/recompute/", {}, format="json"),
    }

    assert {name: r.status_code for name, r in created.items()} == {
        "incident": 201,
        "accident": 201,
        "inspection": 201,
        "rams draft": 201,
        "rams edit": 200,
        "score": 200,
    }
