"""bench/PEERS.md and bench/peers.png from the figures of a run (``results.json``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from statistics import median
from typing import Any

from .serve import ENDPOINTS
from .settings_base import PEERS_DIR

BENCH = PEERS_DIR.parent
ORDER = ("none", "core", "tenants", "rls", "scopes", "multitenant")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per variant the figures of the table, ratios over the baseline included."""
    rows = {v: results["variants"][v] for v in ORDER if v in results["variants"]}
    base = rows.get("none")
    out: dict[str, dict[str, Any]] = {}
    for variant, row in rows.items():
        served = row["served"]
        calls = {name: row["probe"]["calls"][name]["calls"] for name in ENDPOINTS}
        figures: dict[str, Any] = {
            "library": row["library"],
            "calls": calls,
            "cpu_ms": 1000 * served["worker_cpu"] / served["requests"],
            "db_cpu_ms": 1000 * served["database_cpu"] / served["requests"],
            "p50": {n: 1000 * percentile(served["latencies"][n], 0.5) for n in ENDPOINTS},
            "p99": {n: 1000 * percentile(served["latencies"][n], 0.99) for n in ENDPOINTS},
            "statuses": served["statuses"],
            "migration_s": row["migration_seconds"],
            "relations": row["catalog"]["relations"],
            "catalog_mb": row["catalog"]["catalog_bytes"] / 2**20,
            "database_mb": row["catalog"]["database_bytes"] / 2**20,
            "rls": row["catalog"]["rls_tables"],
            "rls_forced": row["catalog"]["rls_forced_tables"],
            "rss_mib": served["peak_rss_kib"] / 1024,
            "foreign": row["probe"]["foreign"],
            "no_scope": row["probe"]["no_scope"],
            "no_scope_after": row["probe"]["no_scope_after_request"],
            "no_scope_raw": row["probe"].get("no_scope_raw"),
            "build_s": sum(row["build"].values()),
        }
        if base is not None:
            base_calls = {name: base["probe"]["calls"][name]["calls"] for name in ENDPOINTS}
            figures["calls_ratio"] = median(calls[n] / base_calls[n] for n in ENDPOINTS)
            base_served = base["served"]
            figures["cpu_ratio"] = figures["cpu_ms"] / (1000 * base_served["worker_cpu"] / base_served["requests"])
            figures["db_cpu_ratio"] = figures["db_cpu_ms"] / (
                1000 * base_served["database_cpu"] / base_served["requests"]
            )
        out[variant] = figures
    return out


def chart(figures: dict[str, dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [f["library"].replace(" (baseline)", "") for f in figures.values()]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8))
    width = 0.38
    xs = range(len(names))
    left.bar(
        [x - width / 2 for x in xs], [f.get("calls_ratio", 1) for f in figures.values()], width, label="Python calls"
    )
    left.bar([x + width / 2 for x in xs], [f.get("cpu_ratio", 1) for f in figures.values()], width, label="worker CPU")
    left.axhline(1, color="grey", linewidth=0.8)
    left.set_xticks(list(xs), names, rotation=20, ha="right")
    left.set_ylabel("per request, ÷ no tenancy")
    left.set_title("Overhead over no tenancy (median of 4 endpoints / all requests)")
    left.legend()
    step = 0.8 / len(ENDPOINTS)
    for i, endpoint in enumerate(ENDPOINTS):
        offsets = [x - 0.4 + step * (i + 0.5) for x in xs]
        bars = right.bar(offsets, [f["p50"][endpoint] for f in figures.values()], step, label=f"{endpoint} p50")
        right.scatter(
            offsets,
            [f["p99"][endpoint] for f in figures.values()],
            color=bars.patches[0].get_facecolor(),
            marker="_",
            s=120,
        )
    right.set_xticks(list(xs), names, rotation=20, ha="right")
    right.set_ylabel("ms (bar p50, dash p99)")
    right.set_title("Latency, sequential requests")
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(results: dict[str, Any]) -> None:
    figures = summary(results)
    chart(figures, BENCH / "peers.png")
    (BENCH / "PEERS.md").write_text(render(results, figures))


def render(results: dict[str, Any], figures: dict[str, dict[str, Any]]) -> str:
    from .report_text import render_markdown

    return render_markdown(results, figures)


if __name__ == "__main__":
    write_report(json.loads((PEERS_DIR / "results.json").read_text()))
    sys.exit(0)
