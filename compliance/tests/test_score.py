"""The Peace of Mind score: a number checked by hand, an audit row per change and none
without one, one row per tenant, and every tenant's score from its own records only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from compliance.factories import (
    ComplianceCategoryFactory,
    ComplianceItemFactory,
    IncidentReportFactory,
    PeaceOfMindScoreFactory,
)
from compliance.models import ComplianceItem, IncidentReport, PeaceOfMindScore, ScoreAuditLog
from compliance.services import peace_of_mind_recompute
from compliance.tests.helpers import tenant_rows
from core.tenancy import tenant_context, unscoped_all_tenants
from tests.plugin import fresh

ITEMS = "/api/compliance/items/"
INCIDENTS = "/api/compliance/incidents/"
SCORE = "/api/compliance/score/"
RECOMPUTE = "/api/compliance/score/recompute/"
AUDIT = "/api/compliance/score-audit-log/"


def audit_trail(tenant) -> list[tuple]:
    return [(a.previous_score, a.new_score) for a in tenant_rows(ScoreAuditLog, tenant)]


def add_item(client, category, due_date, **extra):
    body = {"category": category.pk, "title": f"Check due {due_date}", "due_date": due_date.isoformat(), **extra}
    response = client.post(ITEMS, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def categories(tenant_a):
    return {
        "food": ComplianceCategoryFactory(tenant=tenant_a, name="Food hygiene", weight=3),
        "fire": ComplianceCategoryFactory(tenant=tenant_a, name="Fire safety", weight=1),
        "unused": ComplianceCategoryFactory(tenant=tenant_a, name="Sprinklers", weight=10),
    }


@pytest.fixture
def register(manager_client_a, categories, today):
    """Weights 3 (in date), 1 (overdue), 3 (due soon) and 10 (not applicable)."""
    add_item(manager_client_a, categories["food"], today + timedelta(days=100))  # compliant
    add_item(manager_client_a, categories["fire"], today - timedelta(days=1))  # overdue
    add_item(manager_client_a, categories["food"], today + timedelta(days=10))  # due soon
    add_item(manager_client_a, categories["unused"], today - timedelta(days=300), status="not_applicable")


def test_the_score_is_the_in_date_share_of_the_category_weights(register, manager_client_a, tenant_a):
    # 100 x (3 + 3) / (3 + 1 + 3) = 85.7 -> 86; the weight-10 item is not applicable.
    response = manager_client_a.get(SCORE)

    assert response.status_code == 200
    assert response.json() | {"computed_at": None} == {
        "score": 86,
        "compliant_items": 2,
        "total_items": 3,
        "overdue_items": 1,
        "open_critical_incidents": 0,
        "computed_at": None,
    }
    statuses = sorted(item.status for item in tenant_rows(ComplianceItem, tenant_a))
    assert statuses == ["compliant", "due_soon", "not_applicable", "overdue"]


def test_each_item_added_writes_an_audit_row_only_when_the_score_moves(register, tenant_a, manager_a):
    # First item: 100 (first score). Overdue weight 1: 3/4 = 75. Due soon weight 3: 6/7 = 86.
    # The not-applicable item leaves 86 as it is: no row.
    assert audit_trail(tenant_a) == [(None, 100), (100, 75), (75, 86)]
    reasons = [a.reason for a in tenant_rows(ScoreAuditLog, tenant_a)]
    assert all(reason.startswith("Item added: ") for reason in reasons)
    assert {a.changed_by_id for a in tenant_rows(ScoreAuditLog, tenant_a)} == {manager_a.pk}


def test_recomputing_an_unchanged_score_writes_no_audit_row(register, manager_client_a, tenant_a):
    before = audit_trail(tenant_a)

    first = manager_client_a.post(RECOMPUTE, {"reason": "Monthly review"}, format="json")
    second = manager_client_a.post(RECOMPUTE, {}, format="json")
    manager_client_a.get(SCORE)

    assert first.status_code == second.status_code == 200
    assert first.json()["score"] == second.json()["score"] == 86
    assert audit_trail(tenant_a) == before
    assert len(tenant_rows(PeaceOfMindScore, tenant_a)) == 1


def test_an_open_critical_incident_costs_ten_points_until_it_is_signed_off(
    register, manager_client_a, staff_client_a, tenant_a
):
    reported = staff_client_a.post(
        INCIDENTS,
        {
            "title": "Fat fire on the grill",
            "description": "Put out with the wet chemical extinguisher.",
            "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "severity": "critical",
        },
        format="json",
    )
    assert reported.status_code == 201, reported.content
    assert manager_client_a.get(SCORE).json()["score"] == 76
    assert manager_client_a.get(SCORE).json()["open_critical_incidents"] == 1

    # A high incident does not lower it; investigating is still open.
    staff_client_a.post(
        INCIDENTS,
        {"title": "Cut", "description": "Knife.", "occurred_at": timezone.now().isoformat(), "severity": "high"},
        format="json",
    )
    manager_client_a.patch(f"{INCIDENTS}{reported.json()['id']}/", {"status": "investigating"}, format="json")
    assert manager_client_a.get(SCORE).json()["score"] == 76

    signed = manager_client_a.post("/api/compliance/sign-offs/", {"incident": reported.json()["id"]}, format="json")

    assert signed.status_code == 201, signed.content
    assert manager_client_a.get(SCORE).json()["score"] == 86
    assert audit_trail(tenant_a)[-2:] == [(86, 76), (76, 86)]
    assert [a.reason for a in tenant_rows(ScoreAuditLog, tenant_a)][-1] == "Incident signed off: Fat fire on the grill"


def test_two_open_critical_incidents_and_the_floor_at_zero(tenant_a, today):
    category = ComplianceCategoryFactory(tenant=tenant_a, weight=2)
    ComplianceItemFactory(tenant=tenant_a, category=category, due_date=today - timedelta(days=5))
    ComplianceItemFactory(tenant=tenant_a, category=category, due_date=today + timedelta(days=90))
    for _ in range(2):
        IncidentReportFactory(tenant=tenant_a, severity=IncidentReport.Severity.CRITICAL)
    IncidentReportFactory(tenant=tenant_a, severity=IncidentReport.Severity.CRITICAL, status="resolved")

    with tenant_context(tenant_a):
        assert peace_of_mind_recompute(tenant=tenant_a, reason="test").score == 30  # 50 - 2 x 10
        for _ in range(4):
            IncidentReportFactory(tenant=tenant_a, severity=IncidentReport.Severity.CRITICAL)
        assert peace_of_mind_recompute(tenant=tenant_a, reason="test").score == 0


def test_with_nothing_applicable_the_score_is_zero(manager_client_a, tenant_a, today):
    category = ComplianceCategoryFactory(tenant=tenant_a)
    add_item(manager_client_a, category, today + timedelta(days=60), status="not_applicable")

    body = manager_client_a.get(SCORE).json()

    assert (body["score"], body["total_items"]) == (0, 0)


def test_completing_the_overdue_item_raises_the_score(register, manager_client_a, tenant_a, today):
    overdue = tenant_rows(ComplianceItem, tenant_a, status="overdue")[0]

    response = manager_client_a.post(f"{ITEMS}{overdue.pk}/complete/", {}, format="json")

    assert response.status_code == 200, response.content
    assert manager_client_a.get(SCORE).json()["score"] == 100
    last = tenant_rows(ScoreAuditLog, tenant_a)[-1]
    assert (last.previous_score, last.new_score, last.reason) == (86, 100, f"Item completed: {overdue.title}")


def test_changing_a_category_weight_recomputes(register, manager_client_a, categories, tenant_a):
    # Fire (the overdue item) now weighs 7: 100 x 6 / 13 = 46.2 -> 46.
    response = manager_client_a.patch(
        f"/api/compliance/categories/{categories['fire'].pk}/", {"weight": 7}, format="json"
    )

    assert response.status_code == 200
    assert manager_client_a.get(SCORE).json()["score"] == 46
    assert tenant_rows(ScoreAuditLog, tenant_a)[-1].reason == "Weight of Fire safety changed from 1 to 7"


def test_deleting_an_item_recomputes(register, manager_client_a, tenant_a):
    overdue = tenant_rows(ComplianceItem, tenant_a, status="overdue")[0]

    assert manager_client_a.delete(f"{ITEMS}{overdue.pk}/").status_code == 204

    assert manager_client_a.get(SCORE).json()["score"] == 100


def test_statuses_age_with_the_calendar_and_the_recompute_catches_up(manager_client_a, tenant_a, today):
    category = ComplianceCategoryFactory(tenant=tenant_a)
    item = add_item(manager_client_a, category, today + timedelta(days=2))
    assert item["status"] == "due_soon"
    # Days pass with no write: the stored status is stale until the next recompute.
    with unscoped_all_tenants("test: time passes"):
        ComplianceItem._base_manager.filter(pk=item["id"]).update(due_date=today - timedelta(days=1))

    score = manager_client_a.post(RECOMPUTE, {}, format="json").json()

    assert (score["score"], score["overdue_items"]) == (0, 1)
    assert tenant_rows(ComplianceItem, tenant_a)[0].status == "overdue"


def test_the_first_read_of_a_new_day_refreshes_the_score(manager_client_a, tenant_a, today):
    category = ComplianceCategoryFactory(tenant=tenant_a)
    item = add_item(manager_client_a, category, today + timedelta(days=2))
    with unscoped_all_tenants("test: a day passes"):
        ComplianceItem._base_manager.filter(pk=item["id"]).update(due_date=today - timedelta(days=1))
        PeaceOfMindScore._base_manager.filter(tenant=tenant_a).update(computed_at=timezone.now() - timedelta(days=1))

    body = manager_client_a.get(SCORE).json()

    assert body["score"] == 0
    assert tenant_rows(ScoreAuditLog, tenant_a)[-1].reason == "Daily refresh"


def test_the_score_is_created_on_first_read_with_one_audit_row(client_a, tenant_a):
    assert tenant_rows(PeaceOfMindScore, tenant_a) == []

    first = client_a.get(SCORE)
    again = client_a.get(SCORE)

    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert len(tenant_rows(PeaceOfMindScore, tenant_a)) == 1
    assert audit_trail(tenant_a) == [(None, 0)]
    assert tenant_rows(ScoreAuditLog, tenant_a)[0].reason == "First computation"


def test_one_score_row_per_tenant(tenant_a):
    first = PeaceOfMindScoreFactory(tenant=tenant_a)

    assert PeaceOfMindScoreFactory(tenant=tenant_a) == first
    with tenant_context(tenant_a):
        for reason in ("one", "two", "three"):
            assert peace_of_mind_recompute(tenant=tenant_a, reason=reason).pk == first.pk
    assert len(tenant_rows(PeaceOfMindScore, tenant_a)) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        PeaceOfMindScore.objects.create(tenant=tenant_a, computed_at=timezone.now())


def test_tenant_a_records_never_move_tenant_b_score(manager_client_a, client_b, tenant_a, tenant_b, today):
    b_category = ComplianceCategoryFactory(tenant=tenant_b, weight=2)
    ComplianceItemFactory(tenant=tenant_b, category=b_category, due_date=today + timedelta(days=90))
    assert client_b.get(SCORE).json()["score"] == 100
    b_trail = audit_trail(tenant_b)

    a_category = ComplianceCategoryFactory(tenant=tenant_a, weight=10)
    for days in (-30, -20, -10):
        add_item(manager_client_a, a_category, today + timedelta(days=days))
    IncidentReportFactory(tenant=tenant_a, severity=IncidentReport.Severity.CRITICAL)
    manager_client_a.post(RECOMPUTE, {}, format="json")

    assert manager_client_a.get(SCORE).json()["score"] == 0
    b_score = client_b.post(RECOMPUTE, {}, format="json").json()
    assert (b_score["score"], b_score["total_items"], b_score["open_critical_incidents"]) == (100, 1, 0)
    assert audit_trail(tenant_b) == b_trail
    b_log = client_b.get(AUDIT).json()
    assert b_log["count"] == len(b_trail)
    assert {entry["id"] for entry in b_log["results"]} == {a.pk for a in tenant_rows(ScoreAuditLog, tenant_b)}


def test_the_audit_log_lists_changes_newest_first_with_the_change(register, staff_client_a):
    body = staff_client_a.get(AUDIT).json()

    assert [(e["previous_score"], e["new_score"], e["change"]) for e in body["results"]] == [
        (75, 86, 11),
        (100, 75, -25),
        (None, 100, None),
    ]
    assert body["results"][0]["changed_by_name"] == "tenant-a-manager"


def test_a_recompute_needs_a_member(anon, tenant_a, owner_a):
    assert anon.post(RECOMPUTE, {}, format="json", HTTP_X_TENANT_SLUG=tenant_a.slug).status_code == 401
    assert anon.get(SCORE, HTTP_X_TENANT_SLUG=tenant_a.slug).status_code == 401


def test_the_score_recompute_service_changes_nothing_else(tenant_a, today):
    category = ComplianceCategoryFactory(tenant=tenant_a, weight=4)
    item = ComplianceItemFactory(tenant=tenant_a, category=category, due_date=today + timedelta(days=200))
    with tenant_context(tenant_a):
        score = peace_of_mind_recompute(tenant=tenant_a, reason="check")
    assert (score.score, score.compliant_items, score.total_items) == (100, 1, 1)
    assert fresh(item).due_date == today + timedelta(days=200)
