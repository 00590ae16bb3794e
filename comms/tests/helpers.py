"""Helpers of the comms tests."""

from __future__ import annotations

from comms.factories import ChannelFactory, ChannelMemberFactory
from comms.models import Channel


def channel_with(tenant, *, admins=(), members=(), **fields) -> Channel:
    """A channel whose admins and members are given (the first admin created it)."""
    creator = admins[0] if admins else None
    channel = ChannelFactory(tenant=tenant, created_by=creator, **fields)
    for user in admins:
        ChannelMemberFactory(channel=channel, user=user, is_admin=True)
    for user in members:
        ChannelMemberFactory(channel=channel, user=user)
    return channel
