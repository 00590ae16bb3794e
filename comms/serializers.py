from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import User
from comms.models import Channel, ChannelMember, Message, MessageAttachment
from core.tenancy import TenantModelSerializer


def display_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


class ChannelSerializer(TenantModelSerializer):
    created_by_name = serializers.SerializerMethodField()
    is_member = serializers.SerializerMethodField()
    is_admin = serializers.SerializerMethodField()
    member_count = serializers.SerializerMethodField()
    unread_count = serializers.SerializerMethodField()

    class Meta:
        model = Channel
        fields = [
            "id",
            "name",
            "topic",
            "is_private",
            "is_archived",
            "created_by",
            "created_by_name",
            "created_at",
            "is_member",
            "is_admin",
            "member_count",
            "unread_count",
        ]
        read_only_fields = ["created_by", "created_at"]

    # The figures come from the list's annotations (comms.selectors.channels_with_activity).
    def get_created_by_name(self, channel: Channel) -> str:
        return display_name(channel.created_by)

    def get_is_member(self, channel: Channel) -> bool:
        return bool(getattr(channel, "is_member", False))

    def get_is_admin(self, channel: Channel) -> bool:
        return bool(getattr(channel, "is_admin", False))

    def get_member_count(self, channel: Channel) -> int:
        return getattr(channel, "member_count", 0)

    def get_unread_count(self, channel: Channel) -> int:
        return getattr(channel, "unread_count", 0)

    def validate_name(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("Give the channel a name.")
        return value


class ChannelMemberSerializer(TenantModelSerializer):
    channel = serializers.PrimaryKeyRelatedField(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    user_name = serializers.SerializerMethodField()

    class Meta:
        model = ChannelMember
        fields = ["id", "channel", "user", "username", "user_name", "is_admin", "joined_at", "last_read_at"]
        read_only_fields = ["joined_at", "last_read_at"]

    def get_user_name(self, member: ChannelMember) -> str:
        return display_name(member.user)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "user" in attrs and attrs["user"] != self.instance.user:
            raise serializers.ValidationError({"user": "A membership stays with its person; add the other one."})
        return super().validate(attrs)


class AttachmentSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = MessageAttachment
        fields = ["id", "original_name", "size", "content_type", "uploaded_at"]
        read_only_fields = fields


class MessageSerializer(TenantModelSerializer):
    channel = serializers.PrimaryKeyRelatedField(read_only=True)
    author = serializers.PrimaryKeyRelatedField(read_only=True)
    author_name = serializers.SerializerMethodField()
    attachments = AttachmentSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "channel", "author", "author_name", "body", "created_at", "edited_at", "attachments"]
        read_only_fields = ["created_at", "edited_at"]

    def get_author_name(self, message: Message) -> str:
        return display_name(message.author)

    def validate_body(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Write something.")
        return value


class MessageAttachmentSerializer(TenantModelSerializer):
    message = serializers.PrimaryKeyRelatedField(read_only=True)
    file = serializers.FileField(write_only=True, max_length=255, use_url=False)

    class Meta:
        model = MessageAttachment
        fields = ["id", "message", "file", "original_name", "size", "content_type", "uploaded_at"]
        read_only_fields = ["original_name", "size", "content_type", "uploaded_at"]


class SocketTicketSerializer(serializers.Serializer):
    ticket = serializers.CharField(help_text="Open ws(s)://<this host>/ws/comms/?ticket=… with it, once.")
    expires_in = serializers.IntegerField(help_text="Seconds the ticket stays usable.")
