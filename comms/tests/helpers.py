"""Helpers of the comms tests."""

from __future__ import annotations

from comms.factories import ChannelFactory, ChannelMemberFactory
from comms.models import Channel
from core.tenancy import unscoped_all_tenants


def channel_with(tenant, *, admins=(), members=(), **fields) -> Channel:
    """A channel whose admins and members are given (the first admin created it)."""
    creator = admins[0] if admins else None
    channel = ChannelFactory(tenant=tenant, created_by=creator, **fields)
    for user in admins:
        ChannelMemberFactory(channel=channel, user=user, is_admin=True)
    for user in members:
        ChannelMemberFactory(channel=channel, user=user)
    return channel


def count_rows(model, **filters) -> int:
    with unscoped_all_tenants("test count"):
        return model._base_manager.filter(**filters).count()


def rows(model, **filters) -> list:
    with unscoped_all_tenants("test read"):
        return list(model._base_manager.filter(**filters).order_by("pk"))
