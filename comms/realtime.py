"""What comms tells open sockets: the group of a channel and the ``message.created`` event.

Groups are named inside the business (``core.tenancy.tenant_group_name``), so a message
of one business reaches only sockets subscribed in that business."""

from __future__ import annotations

from comms.models import Channel, Message
from comms.serializers import MessageSerializer
from core.tenancy import tenant_group_send_on_commit

MESSAGE_EVENT = "comms.message"  # the consumer's handler: CommsConsumer.comms_message


def channel_group(channel_id: int) -> str:
    return f"comms.channel.{int(channel_id)}"


def message_created_broadcast(*, channel: Channel, message: Message) -> None:
    """Tell the channel's subscribers of ``message`` once it is committed, with the fields
    of the REST message (serialized now, in the business's scope)."""
    tenant_group_send_on_commit(
        tenant=channel.tenant,
        name=channel_group(channel.pk),
        event={"type": MESSAGE_EVENT, "channel": channel.pk, "message": dict(MessageSerializer(message).data)},
    )
