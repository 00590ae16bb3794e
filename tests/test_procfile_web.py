"""The Procfile's ``release`` and ``web`` lines, run exactly as written with production
settings: static files and the API docs are served with no outside host, and slow
clients cannot starve the health check."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
import time

import pytest
import requests

from tests.faults import ProcfileProcess

SLOW_CLIENTS = 50


def production_env(tmp_path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "procfile-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "WEB_CONCURRENCY": "2",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'web.sqlite3'}")
    return env


@pytest.fixture
def web(tmp_path):
    server = ProcfileProcess("web", production_env(tmp_path))
    server.start()
    yield server
    server.stop()


def test_release_then_web_serve_the_styled_admin_and_the_docs_from_the_app_alone(tmp_path):
    """Collected static files served by the app itself, and Swagger UI and ReDoc whose
    every asset comes from this host (no CDN: production may have no way out)."""
    env = production_env(tmp_path)
    # A database of the test's own to migrate, and a folder to collect into.
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'release.sqlite3'}", STATIC_ROOT=str(tmp_path / "static"))
    env.pop("DATABASE_MIGRATE_URL", None)
    release = ProcfileProcess("release", env).run()
    assert release.returncode == 0, release.stderr[-2000:]
    web = ProcfileProcess("web", env)
    web.start()
    try:
        login = requests.get(f"{web.url}/admin/login/", timeout=10)
        assert login.status_code == 200
        stylesheets = re.findall(r'href="([^"]+\.css)"', login.text)
        assert stylesheets and all(requests.get(web.url + href, timeout=10).status_code == 200 for href in stylesheets)
        for page in ("/api/docs/", "/api/redoc/"):
            html = requests.get(web.url + page, timeout=10)
            assert html.status_code == 200
            assets = re.findall(r'(?:src|href)="([^"]+)"', html.text) + re.findall(r'"(/static/[^"]+)"', html.text)
            assert assets, page
            assert not [a for a in assets if a.startswith(("http:", "https:", "//"))], assets
            assert all(requests.get(web.url + a, timeout=10).status_code == 200 for a in assets if a.startswith("/"))
    finally:
        web.stop()


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
    for _ in range(4):  # every worker past its first request (URLconf, middleware, connection)
        assert requests.get(f"{web.url}/healthz", timeout=10).status_code == 200
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
