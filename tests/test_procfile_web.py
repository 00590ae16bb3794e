"""The Procfile's ``web`` line, run exactly as written with production settings: slow
clients cannot starve it, and its health check answers within a second."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time

import pytest
import requests

from tests.faults import ProcfileProcess

SLOW_CLIENTS = 50


@pytest.fixture
def web(tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "procfile-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "WEB_CONCURRENCY": "2",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'web.sqlite3'}")
    server = ProcfileProcess("web", env)
    server.start()
    yield server
    server.stop()


def hold_slowly(port: int, stop: threading.Event, opened: list[socket.socket]) -> None:
    """``SLOW_CLIENTS`` connections that each send one byte of a request a second."""
    for _ in range(SLOW_CLIENTS):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        opened.append(connection)
    request = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 1000
    for byte in request:
        if stop.wait(1):
            return
        for connection in opened:
            with contextlib.suppress(OSError):  # the server may drop a client it finds too slow
                connection.send(bytes([byte]))


def test_slow_clients_cannot_starve_the_health_check(web):
    stop, opened = threading.Event(), []
    slowloris = threading.Thread(target=hold_slowly, args=(web.port, stop, opened), daemon=True)
    slowloris.start()
    try:
        deadline = time.monotonic() + 10
        while len(opened) < SLOW_CLIENTS and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(opened) == SLOW_CLIENTS
        timings = []
        for _ in range(6):
            time.sleep(0.5)
            started = time.monotonic()
            response = requests.get(f"{web.url}/healthz", timeout=5)
            timings.append(time.monotonic() - started)
            assert response.status_code == 200, response.text
        assert max(timings) < 1.0, timings
    finally:
        stop.set()
        slowloris.join(5)
        for connection in opened:
            connection.close()
