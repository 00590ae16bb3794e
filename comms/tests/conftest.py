"""Fixtures of the comms tests: channels of tenant A and a way to post in them (the
people are the shared plugin's, tests/plugin.py)."""

from __future__ import annotations

import pytest

from comms.factories import MessageFactory
from comms.models import Message
from comms.tests.helpers import channel_with


@pytest.fixture
def front_desk(tenant_a, owner_a, staff_a):
    """A public channel of tenant A: the owner is its admin, staff_a a member."""
    return channel_with(tenant_a, admins=[owner_a], members=[staff_a], name="front-desk")


@pytest.fixture
def office(tenant_a, owner_a):
    """A private channel of tenant A with the owner only."""
    return channel_with(tenant_a, admins=[owner_a], name="office", is_private=True)


@pytest.fixture
def post(db):
    def make(channel, author, body="Hello") -> Message:
        return MessageFactory(channel=channel, author=author, body=body)

    return make
