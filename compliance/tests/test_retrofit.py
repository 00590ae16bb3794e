"""The tenancy retrofit of the compliance app, on data from before tenancy.

Incident and accident reports follow who reported them, risk assessments and RAMS who
wrote them; the rest joins the default tenant. Names, serial numbers and versions that
collide once uniqueness is per tenant are renumbered, and a tenant keeps one score.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, transaction

from tests.plugin import Retrofit, assert_tenant_nullable_then_required, assign_tenant

APPS = ("accounts", "core", "compliance")
ROOTS = (
    "ComplianceCategory",
    "ComplianceItem",
    "IncidentReport",
    "RiskAssessment",
    "Equipment",
    "AccidentReport",
    "RAMSDocument",
    "PeaceOfMindScore",
)
RETROFIT = Retrofit(
    APPS,
    [("accounts", "0001_initial"), ("core", "0001_initial"), ("compliance", "0001_initial")],
    [("accounts", "0002_user_tenant"), ("core", "0002_businessevent_tenant"), ("compliance", "0002_tenant")],
)
WHEN = datetime(2024, 3, 4, 10, 0, tzinfo=UTC)
DAY = date(2024, 3, 4)


def test_the_chain_adds_a_nullable_tenant_then_requires_it():
    loader = assert_tenant_nullable_then_required("compliance", *ROOTS)
    initial = loader.graph.nodes[("compliance", "0001_initial")]
    assert [dep for dep in initial.dependencies if dep[0] == "core"] == []


def build_pre_tenancy(apps) -> None:
    Tenant = apps.get_model("core", "TenantSettings")
    User = apps.get_model("accounts", "User")
    get = lambda name: apps.get_model("compliance", name)  # noqa: E731

    Tenant.objects.create(slug="nbne", name="Zephyr NBNE")  # first created: the default
    Tenant.objects.create(slug="salon-x", name="Avenue Salon X")
    root = User.objects.create(username="root", is_superuser=True, is_staff=True)
    owner = User.objects.create(username="owner", role="owner")
    salon_owner = User.objects.create(username="salon-owner", role="owner")

    fire = get("ComplianceCategory").objects.create(name="Fire safety", weight=8)
    get("ComplianceCategory").objects.create(name="Fire safety", weight=5)
    get("ComplianceItem").objects.create(category=fire, title="Extinguisher service", due_date=DAY)

    def incident(title, user):
        return get("IncidentReport").objects.create(title=title, description="-", occurred_at=WHEN, reported_by=user)

    salon_incident = incident("salon incident", salon_owner)
    incident("nbne incident", owner)
    incident("operator incident", root)
    get("SignOff").objects.create(incident=salon_incident, signed_by=salon_owner, role_at_signing="owner")
    get("AccidentReport").objects.create(
        person_involved="Client", occurred_at=WHEN, location="Basin", description="-", reported_by=salon_owner
    )
    get("RiskAssessment").objects.create(
        title="Dispensary",
        area="Dispensary",
        assessor=salon_owner,
        assessed_on=DAY,
        review_due=DAY,
        created_by=salon_owner,
    )
    for _ in range(2):
        get("RAMSDocument").objects.create(title="Lone working", activity="-", version="1.0", created_by=owner)
    for serial in ("AED-1", "AED-1", "", ""):
        get("Equipment").objects.create(name="AED", serial_number=serial, next_inspection_due=DAY)
    Score = get("PeaceOfMindScore")
    older = Score.objects.create(score=50, computed_at=WHEN)
    newer = Score.objects.create(score=70, computed_at=WHEN.replace(day=5))
    get("ScoreAuditLog").objects.create(score=older, previous_score=None, new_score=50, reason="first")
    get("ScoreAuditLog").objects.create(score=newer, previous_score=50, new_score=70, reason="second")


@pytest.mark.django_db(transaction=True)
def test_backfill_follows_the_people_and_defaults_the_rest(migrator, settings):
    settings.TENANT_BACKFILL_DEFAULT = ""
    build_pre_tenancy(RETROFIT.to_pre_tenancy(migrator))
    assign_tenant(RETROFIT.to_nullable_tenant(migrator), "salon-x", "accounts", "User", username="salon-owner")

    apps = RETROFIT.to_latest(migrator)

    def tenants(model_name: str, key: str) -> dict:
        return dict(apps.get_model("compliance", model_name).objects.values_list(key, "tenant__slug"))

    assert tenants("IncidentReport", "title") == {
        "salon incident": "salon-x",  # its reporter's business
        "nbne incident": "nbne",
        "operator incident": "nbne",  # an operator has no business: the default
    }
    assert tenants("AccidentReport", "person_involved") == {"Client": "salon-x"}
    assert tenants("RiskAssessment", "title") == {"Dispensary": "salon-x"}
    assert set(tenants("RAMSDocument", "version")) == {"1.0", "1.0 (2)"}  # renumbered, not lost
    assert set(tenants("RAMSDocument", "version").values()) == {"nbne"}
    assert tenants("ComplianceCategory", "name") == {"Fire safety": "nbne", "Fire safety (2)": "nbne"}
    assert tenants("ComplianceItem", "title") == {"Extinguisher service": "nbne"}
    serials = sorted(apps.get_model("compliance", "Equipment").objects.values_list("serial_number", flat=True))
    assert serials == ["", "", "AED-1", "AED-1 (2)"]

    Score = apps.get_model("compliance", "PeaceOfMindScore")
    assert list(Score.objects.values_list("tenant__slug", "score")) == [("nbne", 70)]  # the latest kept
    audit = apps.get_model("compliance", "ScoreAuditLog").objects.order_by("pk")
    assert [(entry.reason, entry.score_id) for entry in audit] == [
        ("first", Score.objects.get().pk),
        ("second", Score.objects.get().pk),
    ]
    sign_off = apps.get_model("compliance", "SignOff").objects.get()
    assert sign_off.incident.tenant.slug == "salon-x"

    nbne = apps.get_model("core", "TenantSettings").objects.get(slug="nbne")
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(tenant=nbne, computed_at=WHEN)
    with pytest.raises(IntegrityError), transaction.atomic():
        apps.get_model("compliance", "ComplianceCategory").objects.create(tenant_id=None, name="Orphan")
