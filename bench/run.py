"""A salon's bookings page, as fast in a database of 1,000 businesses as in a database of one?

    make bench                      # the full run: 1,000 tenants, 1,000,000 bookings
    .venv/bin/python -m bench --quick
    .venv/bin/python -m bench --tenants 2000 --bookings 3000000 --duration 15 --rebuild

It builds (or reuses) a large database and a database of its median tenant alone, serves
both with gunicorn as the runtime role, drives them with wrk and writes bench/RESULTS.md
and bench/latency.png. Phases that are compared alternate round by round (forwards,
then backwards) so drift in the machine falls on both sides; ratios are the medians of
the rounds' paired ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from bench import child_tenant_migration, explain, python_calls, report, rls_cpu, seq_scans
from bench.dataset import (
    MAIN_TABLES,
    ROOT,
    Built,
    Params,
    ensure_datasets,
    forget_run_writes,
    owner_dsn,
    slug_of,
    table_counts,
    username_of,
)
from bench.load import WrkResult, cold_dashboard, median, run_wrk
from bench.server import (
    Server,
    cpu_per_request_ms,
    django_facts,
    django_json,
    ensure_services,
    redis_client,
    set_row_level_security,
    wrk_binary,
)

PYTHON = sys.executable
BIG_PORT, SINGLE_PORT, UNSCOPED_PORT = 8821, 8822, 8823


@dataclass
class Subject:
    """A tenant the benchmark acts as, and the ids its requests need."""

    label: str
    index: int
    bookings: int
    token: str = ""
    detail_ids: list[int] = field(default_factory=list)
    general_channel: int = 0
    create_choices: list[dict[str, int]] = field(default_factory=list)

    @property
    def tenant_id(self) -> int:
        return self.index + 1

    @property
    def slug(self) -> str:
        return slug_of(self.index)

    @property
    def owner(self) -> str:
        return username_of(self.index, "owner")

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def describe(database: str, subject: Subject) -> None:
    """Fill in the ids a subject's requests use, read as the owner (RLS does not apply)."""
    with psycopg.connect(owner_dsn(database), autocommit=True) as db:
        tenant = subject.tenant_id
        subject.detail_ids = [
            row[0]
            for row in db.execute(
                "SELECT id FROM bookings_booking WHERE tenant_id = %s ORDER BY md5(id::text) LIMIT 200", [tenant]
            )
        ]
        subject.general_channel = db.execute(
            "SELECT id FROM comms_channel WHERE tenant_id = %s AND name = 'general'", [tenant]
        ).fetchone()[0]
        clients = [
            row[0]
            for row in db.execute("SELECT id FROM bookings_client WHERE tenant_id = %s ORDER BY id LIMIT 20", [tenant])
        ]
        # A service each active staff member may be booked for (all, when they list none).
        rows = db.execute(
            "SELECT s.id, (SELECT v.id FROM bookings_service v WHERE v.tenant_id = s.tenant_id AND v.is_active "
            "  AND (NOT EXISTS (SELECT 1 FROM bookings_staff_services o WHERE o.staff_id = s.id) "
            "       OR EXISTS (SELECT 1 FROM bookings_staff_services o "
            "                  WHERE o.staff_id = s.id AND o.service_id = v.id)) "
            "  ORDER BY v.id LIMIT 1) "
            "FROM bookings_staff s WHERE s.tenant_id = %s AND s.is_active ORDER BY s.id LIMIT 8",
            [tenant],
        ).fetchall()
        subject.create_choices = [
            {"staff": staff, "service": service, "client": clients[n % len(clients)]}
            for n, (staff, service) in enumerate(rows)
            if service is not None
        ]


def create_base(database: str, tenant_id: int) -> int:
    """The first free hour after every booking the tenant has: new slots never clash."""
    with psycopg.connect(owner_dsn(database), autocommit=True) as db:
        latest = db.execute("SELECT max(ends_at) FROM bookings_booking WHERE tenant_id = %s", [tenant_id]).fetchone()[0]
    start = (latest or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    return int(start.timestamp())


class Created:
    """Forgets the rows a create phase wrote, so every phase sees the same dataset."""

    def __init__(self, database: str, anchor: datetime) -> None:
        self.database, self.anchor = database, anchor

    def __enter__(self) -> Created:
        return self

    def __exit__(self, *exc: object) -> None:
        # wrk stops without waiting for the requests in flight; let the server finish them.
        time.sleep(3)
        forget_run_writes(self.database, self.anchor)


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str


ENDPOINTS = [
    Endpoint("bookings_list", "bookings list `GET /api/bookings/bookings/`"),
    Endpoint("bookings_week", "bookings of a week `?starts_after=…&starts_before=…`"),
    Endpoint("booking_detail", "booking detail `GET /api/bookings/bookings/{id}/`"),
    Endpoint("booking_create", "booking create `POST /api/bookings/bookings/`"),
    Endpoint("dashboard", "dashboard, warm cache `GET /api/bookings/dashboard/`"),
    Endpoint("public_services", "public services (anonymous) `GET /api/bookings/public/services/`"),
    Endpoint("shifts", "staff shifts `GET /api/staff/shifts/`"),
    Endpoint("messages", "channel messages `GET /api/comms/channels/{id}/messages/`"),
    Endpoint("documents", "documents list `GET /api/documents/documents/`"),
]


def phase_settings(endpoint: str, subject: Subject, *, anchor: datetime, database: str) -> dict[str, Any]:
    """The wrk settings of one endpoint for one tenant (see bench/lua/request.lua)."""
    get = {"method": "GET", "headers": subject.auth()}
    if endpoint == "bookings_list":
        return {**get, "paths": ["/api/bookings/bookings/"]}
    if endpoint == "bookings_week":
        start = anchor - timedelta(days=anchor.weekday())
        end = start + timedelta(days=7)
        span = f"starts_after={start:%Y-%m-%dT%H:%M:%SZ}&starts_before={end:%Y-%m-%dT%H:%M:%SZ}"
        return {**get, "paths": [f"/api/bookings/bookings/?{span}"]}
    if endpoint == "booking_detail":
        return {**get, "paths": [f"/api/bookings/bookings/{pk}/" for pk in subject.detail_ids]}
    if endpoint == "booking_create":
        return {
            "method": "POST",
            "headers": {**subject.auth(), "Content-Type": "application/json"},
            "paths": ["/api/bookings/bookings/"],
            "create": {
                "path": "/api/bookings/bookings/",
                "base": create_base(database, subject.tenant_id),
                "step": 3600,  # every generated service lasts an hour at most
                "choices": subject.create_choices,
            },
        }
    if endpoint == "dashboard":
        return {**get, "paths": ["/api/bookings/dashboard/"]}
    if endpoint == "public_services":
        anonymous = {"X-Tenant-Slug": subject.slug}
        return {"method": "GET", "headers": anonymous, "paths": ["/api/bookings/public/services/"]}
    if endpoint == "shifts":
        return {**get, "paths": ["/api/staff/shifts/"]}
    if endpoint == "messages":
        return {**get, "paths": [f"/api/comms/channels/{subject.general_channel}/messages/"]}
    if endpoint == "documents":
        return {**get, "paths": ["/api/documents/documents/"]}
    raise ValueError(endpoint)


def measure(
    server: Server,
    settings: dict[str, Any],
    *,
    duration: float,
    warmup: float,
    database: str = "",
    anchor: datetime | None = None,
) -> WrkResult:
    """A warm-up run (discarded: connections, caches) and the measured run."""
    creates = "create" in settings
    if warmup:
        warm = settings
        if creates:  # slots of its own, years after the measured run's
            warm = {**settings, "create": {**settings["create"], "base": settings["create"]["base"] + 3 * 365 * 86400}}
        with Created(database, anchor) if creates else _nothing():
            run_wrk(server, warm, duration=warmup)
    with Created(database, anchor) if creates else _nothing():
        before = server.cpu_seconds()
        result = run_wrk(server, settings, duration=duration)
        result.extra["cpu_ms"] = cpu_per_request_ms(before, server.cpu_seconds(), result.requests)
    if result.status_errors or result.socket_errors:
        print(f"    ! {result.status_errors} error responses, {result.socket_errors} socket errors", flush=True)
    return result


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


# The phases compared by the ratios ---------------------------------------------------------------

RATIO_PHASES = {  # titles; {tenants} is the big database's count
    "big": "{tenants} tenants, median tenant, RLS on",
    "big_rls_off": "{tenants} tenants, median tenant, RLS off",
    "big_tenant": "{tenants} tenants, big tenant, RLS on",
    "single": "1 tenant, median tenant",
    "single_unscoped": "1 tenant, median tenant, no tenant clause, RLS off",
}


@dataclass(frozen=True)
class Ratio:
    key: str
    title: str
    numerator: str
    denominator: str
    goal: float
    on_p50: bool  # the goal applies to p50 too, not only p99


RATIOS = [
    Ratio("noisy", "noisy neighbour: {tenants} tenants / 1 tenant", "big", "single", 1.10, True),
    Ratio("scoping", "scoping: scoped / no tenant clause (1 tenant)", "single", "single_unscoped", 1.05, True),
    Ratio("rls", "RLS: on / off ({tenants} tenants)", "big", "big_rls_off", 1.05, True),
    Ratio("big_tenant", "big tenant / median tenant (p99)", "big_tenant", "big", 2.0, False),
]


def ratio_rounds(
    *,
    rounds: int,
    duration: float,
    warmup: float,
    servers: dict[str, Server],
    subjects: dict[str, Subject],
    single_subject: Subject,
    built: Built,
    tables: list[str],
) -> dict[str, list[WrkResult]]:
    """Every ratio phase once per round, in alternating order, on the bookings list."""
    results: dict[str, list[WrkResult]] = {key: [] for key in RATIO_PHASES}
    rls = {built.big_database: True, built.single_database: True}

    def ensure_rls(database: str, on: bool) -> None:
        if rls[database] != on:
            set_row_level_security(database, tables, on)
            rls[database] = on

    plan = {
        "big": (servers["big"], subjects["median"], built.big_database, True),
        "big_rls_off": (servers["big"], subjects["median"], built.big_database, False),
        "big_tenant": (servers["big"], subjects["big"], built.big_database, True),
        "single": (servers["single"], single_subject, built.single_database, True),
        "single_unscoped": (servers["unscoped"], single_subject, built.single_database, False),
    }
    order = list(RATIO_PHASES)
    try:
        for number in range(rounds):
            for key in order if number % 2 == 0 else reversed(order):
                server, subject, database, on = plan[key]
                ensure_rls(database, on)
                settings = phase_settings("bookings_list", subject, anchor=built.anchor, database=database)
                results[key].append(measure(server, settings, duration=duration, warmup=warmup))
            line = "  ".join(
                f"{key} {results[key][-1].p50:.1f}/{results[key][-1].p99:.1f}/{results[key][-1].extra['cpu_ms']:.1f}"
                for key in order
            )
            print(f"  round {number + 1}/{rounds} p50/p99/CPU per request ms: {line}", flush=True)
    finally:
        for database in rls:
            ensure_rls(database, True)
    return results


def paired_ratios(results: dict[str, list[WrkResult]]) -> dict[str, dict[str, float]]:
    """Per ratio: the median over rounds of the round's numerator / denominator, of p50,
    p99 and of the CPU time per request (web workers and their database backends)."""
    out = {}
    for ratio in RATIOS:
        pairs = list(zip(results[ratio.numerator], results[ratio.denominator], strict=True))
        out[ratio.key] = {
            "p50": median([a.p50 / b.p50 for a, b in pairs]),
            "p99": median([a.p99 / b.p99 for a, b in pairs]),
            "cpu": median([a.extra["cpu_ms"] / b.extra["cpu_ms"] for a, b in pairs]),
        }
    return out


# The concurrency check ------------------------------------------------------------------------


def isolation_entries(database: str, subjects: list[Subject]) -> list[dict[str, Any]]:
    """Per tenant, requests with exactly known answers: who am I, its bookings of two days,
    the first page of its services (signed in, and anonymously by slug) and of its staff."""
    entries = []

    public_pages: list[tuple[dict[str, Any], str, list[int]]] = []

    def page(db: psycopg.Connection, subject: Subject, path: str, sql: str, size: int, auth: bool = True) -> None:
        ids = [row[0] for row in db.execute(sql, [subject.tenant_id])]
        entry = {
            "kind": "page",
            "path": f"{path}{'&' if '?' in path else '?'}page_size={size}",
            "headers": subject.auth() if auth else {"X-Tenant-Slug": subject.slug},
            "tenant": subject.tenant_id,
            "count": len(ids),
            "ids": ",".join(str(pk) for pk in ids[:size]),
        }
        if not auth:  # the public pages name rows by their opaque references, not ids
            public_pages.append((entry, "bookings.Service", ids[:size]))
        entries.append(entry)

    # The orders are the models' own (Meta.ordering), which the API keeps when none is asked for.
    with psycopg.connect(owner_dsn(database), autocommit=True) as db:
        for subject in subjects:
            entries.append(
                {"kind": "me", "path": "/api/auth/me/", "headers": subject.auth(), "tenant": subject.tenant_id}
            )
            # Two days around the tenant's median booking: a list with a count that is cheap to
            # serve for every tenant, so the check reaches its count in minutes.
            day = db.execute(
                "SELECT date_trunc('day', percentile_disc(0.5) WITHIN GROUP (ORDER BY starts_at)) "
                "FROM bookings_booking WHERE tenant_id = %s",
                [subject.tenant_id],
            ).fetchone()[0]
            after, before = day, day + timedelta(days=2)
            window = f"starts_after={after:%Y-%m-%dT%H:%M:%SZ}&starts_before={before:%Y-%m-%dT%H:%M:%SZ}"
            bookings = (
                "SELECT id FROM bookings_booking WHERE tenant_id = %s "
                f"AND starts_at >= '{after.isoformat()}' AND starts_at < '{before.isoformat()}' ORDER BY starts_at, id"
            )
            page(db, subject, f"/api/bookings/bookings/?{window}", bookings, 5)
            services = "SELECT id FROM bookings_service WHERE tenant_id = %s ORDER BY name, id"
            page(db, subject, "/api/bookings/services/", services, 10)
            active = "SELECT id FROM bookings_service WHERE tenant_id = %s AND is_active ORDER BY name, id"
            page(db, subject, "/api/bookings/public/services/", active, 10, auth=False)
            staff = "SELECT id FROM bookings_staff WHERE tenant_id = %s ORDER BY name, id"
            page(db, subject, "/api/bookings/staff/", staff, 10)
    rows = [{"model": model, "tenant": entry["tenant"], "ids": ids} for entry, model, ids in public_pages]
    for (entry, _model, _ids), refs in zip(public_pages, public_references(database, rows), strict=True):
        entry["key"], entry["ids"] = "ref", ",".join(refs)
    # Interleave the tenants: consecutive requests are of different tenants.
    by_tenant: dict[int, list[dict[str, Any]]] = {}
    for entry in entries:
        by_tenant.setdefault(entry["tenant"], []).append(entry)
    interleaved = []
    for position in range(max(len(group) for group in by_tenant.values())):
        for group in by_tenant.values():
            if position < len(group):
                interleaved.append(group[position])
    return interleaved


def public_references(database: str, rows: list[dict[str, Any]]) -> list[list[str]]:
    """The public references of rows (``core.references``), computed by the project's own
    code with the key the servers of ``database`` use."""
    return django_json(PYTHON, database, "bench.explain", "--references", json.dumps(rows))


def concurrency_check(server: Server, entries: list[dict[str, Any]], target: int, threads: int) -> dict[str, Any]:
    """wrk runs of interleaved tenants until ``target`` responses are checked."""
    totals = {"requests": 0, "checked": 0, "wrong": 0, "bad_status": 0, "seconds": 0.0, "first_wrong": ""}
    chunk = 20.0
    while totals["checked"] < target:
        result = run_wrk(
            server,
            {"entries": entries},
            duration=chunk,
            script="isolation.lua",
            threads=threads,
            connections=threads,  # one connection per thread: responses match requests in order
        )
        totals["requests"] += result.requests
        totals["seconds"] += result.seconds
        for key in ("checked", "wrong", "bad_status"):
            totals[key] += result.extra.get(key, 0)
        if result.extra.get("first_wrong") and not totals["first_wrong"]:
            totals["first_wrong"] = result.extra["first_wrong"]
        rate = result.extra.get("checked", 0) / result.seconds if result.seconds else 0
        remaining = target - totals["checked"]
        print(f"  checked {totals['checked']:,} responses ({rate:.0f}/s), {totals['wrong']} wrong", flush=True)
        if remaining > 0 and rate > 0:
            chunk = min(120.0, max(5.0, remaining / rate * 1.05))
    return totals


def pick_check_subjects(built: Built, count: int) -> list[Subject]:
    """The big and median tenants and others spread over the sizes."""
    plan = built.plan
    ordered = sorted(range(plan.params.tenants), key=lambda index: (plan.bookings[index], index))
    count = min(count, len(ordered))
    chosen = {plan.big, plan.median}
    step = len(ordered) / count
    position = 0.0
    while len(chosen) < count and position < len(ordered):
        chosen.add(ordered[int(position)])
        position += step
    for index in ordered:  # fill up if the stride landed on already chosen tenants
        if len(chosen) >= count:
            break
        chosen.add(index)
    return [Subject(label=slug_of(index), index=index, bookings=plan.bookings[index]) for index in sorted(chosen)]


# The run --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small dataset and short phases, for development")
    parser.add_argument("--tenants", type=int, help="tenants in the big database (default 1000; quick 50)")
    parser.add_argument("--bookings", type=int, help="bookings in the big database (default 1,000,000; quick 50,000)")
    parser.add_argument("--duration", type=float, help="seconds per measured wrk phase (default 10; quick 3)")
    parser.add_argument("--warmup", type=float, help="seconds of discarded warm-up before each phase (default 2)")
    parser.add_argument("--rounds", type=int, help="rounds of the alternating ratio phases (default 7; quick 3)")
    parser.add_argument("--check-requests", type=int, help="responses checked for tenancy (default 100,000)")
    parser.add_argument("--check-tenants", type=int, default=60, help="tenants interleaved in the check")
    parser.add_argument("--cold-samples", type=int, help="cold dashboard requests per tenant (default 40)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rebuild", action="store_true", help="build the databases even if cached")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md and bench/latency.png")
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "tenants": 50 if quick else 1000,
        "bookings": 50_000 if quick else 1_000_000,
        "duration": 3.0 if quick else 10.0,
        "warmup": 1.0 if quick else 2.0,
        "rounds": 3 if quick else 7,
        "check_requests": 10_000 if quick else 100_000,
        "cold_samples": 15 if quick else 40,
    }
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if not quick and (args.tenants, args.bookings) != (1000, 1_000_000):
        # Another scale's figures go beside the default's, not over them.
        os.environ.setdefault("NBNE_BENCH_RESULTS", str(ROOT / "bench" / f"RESULTS-{args.tenants}t.md"))
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    wrk_binary()
    ensure_services()
    params = Params(tenants=args.tenants, bookings=args.bookings, seed=args.seed)
    tables, password_hash = django_facts(PYTHON)

    print(f"Dataset: {params.tenants} tenants, {params.bookings:,} bookings (seed {params.seed})", flush=True)
    built = ensure_datasets(params, rebuild=args.rebuild, password_hash=password_hash, python=PYTHON)
    load_wall = time.perf_counter() - started
    if built.built_now:
        print(f"Built in {built.load_seconds:.1f} s", flush=True)
    else:
        print(f"Reused the cached databases (their build took {built.cached_load_seconds:.1f} s)", flush=True)
    for database in (built.big_database, built.single_database):
        forget_run_writes(database, built.anchor)
    counts_big = table_counts(built.big_database, MAIN_TABLES)
    counts_single = table_counts(built.single_database, MAIN_TABLES)

    plan = built.plan
    subjects = {
        "median": Subject("median tenant", plan.median, plan.bookings[plan.median]),
        "big": Subject("big tenant", plan.big, plan.bookings[plan.big]),
    }
    single_subject = Subject("median tenant", plan.median, plan.bookings[plan.median])
    for subject in subjects.values():
        describe(built.big_database, subject)
    describe(built.single_database, single_subject)
    if single_subject.detail_ids != subjects["median"].detail_ids:
        raise RuntimeError("The database of one tenant does not hold the same rows for it.")

    measuring = time.perf_counter()
    logs = Path(tempfile.mkdtemp(prefix="nbne-bench-logs-"))
    servers = {
        "big": Server("big", built.big_database, BIG_PORT, logs),
        "single": Server("single", built.single_database, SINGLE_PORT, logs),
        "unscoped": Server(
            "unscoped",
            built.single_database,
            UNSCOPED_PORT,
            logs,
            wsgi="bench.unscoped_wsgi:application",
            extra_env={"NBNE_BENCH_UNSCOPED": "1"},
        ),
    }
    redis_client().flushdb()  # db 11 is the benchmark's alone: every run starts cold
    results: dict[str, Any] = {}
    try:
        for server in servers.values():
            server.start(PYTHON)
        for server in servers.values():
            server.wait_ready()
        print(f"Serving on ports {BIG_PORT}, {SINGLE_PORT}, {UNSCOPED_PORT} (logs in {logs})", flush=True)
        for subject in subjects.values():
            subject.token = servers["big"].login(subject.owner, subject.slug)
        single_subject.token = servers["single"].login(single_subject.owner, single_subject.slug)

        print(f"Endpoints ({params.tenants:,} tenant database, RLS on):", flush=True)
        endpoint_results: list[tuple[Endpoint, str, WrkResult]] = []
        for endpoint in ENDPOINTS:
            for key in ("median", "big"):
                subject = subjects[key]
                settings = phase_settings(endpoint.key, subject, anchor=built.anchor, database=built.big_database)
                result = measure(
                    servers["big"],
                    settings,
                    duration=args.duration,
                    warmup=args.warmup,
                    database=built.big_database,
                    anchor=built.anchor,
                )
                endpoint_results.append((endpoint, key, result))
                print(
                    f"  {endpoint.key:16} {key:6} p50 {result.p50:7.1f} ms  p99 {result.p99:7.1f} ms  "
                    f"{result.throughput:6.0f} req/s  CPU {result.extra['cpu_ms']:5.1f} ms per request",
                    flush=True,
                )
        results["endpoints"] = endpoint_results

        print("Dashboard with the tenant's cache emptied before each request (one client):", flush=True)
        cold = {}
        for key in ("median", "big"):
            subject = subjects[key]
            cold_dashboard(servers["big"], subject.token, subject.tenant_id, 3)  # warm the connection
            timings = cold_dashboard(servers["big"], subject.token, subject.tenant_id, args.cold_samples)
            cold[key] = timings
            print(f"  {key:6} p50 {median(timings) * 1000:.1f} ms  max {max(timings) * 1000:.1f} ms", flush=True)
        results["cold_dashboard"] = cold

        print(f"Ratios: {args.rounds} alternating rounds on the bookings list:", flush=True)
        ratio_results = ratio_rounds(
            rounds=args.rounds,
            duration=args.duration,
            warmup=args.warmup,
            servers=servers,
            subjects=subjects,
            single_subject=single_subject,
            built=built,
            tables=tables,
        )
        results["ratio_phases"] = ratio_results
        results["ratios"] = paired_ratios(ratio_results)
        for ratio in RATIOS:
            figures = results["ratios"][ratio.key]
            print(f"  {report.ratio_line(ratio, figures, params.tenants)}", flush=True)

        print(f"Concurrency check: {args.check_tenants} tenants interleaved …", flush=True)
        check_subjects = pick_check_subjects(built, args.check_tenants)
        tokens = servers["big"].login_many([(subject.owner, subject.slug) for subject in check_subjects])
        for subject, token in zip(check_subjects, tokens, strict=True):
            subject.token = token
        entries = isolation_entries(built.big_database, check_subjects)
        check = concurrency_check(servers["big"], entries, args.check_requests, threads=4)
        check["tenants"] = len(check_subjects)
        check["entries"] = len(entries)
        results["check"] = check
        print(
            f"  {check['checked']:,} responses checked, {check['wrong']} of another tenant, "
            f"{check['bad_status']} not 200",
            flush=True,
        )
    finally:
        for server in servers.values():
            server.stop()

    print("Query plans (EXPLAIN ANALYZE of the SQL each endpoint runs):", flush=True)
    plans = explain.endpoint_plans(
        PYTHON,
        built.big_database,
        [
            (subject.label, subject.owner, subject.slug, subject.tenant_id, path)
            for subject in subjects.values()
            for path in ("/api/bookings/bookings/", "/api/staff/shifts/", "/api/bookings/dashboard/")
        ],
    )
    results["plans"] = plans
    measure_wall = time.perf_counter() - measuring
    total_wall = time.perf_counter() - started
    context = report.Context(
        params=params,
        built=built,
        counts_big=counts_big,
        counts_single=counts_single,
        subjects={key: (subject.slug, subject.bookings) for key, subject in subjects.items()},
        load_wall=load_wall,
        measure_wall=measure_wall,
        total_wall=total_wall,
        duration=args.duration,
        warmup=args.warmup,
        rounds=args.rounds,
        cold_samples=args.cold_samples,
        quick=args.quick,
    )
    text = report.results_markdown(context, results)
    print()
    print(text)
    if not args.no_write:
        report.write(context, results, text)
        print(f"Wrote {report.results_file()} and {report.results_file('latency.png')}")
    print(f"Wall time: {total_wall:.0f} s (load {load_wall:.0f} s, measurement {measure_wall:.0f} s)")

    written = [] if args.no_write else ["--write"]
    print("Python function calls per request of every list endpoint, scoped and unscoped:", flush=True)
    python_calls.main([built.single_database, single_subject.slug, *written])
    print("Row-level security in CPU time per request, one client, the median tenant:", flush=True)
    rls_cpu.main([built.big_database, subjects["median"].slug, *written])

    print("Every list endpoint as the big tenant, for sequential scans of big tenant tables:", flush=True)
    if seq_scans.main([built.big_database, subjects["big"].slug, *written]):
        raise SystemExit(1)
    print("The children's tenant migration on a copy of the big database, with a writer:", flush=True)
    if child_tenant_migration.main([built.big_database, *written]):
        raise SystemExit(1)
