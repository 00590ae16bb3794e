"""Serving the variants side by side and timing them: one gunicorn per variant (the same
worker count and class, its own port), requests sent one at a time from this process,
the variants taking turns round after round so that drift of the machine falls on all.

CPU is read from ``/proc``: the gunicorn worker's, and that of the PostgreSQL backends
connected to the variant's database (the bench runs on the database's machine).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .build import connect, environment
from .dataset import BOOKINGS, first_booking_id, host_of, slug_of
from .inproc import create_body
from .settings_base import PEERS_DIR, database_name

WORKERS = 1
WORKER_CLASS = "sync"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ENDPOINTS = ("bookings list", "booking detail", "booking create", "notes list")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds (0 once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


@dataclass
class Server:
    variant: str
    port: int
    process: subprocess.Popen | None = None
    latencies: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in ENDPOINTS})
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: {name: {} for name in ENDPOINTS})
    requests: int = 0
    worker_cpu: float = 0.0
    database_cpu: float = 0.0
    created: int = 0

    def start(self) -> None:
        log = open(PEERS_DIR / f".gunicorn-{self.variant}.log", "w")  # noqa: SIM115  (open for the server's life)
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "bench.peers.wsgi:application",
                f"--workers={WORKERS}",
                f"--worker-class={WORKER_CLASS}",
                f"--bind=127.0.0.1:{self.port}",
                "--timeout=120",
            ],
            # Not the repository root: gunicorn would read the project's gunicorn.conf.py.
            cwd=PEERS_DIR,
            env=environment(self.variant, role="runtime"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if self.request("GET", "/api/bookings/", 1)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.variant} did not start; see bench/peers/.gunicorn-{self.variant}.log")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)

    def worker_pid(self) -> int:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return int(children[0])

    def request(self, method: str, path: str, business: int, body: dict | None = None) -> tuple[int, float]:
        """One request on a new connection (the sync worker closes each): status, seconds."""
        headers = {"Host": host_of(business), "X-Tenant-Slug": slug_of(business)}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        return response.status, time.perf_counter() - started


def backend_pids(variant: str) -> list[int]:
    with connect() as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database_name(variant)])
        return [pid for (pid,) in rows.fetchall()]


def send_batch(server: Server, businesses: int, per_endpoint: int, rng: random.Random) -> None:
    """``per_endpoint`` requests to each endpoint, each for a business drawn at random;
    the worker's and the database backends' CPU over the batch."""
    worker = server.worker_pid()
    backends = backend_pids(server.variant)
    cpu_before = cpu_seconds(worker), sum(cpu_seconds(pid) for pid in backends)
    for name in ENDPOINTS:
        for _ in range(per_endpoint):
            business = rng.randint(1, businesses)
            body = None
            if name == "bookings list":
                method, path = "GET", "/api/bookings/"
            elif name == "notes list":
                method, path = "GET", "/api/notes/"
            elif name == "booking detail":
                method, path = "GET", f"/api/bookings/{first_booking_id(business) + rng.randrange(BOOKINGS)}/"
            else:
                server.created += 1
                method, path, body = "POST", "/api/bookings/", create_body(business, server.created)
            status, seconds = server.request(method, path, business, body)
            server.latencies[name].append(seconds)
            server.statuses[name][status] = server.statuses[name].get(status, 0) + 1
            server.requests += 1
    # Backends that appeared during the batch (a second connection) count from zero.
    backends = sorted(set(backends) | set(backend_pids(server.variant)))
    server.worker_cpu += cpu_seconds(worker) - cpu_before[0]
    server.database_cpu += sum(cpu_seconds(pid) for pid in backends) - cpu_before[1]


def measure(variants: list[str], businesses: int, rounds: int, per_endpoint: int) -> dict[str, dict]:
    """Serve every variant at once and send them alternating rounds; figures per variant."""
    servers = [Server(variant, 18400 + i) for i, variant in enumerate(variants)]
    rng = random.Random(2026)
    try:
        for server in servers:
            server.start()
        for server in servers:  # warm: imports, connections, caches
            send_batch(server, businesses, 5, random.Random(1))
            server.latencies = {name: [] for name in ENDPOINTS}
            server.statuses = {name: {} for name in ENDPOINTS}
            server.requests, server.worker_cpu, server.database_cpu = 0, 0.0, 0.0
        for round_ in range(rounds):
            order = servers[round_ % len(servers) :] + servers[: round_ % len(servers)]
            for server in order:
                send_batch(server, businesses, per_endpoint, rng)
        return {
            server.variant: {
                "latencies": server.latencies,
                "statuses": server.statuses,
                "requests": server.requests,
                "worker_cpu": server.worker_cpu,
                "database_cpu": server.database_cpu,
                "peak_rss_kib": peak_rss_kib(server.worker_pid()),
            }
            for server in servers
        }
    finally:
        for server in servers:
            server.stop()
