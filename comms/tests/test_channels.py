"""Channels through the real HTTP API: who sees them, who changes them, join, leave,
unread counts and mark-read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comms.factories import MessageFactory
from comms.models import Channel, ChannelMember, Message
from comms.tests.helpers import channel_with
from core.models import BusinessEvent
from tests.plugin import api_client_for, count_rows, rows

pytestmark = pytest.mark.django_db

CHANNELS = "/api/comms/channels/"


def channel_url(channel, action: str = "") -> str:
    return f"{CHANNELS}{channel.pk}/" + (f"{action}/" if action else "")


def listed(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {item["name"]: item for item in response.json()["results"]}


def membership(channel, user) -> ChannelMember | None:
    found = rows(ChannelMember, channel=channel, user=user)
    return found[0] if found else None


# Creating -------------------------------------------------------------------------


def test_creating_a_channel_makes_its_creator_an_admin_member_and_records_the_event(tenant_a, staff_a):
    response = api_client_for(staff_a).post(CHANNELS, {"name": "rota", "topic": "Who works when"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["is_member"], body["is_admin"], body["member_count"], body["unread_count"]) == (True, True, 1, 0)
    channel = rows(Channel, pk=body["id"])[0]
    assert channel.tenant_id == tenant_a.pk
    assert channel.created_by_id == staff_a.pk
    assert membership(channel, staff_a).is_admin is True
    events = rows(BusinessEvent, tenant=tenant_a, kind=BusinessEvent.Kind.CHANNEL_CREATED)
    assert [(e.object_id, e.performed_by_id) for e in events] == [(str(channel.pk), staff_a.pk)]


def test_channel_names_are_unique_per_business_only(tenant_a, owner_a, owner_b, front_desk):
    duplicate = api_client_for(owner_a).post(CHANNELS, {"name": "front-desk"}, format="json")
    elsewhere = api_client_for(owner_b).post(CHANNELS, {"name": "front-desk"}, format="json")

    assert duplicate.status_code == 400
    assert "name" in duplicate.json()
    assert elsewhere.status_code == 201, elsewhere.content
    assert count_rows(Channel, tenant=tenant_a) == 1


# Who sees which channel -------------------------------------------------------------


def test_staff_see_public_channels_and_their_private_ones_managers_see_all(
    tenant_a, owner_a, manager_a, staff_a, other_staff_a, front_desk, office
):
    mine = channel_with(tenant_a, admins=[staff_a], name="staff-room", is_private=True)

    as_staff = listed(api_client_for(staff_a).get(CHANNELS))
    as_other_staff = listed(api_client_for(other_staff_a).get(CHANNELS))
    as_manager = listed(api_client_for(manager_a).get(CHANNELS))

    assert set(as_staff) == {"front-desk", "staff-room"}
    assert set(as_other_staff) == {"front-desk"}
    assert set(as_manager) == {"front-desk", "office", "staff-room"}
    assert as_staff["front-desk"]["is_member"] is True
    assert as_other_staff["front-desk"]["is_member"] is False
    assert as_manager["staff-room"]["is_member"] is False
    # A private channel someone is not in answers like a channel that does not exist.
    assert api_client_for(other_staff_a).get(channel_url(mine)).status_code == 404
    assert api_client_for(other_staff_a).get(channel_url(office)).status_code == 404


# Changing ---------------------------------------------------------------------------


def test_only_channel_admins_and_managers_change_or_delete_a_channel(
    tenant_a, manager_a, staff_a, other_staff_a, front_desk
):
    member_patch = api_client_for(staff_a).patch(channel_url(front_desk), {"topic": "Mine now"}, format="json")
    member_delete = api_client_for(staff_a).delete(channel_url(front_desk))
    manager_patch = api_client_for(manager_a).patch(channel_url(front_desk), {"topic": "Desk"}, format="json")

    assert member_patch.status_code == 403
    assert member_delete.status_code == 403
    assert manager_patch.status_code == 200, manager_patch.content
    assert rows(Channel, pk=front_desk.pk)[0].topic == "Desk"

    admin_channel = channel_with(tenant_a, admins=[other_staff_a], members=[staff_a], name="bar")
    assert api_client_for(other_staff_a).delete(channel_url(admin_channel)).status_code == 204
    assert count_rows(Channel, pk=admin_channel.pk) == 0


# Joining and leaving --------------------------------------------------------------------


def test_anyone_joins_a_public_channel_once(other_staff_a, front_desk):
    client = api_client_for(other_staff_a)

    joined = client.post(channel_url(front_desk, "join"))
    again = client.post(channel_url(front_desk, "join"))

    assert joined.status_code == 200, joined.content
    assert joined.json()["is_member"] is True
    assert membership(front_desk, other_staff_a).is_admin is False
    assert again.status_code == 400
    assert count_rows(ChannelMember, channel=front_desk, user=other_staff_a) == 1


def test_private_channels_cannot_be_joined_even_by_managers(manager_a, other_staff_a, office):
    assert api_client_for(manager_a).post(channel_url(office, "join")).status_code == 403
    assert api_client_for(other_staff_a).post(channel_url(office, "join")).status_code == 404
    assert count_rows(ChannelMember, channel=office) == 1


def test_archived_channels_cannot_be_joined(tenant_a, owner_a, other_staff_a):
    archived = channel_with(tenant_a, admins=[owner_a], name="old-news", is_archived=True)

    response = api_client_for(other_staff_a).post(channel_url(archived, "join"))

    assert response.status_code == 400
    assert membership(archived, other_staff_a) is None


def test_leaving_a_channel_and_the_last_admin_leaving_hands_over(owner_a, staff_a, other_staff_a, front_desk):
    api_client_for(other_staff_a).post(channel_url(front_desk, "join"))

    assert api_client_for(other_staff_a).post(channel_url(front_desk, "leave")).status_code == 204
    assert membership(front_desk, other_staff_a) is None
    assert api_client_for(other_staff_a).post(channel_url(front_desk, "leave")).status_code == 400

    # The owner is the only admin: when they leave, the longest-standing member takes over.
    assert api_client_for(owner_a).post(channel_url(front_desk, "leave")).status_code == 204
    assert membership(front_desk, staff_a).is_admin is True


# Unread counts ----------------------------------------------------------------------------


def test_unread_count_counts_others_messages_since_the_last_read(owner_a, staff_a, other_staff_a, front_desk, post):
    ChannelMember._base_manager.filter(channel=front_desk).update(last_read_at=timezone.now() - timedelta(hours=1))
    earlier = post(front_desk, owner_a, "Before you read")
    Message._base_manager.filter(pk=earlier.pk).update(created_at=timezone.now() - timedelta(hours=2))
    post(front_desk, owner_a, "New one")
    post(front_desk, owner_a, "Another")
    post(front_desk, staff_a, "My own message is never unread for me")

    assert listed(api_client_for(staff_a).get(CHANNELS))["front-desk"]["unread_count"] == 2
    assert listed(api_client_for(owner_a).get(CHANNELS))["front-desk"]["unread_count"] == 1
    # Not a member: nothing is unread.
    assert listed(api_client_for(other_staff_a).get(CHANNELS))["front-desk"]["unread_count"] == 0


def test_a_member_who_never_read_has_every_message_of_others_unread(tenant_a, owner_a, staff_a, post):
    channel = channel_with(tenant_a, admins=[owner_a], members=[staff_a], name="news")
    for text in ("one", "two", "three"):
        post(channel, owner_a, text)

    assert listed(api_client_for(staff_a).get(CHANNELS))["news"]["unread_count"] == 3


def test_mark_read_brings_the_unread_count_to_zero(owner_a, staff_a, front_desk, post):
    post(front_desk, owner_a, "Please read")
    client = api_client_for(staff_a)
    assert listed(client.get(CHANNELS))["front-desk"]["unread_count"] == 1

    response = client.post(channel_url(front_desk, "mark-read"))

    assert response.status_code == 200, response.content
    assert response.json()["unread_count"] == 0
    assert membership(front_desk, staff_a).last_read_at is not None
    assert listed(client.get(CHANNELS))["front-desk"]["unread_count"] == 0
    # Someone else's count is theirs.
    assert membership(front_desk, owner_a).last_read_at is None


def test_mark_read_needs_membership(other_staff_a, front_desk):
    assert api_client_for(other_staff_a).post(channel_url(front_desk, "mark-read")).status_code == 400


def test_the_channel_list_costs_the_same_queries_for_two_or_ten_channels(tenant_a, owner_a, staff_a):
    def build(n: int, prefix: str) -> None:
        for i in range(n):
            channel = channel_with(tenant_a, admins=[owner_a], members=[staff_a], name=f"{prefix}-{i}")
            MessageFactory(channel=channel, author=owner_a)

    client = api_client_for(staff_a)
    build(2, "few")
    with CaptureQueriesContext(connection) as few:
        assert len(listed(client.get(CHANNELS))) == 2
    build(8, "many")
    with CaptureQueriesContext(connection) as many:
        result = listed(client.get(CHANNELS))

    assert len(result) == 10
    assert {item["unread_count"] for item in result.values()} == {1}
    assert {item["member_count"] for item in result.values()} == {2}
    assert len(many.captured_queries) == len(few.captured_queries)
