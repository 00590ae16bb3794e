"""Every list endpoint's queries at scale, checked for sequential scans of big tenant
tables: a list must read its business's rows through a ``(tenant, …)`` index, never the
whole table. Exits 1 on any such scan. Run by ``make bench`` after the measurements.

    .venv/bin/python -m bench.seq_scans nbne_bench_1000t_1000000b salon-0001

Small tables are left out (below ``--min-rows`` the planner rightly prefers a scan).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import UTC, datetime

import psycopg

from bench.dataset import ROOT, owner_dsn, slug_of, username_of
from bench.explain import endpoint_plans
from bench.rls_overhead import results_file, write_section
from bench.server import django_json

SECTION = "List endpoints at scale: no sequential scans (`python -m bench.seq_scans`)"

SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


def _list_paths() -> list[str]:
    """In a Django process: the path of every tenant list endpoint that needs no parent id."""
    import django

    django.setup()
    from core.tenancy import Access, api_views

    paths = []
    for route, view, entry in api_views():
        actions = getattr(entry.callback, "actions", None) or {}
        listed = actions.get("get") == "list" and view.tenancy_access in (Access.TENANT, Access.PUBLIC)
        if listed and "<" not in route and "(?P" not in route:
            paths.append("/" + route.replace("^", "").replace("$", ""))
    return sorted(set(paths))


def list_paths(python: str, database: str) -> list[str]:
    return django_json(python, database, "bench.seq_scans", "--paths")


def big_tables(database: str, min_rows: int) -> set[str]:
    with psycopg.connect(owner_dsn(database)) as connection:
        rows = connection.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relrowsecurity AND reltuples >= %s", [min_rows]
        ).fetchall()
    return {row[0] for row in rows}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--paths"]:
        print(json.dumps(_list_paths()))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("slug", help="the business whose lists are checked (the biggest is the hardest)")
    parser.add_argument("--min-rows", type=int, default=10_000)
    parser.add_argument("--write", action="store_true", help="record the table in bench/RESULTS.md")
    args = parser.parse_args(argv)
    index = int(args.slug.rsplit("-", 1)[1]) - 1
    if slug_of(index) != args.slug:
        raise SystemExit(f"{args.slug} is not a benchmark tenant's slug")

    paths = list_paths(sys.executable, args.database)
    watched = big_tables(args.database, args.min_rows)
    requests = [(args.slug, username_of(index, "owner"), args.slug, index + 1, path) for path in paths]
    scans, rows = [], []
    for request in endpoint_plans(sys.executable, args.database, requests):
        found = sorted({table for query in request["queries"] for table in SEQ_SCAN.findall(query["plan"])} & watched)
        status = "sequential scan of " + ", ".join(f"`{table}`" for table in found) if found else "indexes only"
        print(f"  {request['path']:<48} {request['status']}  {request['total_ms']:8.2f} ms  {status}")
        rows.append(f"| `{request['path']}` | {request['status']} | {request['total_ms']:.2f} | {status} |")
        scans += [(request["path"], table) for table in found]
    summary = (
        f"Sequential scans of tenant tables of {args.min_rows:,}+ rows ({len(watched)} tables) "
        f"in {len(paths)} list endpoints as {args.slug}: {len(scans)}"
    )
    print(summary)
    if args.write:
        body = [
            f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Database `{args.database}`, as the owner of `{args.slug}`, "
            "the first page of every list endpoint that needs no parent id; its SQL run under "
            "`EXPLAIN (ANALYZE, BUFFERS)` as the runtime role with the tenant set.",
            "",
            "| endpoint | status | SQL time (ms) | plan |",
            "| --- | ---: | ---: | --- |",
            *rows,
            "",
            summary + ".",
        ]
        write_section(results_file(), SECTION, "\n".join(body))
    return 1 if scans else 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
