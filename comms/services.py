"""Writes of the comms app. Every function takes the tenant (or a row of it) explicitly."""

from __future__ import annotations

import mimetypes
import os
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from comms.models import Channel, ChannelMember, Message, MessageAttachment
from comms.realtime import message_created_broadcast
from core.models import BusinessEvent, TenantSettings
from core.services import business_event_record
from core.tenancy import delete_after_commit
from core.transitions import transition_lock

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def _membership(channel: Channel, user: User) -> ChannelMember | None:
    return ChannelMember.objects.filter(channel=channel, user=user).first()


def _ensure_open(channel: Channel) -> None:
    if channel.is_archived:
        raise ValidationError({"channel": "This channel is archived; unarchive it first."})


def _delete_files_after_commit(attachments: QuerySet[MessageAttachment]) -> None:
    """The attachments' files go once the deletion of their rows is committed."""
    files = [attachment.file for attachment in attachments]
    if files:
        delete_after_commit(files[0].storage, *(file.name for file in files))


def _promote_if_no_admin(channel: Channel) -> None:
    """A channel with members always keeps an admin: the longest-standing member becomes one."""
    members = ChannelMember.objects.filter(channel=channel)
    if members.exists() and not members.filter(is_admin=True).exists():
        successor = members.order_by("joined_at", "id").first()
        successor.is_admin = True
        successor.save(update_fields=["is_admin"])


# Channels -------------------------------------------------------------------------


@transaction.atomic
def channel_create(
    *, tenant: TenantSettings, created_by: User, name: str, topic: str = "", is_private: bool = False
) -> Channel:
    """Open a channel; its creator is its first member and admin."""
    channel = Channel.objects.create(
        tenant=tenant, name=name, topic=topic, is_private=is_private, created_by=created_by
    )
    ChannelMember.objects.create(channel=channel, user=created_by, is_admin=True, last_read_at=timezone.now())
    business_event_record(
        tenant=tenant,
        kind=BusinessEvent.Kind.CHANNEL_CREATED,
        summary=f"{created_by.get_username()} opened the {'private ' if is_private else ''}channel #{name}",
        performed_by=created_by,
        subject=channel,
    )
    return channel


@transaction.atomic
def channel_delete(*, channel: Channel) -> None:
    """Delete a channel with its members, messages and files (archiving keeps the history)."""
    _delete_files_after_commit(MessageAttachment.objects.filter(message__channel=channel))
    channel.delete()


def _lock_membership_of(channel: Channel, user: User, *, allowed: str) -> Channel:
    """The channel locked while ``user`` joins or leaves it, if their membership is still
    ``allowed`` ("member" or "not_member"); the channel's row stands for its memberships,
    so two joins (or leaves) of one person wait for each other and the second is refused."""

    def membership(channel: Channel) -> str:
        return "member" if _membership(channel, user) is not None else "not_member"

    def sentence(state: str) -> str:
        return f"You are {'a member' if state == 'member' else 'not a member'} of this channel"

    joining = allowed == "not_member"
    return transition_lock(
        row=channel,
        state=membership,
        allowed=[allowed],
        refused="You are already a member of this channel." if joining else "You are not a member of this channel.",
        describe=sentence,
        error_key="channel",
    )


@transaction.atomic
def channel_join(*, channel: Channel, user: User) -> ChannelMember:
    """Join a public channel (private ones are joined when an admin adds you)."""
    if channel.is_private:
        raise PermissionDenied("This channel is private: a channel admin must add you.")
    _ensure_open(channel)
    channel = _lock_membership_of(channel, user, allowed="not_member")
    return ChannelMember.objects.create(channel=channel, user=user, last_read_at=timezone.now())


@transaction.atomic
def channel_leave(*, channel: Channel, user: User) -> None:
    channel = _lock_membership_of(channel, user, allowed="member")
    _membership(channel, user).delete()
    _promote_if_no_admin(channel)


def channel_mark_read(*, channel: Channel, user: User, at: datetime | None = None) -> ChannelMember:
    """Everything posted in the channel until ``at`` (now) counts as read by ``user``."""
    membership = _membership(channel, user)
    if membership is None:
        raise ValidationError({"channel": "You are not a member of this channel."})
    membership.last_read_at = at or timezone.now()
    membership.save(update_fields=["last_read_at"])
    return membership


# Members --------------------------------------------------------------------------


def channel_member_add(*, channel: Channel, user: User, is_admin: bool = False) -> ChannelMember:
    """Add a user of the channel's business (the serializer only offers those)."""
    if user.tenant_id != channel.tenant_id:
        raise ValidationError({"user": "Only people of this business can join its channels."})
    _ensure_open(channel)
    if _membership(channel, user) is not None:
        raise ValidationError({"user": "This person is already a member of the channel."})
    return ChannelMember.objects.create(channel=channel, user=user, is_admin=is_admin)


def channel_member_update(*, member: ChannelMember, is_admin: bool) -> ChannelMember:
    if member.is_admin and not is_admin:
        other_admins = ChannelMember.objects.filter(channel_id=member.channel_id, is_admin=True).exclude(pk=member.pk)
        if not other_admins.exists():
            raise ValidationError({"is_admin": "A channel needs at least one admin; make someone else admin first."})
    member.is_admin = is_admin
    member.save(update_fields=["is_admin"])
    return member


@transaction.atomic
def channel_member_remove(*, member: ChannelMember) -> None:
    channel = member.channel
    member.delete()
    _promote_if_no_admin(channel)


# Messages -------------------------------------------------------------------------


def message_post(*, channel: Channel, author: User, body: str) -> Message:
    """Post in a channel: only its members may, and not in an archived channel."""
    membership = _membership(channel, author)
    if membership is None:
        raise PermissionDenied("Only members of this channel can post in it.")
    _ensure_open(channel)
    message = Message.objects.create(channel=channel, author=author, body=body)
    # Your own message is read: the channel stays read for you.
    membership.last_read_at = message.created_at
    membership.save(update_fields=["last_read_at"])
    message_created_broadcast(channel=channel, message=message)  # after COMMIT, to open sockets
    return message


def _ensure_author(message: Message, user: User) -> None:
    if message.author_id is None or message.author_id != user.pk:
        raise PermissionDenied("Only the author of a message can change it.")


def message_edit(*, message: Message, editor: User, body: str) -> Message:
    _ensure_author(message, editor)
    _ensure_open(message.channel)
    if body != message.body:
        message.body = body
        message.edited_at = timezone.now()
        message.save(update_fields=["body", "edited_at"])
    return message


@transaction.atomic
def message_delete(*, message: Message, deleted_by: User) -> None:
    _ensure_author(message, deleted_by)
    _delete_files_after_commit(MessageAttachment.objects.filter(message=message))
    message.delete()


# Attachments ----------------------------------------------------------------------


def attachment_add(*, message: Message, uploaded_by: User, upload: UploadedFile) -> MessageAttachment:
    """Attach a file to your own message; it is stored under the business's folder."""
    _ensure_author(message, uploaded_by)
    _ensure_open(message.channel)
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": f"Files can be at most {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB."})
    original_name = os.path.basename((upload.name or "file").replace("\\", "/"))[:255] or "file"
    content_type = (
        getattr(upload, "content_type", None) or mimetypes.guess_type(original_name)[0] or "application/octet-stream"
    )
    return MessageAttachment.objects.create(
        message=message,
        file=upload,
        original_name=original_name,
        size=upload.size,
        content_type=content_type[:120],
    )


@transaction.atomic
def attachment_delete(*, attachment: MessageAttachment, deleted_by: User) -> None:
    _ensure_author(attachment.message, deleted_by)
    delete_after_commit(attachment.file.storage, attachment.file.name)
    attachment.delete()
