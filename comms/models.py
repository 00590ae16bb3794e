"""Team chat: channels, their members, messages and the files attached to them."""

from django.conf import settings
from django.db import models

from core.tenancy import TenantChildModel, TenantModel, tenant_upload_to

MESSAGE_MAX_LENGTH = 5000


class Channel(TenantModel):
    """A conversation space: public to the whole business, or private to its members."""

    name = models.CharField(max_length=80)
    topic = models.CharField(max_length=250, blank=True)
    is_private = models.BooleanField(default=False, help_text="Only members see a private channel.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_archived = models.BooleanField(default=False, help_text="Archived channels are read-only.")

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="comms_channel_unique_name")]
        indexes = [
            models.Index(fields=["tenant", "is_archived", "name"], name="comms_channel_tenant_arch"),
            models.Index(fields=["tenant", "created_at"], name="comms_channel_tenant_created"),
        ]

    def __str__(self) -> str:
        return self.name


class ChannelMember(TenantChildModel):
    """A user's membership of a channel, and how far they have read it."""

    tenant_path = "channel__tenant"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_memberships")
    is_admin = models.BooleanField(default=False, help_text="Channel admins manage its members and settings.")
    joined_at = models.DateTimeField(auto_now_add=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [models.UniqueConstraint(fields=["channel", "user"], name="comms_member_unique_user")]
        indexes = [models.Index(fields=["channel", "joined_at"], name="comms_member_channel_joined")]

    def __str__(self) -> str:
        return f"{self.user} in {self.channel}"


class Message(TenantChildModel):
    """A message posted in a channel."""

    tenant_path = "channel__tenant"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["channel", "created_at"], name="comms_message_channel_time")]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class MessageAttachment(TenantChildModel):
    """A file attached to a message, stored under the tenant's folder."""

    tenant_path = "message__channel__tenant"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=tenant_upload_to, max_length=255)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=120, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["message", "uploaded_at"], name="comms_attach_message_time")]

    def __str__(self) -> str:
        return self.original_name
