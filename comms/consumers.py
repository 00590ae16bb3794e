"""Team chat over a WebSocket: ``ws(s)://<host>/ws/comms/?ticket=…`` (docs/websockets.md).

The socket shows no more than REST does: a channel is subscribed to only by those who
may read its messages (``channels/{id}/messages/``: its members), and a message sent here
goes through the same serializer and service as ``POST channels/{id}/messages/``. The
business, the ticket, the scope of every query and the re-checks are the tenancy core's
(``core.tenancy.TenantSocketConsumer``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from comms import realtime, selectors, services
from comms.serializers import MessageSerializer
from core.tenancy import TenantSocketConsumer

# The one answer for a channel of another business, a hidden one and a missing one.
CHANNEL_NOT_FOUND = "channel_not_found"
MAX_SUBSCRIPTIONS = 200


class CommsConsumer(TenantSocketConsumer):
    frame_handlers = {"subscribe": "on_subscribe", "unsubscribe": "on_unsubscribe", "message.send": "on_send"}

    async def connect(self) -> None:
        self.subscribed: set[int] = set()
        await super().connect()

    # Client frames -------------------------------------------------------------------

    async def on_subscribe(self, frame: dict[str, Any]) -> None:
        channel = await self.in_scope(self._readable, frame.get("channel"))
        if channel is None:
            await self.send_error(CHANNEL_NOT_FOUND, channel=frame.get("channel"))
            return
        if channel.pk not in self.subscribed:
            if len(self.subscribed) >= MAX_SUBSCRIPTIONS:
                await self.send_error("too_many_subscriptions", channel=channel.pk)
                return
            await self.group_join(realtime.channel_group(channel.pk))
            self.subscribed.add(channel.pk)
        await self.send_json({"type": "subscribed", "channel": channel.pk})

    async def on_unsubscribe(self, frame: dict[str, Any]) -> None:
        channel_id = frame.get("channel")
        if channel_id not in self.subscribed:
            await self.send_error(CHANNEL_NOT_FOUND, channel=channel_id)
            return
        await self._end_subscription(channel_id)

    async def on_send(self, frame: dict[str, Any]) -> None:
        answer = await self.in_scope(self._post, frame.get("channel"), frame.get("body"))
        if answer is not None:
            await self.send_error(answer[0], channel=frame.get("channel"), detail=answer[1])

    # Server events ---------------------------------------------------------------------

    async def comms_message(self, event: dict[str, Any]) -> None:
        """A message committed in a channel this socket subscribed to (comms.realtime)."""
        if event["channel"] in self.subscribed:
            await self.send_json({"type": "message.created", "channel": event["channel"], "message": event["message"]})

    # Re-checks ---------------------------------------------------------------------------

    def recheck(self) -> set[int] | None:
        kept = selectors.socket_channels_kept(tenant=self.tenant, user=self.user, channel_ids=set(self.subscribed))
        return None if kept is None else {"kept": kept}

    async def after_recheck(self, result: dict[str, set[int]]) -> None:
        for channel_id in self.subscribed - result["kept"]:
            await self._end_subscription(channel_id)

    # In the business's scope, in a thread -------------------------------------------------

    def _readable(self, channel_id: object):
        return selectors.channel_readable_by(tenant=self.tenant, user=self.user, channel_id=channel_id)

    def _post(self, channel_id: object, body: object) -> tuple[str, Any] | None:
        """``POST channels/{id}/messages/`` by socket: None once posted, else an error."""
        channel = self._readable(channel_id)
        if channel is None:
            return CHANNEL_NOT_FOUND, "No channel matches the given query."
        serializer = MessageSerializer(data={"body": body})
        if not serializer.is_valid():
            return "invalid", serializer.errors
        try:
            services.message_post(channel=channel, author=self.user, body=serializer.validated_data["body"])
        except ValidationError as exc:
            return "invalid", exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        except PermissionDenied as exc:
            return "forbidden", str(exc)
        return None

    async def _end_subscription(self, channel_id: int) -> None:
        await self.group_leave(realtime.channel_group(channel_id))
        self.subscribed.discard(channel_id)
        await self.send_json({"type": "unsubscribed", "channel": channel_id})
