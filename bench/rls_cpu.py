"""What row-level security costs in the database, without queueing: one client in one
process sends a run of requests with the policies on, then a run with them off, round
after round, and reads the CPU time its PostgreSQL backend and the process itself spent
(``/proc/<pid>/stat``). With no other request waiting, the figures are the work of a
request, not the queue in front of it that the wrk phases also measure.

Every list endpoint is measured, each marked root or child by its model's declaration:
a child's policy is one comparison of its own ``tenant_id`` like a root's, so RLS should
cost a child endpoint no more than a root one.

    .venv/bin/python -m bench.rls_cpu nbne_bench_1000t_1000000b salon-0506
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from statistics import median
from typing import Any

from bench.dataset import ROOT, slug_of, username_of
from bench.explain import signed_in_client
from bench.rls_overhead import results_file, write_section
from bench.seq_scans import list_paths
from bench.server import django_json, process_cpu_seconds, set_row_level_security

SECTION = "Row-level security in CPU time, one client (`python -m bench.rls_cpu`)"
WARM_REQUESTS = 10


def kind_of(path: str) -> str:
    """``root`` or ``child``: the declaration of the model the endpoint lists."""
    from django.urls import resolve

    from core.tenancy import tenancy_of

    view = resolve(path).func
    queryset = getattr(getattr(view, "cls", None), "queryset", None)
    tenancy = tenancy_of(queryset.model) if queryset is not None else None
    return str(tenancy.kind) if tenancy is not None else "other"


def _measure(
    username: str, slug: str, database: str, rounds: int, requests: int, paths: list[str]
) -> list[dict[str, Any]]:
    """In a Django process: per path, the CPU seconds of each round's runs, RLS on and off."""
    import django

    django.setup()
    from django.db import connection

    from core.tenancy import project_models, tenant_tables

    tables = tenant_tables(project_models())
    client = signed_in_client(username, slug)

    def run(path: str) -> tuple[float, float]:
        for _ in range(WARM_REQUESTS):  # the plans of the new RLS state, and the connection
            client.get(path)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        database_before, app_before = process_cpu_seconds(backend), time.process_time()
        for _ in range(requests):
            client.get(path)
        return process_cpu_seconds(backend) - database_before, time.process_time() - app_before

    measured = []
    try:
        for path in paths:
            runs: dict[str, list[tuple[float, float]]] = {"on": [], "off": []}
            for number in range(rounds):
                for state in ("on", "off") if number % 2 == 0 else ("off", "on"):
                    set_row_level_security(database, tables, state == "on")
                    runs[state].append(run(path))
            measured.append({"path": path, "kind": kind_of(path), "requests": requests, **runs})
    finally:
        set_row_level_security(database, tables, True)
    return measured


def per_request_ms(runs: list[list[float]], requests: int) -> tuple[float, float]:
    """Database and application CPU milliseconds per request over all of a state's runs."""
    total = requests * len(runs)
    return sum(run[0] for run in runs) * 1000 / total, sum(run[1] for run in runs) * 1000 / total


def rows_of(measured: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for entry in measured:
        database_on, app_on = per_request_ms(entry["on"], entry["requests"])
        database_off, app_off = per_request_ms(entry["off"], entry["requests"])
        rows.append(
            {
                "path": entry["path"],
                "kind": entry["kind"],
                "database": (database_on, database_off),
                "app": (app_on, app_off),
                "request": (database_on + app_on) / (database_off + app_off),
            }
        )
    return rows


def summary_of(rows: list[dict[str, Any]]) -> list[str]:
    """Per kind of endpoint: what RLS adds to the database's CPU per request (on - off)."""
    lines = []
    for kind in ("root", "child"):
        added = [row["database"][0] - row["database"][1] for row in rows if row["kind"] == kind]
        if added:
            lines.append(
                f"{kind} endpoints ({len(added)}): RLS adds {median(added):.3f} ms of database CPU per request "
                f"at the median, {max(added):.3f} ms at most"
            )
    return lines


def main(argv: list[str]) -> int:
    if argv[:1] == ["--measure"]:
        request = json.loads(argv[1])
        print(json.dumps(_measure(**request)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("slug")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--requests", type=int, default=60, help="requests per run")
    parser.add_argument("--write", action="store_true", help="record the table in bench/RESULTS.md")
    args = parser.parse_args(argv)
    index = int(args.slug.rsplit("-", 1)[1]) - 1
    if slug_of(index) != args.slug:
        raise SystemExit(f"{args.slug} is not a benchmark tenant's slug")
    request = {
        "username": username_of(index, "owner"),
        "slug": args.slug,
        "database": args.database,
        "rounds": args.rounds,
        "requests": args.requests,
        "paths": list_paths(sys.executable, args.database),
    }
    rows = rows_of(django_json(sys.executable, args.database, "bench.rls_cpu", "--measure", json.dumps(request)))
    lines = []
    for row in rows:
        (database_on, database_off), (app_on, app_off) = row["database"], row["app"]
        print(
            f"  {row['path']:<40} {row['kind']:<6} database {database_on:.2f} / {database_off:.2f} ms, "
            f"application {app_on:.2f} / {app_off:.2f} ms, request on/off {row['request']:.3f}"
        )
        lines.append(
            f"| `{row['path']}` | {row['kind']} | {database_on:.2f} | {database_off:.2f} | "
            f"{database_on - database_off:+.2f} | {app_on:.2f} | {app_off:.2f} | {row['request']:.3f} |"
        )
    summary = summary_of(rows)
    for line in summary:
        print(f"  {line}")
    if args.write:
        body = [
            f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Database `{args.database}`, as the owner of "
            f"`{args.slug}`, through Django's test client in one process as the runtime role: every list "
            f"endpoint, {args.rounds} rounds, each a run of {args.requests} requests with the policies on and "
            f"one with them off (the order alternating), after {WARM_REQUESTS} requests to warm up. CPU "
            "milliseconds per request of the PostgreSQL backend (database) and of the process (application), "
            "RLS on / off, and what RLS adds to the database's; the last column is the whole request's CPU, "
            "on / off. The kind is the declaration of the listed model: a child's policy is one comparison of "
            "its own `tenant_id`, as a root's is. The application does the same work in both states (the same "
            "queries, the same rows), so what moves in its columns is the machine: on a shared virtual "
            "machine, the difference there is the noise of every figure here.",
            "",
            "| endpoint | kind | database on | database off | RLS adds | application on | application off "
            "| request on / off |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            *lines,
            "",
            *(f"- {line}." for line in summary),
        ]
        write_section(results_file(), SECTION, "\n".join(body))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
