"""What the tenant clause costs in Python, counted rather than timed: the Python function
calls of one request to every list endpoint, scoped as served and with the tenancy core's
filters off (``application_filters_off()``, as ``bench/unscoped_wsgi.py`` serves it).

A count of calls is the same from run to run, whatever else the machine is doing, so it
shows a change of a few percent that latencies on a shared machine hide. Run by
``make bench`` on the database of one tenant, or alone:

    .venv/bin/python -m bench.python_calls nbne_bench_1000t_1000000b_one salon-0506
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from statistics import median
from typing import Any

from bench.dataset import ROOT, slug_of, username_of
from bench.explain import signed_in_client
from bench.rls_overhead import results_file, write_section
from bench.server import django_json

SECTION = "Scoping in Python function calls (`python -m bench.python_calls`)"
WARM_REQUESTS = 3
COUNTED_REQUESTS = 10


def _count(username: str, slug: str, paths: list[str]) -> list[dict[str, Any]]:
    """In a Django process: calls per request of each path, scoped and unscoped."""
    import cProfile
    import pstats
    from contextlib import nullcontext

    import django

    django.setup()
    from core.tenancy import application_filters_off

    client = signed_in_client(username, slug)

    def calls_per_request(path: str, unscoped: bool) -> tuple[float, int]:
        def get() -> int:
            with application_filters_off() if unscoped else nullcontext():
                return client.get(path).status_code

        for _ in range(WARM_REQUESTS):  # connections, caches and lazy imports warm
            get()
        profile = cProfile.Profile()
        profile.enable()
        statuses = {get() for _ in range(COUNTED_REQUESTS)}
        profile.disable()
        return pstats.Stats(profile).total_calls / COUNTED_REQUESTS, max(statuses)

    counted = []
    for path in paths:
        scoped, status = calls_per_request(path, unscoped=False)
        unscoped, _ = calls_per_request(path, unscoped=True)
        counted.append({"path": path, "status": status, "scoped": scoped, "unscoped": unscoped})
    return counted


def count_calls(python: str, database: str, slug: str) -> list[dict[str, Any]]:
    """Per list endpoint of ``slug``'s owner: calls per request scoped and unscoped."""
    from bench.seq_scans import list_paths

    index = int(slug.rsplit("-", 1)[1]) - 1
    if slug_of(index) != slug:
        raise ValueError(f"{slug} is not a benchmark tenant's slug")
    request = {"username": username_of(index, "owner"), "slug": slug, "paths": list_paths(python, database)}
    return django_json(python, database, "bench.python_calls", "--count", json.dumps(request))


def summary_of(counted: list[dict[str, Any]]) -> str:
    ratios = [row["scoped"] / row["unscoped"] for row in counted]
    return (
        f"Python calls per request, scoped / unscoped, over {len(counted)} list endpoints: "
        f"median {median(ratios):.3f}, highest {max(ratios):.3f}"
    )


def write(counted: list[dict[str, Any]], database: str, slug: str) -> None:
    rows = [
        f"| `{row['path']}` | {row['status']} | {row['scoped']:,.0f} | {row['unscoped']:,.0f} | "
        f"{row['scoped'] / row['unscoped']:.3f} |"
        for row in counted
    ]
    body = [
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Database `{database}`, as the owner of `{slug}`: "
        f"the first page of every list endpoint that needs no parent id, {COUNTED_REQUESTS} requests counted "
        f"after {WARM_REQUESTS} to warm up, through Django's test client in one process, under `cProfile`. "
        "Unscoped is the same request in `application_filters_off()`: no tenant filter added, no write "
        "guard. The count is the same on every run; it measures Python only (row-level security is "
        "in the database, and is the same in both).",
        "",
        "| endpoint | status | calls, scoped | calls, unscoped | scoped / unscoped |",
        "| --- | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        summary_of(counted) + ".",
    ]
    write_section(results_file(), SECTION, "\n".join(body))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--count"]:
        request = json.loads(argv[1])
        print(json.dumps(_count(request["username"], request["slug"], request["paths"])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("slug")
    parser.add_argument("--write", action="store_true", help="record the table in bench/RESULTS.md")
    args = parser.parse_args(argv)
    counted = count_calls(sys.executable, args.database, args.slug)
    for row in counted:
        ratio = row["scoped"] / row["unscoped"]
        print(f"  {row['path']:<48} {row['scoped']:9,.0f} {row['unscoped']:9,.0f}  {ratio:.3f}")
    print(summary_of(counted))
    if args.write:
        write(counted, args.database, args.slug)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
