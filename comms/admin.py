from django.contrib import admin

from comms.models import Channel, ChannelMember, Message, MessageAttachment
from core.tenancy import TenantAdminMixin


@admin.register(Channel)
class ChannelAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "is_private", "is_archived", "created_by", "created_at")
    list_filter = ("is_private", "is_archived")
    search_fields = ("name", "topic")
    list_select_related = ("created_by",)
    readonly_fields = ("created_at",)


@admin.register(ChannelMember)
class ChannelMemberAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("channel", "user", "is_admin", "joined_at", "last_read_at")
    list_filter = ("is_admin",)
    search_fields = ("channel__name", "user__username")
    list_select_related = ("channel", "user")


@admin.register(Message)
class MessageAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("channel", "author", "created_at", "edited_at")
    search_fields = ("body", "channel__name", "author__username")
    list_select_related = ("channel", "author")
    readonly_fields = ("created_at", "edited_at")


@admin.register(MessageAttachment)
class MessageAttachmentAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("original_name", "message", "size", "content_type", "uploaded_at")
    search_fields = ("original_name",)
    list_select_related = ("message",)
    readonly_fields = ("size", "content_type", "uploaded_at")
