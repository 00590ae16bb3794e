"""Team chat over WebSockets as production serves it: the Procfile's ``web`` line run as
written (two processes), a Redis of the test's own as the channel layer and cache,
PostgreSQL as the runtime role. A's messages reach A's subscribers and nobody in B; every
refusal of the contract (docs/websockets.md) happens before anything is sent."""

from __future__ import annotations

import threading
import time
from unittest import mock

import pytest
import redis
import requests
from django.core import signing
from websockets.exceptions import ConnectionClosed

from accounts.models import User
from comms.models import Channel, ChannelMember, Message
from comms.tests.helpers import channel_with
from core.models import TenantSettings
from core.tenancy import socket_ticket_issue, unscoped_all_tenants
from tests.faults import PrivateRedis, ProcfileProcess
from tests.plugin import bearer, count_rows, move_user, update_rows
from tests.rls import needs_postgresql
from tests.sockets import (
    close_code,
    nothing_within,
    open_socket,
    receive,
    send,
    subscribe,
    ticket_for,
    web_env,
)

pytestmark = [needs_postgresql, pytest.mark.django_db(transaction=True)]
A_HOST, B_HOST = "tenant-a.localhost", "tenant-b.localhost"


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory):
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def web(django_db_setup, django_db_blocker, private_redis):
    """One server for the module: each test makes its own rows (and forgets the cache)."""
    server = ProcfileProcess("web", web_env(private_redis))
    server.start(seconds=60)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fresh_cache(private_redis):
    # Each test's businesses get new ids under the same slugs: forget the old resolutions.
    redis.Redis.from_url(private_redis.url).flushall()


@pytest.fixture
def chats(tenant_a, tenant_b, owner_a, staff_a, owner_b):
    a = channel_with(tenant_a, admins=[owner_a], members=[staff_a], name="front-desk")
    b = channel_with(tenant_b, admins=[owner_b], name="kitchen")
    return a, b


def post_by_rest(web, user, host: str, channel: Channel, body: str) -> dict:
    response = requests.post(
        f"{web.url}/api/comms/channels/{channel.pk}/messages/",
        json={"body": body},
        headers={"Host": host, "Authorization": bearer(user)},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_message_reaches_as_subscribers_and_nobody_in_b(web, chats, owner_a, staff_a, owner_b):
    a, b = chats
    with (
        open_socket(web, A_HOST, ticket_for(web, owner_a, A_HOST)) as owner_socket,
        open_socket(web, "localhost", ticket_for(web, staff_a, "localhost"), **{"X-Tenant-Slug": "tenant-a"}) as staff,
        open_socket(web, B_HOST, ticket_for(web, owner_b, B_HOST)) as b_socket,
    ):
        assert subscribe(owner_socket, a.pk) == {"type": "subscribed", "channel": a.pk}
        assert subscribe(staff, a.pk) == {"type": "subscribed", "channel": a.pk}
        assert subscribe(b_socket, b.pk) == {"type": "subscribed", "channel": b.pk}

        by_rest = post_by_rest(web, owner_a, A_HOST, a, "Delivery at ten")
        for ws in (owner_socket, staff):
            assert receive(ws) == {"type": "message.created", "channel": a.pk, "message": by_rest}

        send(staff, type="message.send", channel=a.pk, body="On it")
        by_socket = receive(owner_socket)
        assert by_socket["type"] == "message.created" and by_socket["message"]["body"] == "On it"
        listed = requests.get(
            f"{web.url}/api/comms/channels/{a.pk}/messages/",
            headers={"Host": A_HOST, "Authorization": bearer(owner_a)},
            timeout=10,
        ).json()["results"]
        assert by_socket["message"] == listed[-1]  # the REST message's fields, exactly
        assert receive(staff)["message"] == by_socket["message"]

        assert nothing_within(b_socket, 1.5) == []


def test_a_channel_of_another_business_answers_like_a_missing_one(web, chats, tenant_a, owner_b, staff_a):
    a, b = chats
    private = channel_with(tenant_a, admins=[], name="office", is_private=True)
    with open_socket(web, B_HOST, ticket_for(web, owner_b, B_HOST)) as ws:
        foreign, missing = subscribe(ws, a.pk), subscribe(ws, a.pk + b.pk + private.pk + 1000)
        send(ws, type="message.send", channel=a.pk, body="hello from B")
        foreign_send = receive(ws)
    assert foreign["type"] == missing["type"] == foreign_send["type"] == "error"
    assert foreign["code"] == missing["code"] == foreign_send["code"] == "channel_not_found"
    with open_socket(web, A_HOST, ticket_for(web, staff_a, A_HOST)) as ws:  # not a member: REST says 404 too
        assert subscribe(ws, private.pk)["code"] == "channel_not_found"
    assert count_rows(Message, channel=a) == 0  # B's send reached nothing of A's


def _expired_ticket(owner_a) -> str:
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 31):
        return socket_ticket_issue(tenant=owner_a.tenant, user=owner_a, host=A_HOST)


@pytest.mark.parametrize(
    "case,expected",
    [
        ("no ticket", 4401),
        ("forged ticket", 4401),
        ("expired ticket", 4401),
        ("b's ticket on a's host", 4401),
        ("a's ticket on another host of a", 4401),
        ("b's ticket naming a by header", 4401),
        ("unknown host", 4403),
        ("unknown business by header", 4403),
    ],
)
def test_the_handshake_is_refused_before_anything_is_sent(web, chats, owner_a, owner_b, case, expected):
    host, ticket, headers = A_HOST, None, {}
    if case == "forged ticket":
        ticket = ticket_for(web, owner_a, A_HOST)[:-2] + "xx"
    elif case == "expired ticket":
        ticket = _expired_ticket(owner_a)
    elif case == "b's ticket on a's host":
        ticket = ticket_for(web, owner_b, B_HOST)
    elif case == "a's ticket on another host of a":
        ticket, host, headers = ticket_for(web, owner_a, A_HOST), "localhost", {"X-Tenant-Slug": "tenant-a"}
    elif case == "b's ticket naming a by header":
        ticket, host, headers = ticket_for(web, owner_b, "localhost"), "localhost", {"X-Tenant-Slug": "tenant-a"}
    elif case == "unknown host":
        ticket, host = ticket_for(web, owner_a, A_HOST), "evil.example"
    elif case == "unknown business by header":
        ticket, host, headers = ticket_for(web, owner_a, "localhost"), "localhost", {"X-Tenant-Slug": "nobody"}
    with open_socket(web, host, ticket, **headers) as ws:
        assert close_code(ws) == expected


def test_anonymous_gets_no_ticket_and_an_operator_none_either(web, chats, operator):
    response = requests.post(f"{web.url}/api/comms/ws-ticket/", headers={"Host": A_HOST}, timeout=10)
    assert response.status_code == 401
    response = requests.post(
        f"{web.url}/api/comms/ws-ticket/",
        headers={"Host": "localhost", "X-Tenant-Slug": "tenant-a", "Authorization": bearer(operator)},
        timeout=10,
    )
    assert response.status_code == 403


def test_a_ticket_opens_one_socket_even_when_used_in_parallel(web, chats, owner_a):
    a, _ = chats
    ticket = ticket_for(web, owner_a, A_HOST)
    answers: list = []

    start = threading.Barrier(8)

    def use() -> None:
        start.wait(10)  # eight handshakes at once
        with open_socket(web, A_HOST, ticket) as ws:
            try:
                send(ws, type="subscribe", channel=a.pk)
                answers.append(receive(ws)["type"])
            except ConnectionClosed as closed:
                answers.append(closed.rcvd.code)

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(answers, key=str) == sorted(["subscribed", *[4401] * 7], key=str)
    with open_socket(web, A_HOST, ticket) as ws:  # and once more, later
        assert close_code(ws) == 4401


def test_removed_members_stop_receiving_and_deactivated_ones_are_closed(web, chats, tenant_a, owner_a, staff_a):
    a, _ = chats
    with (
        open_socket(web, A_HOST, ticket_for(web, staff_a, A_HOST)) as staff,
        open_socket(web, A_HOST, ticket_for(web, owner_a, A_HOST)) as owner,
    ):
        assert subscribe(staff, a.pk)["type"] == subscribe(owner, a.pk)["type"] == "subscribed"
        with unscoped_all_tenants("test: a member removed behind the API"):
            ChannelMember._base_manager.filter(channel=a, user=staff_a).delete()
        assert receive(staff, 5) == {"type": "unsubscribed", "channel": a.pk}
        post_by_rest(web, owner_a, A_HOST, a, "Staff meeting at four")
        assert receive(owner)["type"] == "message.created"
        assert nothing_within(staff, 1.5) == []

        update_rows(User, {"pk": owner_a.pk}, is_active=False)
        assert close_code(owner, 5) == 4403


@pytest.mark.parametrize("change", ["business deactivated", "user moved"])
def test_a_business_deactivated_or_a_user_moved_closes_the_socket(web, chats, tenant_a, tenant_b, owner_a, change):
    a, _ = chats
    with open_socket(web, A_HOST, ticket_for(web, owner_a, A_HOST)) as ws:
        subscribe(ws, a.pk)
        if change == "business deactivated":
            update_rows(TenantSettings, {"pk": tenant_a.pk}, is_active=False)
        else:
            move_user(owner_a, tenant_b)
        assert close_code(ws, 5) == 4403


def test_bad_frames_get_error_frames_and_the_socket_keeps_serving(web, chats, owner_a):
    a, _ = chats
    with open_socket(web, A_HOST, ticket_for(web, owner_a, A_HOST)) as ws:
        ws.send("{not json")
        assert receive(ws) == {"type": "error", "code": "malformed"}
        send(ws, type="shout")
        assert receive(ws) == {"type": "error", "code": "unknown_type"}
        ws.send("[1, 2]")
        assert receive(ws) == {"type": "error", "code": "malformed"}
        send(ws, type="message.send", channel=a.pk, body="   ")
        assert receive(ws)["code"] == "invalid"
        assert subscribe(ws, a.pk) == {"type": "subscribed", "channel": a.pk}
        ws.send("x" * 40_000)
        assert close_code(ws) == 1009


def test_a_flood_of_frames_is_limited_per_connection(web, chats, owner_a):
    a, _ = chats
    with open_socket(web, A_HOST, ticket_for(web, owner_a, A_HOST)) as ws:
        for _ in range(30):
            send(ws, type="unsubscribe", channel=a.pk)
        codes = [receive(ws)["code"] for _ in range(30)]
        assert codes.count("rate_limited") >= 5 and "channel_not_found" in codes


def test_a_signed_value_of_another_purpose_is_no_ticket(web, chats, owner_a):
    value = signing.dumps({"u": owner_a.pk, "t": owner_a.tenant_id, "h": A_HOST, "n": "x"}, salt="another.purpose")
    with open_socket(web, A_HOST, value) as ws:
        assert close_code(ws) == 4401


def test_a_socket_left_idle_keeps_receiving(web, chats, owner_a, staff_a):
    """Quiet for longer than the channel layer blocks waiting for a message (5 s), which
    redis-py's default read timeout once turned into the end of every socket."""
    a, _ = chats
    with open_socket(web, A_HOST, ticket_for(web, staff_a, A_HOST)) as ws:
        assert subscribe(ws, a.pk)["type"] == "subscribed"
        assert nothing_within(ws, 7) == []
        post_by_rest(web, owner_a, A_HOST, a, "Still there?")
        assert receive(ws)["message"]["body"] == "Still there?"
