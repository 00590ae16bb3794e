"""The text of bench/PEERS.md: the tables from the figures, the method, what was left out."""

from __future__ import annotations

from typing import Any

from .serve import ENDPOINTS

SHORT = {"bookings list": "list", "booking detail": "detail", "booking create": "create", "notes list": "notes"}

WIRING = {
    "none": "Plain models with a `tenant` column; a middleware looks the business up by `X-Tenant-Slug`; "
    "the list views filter by it by hand (so every design returns the same rows and counts), the detail "
    "view and everything else do not.",
    "core": '`TenantModel`/`TenantChildModel` (`tenant_path = "booking__tenant"`), `TenantMiddleware` '
    "(resolution by host `<slug>.peers.test` and header, cached; one transaction per request), the "
    "scoped ViewSet base `TenantQuerySetMixin` with `Access.PUBLIC`; row-level security from "
    "`TenantRowLevelSecurity` operations written from `expected_operation()`, served as `nbne_app` "
    "(NOBYPASSRLS), audits on `nbne_platform`, migrated as `postgres`.",
    "tenants": "`TenantMixin`/`DomainMixin` in `SHARED_APPS`, the four tables in `TENANT_APPS`, "
    "`TenantMainMiddleware` (schema by host), one schema per business. The first schema is made by "
    "`migrate_schemas`, the rest by replaying its `pg_dump` (see below).",
    "rls": "`RLSProtectedModel` on all four tables (the note carries `tenant` too), `RLSTenantMiddleware` "
    "with `USE_LOCAL_SET` (one transaction per request), served as `nbne_app` (NOBYPASSRLS). The library "
    "takes the tenant from the signed-in user; a small middleware gives it a user object for the "
    "business named by the header.",
    "scopes": "`ScopedManager(business=...)` on the four tables (the note by `booking__tenant`); a middleware "
    "runs the view in `scope(business=...)`.",
    "multitenant": "`TenantModel` with `TenantMeta.tenant_field_name`, `TenantForeignKey` between tenant "
    "tables (composite keys through `django_multitenant.backends.postgresql`, `unique_together (id, "
    "tenant)`), the note carries `tenant` too; a middleware calls `set_current_tenant` and, unlike the "
    "library's own, `unset_current_tenant` after the response.",
}


def _ratio(figure: dict[str, Any], key: str) -> str:
    value = figure.get(key)
    return "—" if value is None else f"{value:.2f}x"


def _closed(answer: dict[str, Any]) -> str:
    return ("yes: " if answer["closed"] else "**no**: ") + answer["answer"]


def _foreign(figure: dict[str, Any]) -> str:
    status = figure["foreign"]["foreign"]
    return "404" if status == 404 else f"**{status}** (the other business's booking)"


def performance_table(figures: dict[str, dict[str, Any]]) -> list[str]:
    head = "| design | Python calls ÷ none | worker CPU ms/req (÷ none) | PostgreSQL CPU ms/req (÷ none) | "
    head += " | ".join(f"{SHORT[e]} p50 / p99 ms" for e in ENDPOINTS) + " |"
    rows = [head, "| --- | ---: | ---: | ---: | " + " | ".join("---:" for _ in ENDPOINTS) + " |"]
    for figure in figures.values():
        latencies = " | ".join(f"{figure['p50'][e]:.1f} / {figure['p99'][e]:.1f}" for e in ENDPOINTS)
        rows.append(
            f"| {figure['library']} | {_ratio(figure, 'calls_ratio')} | {figure['cpu_ms']:.2f} "
            f"({_ratio(figure, 'cpu_ratio')}) | {figure['db_cpu_ms']:.2f} ({_ratio(figure, 'db_cpu_ratio')}) | "
            f"{latencies} |"
        )
    return rows


def operations_table(figures: dict[str, dict[str, Any]]) -> list[str]:
    rows = [
        "| design | new column, all businesses (s) | relations in pg_class | pg_catalog MB | database MB | "
        "worker peak RSS MiB | RLS on (of 4 tables) | foreign id → | fails closed, fresh process? | "
        "fails closed, after a request? | raw SQL, no business |",
        "| --- | ---: | ---: | ---: | ---: | ---: | :---: | :---: | --- | --- | --- |",
    ]
    for figure in figures.values():
        rls = f"{figure['rls']} (forced {figure['rls_forced']})" if figure["rls"] else "no"
        rows.append(
            f"| {figure['library']} | {figure['migration_s']:.1f} | {figure['relations']:,} | "
            f"{figure['catalog_mb']:.1f} | {figure['database_mb']:.1f} | {figure['rss_mib']:.1f} | {rls} | "
            f"{_foreign(figure)} | {_closed(figure['no_scope'])} | {_closed(figure['no_scope_after'])} | "
            f"{_closed(figure['no_scope_raw']) if figure.get('no_scope_raw') else '—'} |"
        )
    return rows


def calls_table(figures: dict[str, dict[str, Any]]) -> list[str]:
    rows = [
        "| design | " + " | ".join(SHORT[e] for e in ENDPOINTS) + " |",
        "| --- | " + " | ".join("---:" for _ in ENDPOINTS) + " |",
    ]
    for figure in figures.values():
        rows.append(f"| {figure['library']} | " + " | ".join(f"{figure['calls'][e]:,.0f}" for e in ENDPOINTS) + " |")
    return rows


def headline(figures: dict[str, dict[str, Any]]) -> str:
    core = figures.get("core")
    if core is None or "calls_ratio" not in core:
        return ""
    others = [f for v, f in figures.items() if v not in ("none", "core")]
    cheapest_cpu = min(others, key=lambda f: f["cpu_ratio"])
    return (
        f"**Headline:** over no tenancy, this core costs {core['calls_ratio']:.2f}x the Python calls, "
        f"{core['cpu_ratio']:.2f}x the worker CPU and {core['db_cpu_ratio']:.2f}x the PostgreSQL CPU per request "
        f"(bookings list p50 {core['p50']['bookings list']:.1f} ms against "
        f"{figures['none']['p50']['bookings list']:.1f} ms); "
        f"of the libraries, {cheapest_cpu['library']} costs least CPU ({cheapest_cpu['cpu_ratio']:.2f}x). "
        f"This core answers a foreign id with {core['foreign']['foreign']} and fails closed "
        f"({core['no_scope']['answer']}), with row-level security on as a second layer."
    )


def render_markdown(results: dict[str, Any], figures: dict[str, dict[str, Any]]) -> str:
    versions = ", ".join(f"{name} {ver}" for name, ver in results["versions"].items())
    requests = results["rounds"] * results["per_endpoint"]
    lines = [
        "# Tenancy designs compared (`make bench-peers`)",
        "",
        headline(figures),
        "",
        "![overhead and latency per design](peers.png)",
        "",
        f"Date: {results['date']}. Machine: {results['machine']}. Versions: {versions}. "
        f"{results['businesses']:,} businesses, each with 5 services, 20 clients, 100 bookings and one note per "
        f"booking (the same rows and ids in every design); {results['server']}; "
        f"{results['rounds']} rounds, each sending every design {results['per_endpoint']} requests per endpoint, the "
        f"designs taking turns ({requests:,} timed requests per endpoint per design). Whole run: "
        f"{results['wall_seconds'] / 60:.1f} min.",
        "",
        "## Per request",
        "",
        *performance_table(figures),
        "",
        "## Operations and isolation",
        "",
        *operations_table(figures),
        "",
        "## Python calls per request (cProfile, Django's test client, in-process)",
        "",
        *calls_table(figures),
        "",
        "## How each design is wired",
        "",
        *[f"- **{figures[v]['library']}** — {WIRING[v]}" for v in figures],
        "",
        "Every design serves the same DRF serializers (`ModelSerializer`s of the booking and the note) and "
        "the same views (list, detail and create of bookings; list of notes; page size 20, ordered by id) from "
        "`bench/peers/api.py`; only where the rows come from and what a new booking is saved with differ. "
        "Authentication is left out of every design (the business is named by the request's host and "
        "`X-Tenant-Slug`), because it is the same work in all of them and would hide the differences.",
        "",
        "## Method",
        "",
        "- **Databases**: one per design (`nbne_peers_<design>`), dropped and built again by every run: "
        "migrations generated from the models, `migrate` as `postgres`, rows loaded with `COPY`, "
        "`VACUUM ANALYZE`. Designs relying on row-level security are served as `nbne_app` (NOBYPASSRLS); "
        "the others as `postgres`, which bypasses row-level security but has none to bypass.",
        "- **Python calls**: `cProfile`'s `total_calls` over 20 requests per endpoint (after 5 to warm), "
        "through Django's test client in one process, as `bench/python_calls.py` counts them. The same on "
        "every run; the ratio is the median over the four endpoints of the design's count ÷ the baseline's.",
        "- **CPU**: utime + stime from `/proc/<pid>/stat` of the gunicorn worker and of every PostgreSQL "
        "backend connected to the design's database, before and after each batch, ÷ requests.",
        "- **Latency**: one request at a time on a new connection (the sync worker closes each), "
        "`http.client` from the driver's process, p50 and p99 per endpoint; each request for a business "
        "drawn at random (seeded); the detail of one of its own bookings; the create of a new booking.",
        "- **New column, all businesses**: a migration adding a nullable column to the booking table, "
        "timed as the command a user would run: `migrate` for the designs with one shared table, "
        "`migrate_schemas --tenant` (the default, sequential executor) for django-tenants, which runs it "
        "in every schema. Includes the command's start-up (about a second of it is Django and the "
        "migration loader).",
        "- **Catalog**: `count(*)` of `pg_class`, the size of `pg_catalog`'s tables and "
        "`pg_database_size()` after the load and the new column.",
        "- **Memory**: `VmHWM` (peak RSS) of each gunicorn worker at the end of the run.",
        "- **Foreign id**: business 3 asks for business N-1's first booking on the detail endpoint "
        "(404 expected, as for an id that does not exist).",
        "- **Fails closed**: bookings counted through the ORM with no business in scope, in a fresh "
        "process and again after requests have been served in it, and by raw SQL (`SELECT count(*) FROM "
        "booking`) as the serving role. Closed: an error or no rows; open: rows.",
        "",
        "## What was not measured, and why",
        "",
        "- **Authentication and permissions**: the same in every design; left out (see above).",
        "- **Concurrency and throughput**: requests are sequential, one worker per design; this compares "
        "the cost of each request, not how a design behaves under load (`make bench` does that for this "
        "project).",
        "- **Creating a business**: not compared. django-tenants' own way (`TenantMixin.save()` running "
        "`migrate` in a new schema, or `clone_schema` from `TENANT_BASE_SCHEMA`) takes about 0.2-0.4 s a "
        "schema on this machine and slowed as schemas were added, so the benchmark makes the 999 other "
        "schemas by replaying the first schema's `pg_dump`; for the row-level designs a business is one row.",
        "- **This core's request cap and per-business statement timeout** (`TenantGovernanceMiddleware`, "
        "Redis) are not installed: no peer has them. The statement timeout is still told to PostgreSQL with "
        "the tenant, in the same statement.",
        "- **Citus**: django-multitenant runs here on plain PostgreSQL; the distribution it is made for is "
        "not measured.",
        "- **PostgreSQL CPU** is that of the backends of the design's database; a backend that served a "
        "connection which closed during a batch (none should: connections are persistent) would be missed.",
        "",
        "## Reading it",
        "",
        *reading(figures),
        "",
    ]
    return "\n".join(lines)


def reading(figures: dict[str, dict[str, Any]]) -> list[str]:
    """What the figures say, from the figures (each run writes its own)."""
    if not {"none", "core"} <= figures.keys():
        return ["(The baseline or this core was not run.)"]
    none, core = figures["none"], figures["core"]
    lines = []
    worst_cpu = max((f for v, f in figures.items() if v != "none"), key=lambda f: f["cpu_ratio"])
    lines.append(
        f"- **Where this core loses: CPU per request.** Its Python call count is close to the baseline's "
        f"({core['calls_ratio']:.2f}x: its resolution is cached, where the other designs look the business up "
        f"on every request), yet its worker spends {core['cpu_ratio']:.2f}x the baseline's CPU "
        + (
            "(the most of all the designs) "
            if worst_cpu is core
            else f"({worst_cpu['library']} is the most, {worst_cpu['cpu_ratio']:.2f}x) "
        )
        + "and PostgreSQL "
        f"{core['db_cpu_ratio']:.2f}x: one transaction per request, the transaction's token read and the "
        "tenant and its proof set before the first query (two round trips), and a policy that checks an "
        "HMAC proof. django-rls-tenants' policy compares a setting and costs the database "
        f"{figures['rls']['db_cpu_ratio']:.2f}x."
        if "rls" in figures
        else ""
    )
    lines.append(
        f"- **Latency**: this core's p50 is {core['p50']['bookings list'] / none['p50']['bookings list']:.2f}x the "
        f"baseline's on the bookings list, {core['p50']['booking create'] / none['p50']['booking create']:.2f}x "
        f"on create and {core['p50']['notes list'] / none['p50']['notes list']:.2f}x on the notes list (a child: "
        "its own `tenant_id`, copied from its booking, so its policy is one comparison like a root's). The p99 "
        "figures of a 2-core machine shared with other work move from run to run; the p50s and the "
        "call counts are the ones to compare."
    )
    lines.append(
        f"- **Memory**: a worker of this core peaks at {core['rss_mib']:.0f} MiB against "
        f"{none['rss_mib']:.0f} MiB: its middleware imports token authentication (simplejwt) and the "
        "governance module (django-redis, redis) whether or not a deployment uses them."
    )
    if "tenants" in figures:
        tenants = figures["tenants"]
        lines.append(
            f"- **django-tenants** pays at the catalog and in migrations: {tenants['relations']:,} relations "
            f"against {core['relations']:,}, {tenants['catalog_mb']:.0f} MB of `pg_catalog` against "
            f"{core['catalog_mb']:.0f}, and {tenants['migration_s']:.0f} s to add one column to every business "
            f"against {core['migration_s']:.1f} s. After a request its connection stays on that business's "
            f"schema, so a query outside any request reads that business's rows "
            f"({tenants['no_scope_after']['answer']})."
        )
    if "multitenant" in figures:
        lines.append(
            "- **django-multitenant** filters only when a tenant is set: with none, a query returns every "
            f"business's rows ({figures['multitenant']['no_scope']['answer']}); it also adds the most Python "
            f"calls ({figures['multitenant']['calls_ratio']:.2f}x)."
        )
    if "scopes" in figures:
        lines.append(
            f"- **django-scopes** is the cheapest ({figures['scopes']['cpu_ratio']:.2f}x worker CPU) and fails "
            "closed, but has nothing in the database: raw SQL, `_base_manager` and other managers see every "
            "business."
        )
    lines.append(
        "- **Isolation**: every design but the baseline answers a foreign id with 404. This core and "
        "django-rls-tenants are the two with row-level security (raw SQL with no business in scope "
        "reads no rows); of the two, this core also fails closed in the application with an error "
        "rather than an empty answer, so a forgotten scope shows up instead of looking like no data."
    )
    return [line for line in lines if line]
