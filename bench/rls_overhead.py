"""What row-level security costs a request: HTTP p50/p99 of the main list endpoints
with the policies on and off, as ratios, against gunicorn and the local PostgreSQL.

    make bench-rls                 # or: .venv/bin/python bench/rls_overhead.py

It builds a throwaway database (migrated by the owner, the demo businesses seeded by
the runtime role), serves it with gunicorn on loopback as the runtime role, and times
requests from one client with keep-alive. The two modes alternate round by round on
the same server (``ALTER TABLE ... ENABLE/DISABLE ROW LEVEL SECURITY`` between rounds),
so drift in the machine falls on both. The tenant is told to the database in both
modes; that round trip is timed on its own. Figures go to stdout and bench/RESULTS.md.
(The dashboard is left out: it is served from the tenant's cache.)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
ENDPOINTS = [
    "/api/bookings/bookings/",
    "/api/bookings/clients/",
    "/api/staff/profiles/",
    "/api/staff/shifts/",
    "/api/comms/channels/",
    "/api/documents/documents/",
    "/api/crm/leads/",
    "/api/compliance/items/",
    "/api/core/events/",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def tenant_tables(env: dict) -> list[str]:
    code = (
        "import django, json; django.setup(); "
        "from core.tenancy import project_models, tenant_tables; "
        "print(json.dumps(tenant_tables(project_models())))"
    )
    out = subprocess.run(
        [PYTHON, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


class Client:
    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = headers

    def get(self, path: str) -> float:
        start = time.perf_counter()
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - start
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}: {body[:200]!r}")
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="rounds per mode (alternating)")
    parser.add_argument("--requests", type=int, default=30, help="requests per endpoint per round")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--database", default="nbne_bench_rls")
    parser.add_argument("--owner", default=os.environ.get("BENCH_OWNER", "postgres"))
    parser.add_argument("--runtime-role", default=os.environ.get("BENCH_RUNTIME_ROLE", "nbne_app"))
    parser.add_argument("--platform-role", default=os.environ.get("BENCH_PLATFORM_ROLE", "nbne_platform"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    args = parser.parse_args()

    owner_dsn = f"postgresql://{args.owner}@{args.host}:5432/postgres"
    with psycopg.connect(owner_dsn, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {args.database}")
        admin.execute(f"CREATE DATABASE {args.database}")
        for role, bypass in ((args.runtime_role, "NOBYPASSRLS"), (args.platform_role, "BYPASSRLS")):
            if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                admin.execute(f"CREATE ROLE {role} LOGIN")
            admin.execute(f"ALTER ROLE {role} LOGIN NOSUPERUSER {bypass}")
        server_version = admin.execute("SHOW server_version").fetchone()[0]

    password = "bench-password-1"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{args.runtime_role}@{args.host}:5432/{args.database}",
        "DATABASE_MIGRATE_URL": f"postgres://{args.owner}@{args.host}:5432/{args.database}",
        "DATABASE_PLATFORM_URL": f"postgres://{args.platform_role}@{args.host}:5432/{args.database}",
        "DB_CONN_MAX_AGE": "600",
        "DEMO_PASSWORD": password,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    print("Migrating and seeding the demo businesses…", flush=True)
    run("migrate", "--noinput", "-v0", env=env)
    run("seed_demo", "--all", env=env)
    tables = tenant_tables(env)
    with psycopg.connect(f"postgresql://{args.owner}@{args.host}:5432/{args.database}", autocommit=True) as fresh:
        fresh.execute("ANALYZE")  # the planner's statistics, as a live database has them

    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    owner = psycopg.connect(f"postgresql://{args.owner}@{args.host}:5432/{args.database}", autocommit=True)
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        login = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        login.request(
            "POST",
            "/api/auth/token/",
            body=json.dumps({"username": "salon-x-owner", "password": password}),
            headers={"Content-Type": "application/json", "X-Tenant-Slug": "salon-x"},
        )
        token = json.loads(login.getresponse().read())["access"]
        client = Client(args.port, {"Authorization": f"Bearer {token}"})

        def set_rls(on: bool) -> None:
            verb = "ENABLE" if on else "DISABLE"
            with owner.transaction():
                for table in tables:
                    owner.execute(f'ALTER TABLE "{table}" {verb} ROW LEVEL SECURITY')

        timings: dict[tuple[str, str], list[float]] = {(m, e): [] for m in ("on", "off") for e in ENDPOINTS}
        for round_ in range(args.rounds):
            for mode in ("on", "off") if round_ % 2 == 0 else ("off", "on"):
                set_rls(mode == "on")
                for endpoint in ENDPOINTS:  # warm the workers' connections and caches
                    for _ in range(3):
                        client.get(endpoint)
                for _ in range(args.requests):
                    for endpoint in ENDPOINTS:
                        timings[(mode, endpoint)].append(client.get(endpoint))
            print(f"  round {round_ + 1}/{args.rounds} done", flush=True)
        set_rls(True)

        # The extra round trips per request, on their own: the transaction's token, then
        # the tenant and its proof with a transaction-local set_config.
        from core.tenancy import TRANSACTION_TOKEN_SQL, scope_key, scope_proof

        key = scope_key(env["DJANGO_SECRET_KEY"])
        with psycopg.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://")) as runtime:
            samples = []
            for _ in range(2000):
                start = time.perf_counter()
                token = runtime.execute(f"SELECT {TRANSACTION_TOKEN_SQL}").fetchone()[0]
                runtime.execute(
                    "SELECT set_config('app.tenant_id', '1', true), set_config('app.tenant_proof', %s, true)",
                    [scope_proof("1", token, key=key)],
                )
                samples.append(time.perf_counter() - start)
                runtime.rollback()
            round_trip = statistics.median(samples)
    finally:
        server.terminate()
        server.wait(timeout=30)
        owner.close()

    rows = []
    all_on, all_off = [], []
    for endpoint in ENDPOINTS:
        on, off = timings[("on", endpoint)], timings[("off", endpoint)]
        all_on += on
        all_off += off
        rows.append((endpoint, on, off))
    rows.append(("all of the above", all_on, all_off))

    lines = [
        "| endpoint | p50 on (ms) | p50 off (ms) | p50 on/off | p99 on (ms) | p99 off (ms) | p99 on/off |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for endpoint, on, off in rows:
        p50_on, p50_off = percentile(on, 0.5) * 1000, percentile(off, 0.5) * 1000
        p99_on, p99_off = percentile(on, 0.99) * 1000, percentile(off, 0.99) * 1000
        lines.append(
            f"| `{endpoint}` | {p50_on:.2f} | {p50_off:.2f} | {p50_on / p50_off:.3f} | "
            f"{p99_on:.2f} | {p99_off:.2f} | {p99_on / p99_off:.3f} |"
        )
    p50_all = percentile(all_on, 0.5) * 1000
    summary = (
        "The tenant's two round trips, token and `set_config` with its proof (in both modes): "
        f"{round_trip * 1e6:.0f} µs median, "
        f"{round_trip * 1000 / p50_all:.1%} of the overall p50 with RLS on."
    )
    header = (
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"PostgreSQL {server_version}. Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. "
        f"Dataset: the five seeded businesses (`seed_demo --all`), as `salon-x-owner`. "
        f"{args.rounds} alternating rounds per mode, {args.requests} requests per endpoint, one client, "
        "keep-alive, gunicorn with 2 workers."
    )
    report = "\n".join([header, "", *lines, "", summary])
    print()
    print(report)
    if not args.no_write:
        write_section(results_file(), "Row-level security: on vs off", report)


def results_file(name: str = "RESULTS.md") -> Path:
    """Where figures are written: ``bench/RESULTS.md``, or for a run at another scale the
    file ``make bench`` names in ``NBNE_BENCH_RESULTS`` (e.g. ``bench/RESULTS-10000t.md``),
    so the figures of the default scale stay as they are."""
    default = Path(__file__).resolve().parent / name
    chosen = os.environ.get("NBNE_BENCH_RESULTS")
    if not chosen:
        return default
    chosen_path = Path(chosen)
    return chosen_path if name == "RESULTS.md" else chosen_path.with_name(f"{chosen_path.stem}-{name}")


def write_section(path: Path, title: str, body: str) -> None:
    """Replace (or add) one ``## title`` section of the results file."""
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    marker = f"## {title}\n"
    before, _, after = text.partition(marker)
    if _:
        rest = after.split("\n## ", 1)
        after = ("\n## " + rest[1]) if len(rest) > 1 else ""
    else:
        before, after = text.rstrip("\n") + "\n\n", ""
    path.write_text(f"{before}{marker}\n{body}\n{after}")


if __name__ == "__main__":
    main()
