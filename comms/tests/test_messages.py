"""Messages under ``/api/comms/channels/{channel_pk}/messages/``: only members read and
post; only authors edit and delete; another business's channel is a 404."""

from __future__ import annotations

import pytest

from comms.models import Message, MessageAttachment
from comms.tests.helpers import channel_with
from tests.isolation import snapshot
from tests.plugin import api_client_for, count_rows, rows

pytestmark = pytest.mark.django_db


def messages_url(channel, message=None) -> str:
    url = f"/api/comms/channels/{channel.pk}/messages/"
    return f"{url}{message.pk}/" if message is not None else url


def test_a_member_posts_and_reads_the_channel(owner_a, staff_a, front_desk):
    posted = api_client_for(staff_a).post(messages_url(front_desk), {"body": "Delivery at ten"}, format="json")

    assert posted.status_code == 201, posted.content
    body = posted.json()
    assert (body["channel"], body["author"], body["body"], body["edited_at"]) == (
        front_desk.pk,
        staff_a.pk,
        "Delivery at ten",
        None,
    )
    listed = api_client_for(owner_a).get(messages_url(front_desk))
    assert listed.status_code == 200
    assert [m["body"] for m in listed.json()["results"]] == ["Delivery at ten"]


def test_the_author_is_the_caller_whatever_the_body_says(owner_a, staff_a, front_desk):
    response = api_client_for(staff_a).post(
        messages_url(front_desk), {"body": "Hi", "author": owner_a.pk, "channel": 999}, format="json"
    )

    assert response.status_code == 201, response.content
    message = rows(Message, pk=response.json()["id"])[0]
    assert (message.author_id, message.channel_id) == (staff_a.pk, front_desk.pk)


@pytest.mark.parametrize("who", ["other_staff_a", "manager_a"])
def test_non_members_neither_read_nor_post_even_managers(who, request, owner_a, front_desk, post):
    outsider = request.getfixturevalue(who)
    post(front_desk, owner_a, "Members only")
    client = api_client_for(outsider)

    assert client.get(messages_url(front_desk)).status_code == 404
    assert client.post(messages_url(front_desk), {"body": "Let me in"}, format="json").status_code == 404
    assert count_rows(Message, channel=front_desk) == 1


def test_joining_opens_the_conversation(owner_a, other_staff_a, front_desk, post):
    post(front_desk, owner_a, "Welcome")
    client = api_client_for(other_staff_a)
    client.post(f"/api/comms/channels/{front_desk.pk}/join/")

    response = client.get(messages_url(front_desk))

    assert response.status_code == 200
    assert [m["body"] for m in response.json()["results"]] == ["Welcome"]


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_empty_or_too_long_messages_are_refused(body, staff_a, front_desk):
    response = api_client_for(staff_a).post(messages_url(front_desk), {"body": body}, format="json")

    assert response.status_code == 400
    assert "body" in response.json()
    assert count_rows(Message, channel=front_desk) == 0


def test_a_message_of_5000_characters_is_fine(staff_a, front_desk):
    response = api_client_for(staff_a).post(messages_url(front_desk), {"body": "x" * 5000}, format="json")

    assert response.status_code == 201, response.content


def test_archived_channels_take_no_new_messages(tenant_a, owner_a):
    archived = channel_with(tenant_a, admins=[owner_a], name="old", is_archived=True)

    response = api_client_for(owner_a).post(messages_url(archived), {"body": "Anyone?"}, format="json")

    assert response.status_code == 400
    assert count_rows(Message, channel=archived) == 0


def test_authors_edit_their_messages_others_cannot(owner_a, staff_a, front_desk, post):
    message = post(front_desk, staff_a, "Typo hre")

    by_owner = api_client_for(owner_a).patch(messages_url(front_desk, message), {"body": "Hacked"}, format="json")
    assert by_owner.status_code == 403
    assert rows(Message, pk=message.pk)[0].body == "Typo hre"

    by_author = api_client_for(staff_a).patch(messages_url(front_desk, message), {"body": "Typo here"}, format="json")
    assert by_author.status_code == 200, by_author.content
    assert by_author.json()["edited_at"] is not None
    assert rows(Message, pk=message.pk)[0].body == "Typo here"


def test_authors_delete_their_messages_others_cannot(owner_a, staff_a, front_desk, post):
    message = post(front_desk, staff_a, "Oops")

    assert api_client_for(owner_a).delete(messages_url(front_desk, message)).status_code == 403
    assert count_rows(Message, pk=message.pk) == 1
    assert api_client_for(staff_a).delete(messages_url(front_desk, message)).status_code == 204
    assert count_rows(Message, pk=message.pk) == 0


def test_a_message_is_only_reachable_under_its_own_channel(tenant_a, owner_a, staff_a, front_desk, post):
    other = channel_with(tenant_a, admins=[owner_a], members=[staff_a], name="other")
    message = post(front_desk, staff_a, "Here")
    client = api_client_for(staff_a)

    assert client.get(messages_url(other, message)).status_code == 404
    assert client.patch(messages_url(other, message), {"body": "Moved"}, format="json").status_code == 404
    assert client.delete(messages_url(other, message)).status_code == 404
    assert rows(Message, pk=message.pk)[0].body == "Here"


def test_messages_are_filtered_and_searched(owner_a, staff_a, front_desk, post):
    post(front_desk, owner_a, "Fridge is broken")
    post(front_desk, staff_a, "Engineer booked")
    client = api_client_for(staff_a)

    by_author = client.get(messages_url(front_desk), {"author": owner_a.pk})
    searched = client.get(messages_url(front_desk), {"search": "engineer"})

    assert [m["body"] for m in by_author.json()["results"]] == ["Fridge is broken"]
    assert [m["body"] for m in searched.json()["results"]] == ["Engineer booked"]


# Across businesses ------------------------------------------------------------------------


def test_tenant_b_posting_into_tenant_a_channel_is_a_404_and_writes_nothing(tenant_a, tenant_b, owner_b, front_desk):
    b_channel = channel_with(tenant_b, admins=[owner_b], name="b-team")
    before = snapshot(tenant_a), snapshot(tenant_b)
    client = api_client_for(owner_b)

    posted = client.post(messages_url(front_desk), {"body": "Hello from B"}, format="json")
    # The channel is looked up before the body is read: an invalid body is no different.
    invalid = client.post(messages_url(front_desk), {"body": ""}, format="json")
    listed = client.get(messages_url(front_desk))
    missing = client.post(f"/api/comms/channels/{b_channel.pk + 10_000}/messages/", {"body": "x"}, format="json")

    assert (posted.status_code, invalid.status_code, listed.status_code) == (404, 404, 404)
    assert posted.content == missing.content
    assert (snapshot(tenant_a), snapshot(tenant_b)) == before


def test_tenant_b_cannot_reach_a_message_of_tenant_a_through_its_own_channel(
    tenant_a, tenant_b, owner_b, staff_a, front_desk, post
):
    b_channel = channel_with(tenant_b, admins=[owner_b], name="b-team")
    message = post(front_desk, staff_a, "A's secret")
    before = snapshot(tenant_a)
    client = api_client_for(owner_b)

    assert client.get(messages_url(b_channel, message)).status_code == 404
    assert client.patch(messages_url(b_channel, message), {"body": "B was here"}, format="json").status_code == 404
    assert client.delete(messages_url(b_channel, message)).status_code == 404
    assert snapshot(tenant_a) == before


def test_deleting_a_message_removes_its_attachments(staff_a, front_desk, post, django_capture_on_commit_callbacks):
    from comms.factories import MessageAttachmentFactory

    message = post(front_desk, staff_a, "See file")
    attachment = MessageAttachmentFactory(message=message, stored=True)
    stored = attachment.file.storage
    assert stored.exists(attachment.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(staff_a).delete(messages_url(front_desk, message))

    assert response.status_code == 204
    assert count_rows(MessageAttachment, pk=attachment.pk) == 0
    assert not stored.exists(attachment.file.name)
