"""Fixtures of the comms tests: a small team in tenant A, files stored in a temporary folder."""

from __future__ import annotations

import pytest

from accounts.factories import UserFactory
from accounts.models import User
from comms.factories import MessageFactory
from comms.models import Message
from comms.tests.helpers import channel_with


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def manager_a(tenant_a):
    return UserFactory(tenant=tenant_a, username="tenant-a-manager", role=User.Role.MANAGER)


@pytest.fixture
def staff_a(tenant_a):
    return UserFactory(tenant=tenant_a, username="tenant-a-staff", role=User.Role.STAFF)


@pytest.fixture
def staff2_a(tenant_a):
    return UserFactory(tenant=tenant_a, username="tenant-a-staff2", role=User.Role.STAFF)


@pytest.fixture
def front_desk(tenant_a, user_a, staff_a):
    """A public channel of tenant A: the owner is its admin, staff_a a member."""
    return channel_with(tenant_a, admins=[user_a], members=[staff_a], name="front-desk")


@pytest.fixture
def office(tenant_a, user_a):
    """A private channel of tenant A with the owner only."""
    return channel_with(tenant_a, admins=[user_a], name="office", is_private=True)


@pytest.fixture
def post(db):
    def make(channel, author, body="Hello") -> Message:
        return MessageFactory(channel=channel, author=author, body=body)

    return make
