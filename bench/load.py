"""Driving the servers: wrk with the Lua scripts in bench/lua/, and a small sequential
client for what wrk cannot do (emptying a tenant's cache before each request)."""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.server import Server, redis_client, wrk_binary

LUA = Path(__file__).resolve().parent / "lua"
# Four connections keep both workers' threads busy without queueing inside gunicorn.
THREADS = 2
CONNECTIONS = 4


def lua_literal(value: Any) -> str:
    """A Python value as a Lua literal (dicts become tables with string keys)."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON string escapes are valid Lua escapes for these values
    if isinstance(value, list | tuple):
        return "{" + ", ".join(lua_literal(item) for item in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{json.dumps(str(k))}] = {lua_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"No Lua literal for {type(value).__name__}")


@dataclass
class WrkResult:
    requests: int
    seconds: float
    status_errors: int
    socket_errors: int
    percentiles_ms: dict[float, float]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def p50(self) -> float:
        return self.percentiles_ms[50.0]

    @property
    def p99(self) -> float:
        return self.percentiles_ms[99.0]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(
    server: Server,
    settings: dict[str, Any],
    *,
    duration: float,
    script: str = "request.lua",
    threads: int = THREADS,
    connections: int = CONNECTIONS,
) -> WrkResult:
    """One wrk run against ``server`` with the phase ``settings`` (see the Lua scripts)."""
    settings = {**settings, "threads": threads}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="nbne-bench-", delete=False) as handle:
        handle.write("return " + lua_literal(settings) + "\n")
        settings_file = handle.name
    try:
        out = subprocess.run(
            [
                wrk_binary(),
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(duration))}s",
                "--timeout",
                "30s",
                "-s",
                str(LUA / script),
                server.url(),
                "--",
                settings_file,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        Path(settings_file).unlink(missing_ok=True)
    line = next((row for row in out.splitlines() if row.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    data = json.loads(line.removeprefix("WRK_JSON "))
    extra = {k: v for k, v in data.items() if k in ("checked", "wrong", "bad_status")}
    sample = next((row for row in out.splitlines() if row.startswith("WRK_FIRST_WRONG ")), None)
    if sample:
        extra["first_wrong"] = sample.removeprefix("WRK_FIRST_WRONG ")
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        status_errors=data["status_errors"],
        socket_errors=data["socket_errors"],
        percentiles_ms={float(p): us / 1000 for p, us in data["percentiles_us"].items()},
        extra=extra,
    )


def cold_dashboard(server: Server, token: str, tenant_id: int, samples: int) -> list[float]:
    """Seconds per dashboard request with the tenant's cache emptied first: the tenant's
    cache version is dropped (as a write does), so the figures are computed again."""
    cache = redis_client()
    # django-redis keys: "<KEY_PREFIX>:<version>:<key>"; the tenant's generation counter.
    version_key = f"{server.cache_prefix}:1:tenant:{tenant_id}:version"
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    headers = {"Authorization": f"Bearer {token}"}
    timings = []
    for _ in range(samples):
        cache.delete(version_key)
        start = time.perf_counter()
        connection.request("GET", "/api/bookings/dashboard/", headers=headers)
        response = connection.getresponse()
        body = response.read()
        timings.append(time.perf_counter() - start)
        if response.status != 200:
            raise RuntimeError(f"dashboard answered {response.status}: {body[:200]!r}")
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def median(values: list[float]) -> float:
    return statistics.median(values)
