"""The benchmark's figures as Markdown (a section of bench/RESULTS.md) and a latency chart."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from bench.dataset import Built, Params, owner_dsn
from bench.load import CONNECTIONS, THREADS, WrkResult, median, percentile
from bench.rls_overhead import results_file, write_section
from bench.server import THREADS as SERVER_THREADS
from bench.server import WORKERS

HERE = Path(__file__).resolve().parent
SECTION = "Scale: many tenants against one (`make bench`)"


@dataclass(frozen=True)
class Context:
    params: Params
    built: Built
    counts_big: dict[str, int]
    counts_single: dict[str, int]
    subjects: dict[str, tuple[str, int]]  # key -> (slug, bookings)
    load_wall: float
    measure_wall: float
    total_wall: float
    duration: float
    warmup: float
    rounds: int
    cold_samples: int
    quick: bool


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        kib = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
        memory = f"{kib / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        memory = "RAM unknown"
    with psycopg.connect(owner_dsn("postgres"), autocommit=True) as admin:
        version = admin.execute("SHOW server_version").fetchone()[0]
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{model}, {os.cpu_count()} cores, {memory}, PostgreSQL {version}, Python {platform.python_version()}; "
        f"load average at the end {load} (a shared machine: other work ran alongside)"
    )


def verdict(value: float, goal: float) -> str:
    return "PASS" if value <= goal else "MISS"


def titled(template: str, tenants: int) -> str:
    return template.format(tenants=f"{tenants:,}")


def ratio_line(ratio: Any, figures: dict[str, float], tenants: int) -> str:
    title = titled(ratio.title, tenants)
    p99 = f"p99 {figures['p99']:.3f} {verdict(figures['p99'], ratio.goal)}"
    cpu = f"CPU per request {figures['cpu']:.3f}"
    if not ratio.on_p50:
        return f"{title}: {p99} (goal ≤ {ratio.goal:g}; p50 {figures['p50']:.3f}, {cpu} for information)"
    p50 = f"p50 {figures['p50']:.3f} {verdict(figures['p50'], ratio.goal)}"
    return f"{title}: {p50}, {p99} (goal ≤ {ratio.goal:g}); {cpu}"


def readable_plan(plan: str, limit: int = 45) -> list[str]:
    """A plan without its InitPlans (the policies' settings, read once each), shortened."""
    lines, skip = [], False
    for line in plan.splitlines():
        if "InitPlan" in line:
            skip = True
            continue
        if skip and line.strip().startswith("->  Result"):
            continue
        skip = False
        lines.append(line)
    return lines if len(lines) <= limit else [*lines[: limit - 2], "  …", lines[-1]]


def _ms(value: float) -> str:
    return f"{value:.1f}"


def results_markdown(context: Context, results: dict[str, Any]) -> str:
    from bench.run import RATIO_PHASES, RATIOS  # the run's definitions, without an import cycle at load

    params, built = context.params, context.built
    median_slug, median_bookings = context.subjects["median"]
    big_slug, big_bookings = context.subjects["big"]
    lines = [
        f"Machine: {machine()}. Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        f"Run: `{'python -m bench --quick' if context.quick else 'make bench'}` — {params.tenants:,} tenants, "
        f"{params.bookings:,} bookings, seed {params.seed}. Wall time {context.total_wall:.0f} s: "
        f"dataset {context.load_wall:.0f} s, measurement {context.measure_wall:.0f} s.",
        "",
        "### Dataset",
        "",
        f"Tenant sizes are log-normal (sigma {params.sigma:g}); the big tenant `{big_slug}` has "
        f"{big_bookings:,} bookings, {params.big_factor} times the median tenant `{median_slug}` "
        f"({median_bookings:,}). "
        "Rows of all tenants are interleaved in creation order, as a live database holds them. "
        f"The database of one tenant holds `{median_slug}`'s rows only, identical (ids included).",
        "",
    ]
    if built.built_now:
        lines.append(
            f"Built in {built.load_seconds:.1f} s: migrate a template, generate, COPY (triggers off, plain "
            "indexes built after), check every foreign key by anti-join, VACUUM ANALYZE; both databases."
        )
    else:
        lines.append(
            "Reused from the cache (same parameters, schema and generator); "
            f"that build took {built.cached_load_seconds:.1f} s."
        )
    lines += ["", f"| table | rows, {params.tenants:,} tenants | rows, 1 tenant |", "| --- | ---: | ---: |"]
    for table, count in context.counts_big.items():
        lines.append(f"| `{table}` | {count:,} | {context.counts_single[table]:,} |")

    lines += [
        "",
        "### Endpoints",
        "",
        f"gunicorn {WORKERS} workers, {SERVER_THREADS} threads each (gthread), DEBUG off, Redis cache, "
        f"persistent database connections, as the runtime role; wrk {THREADS} threads, {CONNECTIONS} "
        "connections (a worker takes no more connections than it has threads, so gunicorn closes each "
        f"after its response and wrk reconnects); {context.duration:g} s per phase after "
        f"{context.warmup:g} s of warm-up; the {params.tenants:,} tenant database with RLS on. The "
        "dashboard is served from the tenant's cache (60 s, dropped on any write to its bookings data): "
        "the warm row is the cache, the cold rows recompute it on every request.",
        "",
        "| endpoint | tenant | p50 ms | p99 ms | req/s | errors | CPU ms per request |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for endpoint, key, result in results["endpoints"]:
        lines.append(
            f"| {endpoint.label} | {key} | {_ms(result.p50)} | {_ms(result.p99)} | {result.throughput:.0f} | "
            f"{result.status_errors + result.socket_errors} | {_ms(result.extra['cpu_ms'])} |"
        )
    for key, timings in results["cold_dashboard"].items():
        lines.append(
            f"| dashboard, cache emptied before each request (one client, {len(timings)} requests) | {key} | "
            f"{_ms(median(timings) * 1000)} | {_ms(percentile(timings, 0.99) * 1000)} | "
            f"{len(timings) / sum(timings):.0f} | 0 | |"
        )

    lines += [
        "",
        "### Ratios",
        "",
        f"The bookings list (`GET /api/bookings/bookings/`, first page of 25 with its count), {context.rounds} "
        "rounds of the five phases below, forwards then backwards; each ratio is the median of the rounds' "
        "paired ratios. RLS off and the unscoped app (`bench/unscoped_wsgi.py`: every request in "
        "`application_filters_off()`) are switched per phase with `ALTER TABLE … DISABLE ROW LEVEL SECURITY` "
        "as the owner, re-enabled after. The goals apply to the latencies. The CPU column is the "
        "same ratio of the CPU time per request of the gunicorn workers and their PostgreSQL backends "
        "(`/proc/<pid>/stat` before and after each phase): what a request costs, without the queueing "
        "in the latencies, though on a shared virtual machine the host's other work still moves it. The "
        "count that does not move is the Python one (the section on function calls below).",
        "",
        "| ratio | goal | p50 | p99 | result | CPU per request |",
        "| --- | ---: | ---: | ---: | --- | ---: |",
    ]
    for ratio in RATIOS:
        figures = results["ratios"][ratio.key]
        if ratio.on_p50:
            outcome = (
                "PASS" if max(figures["p50"], figures["p99"]) <= ratio.goal else "MISS"
            ) + f" (p50 {verdict(figures['p50'], ratio.goal)}, p99 {verdict(figures['p99'], ratio.goal)})"
        else:
            outcome = verdict(figures["p99"], ratio.goal) + " (p99)"
        title = titled(ratio.title, params.tenants)
        lines.append(
            f"| {title} | ≤ {ratio.goal:g} | {figures['p50']:.3f} | {figures['p99']:.3f} | {outcome} "
            f"| {figures['cpu']:.3f} |"
        )
    lines += [
        "",
        "| phase | median p50 ms | median p99 ms | median req/s | median CPU ms per request |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for key, title in RATIO_PHASES.items():
        runs: list[WrkResult] = results["ratio_phases"][key]
        lines.append(
            f"| {titled(title, params.tenants)} | {_ms(median([r.p50 for r in runs]))} | "
            f"{_ms(median([r.p99 for r in runs]))} | {median([r.throughput for r in runs]):.0f} | "
            f"{_ms(median([r.extra['cpu_ms'] for r in runs]))} |"
        )

    check = results["check"]
    lines += [
        "",
        "### Concurrency check",
        "",
        f"{check['tenants']} tenants' requests interleaved (each: `/api/auth/me/`, its bookings of two "
        "days, the first page of its services and staff, and its public services anonymously by "
        "`X-Tenant-Slug`), rotating per request over 4 wrk threads with one connection each, so they cross "
        "both gunicorn workers and their threads. Every response is compared with the tenant's own answer "
        "(its tenant id; the page's count and exact ids).",
        "",
        f"**{check['checked']:,} responses checked, {check['wrong']} of another tenant**, "
        f"{check['bad_status']} not 200, in {check['seconds']:.0f} s "
        f"({check['requests'] / check['seconds']:.0f} req/s).",
    ]
    if check.get("first_wrong"):
        lines += ["", f"First wrong response: `{check['first_wrong']}`"]

    lines += [
        "",
        "### Where the time goes",
        "",
        "The SQL one request runs (captured as the runtime role), each SELECT under `EXPLAIN (ANALYZE, BUFFERS)` "
        "with the request's tenant set; the slowest query's plan of each.",
        "",
    ]
    for request in results["plans"]:
        lines.append(
            f"- `{request['path']}` as the {request['label']}: {len(request['queries'])} SELECTs, "
            f"{request['total_ms']:.1f} ms of execution in total"
        )
    for request in results["plans"]:
        if not request["queries"]:
            continue
        slowest = request["queries"][0]
        plan = readable_plan(slowest["plan"])
        lines += [
            "",
            f"<details><summary><code>{request['path']}</code>, {request['label']}: slowest query "
            f"{slowest['ms']:.2f} ms</summary>",
            "",
            "```sql",
            slowest["sql"],
            "```",
            "",
            "```",
            *plan,
            "```",
            "",
            "</details>",
        ]
    lines += ["", f"![latency]({results_file('latency.png').name})"]
    return "\n".join(lines)


def chart(context: Context, results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from bench.run import RATIO_PHASES

    figure, (bars, curves) = plt.subplots(1, 2, figsize=(15, 6.5), gridspec_kw={"width_ratios": [1.1, 1]})
    labels, p50_median, p99_median, p50_big, p99_big = [], [], [], [], []
    by_endpoint: dict[str, dict[str, WrkResult]] = {}
    for endpoint, key, result in results["endpoints"]:
        by_endpoint.setdefault(endpoint.key, {})[key] = result
    for name, pair in by_endpoint.items():
        labels.append(name.replace("_", " "))
        p50_median.append(pair["median"].p50)
        p99_median.append(pair["median"].p99)
        p50_big.append(pair["big"].p50)
        p99_big.append(pair["big"].p99)
    positions = range(len(labels))
    height = 0.2
    for offset, values, label, colour in (
        (-1.5, p50_median, "median tenant p50", "#93c5fd"),
        (-0.5, p99_median, "median tenant p99", "#1d4ed8"),
        (0.5, p50_big, "big tenant p50", "#fca5a5"),
        (1.5, p99_big, "big tenant p99", "#b91c1c"),
    ):
        bars.barh([p + offset * height for p in positions], values, height=height, label=label, color=colour)
    bars.set_yticks(list(positions), labels)
    bars.invert_yaxis()
    bars.set_xscale("log")
    bars.set_xlabel("latency (ms, log scale)")
    bars.set_title(f"Endpoints, {context.params.tenants:,} tenants / {context.params.bookings:,} bookings, RLS on")
    bars.legend(loc="lower right", fontsize=8)
    bars.grid(axis="x", alpha=0.3, which="both")

    for key, title in RATIO_PHASES.items():
        runs: list[WrkResult] = results["ratio_phases"][key]
        points = sorted(runs[0].percentiles_ms)
        values = [median([run.percentiles_ms[p] for run in runs]) for p in points]
        curves.plot([p / 100 for p in points], values, marker=".", label=titled(title, context.params.tenants))
    curves.set_xscale("logit")  # spreads the tail: 90, 99 and 99.9 an equal step apart
    curves.set_xticks([0.01, 0.1, 0.5, 0.9, 0.99, 0.999], ["1", "10", "50", "90", "99", "99.9"])
    curves.set_xlim(0.008, 0.9995)
    curves.set_xlabel("percentile")
    curves.set_ylabel("latency (ms)")
    curves.set_title("Bookings list by phase (median of rounds)")
    curves.legend(fontsize=8)
    curves.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write(context: Context, results: dict[str, Any], text: str) -> None:
    write_section(results_file(), SECTION, text)
    chart(context, results, results_file("latency.png"))
