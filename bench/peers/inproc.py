"""Work that runs inside one variant's Django process (``DJANGO_SETTINGS_MODULE`` set by
``bench.peers.build.inproc``): answers are printed as JSON.

* ``write-rls-migration`` — the core variant's row-level security migration, written
  from what the core expects of each model today (``core.tenancy.expected_operation``),
  so the variant follows the core's declarations as they change;
* ``probe`` — Python calls per request, the foreign-id answer and whether a query with
  no business in scope fails closed.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import django

COUNTED_REQUESTS = 20
WARM_REQUESTS = 5


def write_rls_migration() -> None:
    from django.apps import apps
    from django.db.migrations import Migration
    from django.db.migrations.writer import MigrationWriter

    from core.tenancy import expected_operation, is_tenant_scoped

    from .build import leaf_migration

    config = apps.get_app_config("peers_core")
    models = [m for m in config.get_models() if is_tenant_scoped(m)]
    migration = Migration("0002_row_level_security", "peers_core")
    migration.dependencies = [("peers_core", leaf_migration("core"))]
    migration.operations = [expected_operation(model, models) for model in models]
    writer = MigrationWriter(migration)
    with open(writer.path, "w") as handle:
        handle.write(writer.as_string())


def _client(business: int):
    from django.test import Client

    from .dataset import host_of, slug_of

    return Client(HTTP_HOST=host_of(business), headers={"X-Tenant-Slug": slug_of(business)})


def endpoint_paths(business: int) -> dict[str, tuple[str, str]]:
    """Per endpoint: method and path, for ``business``."""
    from .dataset import first_booking_id

    return {
        "bookings list": ("GET", "/api/bookings/"),
        "booking detail": ("GET", f"/api/bookings/{first_booking_id(business) + 7}/"),
        "booking create": ("POST", "/api/bookings/"),
        "notes list": ("GET", "/api/notes/"),
    }


def create_body(business: int, n: int) -> dict[str, Any]:
    from .dataset import CLIENTS, SERVICES

    return {
        "service": (business - 1) * SERVICES + 1 + n % SERVICES,
        "client": (business - 1) * CLIENTS + 1 + n % CLIENTS,
        "starts_at": f"2026-09-{1 + n % 28:02d}T10:00:00Z",
        "status": "confirmed",
    }


def python_calls(business: int) -> dict[str, dict[str, float]]:
    """cProfile's call count per request of each endpoint, through Django's test client."""
    import cProfile
    import pstats

    client = _client(business)
    counted: dict[str, dict[str, float]] = {}
    for name, (method, path) in endpoint_paths(business).items():
        sent = [0]

        def request(method: str = method, path: str = path, sent: list[int] = sent) -> int:
            sent[0] += 1
            if method == "POST":
                body = create_body(business, sent[0])
                return client.post(path, body, content_type="application/json").status_code
            return client.get(path).status_code

        for _ in range(WARM_REQUESTS):
            request()
        profile = cProfile.Profile()
        profile.enable()
        statuses = {request() for _ in range(COUNTED_REQUESTS)}
        profile.disable()
        counted[name] = {"calls": pstats.Stats(profile).total_calls / COUNTED_REQUESTS, "status": max(statuses)}
    return counted


def foreign_detail(business: int, other: int) -> dict[str, Any]:
    """``business`` asks for ``other``'s booking by id on the detail endpoint."""
    from .dataset import first_booking_id

    own = _client(business).get(f"/api/bookings/{first_booking_id(business)}/").status_code
    foreign = _client(business).get(f"/api/bookings/{first_booking_id(other)}/").status_code
    return {"own": own, "foreign": foreign}


def no_scope_query() -> dict[str, Any]:
    """Bookings read with no business in scope (a shell, a job, a forgotten scope): an
    error or no rows is closed; every business's rows is open."""
    from django.apps import apps
    from django.db import connection, transaction

    booking = next(m for m in apps.get_models() if m._meta.db_table == "booking")
    try:
        with transaction.atomic():
            rows = booking.objects.count()
    except Exception as exc:  # what each library raises differs; the fact of raising is the answer
        connection.close()
        return {"closed": True, "answer": f"raises {type(exc).__name__}"}
    if rows == 0:
        return {"closed": True, "answer": "no rows"}
    return {"closed": False, "answer": f"{rows:,} rows"}


def no_scope_raw_sql() -> dict[str, Any]:
    """The booking table counted by raw SQL with no business in scope: what the database
    itself keeps (row-level security) when the ORM is bypassed."""
    from django.db import connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM booking")
            rows = cursor.fetchone()[0]
    except Exception as exc:  # e.g. no such table outside a django-tenants schema
        connection.close()
        return {"closed": True, "answer": f"raises {type(exc).__name__}"}
    return {"closed": rows == 0, "answer": "no rows" if rows == 0 else f"{rows:,} rows"}


def probe(business: int, other: int) -> dict[str, Any]:
    # With no business in scope twice: in a fresh process, and after requests have been
    # served in it (what a request may leave behind on its thread or connection).
    fresh, raw = no_scope_query(), no_scope_raw_sql()
    calls = python_calls(business)
    foreign = foreign_detail(business, other)
    after = no_scope_query()
    return {"calls": calls, "foreign": foreign, "no_scope": fresh, "no_scope_raw": raw, "no_scope_after_request": after}


def main(argv: list[str]) -> int:
    django.setup()
    command = argv[0]
    if command == "write-rls-migration":
        write_rls_migration()
    elif command == "probe":
        print(json.dumps(probe(int(argv[1]), int(argv[2]))))
    else:
        raise SystemExit(f"unknown command {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
