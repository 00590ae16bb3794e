"""The sales pipeline through the real HTTP API: creating leads, the allowed stage
changes, converting to a client, the pipeline summary, filters, roles and other businesses."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.factories import ClientFactory
from bookings.models import Client
from core.models import BusinessEvent
from core.tenancy import unscoped_all_tenants
from crm.factories import LeadFactory
from crm.models import Lead
from tests.isolation import snapshot
from tests.plugin import api_client_for

pytestmark = pytest.mark.django_db

LEADS = "/api/crm/leads/"
PIPELINE = "/api/crm/leads/pipeline/"
S = Lead.Status


def lead_url(lead, action: str = "") -> str:
    return f"{LEADS}{lead.pk}/" + (f"{action}/" if action else "")


def fresh_lead(lead: Lead) -> Lead:
    """The lead as stored, with the client it was converted to."""
    with unscoped_all_tenants("test read"):
        return Lead._base_manager.select_related("converted_client").get(pk=lead.pk)


def clients_of(tenant) -> list[Client]:
    with unscoped_all_tenants("test read"):
        return list(Client._base_manager.filter(tenant=tenant).order_by("pk"))


def events_of(tenant, kind) -> list[BusinessEvent]:
    with unscoped_all_tenants("test read"):
        return list(BusinessEvent._base_manager.filter(tenant=tenant, kind=kind).order_by("pk"))


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


@pytest.fixture
def lead_a(tenant_a, owner_a):
    return LeadFactory(tenant=tenant_a, owner=owner_a, name="Jo Bloggs", email="jo@example.com", value=Decimal("800"))


# Creating -------------------------------------------------------------------------------


def test_a_new_lead_starts_new_is_owned_by_its_creator_and_is_recorded(tenant_a, staff_a):
    response = api_client_for(staff_a).post(
        LEADS,
        {"name": "Sam Rivers", "email": "Sam@Example.com", "source": "walk_in", "value": "120.00", "status": "won"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["owner"], body["email"], body["source"]) == (
        "new",
        staff_a.pk,
        "sam@example.com",
        "walk_in",
    )
    events = events_of(tenant_a, BusinessEvent.Kind.LEAD_CREATED)
    assert [(e.object_id, e.performed_by_id) for e in events] == [(str(body["id"]), staff_a.pk)]


def test_a_lead_may_be_left_unassigned(staff_a):
    response = api_client_for(staff_a).post(LEADS, {"name": "Walk-in", "owner": None}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["owner"] is None


def test_the_stage_is_not_editable_directly(owner_a, lead_a):
    response = api_client_for(owner_a).patch(lead_url(lead_a), {"status": "won", "notes": "Keen"}, format="json")

    assert response.status_code == 200
    assert (fresh_lead(lead_a).status, fresh_lead(lead_a).notes) == (S.NEW, "Keen")


@pytest.mark.parametrize("value", ["-1", "abc"])
def test_bad_values_are_400(value, owner_a):
    response = api_client_for(owner_a).post(LEADS, {"name": "X", "value": value}, format="json")

    assert response.status_code == 400
    assert "value" in response.json()


# Moving through the pipeline ---------------------------------------------------------------


def test_a_lead_moves_step_by_step_to_won(owner_a, lead_a):
    client = api_client_for(owner_a)
    for status in ("contacted", "qualified", "proposal", "won"):
        response = client.post(lead_url(lead_a, "move"), {"status": status}, format="json")
        assert response.status_code == 200, (status, response.content)
        assert response.json()["status"] == status
    assert fresh_lead(lead_a).status == S.WON


@pytest.mark.parametrize(
    "start,target",
    [
        (S.NEW, S.QUALIFIED),
        (S.NEW, S.PROPOSAL),
        (S.NEW, S.WON),
        (S.CONTACTED, S.NEW),
        (S.QUALIFIED, S.WON),
        (S.PROPOSAL, S.CONTACTED),
        (S.WON, S.LOST),
        (S.WON, S.NEW),
        (S.LOST, S.WON),
        (S.NEW, S.NEW),
    ],
)
def test_moves_outside_the_pipeline_are_400(start, target, tenant_a, owner_a):
    lead = LeadFactory(tenant=tenant_a, owner=owner_a, status=start)

    response = api_client_for(owner_a).post(lead_url(lead, "move"), {"status": target}, format="json")

    assert response.status_code == 400
    assert "status" in response.json()
    assert fresh_lead(lead).status == start


def test_an_unknown_stage_is_400(owner_a, lead_a):
    response = api_client_for(owner_a).post(lead_url(lead_a, "move"), {"status": "maybe"}, format="json")

    assert response.status_code == 400
    assert fresh_lead(lead_a).status == S.NEW


def test_any_open_lead_can_be_lost_with_a_reason_and_reopened(tenant_a, owner_a):
    client = api_client_for(owner_a)
    for status in Lead.OPEN_STATUSES:
        lead = LeadFactory(tenant=tenant_a, owner=owner_a, status=status)
        response = client.post(lead_url(lead, "move"), {"status": "lost", "lost_reason": "Too dear"}, format="json")
        assert response.status_code == 200, (status, response.content)
        assert (fresh_lead(lead).status, fresh_lead(lead).lost_reason) == (S.LOST, "Too dear")

    reopened = client.post(lead_url(lead, "move"), {"status": "new"}, format="json")
    assert reopened.status_code == 200
    assert (fresh_lead(lead).status, fresh_lead(lead).lost_reason) == (S.NEW, "")


# Converting --------------------------------------------------------------------------------


def test_converting_creates_a_client_in_the_business_and_wins_the_lead(tenant_a, owner_a, lead_a):
    response = api_client_for(owner_a).post(lead_url(lead_a, "convert"))

    assert response.status_code == 200, response.content
    body = response.json()
    (client,) = clients_of(tenant_a)
    assert (client.name, client.email, client.phone) == ("Jo Bloggs", "jo@example.com", lead_a.phone)
    assert (body["status"], body["converted_client"], body["client_created"]) == ("won", client.pk, True)
    assert fresh_lead(lead_a).converted_client_id == client.pk
    events = events_of(tenant_a, BusinessEvent.Kind.LEAD_CONVERTED)
    assert [(e.object_id, e.performed_by_id) for e in events] == [(str(lead_a.pk), owner_a.pk)]


def test_converting_to_a_new_client_records_the_client_in_the_activity_feed(tenant_a, owner_a, lead_a):
    response = api_client_for(owner_a).post(lead_url(lead_a, "convert"))

    assert response.status_code == 200, response.content
    (client,) = clients_of(tenant_a)
    events = events_of(tenant_a, BusinessEvent.Kind.CLIENT_CREATED)
    assert [(e.object_type, e.object_id, e.performed_by_id) for e in events] == [("client", str(client.pk), owner_a.pk)]


def test_converting_to_an_existing_client_records_no_new_client(tenant_a, owner_a):
    ClientFactory(tenant=tenant_a, email="jo@example.com")
    lead = LeadFactory(tenant=tenant_a, owner=owner_a, email="jo@example.com", status=S.PROPOSAL)

    response = api_client_for(owner_a).post(lead_url(lead, "convert"))

    assert response.status_code == 200, response.content
    assert events_of(tenant_a, BusinessEvent.Kind.CLIENT_CREATED) == []


def test_converting_reuses_the_client_with_the_same_email(tenant_a, owner_a):
    existing = ClientFactory(tenant=tenant_a, name="Joanna Bloggs", email="jo@example.com")
    lead = LeadFactory(tenant=tenant_a, owner=owner_a, name="Jo", email="JO@example.com", status=S.PROPOSAL)

    response = api_client_for(owner_a).post(lead_url(lead, "convert"))

    assert response.status_code == 200, response.content
    assert response.json()["client_created"] is False
    assert [c.pk for c in clients_of(tenant_a)] == [existing.pk]
    assert fresh_lead(lead).converted_client_id == existing.pk


def test_a_lead_without_email_becomes_a_new_client(tenant_a, owner_a):
    ClientFactory(tenant=tenant_a, email="")
    lead = LeadFactory(tenant=tenant_a, owner=owner_a, email="")

    response = api_client_for(owner_a).post(lead_url(lead, "convert"))

    assert response.status_code == 200, response.content
    assert response.json()["client_created"] is True
    assert len(clients_of(tenant_a)) == 2


def test_converting_twice_is_400_and_creates_one_client(tenant_a, owner_a, lead_a):
    client = api_client_for(owner_a)

    first = client.post(lead_url(lead_a, "convert"))
    second = client.post(lead_url(lead_a, "convert"))

    assert first.status_code == 200
    assert second.status_code == 400
    assert "status" in second.json()
    assert len(clients_of(tenant_a)) == 1
    assert len(events_of(tenant_a, BusinessEvent.Kind.LEAD_CONVERTED)) == 1


def test_a_lost_lead_is_not_converted(tenant_a, owner_a):
    lead = LeadFactory(tenant=tenant_a, owner=owner_a, status=S.LOST)

    response = api_client_for(owner_a).post(lead_url(lead, "convert"))

    assert response.status_code == 400
    assert clients_of(tenant_a) == []


def test_a_converted_lead_stays_won(tenant_a, owner_a, lead_a):
    api_client_for(owner_a).post(lead_url(lead_a, "convert"))

    response = api_client_for(owner_a).post(lead_url(lead_a, "move"), {"status": "lost"}, format="json")

    assert response.status_code == 400
    assert fresh_lead(lead_a).status == S.WON


# Across businesses --------------------------------------------------------------------------


def test_tenant_b_cannot_convert_or_move_tenant_a_leads(tenant_a, tenant_b, owner_b, lead_a):
    before = snapshot(tenant_a), snapshot(tenant_b)
    client = api_client_for(owner_b)

    converted = client.post(lead_url(lead_a, "convert"))
    moved = client.post(lead_url(lead_a, "move"), {"status": "contacted"}, format="json")

    assert (converted.status_code, moved.status_code) == (404, 404)
    assert (snapshot(tenant_a), snapshot(tenant_b)) == before
    assert clients_of(tenant_b) == []


def test_conversion_never_reuses_another_business_client(tenant_a, tenant_b, owner_b):
    a_client = ClientFactory(tenant=tenant_a, email="shared@example.com")
    b_lead = LeadFactory(tenant=tenant_b, owner=owner_b, email="shared@example.com")

    response = api_client_for(owner_b).post(lead_url(b_lead, "convert"))

    assert response.status_code == 200, response.content
    (b_client,) = clients_of(tenant_b)
    assert b_client.pk != a_client.pk
    assert fresh_lead(b_lead).converted_client_id == b_client.pk
    assert clients_of(tenant_a) == [a_client]


def test_a_lead_cannot_be_given_to_another_business_user(tenant_a, owner_a, owner_b, lead_a):
    created = api_client_for(owner_a).post(LEADS, {"name": "X", "owner": owner_b.pk}, format="json")
    changed = api_client_for(owner_a).patch(lead_url(lead_a), {"owner": owner_b.pk}, format="json")

    assert (created.status_code, changed.status_code) == (400, 400)
    assert fresh_lead(lead_a).owner_id == owner_a.pk


# Roles -------------------------------------------------------------------------------------


def test_only_owners_and_managers_delete_leads(tenant_a, staff_a, manager_a):
    lead = LeadFactory(tenant=tenant_a, owner=staff_a)

    assert api_client_for(staff_a).delete(lead_url(lead)).status_code == 403
    assert api_client_for(manager_a).delete(lead_url(lead)).status_code == 204
    with unscoped_all_tenants("test read"):
        assert not Lead._base_manager.filter(pk=lead.pk).exists()


def test_staff_work_the_pipeline(tenant_a, staff_a, lead_a):
    client = api_client_for(staff_a)

    assert client.post(lead_url(lead_a, "move"), {"status": "contacted"}, format="json").status_code == 200
    assert client.post(lead_url(lead_a, "convert")).status_code == 200


# Pipeline and lists ------------------------------------------------------------------------


def test_the_pipeline_counts_and_sums_every_stage(tenant_a, tenant_b, owner_a, owner_b, staff_a):
    for status, value, owner in [
        (S.NEW, "100", owner_a),
        (S.NEW, "50.50", staff_a),
        (S.PROPOSAL, "1000", owner_a),
        (S.WON, "300", staff_a),
        (S.LOST, "70", owner_a),
    ]:
        LeadFactory(tenant=tenant_a, status=status, value=Decimal(value), owner=owner)
    LeadFactory(tenant=tenant_b, status=S.NEW, value=Decimal("9999"), owner=owner_b)

    response = api_client_for(owner_a).get(PIPELINE)

    assert response.status_code == 200, response.content
    body = response.json()
    stages = {s["status"]: (s["count"], Decimal(s["total_value"])) for s in body["stages"]}
    assert [s["status"] for s in body["stages"]] == ["new", "contacted", "qualified", "proposal", "won", "lost"]
    assert stages == {
        "new": (2, Decimal("150.50")),
        "contacted": (0, Decimal("0")),
        "qualified": (0, Decimal("0")),
        "proposal": (1, Decimal("1000")),
        "won": (1, Decimal("300")),
        "lost": (1, Decimal("70")),
    }
    assert (body["open_count"], Decimal(body["open_value"]), Decimal(body["won_value"])) == (
        3,
        Decimal("1150.50"),
        Decimal("300"),
    )

    mine = api_client_for(owner_a).get(PIPELINE, {"owner": staff_a.pk}).json()
    assert {s["status"]: s["count"] for s in mine["stages"] if s["count"]} == {"new": 1, "won": 1}


def test_the_pipeline_refuses_another_business_owner(owner_a, owner_b):
    response = api_client_for(owner_a).get(PIPELINE, {"owner": owner_b.pk})

    assert response.status_code == 400
    assert "owner" in response.json()


def test_leads_filter_by_status_source_owner_and_due_follow_up(tenant_a, owner_a, staff_a):
    today = tenant_a.today()
    overdue = LeadFactory(tenant=tenant_a, owner=owner_a, next_follow_up=today - timedelta(days=2), source="phone")
    due_today = LeadFactory(tenant=tenant_a, owner=staff_a, next_follow_up=today, status=S.QUALIFIED)
    later = LeadFactory(tenant=tenant_a, owner=staff_a, next_follow_up=today + timedelta(days=3))
    closed = LeadFactory(tenant=tenant_a, owner=owner_a, next_follow_up=today - timedelta(days=1), status=S.LOST)
    client = api_client_for(owner_a)

    assert set(ids(client.get(LEADS, {"follow_up_due": "true"}))) == {overdue.pk, due_today.pk}
    assert set(ids(client.get(LEADS, {"follow_up_due": "false"}))) == {later.pk, closed.pk}
    assert set(ids(client.get(LEADS, {"status": "qualified"}))) == {due_today.pk}
    assert set(ids(client.get(LEADS, {"status": ["new", "lost"]}))) == {overdue.pk, later.pk, closed.pk}
    assert set(ids(client.get(LEADS, {"source": "phone"}))) == {overdue.pk}
    assert set(ids(client.get(LEADS, {"owner": staff_a.pk}))) == {due_today.pk, later.pk}
    assert client.get(LEADS, {"owner": 10_000_000}).status_code == 400


def test_leads_search_and_order(tenant_a, owner_a):
    small = LeadFactory(tenant=tenant_a, owner=owner_a, company="Acme Bakery", value=Decimal("10"))
    big = LeadFactory(tenant=tenant_a, owner=owner_a, company="Zed Gym", value=Decimal("900"))
    client = api_client_for(owner_a)

    assert ids(client.get(LEADS, {"search": "bakery"})) == [small.pk]
    assert ids(client.get(LEADS, {"ordering": "-value"})) == [big.pk, small.pk]
    assert ids(client.get(LEADS, {"ordering": "value"})) == [small.pk, big.pk]


def test_filtering_by_another_business_user_is_refused_not_answered(owner_a, owner_b, tenant_b):
    LeadFactory(tenant=tenant_b, owner=owner_b)

    response = api_client_for(owner_a).get(LEADS, {"owner": owner_b.pk})

    assert response.status_code == 400
