"""``make bench-peers``: build every variant's database, measure, write bench/PEERS.md
and bench/peers.png. ``--quick`` for a small run while changing it."""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from .build import LIBRARY, VARIANTS, build, catalog_size, inproc, time_new_migration
from .report import write_report
from .serve import WORKER_CLASS, WORKERS, measure
from .settings_base import PEERS_DIR

PACKAGES = (
    "Django",
    "djangorestframework",
    "django-tenants",
    "django-rls-tenants",
    "django-scopes",
    "django-multitenant",
)


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    cores = sum(1 for line in cpuinfo if line.startswith("processor"))
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    postgres = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{cores} x {cpu}, {memory:,} MiB; Python {platform.python_version()}; {postgres} (server on 127.0.0.1)"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 businesses, fewer rounds")
    parser.add_argument("--businesses", type=int)
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--per-endpoint", type=int, help="requests per endpoint per variant per round")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args(argv)
    businesses = args.businesses or (50 if args.quick else 1000)
    rounds = args.rounds or (4 if args.quick else 12)
    per_endpoint = args.per_endpoint or (10 if args.quick else 25)
    variants = args.variants.split(",")
    started = time.perf_counter()
    results: dict = {
        "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "machine": machine(),
        "versions": {name: version(name) for name in PACKAGES},
        "businesses": businesses,
        "rounds": rounds,
        "per_endpoint": per_endpoint,
        "server": f"gunicorn {version('gunicorn')}, {WORKERS} {WORKER_CLASS} worker per variant",
        "variants": {},
    }
    for variant in variants:
        print(f"[{variant}] building {businesses} businesses", flush=True)
        row: dict = {"library": LIBRARY[variant], "build": build(variant, businesses)}
        print(f"[{variant}] built in {sum(row['build'].values()):.1f} s; timing a new migration", flush=True)
        row["migration_seconds"] = time_new_migration(variant)
        row["catalog"] = catalog_size(variant)
        row["probe"] = json.loads(inproc(variant, "probe", "3", str(businesses - 1), role="runtime"))
        results["variants"][variant] = row
    print(f"serving {len(variants)} variants: {rounds} rounds x {per_endpoint} requests per endpoint", flush=True)
    for variant, served in measure(variants, businesses, rounds, per_endpoint).items():
        results["variants"][variant]["served"] = served
    results["wall_seconds"] = time.perf_counter() - started
    (PEERS_DIR / "results.json").write_text(json.dumps(results, indent=1))
    write_report(results)
    print(f"done in {results['wall_seconds']:.0f} s: bench/PEERS.md, bench/peers.png", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
