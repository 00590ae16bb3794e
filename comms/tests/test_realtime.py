"""What a post tells open sockets, in the test's own process: the REST message's fields,
to the channel's group in its business only, after COMMIT; a channel layer that is down
costs the post nothing. (The real server and Redis: tests/test_sockets.py.)"""

from __future__ import annotations

import logging

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from comms.realtime import channel_group
from core.tenancy import tenant_group_name
from tests.faults import free_port

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def layer(settings):
    settings.CHANNEL_LAYERS = IN_MEMORY
    return get_channel_layer()


def test_a_rest_post_reaches_its_channels_group_in_its_business_after_commit(
    layer, front_desk, client_a, tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    own = tenant_group_name(tenant_a, channel_group(front_desk.pk))
    assert own != tenant_group_name(tenant_b, channel_group(front_desk.pk))
    async_to_sync(layer.group_add)(own, "listener!a")
    async_to_sync(layer.group_add)(tenant_group_name(tenant_b, channel_group(front_desk.pk)), "listener!b")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_a.post(f"/api/comms/channels/{front_desk.pk}/messages/", {"body": "Till float counted"})
    assert response.status_code == 201
    assert async_to_sync(_pending)(layer, "listener!a") == 0  # nothing before COMMIT
    for callback in callbacks:
        callback()

    event = async_to_sync(layer.receive)("listener!a")
    assert event == {"type": "comms.message", "channel": front_desk.pk, "message": response.json()}
    assert async_to_sync(_pending)(layer, "listener!b") == 0


async def _pending(layer, channel: str) -> int:
    return len(layer.channels.get(channel, ()))


def test_a_channel_layer_that_is_down_never_fails_a_committed_post(
    settings, front_desk, client_a, caplog, django_capture_on_commit_callbacks
):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [dead]}}
    }
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(f"/api/comms/channels/{front_desk.pk}/messages/", {"body": "Still posted"})
    assert response.status_code == 201
    assert "socket broadcast failed" in caplog.text
