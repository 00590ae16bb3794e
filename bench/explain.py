"""Where an endpoint's time goes in the database: the SQL one request really runs
(captured through Django's test client, as the runtime role), each SELECT then run
again under ``EXPLAIN (ANALYZE, BUFFERS)`` with the same tenant told to PostgreSQL.

    .venv/bin/python -m bench.explain nbne_bench_1000t_1000000b salon-0001 /api/bookings/bookings/
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any

import psycopg

from bench.dataset import ROOT, SECRET_KEY, runtime_url, slug_of, username_of
from bench.server import PASSWORD, django_json
from core.tenancy import TRANSACTION_TOKEN_SQL, scope_key, scope_proof

Request = tuple[str, str, str, int, str]  # label, username, slug, tenant id, path


def signed_in_client(username: str, slug: str):
    """In a Django process: a test client signed in as ``username`` at ``slug``, through the
    real login endpoint."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    login = client.post(
        "/api/auth/token/",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
        HTTP_X_TENANT_SLUG=slug,
    )
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {login.json()['access']}"
    return client


def _capture(requests: list[Request]) -> list[dict[str, Any]]:
    """In a Django process: the queries each request runs the second time (connections and
    the tenant's resolution warm)."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    captured = []
    for label, username, slug, tenant_id, path in requests:
        client = signed_in_client(username, slug)
        client.get(path)
        # The tenant's cached figures are forgotten (as after a write), so a cached endpoint
        # such as the dashboard shows the queries it runs when it computes them.
        cache.delete(f"tenant:{tenant_id}:version")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        captured.append(
            {
                "label": label,
                "path": path,
                "tenant_id": tenant_id,
                "status": response.status_code,
                "queries": [query["sql"] for query in queries.captured_queries],
            }
        )
    return captured


def endpoint_plans(python: str, database: str, requests: list[Request]) -> list[dict[str, Any]]:
    """Per request: its SELECTs with their execution times and plans, slowest first."""
    captured = django_json(python, database, "bench.explain", "--capture", json.dumps(requests))
    results = []
    dsn = runtime_url(database).replace("postgres://", "postgresql://")
    with psycopg.connect(dsn) as connection:
        for request in captured:
            queries = []
            for sql in request["queries"]:
                # Past the comment that names the request (core.observability's SQL commenter).
                if not re.sub(r"^\s*/\*.*?\*/", "", sql).lstrip().upper().startswith("SELECT"):
                    continue
                # The same scope the middleware sets for the request's transaction: the
                # tenant, with its proof for this transaction under the servers' key.
                token = connection.execute(f"SELECT {TRANSACTION_TOKEN_SQL}").fetchone()[0]
                tenant_id = str(request["tenant_id"])
                connection.execute(
                    "SELECT set_config('app.tenant_id', %s, true), set_config('app.tenant_proof', %s, true)",
                    [tenant_id, scope_proof(tenant_id, token, key=scope_key(SECRET_KEY))],
                )
                plan = "\n".join(row[0] for row in connection.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"))
                connection.rollback()
                found = re.search(r"Execution Time: ([\d.]+) ms", plan)
                queries.append({"sql": sql, "ms": float(found.group(1)) if found else 0.0, "plan": plan})
            queries.sort(key=lambda query: -query["ms"])
            results.append({**request, "queries": queries, "total_ms": sum(query["ms"] for query in queries)})
    return results


def _references(rows: list[dict[str, Any]]) -> list[list[str]]:
    """In a Django process: the public references of each ``{model, tenant, ids}``."""
    import django

    django.setup()
    from django.apps import apps

    from core.references import public_reference

    return [
        [public_reference(apps.get_model(row["model"])(pk=pk, tenant_id=row["tenant"])) for pk in row["ids"]]
        for row in rows
    ]


def main(argv: list[str]) -> None:
    if argv[:1] == ["--capture"]:
        print(json.dumps(_capture([tuple(item) for item in json.loads(argv[1])])))
        return
    if argv[:1] == ["--references"]:
        print(json.dumps(_references(json.loads(argv[1]))))
        return
    database, slug, *paths = argv
    index = int(slug.rsplit("-", 1)[1]) - 1
    if slug_of(index) != slug:
        raise SystemExit(f"{slug} is not a benchmark tenant's slug")
    requests = [(slug, username_of(index, "owner"), slug, index + 1, path) for path in paths]
    for request in endpoint_plans(sys.executable, database, requests):
        selects = len(request["queries"])
        print(f"# {request['path']} as {request['label']}: {selects} SELECTs, {request['total_ms']:.1f} ms")
        for query in request["queries"]:
            print(f"\n-- {query['ms']:.2f} ms\n{query['sql']}\n{query['plan']}")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
