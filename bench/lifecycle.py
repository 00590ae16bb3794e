"""A business's whole life, timed on the benchmark's database (``make bench-lifecycle``).

On the big database of ``make bench`` (1,000 businesses, 1,000,000 bookings unless told
otherwise), for its biggest business and its median one, each command run as
production runs it (its own process, the two roles of PostgreSQL):

* ``export_tenant`` — wall time, CPU and peak memory (RSS) of the process;
* ``import_tenant`` into an empty database of the same release (every id kept);
* ``import_tenant --slug`` back into the big database beside the original (every id
  taken, so every row is given a new one and every reference rewritten);
* ``delete_tenant`` of that copy, which leaves the big database as it was.

The export streams: its peak memory is the same for the biggest business as for the
median one, which has a hundredth of its rows. Figures to stdout and to
``bench/LIFECYCLE.md``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench.dataset import (
    OWNER,
    ROOT,
    SECRET_KEY,
    Params,
    ensure_datasets,
    migrated_template,
    owner_dsn,
    platform_url,
    recreate_database,
    runtime_url,
    slug_of,
)
from bench.server import django_facts

PYTHON = sys.executable
RESULTS = ROOT / "bench" / "LIFECYCLE.md"


@dataclass(frozen=True)
class Run:
    what: str
    business: str
    seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    output: str


def command_env(database: str, media: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": runtime_url(database),
        "DATABASE_MIGRATE_URL": f"postgres://{OWNER}@127.0.0.1:5432/{database}",
        "DATABASE_PLATFORM_URL": platform_url(database),
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_DEBUG": "false",
        "MEDIA_ROOT": str(media),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    return env


# The command's own peak is read by the command's process itself (VmHWM, as it exits):
# ``wait4``'s ru_maxrss would carry across exec the high-water mark of the image the child
# was forked from, here this benchmark's, with every generated row in memory.


def timed(what: str, business: str, args: list[str], env: dict[str, str]) -> Run:
    """Run ``manage.py <args>`` to its end: its wall time, CPU time and peak RSS."""
    started = time.perf_counter()
    with tempfile.NamedTemporaryFile() as peak, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            [PYTHON, "-c", _PEAK_WRAPPER, peak.name, *args], cwd=ROOT, env=env, stdout=out, stderr=err
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
        peak_kib = int(Path(peak.name).read_text() or 0)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{stderr[-3000:]}")
    return Run(
        what,
        business,
        seconds,
        usage.ru_utime + usage.ru_stime,
        peak_kib / 1024,
        stdout.strip().splitlines()[-1] if stdout.strip() else "",
    )


# ``python -c _PEAK_WRAPPER <peak file> <command> <args…>``: manage.py run as itself, and
# its process's peak RSS (VmHWM, in KiB) written to the file as it exits.
_PEAK_WRAPPER = """
import atexit, runpy, sys
peak_file = sys.argv[1]
def report():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    with open(peak_file, "w") as out:
        out.write(line.split()[1])
atexit.register(report)
sys.argv = ["manage.py", *sys.argv[2:]]
runpy.run_path("manage.py", run_name="__main__")
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args(argv)

    _tables, password_hash = django_facts(PYTHON)
    built = ensure_datasets(Params(args.tenants, args.bookings), rebuild=False, password_hash=password_hash)
    plan = built.plan
    subjects = {"biggest": plan.big, "median": plan.median}
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-lifecycle-") as work:
        work_path = Path(work)
        for label, index in subjects.items():
            slug = slug_of(index)
            archive = work_path / f"{slug}.tar.gz"
            big_env = command_env(built.big_database, work_path / "media-big")
            runs.append(
                timed("export_tenant", f"{label} ({slug})", ["export_tenant", slug, "--output", str(archive)], big_env)
            )
            print(runs[-1], flush=True)
            target = f"nbne_bench_restore_{label}"
            with psycopg.connect(owner_dsn("postgres"), autocommit=True) as admin:
                recreate_database(admin, target, migrated_template(admin, PYTHON))
            empty_env = command_env(target, work_path / f"media-{label}")
            runs.append(
                timed("import_tenant (empty database)", f"{label} ({slug})", ["import_tenant", str(archive)], empty_env)
            )
            print(runs[-1], flush=True)
            copy = f"{slug}-copy"
            runs.append(
                timed(
                    "import_tenant --slug (beside it)",
                    f"{label} ({slug})",
                    ["import_tenant", str(archive), "--slug", copy],
                    big_env,
                )
            )
            print(runs[-1], flush=True)
            runs.append(
                timed(
                    "delete_tenant (the copy)",
                    f"{label} ({slug})",
                    ["delete_tenant", copy, "--confirm", copy, "--i-understand-this-is-real-data"],
                    big_env,
                )
            )
            print(runs[-1], flush=True)
            runs[-4] = Run(**{**runs[-4].__dict__, "output": f"{runs[-4].output} ({archive.stat().st_size:,} bytes)"})
            with psycopg.connect(owner_dsn("postgres"), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    text = render(runs, args)
    print(text)
    if not args.no_write:
        RESULTS.write_text(text)


def render(runs: list[Run], args: argparse.Namespace) -> str:
    lines = [
        "# A business's life on the benchmark database",
        "",
        f"`make bench-lifecycle` on the database of `make bench` ({args.tenants:,} businesses, "
        f"{args.bookings:,} bookings); each command in its own process, as the roles production uses.",
        "",
        "| command | business | wall s | CPU s | peak RSS MiB | what it printed |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for run in runs:
        lines.append(
            f"| `{run.what}` | {run.business} | {run.seconds:.1f} | {run.cpu_seconds:.1f} | "
            f"{run.peak_rss_mib:.0f} | {run.output.replace('|', '/')} |"
        )
    exports = {run.business.split()[0]: run.peak_rss_mib for run in runs if run.what == "export_tenant"}
    if {"biggest", "median"} <= exports.keys():
        lines += [
            "",
            f"Peak RSS of the export, biggest over median business: {exports['biggest'] / exports['median']:.2f}.",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
