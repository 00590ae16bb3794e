"""Serving a benchmark database: gunicorn on loopback as the runtime role, configured as
production is (DEBUG off, Redis cache, persistent connections), plus the switches the
phases need (row-level security on or off, the cache emptied)."""

from __future__ import annotations

import base64
import http.client
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import redis

from bench.dataset import HOST, ROOT, SECRET_KEY, owner_dsn, platform_url, runtime_url

PASSWORD = "bench-password-2026"  # every benchmark user's; hashed once per run
REDIS_URL = "redis://127.0.0.1:6379/11"  # the benchmark's own Redis database, and no other
# Sized for 2 cores that PostgreSQL and the load generator share: 2 processes (one per
# core) with 2 threads each, so a request waiting on the database leaves its core to another.
WORKERS = 2
THREADS = 2
# Encryption keys of tenants' API keys: production has no default, so the benchmark brings one.
SECRETS_KEY = base64.urlsafe_b64encode(b"nbne-bench-secrets-key-32-bytes!").decode()


def ensure_services() -> None:
    """PostgreSQL and Redis on loopback, started as ``.ci/run`` starts them when they are down."""
    if subprocess.run(["pg_isready", "-q", "-h", HOST, "-p", "5432"]).returncode != 0:
        version = sorted(os.listdir("/etc/postgresql"))[0]
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True)
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=True,
        )
    for _ in range(30):
        ready = subprocess.run(["pg_isready", "-q", "-h", HOST, "-p", "5432"]).returncode == 0
        try:
            client.ping()
        except redis.ConnectionError:
            ready = False
        if ready:
            return
        time.sleep(1)
    raise RuntimeError("PostgreSQL or Redis did not come up on 127.0.0.1.")


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(REDIS_URL)


def django_facts(python: str) -> tuple[list[str], str]:
    """The tenant tables (from the models' declarations) and the users' password hash,
    computed once with the project's own hasher."""
    code = (
        "import django, json; django.setup(); "
        "from core.tenancy import project_models, tenant_tables; "
        "from django.contrib.auth.hashers import make_password; "
        f"print(json.dumps({{'tables': tenant_tables(project_models()), 'hash': make_password({PASSWORD!r})}}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_LEVEL": "WARNING"}
    for name in ("DATABASE_URL", "DATABASE_MIGRATE_URL", "DATABASE_PLATFORM_URL", "REDIS_URL"):
        env.pop(name, None)
    out = subprocess.run([python, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    facts = json.loads(out.stdout.strip().splitlines()[-1])
    return facts["tables"], facts["hash"]


def runtime_env(database: str, cache_prefix: str) -> dict[str, str]:
    """The environment of a production web process, pointed at a benchmark database."""
    env = {
        **os.environ,
        "DATABASE_URL": runtime_url(database),
        "DATABASE_PLATFORM_URL": platform_url(database),
        "DB_CONN_MAX_AGE": "600",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "REDIS_URL": REDIS_URL,
        # Servers of different databases share Redis db 11; their keys must not meet.
        "CACHE_KEY_PREFIX": cache_prefix,
        "TENANT_SECRETS_KEYS": SECRETS_KEY,
        # A full run outlasts the default 15 minutes; a token must not expire mid-phase.
        "JWT_ACCESS_MINUTES": "600",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("DATABASE_MIGRATE_URL", "TENANT_FALLBACK_SLUG"):
        env.pop(name, None)
    return env


def django_json(python: str, database: str, module: str, *args: str) -> Any:
    """Run ``python -m <module> <args>`` as a web process of ``database`` would be set up,
    and return the JSON it prints last (the benchmark's in-Django measurements)."""
    name = module.rsplit(".", 1)[-1]
    env = {**runtime_env(database, f"nbnebench-{name}"), "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run([python, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)[:80]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


@dataclass
class Server:
    """One gunicorn serving one database on a loopback port."""

    name: str
    database: str
    port: int
    logs: Path
    wsgi: str = "config.wsgi:application"
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    @property
    def cache_prefix(self) -> str:
        return f"nbnebench-{self.name}"

    @property
    def application_name(self) -> str:
        """What its database connections call themselves, so their backends can be found."""
        return f"nbnebench-{self.name}"

    def cpu_seconds(self) -> dict[int, float]:
        """CPU time so far of each process serving requests: the gunicorn workers and the
        PostgreSQL backends of their connections. The difference of two readings over a
        phase, per request, is the cost of a request, whatever else the machine runs."""
        if self.process is None:
            return {}
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = [int(pid) for pid in children.read_text().split()] if children.exists() else []
        with psycopg.connect(owner_dsn(self.database), autocommit=True) as connection:
            pids += [
                row[0]
                for row in connection.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [self.application_name]
                )
            ]
        return {pid: seconds for pid in pids if (seconds := process_cpu_seconds(pid)) is not None}

    def start(self, python: str) -> None:
        # A server left behind by an interrupted run would answer on the port in this
        # one's place (and outside its CPU figures): refuse to start instead.
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                raise RuntimeError(f"Port {self.port} is taken (a server of an interrupted run?); stop it first.")
        gunicorn = str(Path(python).parent / "gunicorn")
        log = (self.logs / f"gunicorn-{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            [
                gunicorn,
                self.wsgi,
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
                "--threads",
                str(THREADS),
                "--worker-class",
                "gthread",
                # Each worker takes no more connections than it has threads, so wrk's
                # connections spread evenly over the workers instead of by the luck of
                # accept() (three on one worker and one on the other would queue a request
                # behind another while a core idles). Gunicorn then closes a connection
                # after each response, and wrk opens a new one: a loopback connect per request.
                "--worker-connections",
                str(THREADS),
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={
                **runtime_env(self.database, self.cache_prefix),
                "DATABASE_URL": f"{runtime_url(self.database)}?application_name={self.application_name}",
                **self.extra_env,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited; see {self.logs}/gunicorn-{self.name}.log")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn {self.name} did not answer /healthz on port {self.port}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: dict | None = None
    ) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        payload = json.dumps(body) if body is not None else None
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.read()

    def login(self, username: str, slug: str) -> str:
        status, body = self.request(
            "POST",
            "/api/auth/token/",
            headers={"X-Tenant-Slug": slug},
            body={"username": username, "password": PASSWORD},
        )
        if status != 200:
            raise RuntimeError(f"login of {username} on {self.name} answered {status}: {body[:200]!r}")
        return json.loads(body)["access"]

    def login_many(self, users: Sequence[tuple[str, str]]) -> list[str]:
        """Tokens for (username, slug) pairs; in parallel, since each login hashes a password."""
        with ThreadPoolExecutor(max_workers=WORKERS * THREADS) as pool:
            return list(pool.map(lambda user: self.login(*user), users))


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a process (``/proc/<pid>/stat``), or None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name, which sits in parentheses and may hold spaces.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def cpu_per_request_ms(before: dict[int, float], after: dict[int, float], requests: int) -> float:
    """Milliseconds of CPU per request between two readings of ``Server.cpu_seconds``
    (a process that started in between counts from zero)."""
    spent = sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
    return spent * 1000 / requests if requests else 0.0


def set_row_level_security(database: str, tables: Sequence[str], on: bool) -> None:
    """Switch the policies of every tenant table on or off, as the owner, in one transaction."""
    verb = "ENABLE" if on else "DISABLE"
    with psycopg.connect(owner_dsn(database), autocommit=True) as connection, connection.transaction():
        for table in tables:
            connection.execute(f'ALTER TABLE "{table}" {verb} ROW LEVEL SECURITY')


def row_level_security_state(database: str, tables: Sequence[str]) -> bool:
    with psycopg.connect(owner_dsn(database), autocommit=True) as connection:
        states = connection.execute(
            "SELECT bool_and(relrowsecurity) FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'", [list(tables)]
        ).fetchone()[0]
    return bool(states)


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk (make bench does it).")
    return found
