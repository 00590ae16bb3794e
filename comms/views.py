"""Team chat. Who sees what:

* channels: public ones to everyone in the business, private ones to their members;
  owners and managers see every channel;
* messages (``channels/{channel_pk}/messages/``) and their attachments
  (``messages/{message_pk}/attachments/``): members of the channel only; anyone else
  gets 404, exactly as for a channel that does not exist;
* members (``channels/{channel_pk}/members/``): whoever sees the channel reads them;
  channel admins and managers add, change and remove them (a member may remove
  themselves);
* only authors change or delete their messages and attachments.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http.response import HttpResponseBase
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from comms import selectors, serializers, services
from comms.filters import ChannelFilter, MemberFilter, MessageFilter
from comms.models import Channel, ChannelMember, Message, MessageAttachment
from core.parsers import UPLOAD_PARSERS
from core.permissions import MANAGERS, has_role
from core.schema import STATE_CONFLICT
from core.tenancy import (
    DOWNLOAD_RESPONSES,
    TICKET_SECONDS,
    TenantAPIView,
    TenantModelViewSet,
    TenantQuerySetMixin,
    file_response,
    socket_ticket_issue,
)


def _request_of(view) -> Request | None:
    """The view's request; None when the view is used outside one (route discovery)."""
    return getattr(view, "request", None)


class ParentFirstMixin:
    """Nested routes: find the parent (or answer 404) before permissions and body checks,
    so a foreign or hidden parent answers exactly like a missing one."""

    def check_permissions(self, request: Request) -> None:
        if self.parent_field is not None and not getattr(self, "swagger_fake_view", False):
            self.get_parent()
        super().check_permissions(request)


# Permissions -------------------------------------------------------------------------


class ChannelPermission(permissions.IsAuthenticated):
    """Anyone in the business reads and opens channels; admins and managers change them."""

    message = "Only the channel's admins and the business's managers can change this channel."

    def has_object_permission(self, request, view, channel: Channel) -> bool:
        if request.method in permissions.SAFE_METHODS or view.action in ("join", "leave", "mark_read"):
            return True
        return has_role(request.user, MANAGERS) or selectors.is_channel_admin(
            tenant=request.tenant, channel=channel, user=request.user
        )


class MemberPermission(permissions.IsAuthenticated):
    """Reading is open to whoever sees the channel; admins and managers manage members."""

    message = "Only the channel's admins and the business's managers can manage its members."

    def _manages(self, request, view) -> bool:
        return has_role(request.user, MANAGERS) or selectors.is_channel_admin(
            tenant=request.tenant, channel=view.get_parent(), user=request.user
        )

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS or request.method == "DELETE":
            return True
        return self._manages(request, view)

    def has_object_permission(self, request, view, member: ChannelMember) -> bool:
        if request.method == "DELETE":
            return member.user_id == request.user.pk or self._manages(request, view)
        return True


class AuthorPermission(permissions.IsAuthenticated):
    """Members read; only the author changes or deletes a message."""

    message = "Only the author of a message can change or delete it."

    def has_object_permission(self, request, view, message: Message) -> bool:
        return request.method in permissions.SAFE_METHODS or message.author_id == request.user.pk


class AttachmentPermission(permissions.IsAuthenticated):
    """Members read and download; only the message's author adds or removes files."""

    message = "Only the author of a message can attach or remove its files."

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return view.get_parent().author_id == request.user.pk


class SocketTicketPermission(permissions.IsAuthenticated):
    """The business's own members: a platform operator is a member of no channel, and a
    socket shows no more than REST does."""

    message = "Only the business's own people use its team chat."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return super().has_permission(request, view) and user.tenant_id == getattr(request.tenant, "pk", None)


# Views ---------------------------------------------------------------------------------


class ChannelViewSet(TenantModelViewSet):
    """Channels of the business, each with the caller's unread count."""

    queryset = Channel.objects.select_related("created_by")
    serializer_class = serializers.ChannelSerializer
    permission_classes = [ChannelPermission]
    filterset_class = ChannelFilter
    search_fields = ["name", "topic"]
    ordering_fields = ["name", "created_at", "unread_count"]

    def refine_queryset(self, queryset: QuerySet) -> QuerySet:
        request = _request_of(self)
        if request is None:
            return queryset
        visible = selectors.channels_visible_to(tenant=request.tenant, user=request.user, queryset=queryset)
        return selectors.channels_with_activity(tenant=request.tenant, user=request.user, queryset=visible)

    def perform_create(self, serializer: serializers.ChannelSerializer) -> None:
        data = serializer.validated_data
        channel = services.channel_create(
            tenant=self.request.tenant,
            created_by=self.request.user,
            name=data["name"],
            topic=data.get("topic", ""),
            is_private=data.get("is_private", False),
        )
        channel.is_member, channel.is_admin, channel.member_count, channel.unread_count = True, True, 1, 0
        serializer.instance = channel

    def perform_destroy(self, instance: Channel) -> None:
        services.channel_delete(channel=instance)

    def _channel_response(self, pk) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=None, responses={200: serializers.ChannelSerializer, 409: STATE_CONFLICT})
    @action(detail=True, methods=["post"])
    def join(self, request: Request, pk: str | None = None) -> Response:
        """Join a public channel."""
        channel = self.get_object()
        services.channel_join(channel=channel, user=request.user)
        return self._channel_response(channel.pk)

    @extend_schema(request=None, responses={204: None, 409: STATE_CONFLICT})
    @action(detail=True, methods=["post"])
    def leave(self, request: Request, pk: str | None = None) -> Response:
        """Leave the channel (if you were its last admin, the longest-standing member takes over)."""
        services.channel_leave(channel=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=serializers.ChannelSerializer)
    @action(detail=True, methods=["post"], url_path="mark-read")
    def mark_read(self, request: Request, pk: str | None = None) -> Response:
        """Everything posted so far counts as read: the channel's unread count drops to 0."""
        channel = self.get_object()
        services.channel_mark_read(channel=channel, user=request.user)
        return self._channel_response(channel.pk)


class ChannelMemberViewSet(ParentFirstMixin, TenantModelViewSet):
    """The members of a channel."""

    queryset = ChannelMember.objects.select_related("user", "channel")
    serializer_class = serializers.ChannelMemberSerializer
    permission_classes = [MemberPermission]
    parent_field = "channel"
    parent_lookup_kwarg = "channel_pk"
    filterset_class = MemberFilter
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    ordering_fields = ["joined_at", "user__username"]

    def refine_parent_queryset(self, queryset: QuerySet) -> QuerySet:
        request = self.request
        return selectors.channels_visible_to(tenant=request.tenant, user=request.user, queryset=queryset)

    def perform_create(self, serializer: serializers.ChannelMemberSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.channel_member_add(
            channel=self.get_parent(), user=data["user"], is_admin=data.get("is_admin", False)
        )

    def perform_update(self, serializer: serializers.ChannelMemberSerializer) -> None:
        if "is_admin" in serializer.validated_data:
            serializer.instance = services.channel_member_update(
                member=serializer.instance, is_admin=serializer.validated_data["is_admin"]
            )

    def perform_destroy(self, instance: ChannelMember) -> None:
        services.channel_member_remove(member=instance)


class MessageViewSet(ParentFirstMixin, TenantModelViewSet):
    """Messages of a channel, oldest first; members only."""

    queryset = Message.objects.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=MessageAttachment.objects.order_by("uploaded_at", "id"))
    )
    serializer_class = serializers.MessageSerializer
    permission_classes = [AuthorPermission]
    parent_field = "channel"
    parent_lookup_kwarg = "channel_pk"
    filterset_class = MessageFilter
    search_fields = ["body"]
    ordering_fields = ["created_at"]

    def refine_parent_queryset(self, queryset: QuerySet) -> QuerySet:
        request = self.request
        return selectors.channels_of_member(tenant=request.tenant, user=request.user, queryset=queryset)

    def perform_create(self, serializer: serializers.MessageSerializer) -> None:
        serializer.instance = services.message_post(
            channel=self.get_parent(), author=self.request.user, body=serializer.validated_data["body"]
        )

    def perform_update(self, serializer: serializers.MessageSerializer) -> None:
        message = serializer.instance
        body = serializer.validated_data.get("body", message.body)
        serializer.instance = services.message_edit(message=message, editor=self.request.user, body=body)

    def perform_destroy(self, instance: Message) -> None:
        services.message_delete(message=instance, deleted_by=self.request.user)


class MessageAttachmentViewSet(
    ParentFirstMixin,
    TenantQuerySetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Files attached to a message: upload (multipart, field ``file``), list, download."""

    queryset = MessageAttachment.objects.select_related("message")
    serializer_class = serializers.MessageAttachmentSerializer
    permission_classes = [AttachmentPermission]
    parser_classes = UPLOAD_PARSERS
    parent_field = "message"
    parent_lookup_kwarg = "message_pk"
    filterset_fields = ["content_type"]
    search_fields = ["original_name"]
    ordering_fields = ["uploaded_at", "original_name", "size"]

    def refine_parent_queryset(self, queryset: QuerySet) -> QuerySet:
        request = self.request
        return selectors.messages_readable_by(tenant=request.tenant, user=request.user, queryset=queryset)

    def perform_create(self, serializer: serializers.MessageAttachmentSerializer) -> None:
        serializer.instance = services.attachment_add(
            message=self.get_parent(), uploaded_by=self.request.user, upload=serializer.validated_data["file"]
        )

    def perform_destroy(self, instance: MessageAttachment) -> None:
        services.attachment_delete(attachment=instance, deleted_by=self.request.user)

    @extend_schema(request=None, responses=DOWNLOAD_RESPONSES)
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None, **kwargs) -> HttpResponseBase:
        """The file, under its original name."""
        attachment = self.get_object()
        return file_response(attachment.file, download_name=attachment.original_name)


class SocketTicketView(TenantAPIView):
    """A ticket to open one team-chat socket (``ws(s)://<this host>/ws/comms/?ticket=…``):
    for the signed-in member, this business and this host, once, within 30 seconds. The
    socket then needs no token in its URL (docs/websockets.md)."""

    permission_classes = [SocketTicketPermission]

    @extend_schema(request=None, responses={200: serializers.SocketTicketSerializer})
    def post(self, request: Request) -> Response:
        ticket = socket_ticket_issue(tenant=request.tenant, user=request.user, host=request.get_host())
        return Response({"ticket": ticket, "expires_in": TICKET_SECONDS})
