"""WebSocket helpers for the suites: tickets from a real server, sockets opened on a
business's host (or the platform's, with ``X-Tenant-Slug``), frames read with a timeout."""

from __future__ import annotations

import json
import os
import socket
from contextlib import suppress

import requests
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from config.asgi import application
from tests.faults import PrivateRedis, ProcfileProcess
from tests.jobs import ROOT, on_test_database
from tests.plugin import api_client_for, bearer


def web_env(redis: PrivateRedis, **extra: str) -> dict[str, str]:
    """The Procfile's ``web`` line against the test database (its runtime role), with the
    test's own Redis as cache and channel layer, and quick re-checks."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the key of the test database's proofs
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": on_test_database(os.environ["DATABASE_URL"]),
        "REDIS_URL": redis.url,
        "WEB_CONCURRENCY": "2",  # a REST post and a socket may meet in different processes
        "WEBSOCKET_RECHECK_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
        **extra,
    }
    for name in ("DATABASE_PLATFORM_URL", "DATABASE_MIGRATE_URL"):
        if os.environ.get(name):
            env[name] = on_test_database(os.environ[name])
    env.pop("CELERY_BROKER_URL", None)
    return env


def host_of(tenant) -> str:
    return f"{tenant.slug}.localhost"


def ticket_for(web: ProcfileProcess, user, host: str) -> str:
    response = requests.post(
        f"{web.url}/api/comms/ws-ticket/", headers={"Host": host, "Authorization": bearer(user)}, timeout=10
    )
    assert response.status_code == 200, response.text
    assert response.json()["expires_in"] == 30
    return response.json()["ticket"]


def open_socket(web: ProcfileProcess, host: str, ticket: str | None, **headers: str) -> ClientConnection:
    """A socket to ``web`` whose Host is ``host`` (connected to 127.0.0.1 whatever it names)."""
    query = "" if ticket is None else f"?ticket={ticket}"
    sock = socket.create_connection(("127.0.0.1", web.port), timeout=10)
    return connect(
        f"ws://{host}:{web.port}/ws/comms/{query}", sock=sock, additional_headers=headers or None, open_timeout=10
    )


def receive(ws: ClientConnection, seconds: float = 10) -> dict:
    return json.loads(ws.recv(timeout=seconds))


def nothing_within(ws: ClientConnection, seconds: float) -> list[dict]:
    """Every frame that arrives within ``seconds`` (none, when isolation holds)."""
    frames = []
    with suppress(TimeoutError):
        while True:
            frames.append(receive(ws, seconds))
    return frames


def close_code(ws: ClientConnection, seconds: float = 10) -> int | None:
    """The code the server closes with, once it does; what it sent before is an error."""
    try:
        frame = ws.recv(timeout=seconds)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    raise AssertionError(f"the server sent {frame!r} instead of closing")


def send(ws: ClientConnection, **frame) -> None:
    ws.send(json.dumps(frame))


def subscribe(ws: ClientConnection, channel_id: int) -> dict:
    send(ws, type="subscribe", channel=channel_id)
    return receive(ws)


# In the test's own process (Channels' communicator), for the cross-tenant matrix -------

SOCKET_CASES = ["foreign channel id", "b's ticket on a's host", "reused ticket", "anonymous"]


def in_process_ticket(user, host: str) -> str:
    response = api_client_for(user).post("/api/comms/ws-ticket/", HTTP_HOST=host)
    assert response.status_code == 200, response.content
    return response.json()["ticket"]


async def _converse(host: str, ticket: str | None, frames: list[dict]) -> dict:
    """Open a socket on ``host`` with ``ticket``, send ``frames``; the close code the
    server sent first, or the frames it answered."""
    query = b"" if ticket is None else f"ticket={ticket}".encode()
    scope = {
        "type": "websocket",
        "path": "/ws/comms/",
        "raw_path": b"/ws/comms/",
        "query_string": query,
        "headers": [(b"host", host.encode())],
        "subprotocols": [],
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "websocket.connect"})
    assert (await communicator.receive_output(10))["type"] == "websocket.accept"
    answers = []
    try:
        for frame in frames:
            await communicator.send_input({"type": "websocket.receive", "text": json.dumps(frame)})
        while True:
            output = await communicator.receive_output(10)
            if output["type"] == "websocket.close":
                return {"closed": output.get("code")}
            answers.append(json.loads(output["text"]))
            if len(answers) == len(frames):
                return {"frames": answers}
    finally:
        await communicator.send_input({"type": "websocket.disconnect", "code": 1000})
        await communicator.wait(10)


def converse(host: str, ticket: str | None, frames: list[dict] = ()) -> dict:
    return async_to_sync(_converse)(host, ticket, list(frames))
