"""One busy business against a quiet one (``make bench-noisy``): not a test, figures.

The server is the Procfile's ``web`` line as written (gunicorn with uvicorn workers,
``WEB_CONCURRENCY`` processes) on a PostgreSQL benchmark database (50 businesses, 20,000
bookings unless told otherwise). Business A, the biggest, floods a heavy endpoint (its
bookings, 100 a page, with their count) through wrk with 4 connections per request slot
of the server; business B, a median one, asks for a light one (its public services) at a
steady pace from one client. B's latency, p50 and p99, is measured:

1. with no flood;
2. with the flood and no cap (``TENANT_MAX_CONCURRENT_REQUESTS=0``);
3. with the flood and the cap (``TENANT_MAX_CONCURRENT_REQUESTS`` of each ``--cap``).

A request slot of the ``web`` line is one web process: a uvicorn worker runs one request's
Python at a time (one interpreter, one lock), so the server has ``WEB_CONCURRENCY`` of
them. The flood honours ``Retry-After`` after a 429, as a well-behaved client does.
Figures to stdout and ``bench/NOISY.md``.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.dataset import ROOT, Params, ensure_datasets, slug_of, username_of
from bench.load import percentile, run_wrk
from bench.server import Server, django_facts, ensure_services, runtime_env

PYTHON = sys.executable
RESULTS = ROOT / "bench" / "NOISY.md"
PORT = 8771
HEAVY = "/api/bookings/bookings/?page_size=100"
LIGHT = "/api/bookings/public/services/"


def procfile_web() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == "web":
            return command.strip()
    raise RuntimeError("no web line in the Procfile")


@dataclass
class WebLine(Server):
    """The Procfile's web line, in its own process group (stopping it stops its workers)."""

    workers: int = 2

    def start(self, python: str) -> None:
        env = {
            **runtime_env(self.database, self.cache_prefix),
            # Each ASGI request runs in a thread of its own: persistent connections would
            # pile up one per request; production's default (0) is what the line runs with.
            "DB_CONN_MAX_AGE": "0",
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(self.workers),
            "PATH": f"{Path(python).parent}:{os.environ.get('PATH', '')}",
            **self.extra_env,
        }
        log = (self.logs / f"web-{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            ["sh", "-c", procfile_web()],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        """Every process of the group gone (gunicorn's master outlives the shell that
        started it while its workers finish), so the next phase's server is alone."""
        if self.process is None:
            return
        group = self.process.pid
        self.process.poll()
        for signal_number, seconds in ((15, 30), (9, 10)):
            try:
                os.killpg(group, signal_number)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and _group_alive(group):
                self.process.poll()  # the shell reaped as soon as it ends
                time.sleep(0.2)
            if not _group_alive(group):
                break
        self.process.wait(timeout=10)


def _group_alive(group: int) -> bool:
    """Whether a process of the group still runs (a zombie, dead but not yet reaped by
    its parent, does not count: ``killpg(group, 0)`` would)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == group:
            return True
    return False


def steady(port: int, slug: str, *, seconds: float, every: float) -> list[float]:
    """B's light requests, one each ``every`` seconds (a late one is not made up for):
    their latencies in milliseconds."""
    latencies: list[float] = []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    end = time.monotonic() + seconds
    next_at = time.monotonic()
    while time.monotonic() < end:
        start = time.perf_counter()
        connection.request("GET", LIGHT, headers={"X-Tenant-Slug": slug})
        response = connection.getresponse()
        response.read()
        latencies.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            raise RuntimeError(f"B's request answered {response.status}")
        next_at = max(next_at + every, time.monotonic())
        time.sleep(max(0.0, next_at - time.monotonic()))
    return latencies


@dataclass
class Phase:
    name: str
    b_p50: float
    b_p99: float
    b_requests: int
    a_requests: int = 0
    a_refused: int = 0


def run_phase(server: WebLine, name: str, *, flood: dict | None, b_slug: str, seconds: float) -> Phase:
    flood_result: list = []
    flooder = None
    if flood is not None:
        flooder = threading.Thread(target=lambda: flood_result.append(run_wrk(server, **flood)), daemon=True)
        flooder.start()
        time.sleep(2)  # the flood at full strength before B is measured
    latencies = steady(server.port, b_slug, seconds=seconds, every=0.05)
    if flooder is not None:
        flooder.join()
    phase = Phase(name, statistics.median(latencies), percentile(latencies, 0.99), len(latencies))
    if flood_result:
        phase.a_requests, phase.a_refused = flood_result[0].requests, flood_result[0].status_errors
    print(f"  {name}: B p50 {phase.b_p50:.1f} ms, p99 {phase.b_p99:.1f} ms ({phase.b_requests} requests)", flush=True)
    return phase


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--bookings", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY of the web line")
    parser.add_argument(
        "--cap", type=int, nargs="+", default=[1, 2], help="TENANT_MAX_CONCURRENT_REQUESTS of each capped phase"
    )
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()

    ensure_services()
    _tables, password_hash = django_facts(PYTHON)
    built = ensure_datasets(Params(args.tenants, args.bookings), rebuild=False, password_hash=password_hash)
    plan = built.plan
    a_index = plan.big
    b_index = plan.median if plan.median != plan.big else (plan.big + 1) % args.tenants
    a_slug, b_slug = slug_of(a_index), slug_of(b_index)
    connections = 4 * args.workers
    logs = Path(tempfile.mkdtemp(prefix="nbne-bench-noisy-"))
    phases: list[Phase] = []
    runs = [(None, "no flood"), (0, "flood, no cap"), *((cap, f"flood, cap {cap}") for cap in args.cap)]
    for cap, label in runs:
        server = WebLine(
            "noisy",
            built.big_database,
            PORT,
            logs,
            workers=args.workers,
            extra_env={"TENANT_MAX_CONCURRENT_REQUESTS": str(cap or 0)},
        )
        server.start(PYTHON)
        try:
            server.wait_ready()
            token = server.login(username_of(a_index, "owner"), a_slug)
            steady(server.port, b_slug, seconds=2, every=0.05)  # warm B's path and caches
            flood = None
            if cap is not None:
                flood = {
                    "settings": {"path": HEAVY, "headers": {"Authorization": f"Bearer {token}"}, "retry_ms": 1000},
                    "duration": args.seconds + 4,
                    "script": "flood.lua",
                    "threads": 2,
                    "connections": connections,
                }
            phases.append(run_phase(server, label, flood=flood, b_slug=b_slug, seconds=args.seconds))
        finally:
            server.stop()
    write_results(args, phases, a_slug, b_slug, connections)


def write_results(args: argparse.Namespace, phases: list[Phase], a_slug: str, b_slug: str, connections: int) -> None:
    base = phases[0]
    lines = [
        "# One busy business against a quiet one",
        "",
        f"`make bench-noisy` ({time.strftime('%Y-%m-%d')}): the Procfile's web line, `WEB_CONCURRENCY={args.workers}`, "
        f"on {args.tenants} businesses and {args.bookings:,} bookings, {os.cpu_count()} CPUs shared with PostgreSQL, "
        f"Redis and the load generators. A ({a_slug}, the biggest) floods `GET {HEAVY}` with {connections} connections "
        f"(4 per request slot), honouring `Retry-After`; B ({b_slug}) sends `GET {LIGHT}` every 50 ms, "
        f"{args.seconds:.0f} s a phase.",
        "",
        "| phase | B p50 ms | B p99 ms | B p50 / no flood | B p99 / no flood | A's answers | A's 429s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for phase in phases:
        lines.append(
            f"| {phase.name} | {phase.b_p50:.1f} | {phase.b_p99:.1f} | {phase.b_p50 / base.b_p50:.2f} | "
            f"{phase.b_p99 / base.b_p99:.2f} | {phase.a_requests} | {phase.a_refused} |"
        )
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
