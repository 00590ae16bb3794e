"""Attachments under ``/api/comms/messages/{message_pk}/attachments/``: the author
uploads (multipart), members list and download, nobody else reaches them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comms import services
from comms.factories import MessageAttachmentFactory
from comms.models import MessageAttachment
from comms.tests.helpers import channel_with
from tests.isolation import snapshot
from tests.plugin import api_client_for, count_rows, rows

pytestmark = pytest.mark.django_db


def attachments_url(message, attachment=None, action: str = "") -> str:
    url = f"/api/comms/messages/{message.pk}/attachments/"
    if attachment is not None:
        url += f"{attachment.pk}/"
    return url + (f"{action}/" if action else "")


def upload(client, message, name="rota.txt", content=b"Mon: Sam\n", content_type="text/plain"):
    return client.post(
        attachments_url(message), {"file": SimpleUploadedFile(name, content, content_type)}, format="multipart"
    )


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_author_uploads_a_file_stored_under_the_business(tenant_a, staff_a, front_desk, post, media_root):
    message = post(front_desk, staff_a, "Rota attached")

    response = upload(api_client_for(staff_a), message, name="december rota.txt", content=b"Mon: Sam\nTue: Al\n")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["message"], body["original_name"], body["size"], body["content_type"]) == (
        message.pk,
        "december rota.txt",
        17,
        "text/plain",
    )
    attachment = rows(MessageAttachment, pk=body["id"])[0]
    assert attachment.file.name.startswith("tenants/tenant-a/messageattachment/")
    assert (Path(media_root) / attachment.file.name).read_bytes() == b"Mon: Sam\nTue: Al\n"
    listed = api_client_for(staff_a).get(f"/api/comms/channels/{front_desk.pk}/messages/")
    assert [a["original_name"] for a in listed.json()["results"][0]["attachments"]] == ["december rota.txt"]


def test_members_download_under_the_original_name(owner_a, staff_a, front_desk, post):
    message = post(front_desk, staff_a, "Rota attached")
    attachment_id = upload(api_client_for(staff_a), message, name="rota.txt", content=b"Mon: Sam\n").json()["id"]
    attachment = rows(MessageAttachment, pk=attachment_id)[0]

    response = api_client_for(owner_a).get(attachments_url(message, attachment, "download"))

    assert response.status_code == 200
    assert downloaded(response) == b"Mon: Sam\n"
    assert 'filename="rota.txt"' in response["Content-Disposition"]


def test_only_the_author_attaches_or_removes_files(owner_a, staff_a, front_desk, post):
    message = post(front_desk, staff_a, "Mine")
    attachment = MessageAttachmentFactory(message=message, stored=True)

    assert upload(api_client_for(owner_a), message).status_code == 403
    assert api_client_for(owner_a).delete(attachments_url(message, attachment)).status_code == 403
    assert count_rows(MessageAttachment, message=message) == 1


def test_the_author_removes_a_file_and_it_leaves_storage(staff_a, front_desk, post, django_capture_on_commit_callbacks):
    message = post(front_desk, staff_a, "Mine")
    attachment = MessageAttachmentFactory(message=message, stored=True)
    assert attachment.file.storage.exists(attachment.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(staff_a).delete(attachments_url(message, attachment))

    assert response.status_code == 204
    assert count_rows(MessageAttachment, pk=attachment.pk) == 0
    assert not attachment.file.storage.exists(attachment.file.name)


@pytest.mark.parametrize("who", ["other_staff_a", "manager_a"])
def test_non_members_reach_no_attachment(who, request, staff_a, front_desk, post):
    message = post(front_desk, staff_a, "Members only")
    attachment = MessageAttachmentFactory(message=message, stored=True)
    client = api_client_for(request.getfixturevalue(who))

    assert client.get(attachments_url(message)).status_code == 404
    assert client.get(attachments_url(message, attachment, "download")).status_code == 404
    assert upload(client, message).status_code == 404
    assert count_rows(MessageAttachment, message=message) == 1


def test_files_over_the_limit_are_refused(monkeypatch, staff_a, front_desk, post):
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 10)
    message = post(front_desk, staff_a, "Big file")

    response = upload(api_client_for(staff_a), message, content=b"x" * 11)

    assert response.status_code == 400
    assert "file" in response.json()
    assert count_rows(MessageAttachment, message=message) == 0


def test_an_upload_needs_a_file(staff_a, front_desk, post):
    message = post(front_desk, staff_a, "No file")

    response = api_client_for(staff_a).post(attachments_url(message), {}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()


def test_an_attachment_is_only_reachable_under_its_message(staff_a, front_desk, post):
    first, second = post(front_desk, staff_a, "One"), post(front_desk, staff_a, "Two")
    attachment = MessageAttachmentFactory(message=first, stored=True)
    client = api_client_for(staff_a)

    assert client.get(attachments_url(second, attachment, "download")).status_code == 404
    assert client.delete(attachments_url(second, attachment)).status_code == 404
    assert count_rows(MessageAttachment, pk=attachment.pk) == 1


def test_a_missing_file_answers_404_not_500(staff_a, front_desk, post):
    message = post(front_desk, staff_a, "Lost file")
    attachment = MessageAttachmentFactory(message=message)  # names a file, stores none

    response = api_client_for(staff_a).get(attachments_url(message, attachment, "download"))

    assert response.status_code == 404


def test_tenant_b_reaches_no_attachment_of_tenant_a(tenant_a, tenant_b, owner_b, staff_a, front_desk, post):
    message = post(front_desk, staff_a, "A's file")
    attachment = MessageAttachmentFactory(message=message, stored=True)
    b_channel = channel_with(tenant_b, admins=[owner_b], name="b-team")
    b_message = post(b_channel, owner_b, "B's message")
    before = snapshot(tenant_a), snapshot(tenant_b)
    client = api_client_for(owner_b)

    assert client.get(attachments_url(message)).status_code == 404
    assert client.get(attachments_url(message, attachment, "download")).status_code == 404
    assert upload(client, message).status_code == 404
    # A's attachment through B's own message is not found either.
    assert client.get(attachments_url(b_message, attachment, "download")).status_code == 404
    assert client.delete(attachments_url(b_message, attachment)).status_code == 404
    assert (snapshot(tenant_a), snapshot(tenant_b)) == before
