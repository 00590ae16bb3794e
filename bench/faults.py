"""Fault and burst scenarios against a production-like deployment of one checkout.

    .venv/bin/python -m bench.faults --root /work/wt/before       # the figures of that checkout
    .venv/bin/python -m bench.faults --root . --only redis-outage slow-clients --json faults.json

For the checkout at ``--root`` it makes a fresh database (``nbne_faults_<hash of the
root>``, dropped first and left behind for inspection), migrates it as the owner, seeds
Salon X and Restaurant X with the root's own python, starts a private ``redis-server``
on a free port, and runs the root's Procfile ``web`` line exactly as written (``sh -c``,
``PORT`` set, production settings, the runtime role). Then each scenario drives it over
loopback and prints one row: requests sent, 5xx answers, lost writes (answered 2xx, row
missing), phantom writes (row present, not answered 2xx), cross-tenant answers (an
answer to one business holding anything of the other), and a figure of its own.

Every scenario is bounded in requests and time and stops by itself; a scenario that
breaks is reported as failed and the others still run. The server and the private Redis
are always stopped; the machine's own Redis and PostgreSQL are never stopped.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import psycopg

from bench.dataset import HOST, OWNER, PORT, ROOT, ensure_runtime_role, owner_dsn, recreate_database
from bench.server import PASSWORD, Server, runtime_env
from tests.faults import PrivateRedis, free_port

T = TypeVar("T")

BUSINESSES = ("salon-x", "restaurant-x")
HIGH_RATE = "100000/minute"  # public booking limit of every scenario but the burst
BURST_RATE = "30/minute"
REQUEST_TIMEOUT = 10.0
HEALTH_TIMEOUT = 5.0
HEALTH_CHECKS = 12  # one every half second for 6 s
DECISION_ROUNDS = 5
# Writes are booked this far ahead, past the seeded fortnight, so they never meet the demo data.
FIRST_WRITE_DAY = 60


# HTTP -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int  # 0 when no answer came (refused, reset, timed out)
    body: bytes
    seconds: float

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def send(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | dict | None = None,
    timeout: float = REQUEST_TIMEOUT,
) -> Answer:
    """One request on a connection of its own; a failure to get an answer is status 0,
    not an exception, because under a fault that is a result to count."""
    payload = json.dumps(body).encode() if isinstance(body, dict) else body
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=payload, headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        return Answer(response.status, response.read(), time.monotonic() - started)
    except (OSError, http.client.HTTPException):
        return Answer(0, b"", time.monotonic() - started)
    finally:
        connection.close()


def all_at_once(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Run the calls in parallel threads released together by a barrier, so their
    requests reach the server at the same moment."""
    barrier = threading.Barrier(len(calls))

    def released(call: Callable[[], T]) -> T:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(released, calls))


# The businesses and their free times ---------------------------------------------------------


@dataclass
class Business:
    """A seeded business as the scenarios need it: its ids, its tokens, and what of it
    must never appear in another business's answers."""

    id: int
    slug: str
    name: str
    zone: ZoneInfo
    opening_hour: int
    closing_hour: int
    service: int  # the service the scenarios book: capacity 1, offered by the most staff
    duration: int  # of that service, in minutes
    staff: list[int]  # who offers it
    clients: list[tuple[int, str]]  # (id, e-mail)
    markers: list[bytes]  # its slug, name, staff and service names, as they appear in JSON
    tokens: dict[str, str] = field(default_factory=dict)  # role -> access token
    calendar: Calendar = field(init=False)

    def __post_init__(self) -> None:
        self.calendar = Calendar(self, datetime.now(self.zone).date() + timedelta(days=FIRST_WRITE_DAY))

    def public(self) -> dict[str, str]:
        return {"X-Tenant-Slug": self.slug}

    def signed_in(self, role: str) -> dict[str, str]:
        return {"X-Tenant-Slug": self.slug, "Authorization": f"Bearer {self.tokens[role]}"}

    def local(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, clock_time(hour, minute), self.zone)


@dataclass(frozen=True)
class Slot:
    staff: int
    starts_at: datetime
    lane: int  # the staff member's place in the calendar: each lane's bookings never overlap


class Calendar:
    """Free times far ahead for one business's test bookings: its chosen service, one
    booking per staff member per step of the service's length (in whole hours, on the
    15-minute grid of the public slots), so no two writes of a run ever clash and a
    refusal is the fault's doing, not the data's."""

    def __init__(self, business: Business, first_day: date) -> None:
        self.business = business
        step = math.ceil(business.duration / 60)
        last = business.closing_hour * 60 - business.duration
        self.hours = [hour for hour in range(business.opening_hour, business.closing_hour, step) if hour * 60 <= last]
        self.day = first_day
        self.taken = 0
        self.lock = threading.Lock()

    def take(self) -> Slot:
        """The next free time of a staff member."""
        staff = self.business.staff
        with self.lock:
            if self.taken >= len(self.hours) * len(staff):
                self.day += timedelta(days=1)
                self.taken = 0
            hour, lane = self.hours[self.taken // len(staff)], self.taken % len(staff)
            self.taken += 1
            return Slot(staff[lane], self.business.local(self.day, hour), lane)

    def fresh_day(self) -> date:
        """A whole day that nothing else will book."""
        with self.lock:
            self.day += timedelta(days=1)
            reserved = self.day
            self.day += timedelta(days=1)
            self.taken = 0
            return reserved


def load_business(database: str, slug: str) -> Business:
    with psycopg.connect(owner_dsn(database), autocommit=True) as connection:
        tenant_id, name, zone, opening, closing = connection.execute(
            "SELECT id, name, timezone, opening_hour, closing_hour FROM core_tenantsettings WHERE slug = %s", [slug]
        ).fetchone()
        offers = connection.execute(
            """
            SELECT service.id, service.duration_minutes, array_agg(staff.id ORDER BY staff.id)
            FROM bookings_service service
            JOIN bookings_staff staff ON staff.tenant_id = service.tenant_id AND staff.is_active
            WHERE service.tenant_id = %s AND service.is_active AND service.capacity = 1
              AND (NOT EXISTS (SELECT 1 FROM bookings_staff_services x WHERE x.staff_id = staff.id)
                   OR EXISTS (SELECT 1 FROM bookings_staff_services x
                              WHERE x.staff_id = staff.id AND x.service_id = service.id))
            GROUP BY service.id, service.duration_minutes
            """,
            [tenant_id],
        ).fetchall()
        # The most staff (the double-booking scenario needs two), then the shortest.
        service, duration, staff = max(offers, key=lambda offer: (len(offer[2]), -offer[1]))
        clients = connection.execute(
            "SELECT id, email FROM bookings_client WHERE tenant_id = %s AND email <> '' ORDER BY id", [tenant_id]
        ).fetchall()
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM bookings_staff WHERE tenant_id = %s UNION SELECT name FROM bookings_service "
                "WHERE tenant_id = %s",
                [tenant_id, tenant_id],
            )
        ]
    markers = [json.dumps(text)[1:-1].encode() for text in (slug, name, *names)]
    return Business(
        id=tenant_id,
        slug=slug,
        name=name,
        zone=ZoneInfo(zone),
        opening_hour=opening,
        closing_hour=closing,
        service=service,
        duration=duration,
        staff=list(staff),
        clients=clients,
        markers=markers,
    )


# What a scenario counts ---------------------------------------------------------------------


@dataclass
class Row:
    scenario: str
    requests: int
    server_errors: int
    lost_writes: int | None
    phantom_writes: int | None
    cross_tenant: int
    figure: str
    failed: bool = False


class Measure:
    """The counts of one scenario, shared by its threads. Writes are tagged (a booking's
    notes, a leave request's reason) so their rows can be found afterwards; ids answered
    in lists are checked against the database's owners of those ids afterwards."""

    def __init__(self, scenario: str, businesses: dict[str, Business]) -> None:
        self.scenario = scenario
        self.businesses = businesses
        self.lock = threading.Lock()
        self.requests = 0
        self.server_errors = 0
        self.error_times: list[float] = []  # when each 5xx came, to tell a fault's phases apart
        self.cross_tenant = 0
        self.writes: dict[str, bool] = {}  # tag -> answered 2xx
        self.listed: list[tuple[int, str, list[int]]] = []  # (business id, table, ids answered to it)
        self.tags = 0
        self.run = f"faults:{scenario}:{time.time_ns()}:"

    def tag(self) -> str:
        with self.lock:
            self.tags += 1
            return f"{self.run}{self.tags}"

    def record(self, answer: Answer, business: Business | None = None) -> Answer:
        """Count an answer; one to ``business`` holding a marker of another is cross-tenant."""
        others = [other for other in self.businesses.values() if business is not None and other.id != business.id]
        foreign = any(marker in answer.body for other in others for marker in other.markers)
        with self.lock:
            self.requests += 1
            self.cross_tenant += foreign
            if answer.status >= 500:
                self.server_errors += 1
                self.error_times.append(time.monotonic())
        return answer

    def count_requests(self, count: int) -> None:
        """Requests sent outside ``send`` (raw sockets)."""
        with self.lock:
            self.requests += count

    def check_slug(self, answer: Answer, business: Business) -> None:
        """The branding answered must be the named business's own."""
        payload = answer.json()
        if answer.ok and (not isinstance(payload, dict) or payload.get("slug") != business.slug):
            with self.lock:
                self.cross_tenant += 1

    def write(self, tag: str, answer: Answer) -> None:
        with self.lock:
            self.writes[tag] = answer.ok

    def listing(self, business: Business, table: str, ids: list[int]) -> None:
        if ids:
            with self.lock:
                self.listed.append((business.id, table, ids))

    def row(self, database: str, figure: str, *, failed: bool = False) -> Row:
        """The scenario's row, once its writes and the ids it was answered are looked up
        in the database (as the owner, past row-level security). Lost and phantom writes
        are "-" for a scenario that wrote nothing."""
        lost = phantom = None
        with psycopg.connect(owner_dsn(database), autocommit=True) as connection:
            if self.writes:
                present = {
                    tag
                    for (tag,) in connection.execute(
                        "SELECT notes FROM bookings_booking WHERE notes LIKE %(run)s "
                        "UNION ALL SELECT reason FROM staff_leaverequest WHERE reason LIKE %(run)s",
                        {"run": self.run + "%"},
                    )
                }
                lost = sum(ok and tag not in present for tag, ok in self.writes.items())
                phantom = sum(not self.writes.get(tag, False) for tag in present)
            owners: dict[tuple[str, int], int] = {}
            for table in {table for _, table, _ in self.listed}:
                ids = sorted({i for _, t, listed in self.listed if t == table for i in listed})
                for row_id, tenant_id in connection.execute(
                    f"SELECT id, tenant_id FROM {table} WHERE id = ANY(%s)", [ids]
                ):
                    owners[(table, row_id)] = tenant_id
        leaked = sum(
            any(owners.get((table, i), business_id) != business_id for i in ids)
            for business_id, table, ids in self.listed
        )
        cross_tenant = self.cross_tenant + leaked
        return Row(self.scenario, self.requests, self.server_errors, lost, phantom, cross_tenant, figure, failed)


def result_ids(payload: Any, key: str = "id") -> list[int]:
    """Ids of a list answer, paginated (``results``) or not."""
    items = payload.get("results", []) if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        return []
    return [item[key] for item in items if isinstance(item, dict) and isinstance(item.get(key), int)]


# The deployment -----------------------------------------------------------------------------


def web_command(root: Path) -> str:
    """The root's Procfile ``web`` command, exactly as written."""
    for line in (root / "Procfile").read_text().splitlines():
        process, _, command = line.partition(":")
        if process.strip() == "web":
            return command.strip()
    raise KeyError(f"no web process in {root / 'Procfile'}")


@dataclass
class ProcfileServer(Server):
    """The root's Procfile ``web`` line run as the platform runs it: ``sh -c`` in the
    root, ``PORT`` set, the root's virtualenv first on ``PATH``; in a process group of
    its own, so stopping it stops every worker it forked."""

    root: Path = ROOT
    environment: dict[str, str] = field(default_factory=dict)  # all of it, not added to runtime_env's

    def start(self, python: str) -> None:
        log = (self.logs / f"gunicorn-{self.name}.log").open("ab")
        env = {
            **self.environment,
            "PORT": str(self.port),
            "PATH": f"{Path(python).parent}:{os.environ.get('PATH', '')}",
        }
        self.process = subprocess.Popen(
            ["sh", "-c", web_command(self.root)],
            cwd=self.root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


class Deployment:
    """One checkout served as production serves it, with services of its own."""

    def __init__(self, root: Path, workdir: Path) -> None:
        self.root = root
        self.python = str(root / ".venv" / "bin" / "python")
        self.database = "nbne_faults_" + hashlib.sha256(str(root).encode()).hexdigest()[:10]
        self.workdir = workdir
        (workdir / "redis").mkdir()
        (workdir / "media").mkdir()
        self.redis = PrivateRedis(workdir / "redis")
        # Tenants' API keys are encrypted with a key production must bring; a new one per run.
        self.secrets_key = base64.urlsafe_b64encode(os.urandom(32)).decode()
        self.server: ProcfileServer | None = None
        self.rate = ""
        self.businesses: dict[str, Business] = {}

    def env(self) -> dict[str, str]:
        """The production settings of this deployment (the server's and the commands')."""
        env = runtime_env(self.database, f"nbne-faults-{self.database}")
        # The root's own default, as production runs it: the benchmark's persistent
        # connections are no setting of the deployment under test.
        env.pop("DB_CONN_MAX_AGE", None)
        return {
            **env,
            "DATABASE_MIGRATE_URL": f"postgres://{OWNER}@{HOST}:{PORT}/{self.database}",
            "REDIS_URL": self.redis.url,
            "TENANT_SECRETS_KEYS": self.secrets_key,
            "PUBLIC_BOOKING_RATE": self.rate or HIGH_RATE,
            "MEDIA_ROOT": str(self.workdir / "media"),
            "DEMO_PASSWORD": PASSWORD,  # so bench.server's login signs the demo users in
            "WEB_CONCURRENCY": "2",
        }

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.port

    def prepare(self) -> None:
        with psycopg.connect(owner_dsn("postgres"), autocommit=True) as admin:
            ensure_runtime_role(admin)
            recreate_database(admin, self.database)
        self.redis.start()
        env = {**self.env(), "DJANGO_SETTINGS_MODULE": "config.settings"}
        commands = [("migrate", "--noinput", "-v0")] + [("seed_demo", "--tenant", slug) for slug in BUSINESSES]
        for command in commands:
            done = subprocess.run(
                [self.python, "manage.py", *command], cwd=self.root, env=env, capture_output=True, text=True
            )
            if done.returncode != 0:
                raise RuntimeError(f"manage.py {' '.join(command)} failed in {self.root}:\n{done.stderr[-3000:]}")
        self.businesses = {slug: load_business(self.database, slug) for slug in BUSINESSES}

    def serve(self, rate: str = HIGH_RATE) -> None:
        """Have the server running with this public booking rate (restarted to change it,
        or when it died), and the private Redis up."""
        if self.redis.process is None or self.redis.process.poll() is not None:
            self.redis.start()
        running = self.server is not None and self.server.process is not None and self.server.process.poll() is None
        if running and self.rate == rate:
            return
        if self.server is not None:
            self.server.stop()
        self.rate = rate
        self.server = ProcfileServer(
            name=self.database,
            database=self.database,
            port=free_port(),
            logs=self.workdir,
            root=self.root,
            environment=self.env(),
        )
        self.server.start(self.python)
        self.server.wait_ready()
        for business in self.businesses.values():
            if not business.tokens:
                business.tokens = {
                    role: self.server.login(f"{business.slug}-{role}", business.slug)
                    for role in ("owner", "manager", "staff")
                }

    def flush_redis(self) -> None:
        """Empty the private Redis (never the machine's)."""
        subprocess.run(["redis-cli", "-p", str(self.redis.port), "FLUSHALL"], check=True, capture_output=True)

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
        self.redis.stop()

    def owner_sql(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with psycopg.connect(owner_dsn(self.database), autocommit=True) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    # Requests the scenarios share --------------------------------------------------------

    def staff_booking(
        self, measure: Measure, business: Business, slot: Slot | None = None, *, starts_at: str | None = None
    ) -> Answer:
        """A booking entered by the business's manager, tagged by its notes: at ``slot``
        (the next free one by default), or at ``starts_at`` with its staff member."""
        slot = slot or business.calendar.take()
        tag = measure.tag()
        body = {
            # One client per lane: a client is never booked twice at one time by accident.
            "client": business.clients[slot.lane][0],
            "service": business.service,
            "staff": slot.staff,
            "starts_at": starts_at or slot.starts_at.isoformat(),
            "notes": tag,
        }
        answer = measure.record(
            send(self.port, "POST", "/api/bookings/bookings/", headers=business.signed_in("manager"), body=body),
            business,
        )
        measure.write(tag, answer)
        return answer

    def public_booking(
        self,
        measure: Measure,
        business: Business,
        slot: Slot | None = None,
        *,
        starts_at: str | None = None,
        email: str | None = None,
        timeout: float = REQUEST_TIMEOUT,
    ) -> Answer:
        """A booking request from the public page, tagged by its notes: at ``slot`` (the
        next free one by default) or at ``starts_at`` with its staff member; by a new
        visitor unless ``email`` names one."""
        slot = slot or business.calendar.take()
        tag = measure.tag()
        body = {
            "service": business.service,
            "staff": slot.staff,
            "starts_at": starts_at or slot.starts_at.isoformat(),
            "name": "Faults Visitor",
            "email": email or f"visitor-{hashlib.sha256(tag.encode()).hexdigest()[:12]}@example.com",
            "notes": tag,
        }
        answer = measure.record(
            send(
                self.port,
                "POST",
                "/api/bookings/public/bookings/",
                headers=business.public(),
                body=body,
                timeout=timeout,
            ),
            business,
        )
        measure.write(tag, answer)
        return answer

    def dashboard_is_stale(self, measure: Measure, business: Business) -> bool | None:
        """Whether the dashboard differs from the database (pending requests, the next ten
        bookings); None when it did not answer. The database is read just before and just
        after, and only a dashboard matching neither counts: a booking may start between."""
        before = self.dashboard_truth(business)
        answer = measure.record(
            send(self.port, "GET", "/api/bookings/dashboard/", headers=business.signed_in("owner")), business
        )
        after = self.dashboard_truth(business)
        payload = answer.json()
        if not answer.ok or not isinstance(payload, dict):
            return None
        upcoming = result_ids(payload.get("upcoming", []))
        measure.listing(business, "bookings_booking", upcoming)
        shown = (payload.get("pending_requests"), upcoming)
        return shown not in (before, after)

    def dashboard_truth(self, business: Business) -> tuple[int, list[int]]:
        pending = self.owner_sql(
            "SELECT count(*) FROM bookings_booking WHERE tenant_id = %s AND status = 'pending' AND starts_at >= now()",
            [business.id],
        )[0][0]
        upcoming = self.owner_sql(
            "SELECT id FROM bookings_booking WHERE tenant_id = %s AND starts_at >= now() "
            "AND status IN ('pending', 'confirmed') ORDER BY starts_at, id LIMIT 10",
            [business.id],
        )
        return pending, [row[0] for row in upcoming]


# Scenarios ----------------------------------------------------------------------------------


def redis_outage(run: Deployment, measure: Measure) -> str:
    """Mixed traffic of both businesses from 8 threads for 25 s; Redis killed 5 s in and
    restarted empty 10 s later; then the dashboards compared with the database."""
    port = run.port
    deadline = time.monotonic() + 25

    def branding_by_slug(business: Business) -> None:
        answer = measure.record(send(port, "GET", "/api/tenant/", headers=business.public()), business)
        measure.check_slug(answer, business)

    def branding_by_host(business: Business) -> None:
        host = {"Host": f"{business.slug}.localhost:{port}"}
        answer = measure.record(send(port, "GET", "/api/tenant/", headers=host), business)
        measure.check_slug(answer, business)

    def public_services(business: Business) -> None:
        path = "/api/bookings/public/services/"
        answer = measure.record(send(port, "GET", path, headers=business.public()), business)
        measure.listing(business, "bookings_service", result_ids(answer.json()))

    def public_slots(business: Business) -> None:
        tomorrow = datetime.now(business.zone).date() + timedelta(days=1)
        path = f"/api/bookings/public/slots/?service={business.service}&date={tomorrow.isoformat()}"
        answer = measure.record(send(port, "GET", path, headers=business.public()), business)
        measure.listing(business, "bookings_staff", result_ids(answer.json(), "staff"))

    def dashboard(business: Business) -> None:
        path = "/api/bookings/dashboard/"
        answer = measure.record(send(port, "GET", path, headers=business.signed_in("owner")), business)
        measure.listing(business, "bookings_booking", result_ids((answer.json() or {}).get("upcoming", [])))

    def compliance_score(business: Business) -> None:
        measure.record(send(port, "GET", "/api/compliance/score/", headers=business.signed_in("manager")), business)

    def bookings_list(business: Business) -> None:
        # Newest first, so the run's own writes are on the page.
        path = "/api/bookings/bookings/?ordering=-created_at"
        answer = measure.record(send(port, "GET", path, headers=business.signed_in("owner")), business)
        measure.listing(business, "bookings_booking", result_ids(answer.json()))

    def staff_write(business: Business) -> None:
        run.staff_booking(measure, business)

    def public_write(business: Business) -> None:
        run.public_booking(measure, business)

    # The dashboard twice: it is the page the cache serves.
    actions = [branding_by_slug, branding_by_host, public_services, public_slots, dashboard, dashboard]
    actions += [compliance_score, bookings_list, staff_write, public_write]
    businesses = list(run.businesses.values())

    def traffic(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            rng.choice(actions)(rng.choice(businesses))

    threads = [threading.Thread(target=traffic, args=(seed,), daemon=True) for seed in range(8)]
    for thread in threads:
        thread.start()
    killed = back = math.inf
    try:
        time.sleep(5)
        run.redis.stop()
        killed = time.monotonic()
        time.sleep(10)
        # Back empty, as a crashed server without persistence comes back.
        (run.redis.directory / "dump.rdb").unlink(missing_ok=True)
        run.redis.start()
        back = time.monotonic()
    finally:
        for thread in threads:
            thread.join(timeout=40)
        run.serve(run.rate)  # Redis up again, even if the fault above broke off halfway
    phases = [
        sum(moment < killed for moment in measure.error_times),
        sum(killed <= moment < back for moment in measure.error_times),
        sum(moment >= back for moment in measure.error_times),
    ]
    checks = [run.dashboard_is_stale(measure, business) for business in businesses for _ in range(3)]
    unanswered = sum(check is None for check in checks)
    figure = (
        f"{len(measure.writes)} writes; 5xx before/during/after the outage {'/'.join(map(str, phases))}; "
        f"stale dashboards {sum(check is True for check in checks)}/{len(checks)}"
    )
    return figure + (f" ({unanswered} unanswered)" if unanswered else "")


def redis_snapshot(run: Deployment, measure: Measure) -> str:
    """Dashboard warmed, Redis saved, a booking made, Redis restored from the older
    snapshot: does the dashboard show the booking?"""
    business = run.businesses["salon-x"]
    run.dashboard_is_stale(measure, business)  # warms the cached figures
    snapshot = run.redis.snapshot()
    made = run.public_booking(measure, business)
    run.redis.restore(snapshot)
    checks = [run.dashboard_is_stale(measure, business) for _ in range(4)]
    figure = f"stale after restore {sum(check is True for check in checks)}/{len(checks)}"
    return figure + ("" if made.ok else f" (the booking answered {made.status})")


def parallel_transitions(run: Deployment, measure: Measure) -> str:
    """10 parallel approvals of one leave request; an approval and a rejection of another
    at once (in several rounds); 10 parallel cancellations of one booking."""
    business = run.businesses["salon-x"]
    port = run.port
    far = datetime.now(business.zone).date() + timedelta(days=400)

    def leave_request(offset: int) -> int:
        tag = measure.tag()
        start = far + timedelta(days=offset)
        body = {
            "type": "annual",
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=2)).isoformat(),
            "reason": tag,
        }
        path = "/api/staff/leave-requests/"
        answer = measure.record(send(port, "POST", path, headers=business.signed_in("staff"), body=body), business)
        measure.write(tag, answer)
        return created_id(answer, "a leave request")

    def post(path: str) -> Callable[[], Answer]:
        return lambda: measure.record(
            send(port, "POST", path, headers=business.signed_in("manager"), body={}), business
        )

    def events(kind: str, subject: int) -> int:
        return run.owner_sql(
            "SELECT count(*) FROM core_businessevent WHERE tenant_id = %s AND kind = %s AND object_id = %s",
            [business.id, kind, str(subject)],
        )[0][0]

    first = leave_request(0)
    approvals = all_at_once([post(f"/api/staff/leave-requests/{first}/approve/")] * 10)
    # Whether both of two opposite decisions win is a matter of timing: several rounds.
    both_decided = 0
    for round_ in range(1, DECISION_ROUNDS + 1):
        leave = leave_request(10 * round_)
        decisions = all_at_once([post(f"/api/staff/leave-requests/{leave}/{verb}/") for verb in ("approve", "reject")])
        both_decided += ok_count(decisions) == 2
    booking = created_id(run.staff_booking(measure, business), "a booking")
    cancels = all_at_once([post(f"/api/bookings/bookings/{booking}/cancel/")] * 10)
    return (
        f"approve x10: {ok_count(approvals)} ok, {events('leave.approved', first)} events; "
        f"approve+reject: both ok in {both_decided}/{DECISION_ROUNDS} rounds; "
        f"cancel x10: {ok_count(cancels)} ok, {events('booking.cancelled', booking)} events"
    )


def public_burst(run: Deployment, measure: Measure) -> str:
    """60 parallel public booking requests from one client against a limit of 30 a minute."""
    business = run.businesses["salon-x"]
    # A fresh window: the earlier scenarios' requests came from this same client address.
    run.flush_redis()

    def request(slot: Slot) -> Callable[[], Answer]:
        return lambda: run.public_booking(measure, business, slot, timeout=60)

    answers = all_at_once([request(business.calendar.take()) for _ in range(60)])
    passed = sum(answer.status != 429 for answer in answers)
    return f"limit {BURST_RATE}: {passed}/60 not 429 ({ok_count(answers)} booked)"


def hostile_input(run: Deployment, measure: Measure) -> str:
    """JSON nested 1,000 deep (to the public booking, staff booking, leave request and
    lead endpoints), a booking in the year 9999 (by staff, on the public page), a business
    whose time zone is not one (its dashboard, bookings list, public slots). The figure
    gives each request's status, in that order (0: no answer)."""
    business = run.businesses["salon-x"]
    port = run.port
    parts: list[str] = []

    def statuses(label: str, answers: list[Answer]) -> None:
        parts.append(f"{label} " + "/".join(str(answer.status) for answer in answers))

    deep = b'{"a":' * 1000 + b"1" + b"}" * 1000
    targets = [
        ("/api/bookings/public/bookings/", business.public()),
        ("/api/bookings/bookings/", business.signed_in("manager")),
        ("/api/staff/leave-requests/", business.signed_in("staff")),
        ("/api/crm/leads/", business.signed_in("manager")),
    ]
    statuses(
        "deep JSON",
        [measure.record(send(port, "POST", path, headers=headers, body=deep), business) for path, headers in targets],
    )

    end_of_time = "9999-12-31T23:59Z"
    statuses(
        "year 9999",
        [
            run.staff_booking(measure, business, starts_at=end_of_time),
            run.public_booking(measure, business, starts_at=end_of_time),
        ],
    )

    (zone,) = run.owner_sql("SELECT timezone FROM core_tenantsettings WHERE id = %s", [business.id])[0]
    tomorrow = datetime.now(business.zone).date() + timedelta(days=1)
    reads = [
        ("/api/bookings/dashboard/", business.signed_in("owner")),
        ("/api/bookings/bookings/", business.signed_in("owner")),
        (f"/api/bookings/public/slots/?service={business.service}&date={tomorrow}", business.public()),
    ]
    try:
        run.owner_sql("UPDATE core_tenantsettings SET timezone = 'Mars/Base' WHERE id = %s", [business.id])
        # The tenant's row is cached by slug; a change made in SQL must be seen at once.
        run.flush_redis()
        statuses(
            "Mars/Base",
            [measure.record(send(port, "GET", path, headers=headers), business) for path, headers in reads],
        )
    finally:
        run.owner_sql("UPDATE core_tenantsettings SET timezone = %s WHERE id = %s", [zone, business.id])
        run.flush_redis()
    return ", ".join(parts)


def slow_clients(run: Deployment, measure: Measure) -> str:
    """50 connections sending a request one byte a second while /healthz is fetched every
    half second for 6 s."""
    port = run.port
    stop, opened = threading.Event(), []
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 1000

    def trickle() -> None:
        for _ in range(50):
            with suppress(OSError):
                opened.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        for byte in request:
            if stop.wait(1):
                return
            for connection in opened:
                with suppress(OSError):  # the server may drop a client it finds too slow
                    connection.send(bytes([byte]))

    slowloris = threading.Thread(target=trickle, daemon=True)
    slowloris.start()
    answers: list[Answer] = []
    try:
        settle = time.monotonic() + 5
        while len(opened) < 50 and time.monotonic() < settle:
            time.sleep(0.05)
        # On the clock, not one after another: a check that hangs must not delay the next.
        begun = time.monotonic()
        with ThreadPoolExecutor(max_workers=HEALTH_CHECKS) as pool:
            checks = []
            for number in range(1, HEALTH_CHECKS + 1):
                time.sleep(max(0.0, begun + 0.5 * number - time.monotonic()))
                checks.append(pool.submit(send, port, "GET", "/healthz", timeout=HEALTH_TIMEOUT))
            answers = [measure.record(check.result()) for check in checks]
    finally:
        stop.set()
        slowloris.join(5)
        for connection in opened:
            connection.close()
    measure.count_requests(len(opened))
    # An unanswered check counts as slow as its timeout, however it failed.
    latencies = [answer.seconds if answer.status else max(answer.seconds, HEALTH_TIMEOUT) for answer in answers]
    slow = sum(seconds > 1 for seconds in latencies)
    return f"worst health check {max(latencies):.2f} s, {slow}/{len(latencies)} over 1 s"


def double_booking(run: Deployment, measure: Measure) -> str:
    """Two parallel public requests by one e-mail at overlapping times with different
    staff, for a known client and for a new e-mail: how many succeed?"""
    business = run.businesses["salon-x"]

    def request(slot: Slot, email: str) -> Callable[[], Answer]:
        return lambda: run.public_booking(measure, business, slot, email=email)

    outcomes = []
    for label, email in (
        ("known client", business.clients[1][1]),
        ("new e-mail", f"double-{time.time_ns()}@example.com"),
    ):
        start = business.local(business.calendar.fresh_day(), business.opening_hour + 1)
        # Two staff members, a quarter of an hour apart: the client would be in two places at once.
        first = Slot(business.staff[0], start, lane=0)
        second = Slot(business.staff[1], start + timedelta(minutes=15), lane=1)
        answers = all_at_once([request(first, email), request(second, email)])
        statuses = "/".join(str(answer.status) for answer in answers)
        outcomes.append(f"{label} {ok_count(answers)}/2 ({statuses})")
    return "succeeded: " + ", ".join(outcomes)


def created_id(answer: Answer, what: str) -> int:
    """The id of a row the scenario needs; without it the scenario cannot go on."""
    payload = answer.json()
    if not answer.ok or not isinstance(payload, dict) or "id" not in payload:
        raise RuntimeError(f"creating {what} answered {answer.status}: {answer.body[:200]!r}")
    return payload["id"]


def ok_count(answers: Sequence[Answer]) -> int:
    return sum(answer.ok for answer in answers)


SCENARIOS: dict[str, tuple[Callable[[Deployment, Measure], str], str]] = {
    "redis-outage": (redis_outage, HIGH_RATE),
    "redis-snapshot": (redis_snapshot, HIGH_RATE),
    "parallel-transitions": (parallel_transitions, HIGH_RATE),
    "public-burst": (public_burst, BURST_RATE),
    "hostile-input": (hostile_input, HIGH_RATE),
    "slow-clients": (slow_clients, HIGH_RATE),
    "double-booking": (double_booking, HIGH_RATE),
}


# Running and reporting ----------------------------------------------------------------------


def run_scenario(run: Deployment, name: str) -> Row:
    """One scenario on a running server. A failure becomes its row, with what it counted
    until then, instead of the end of the run."""
    scenario, rate = SCENARIOS[name]
    measure = Measure(name, run.businesses)
    started = time.monotonic()
    try:
        run.serve(rate)
        figure, failed = scenario(run, measure), False
    except Exception as exc:  # a broken scenario is a result; the others still run
        traceback.print_exc()
        figure, failed = f"failed: {type(exc).__name__}: {str(exc)[:160]}", True
    print(f"  {name}: {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    try:
        return measure.row(run.database, figure, failed=failed)
    except psycopg.Error as exc:
        return Row(
            name, measure.requests, measure.server_errors, None, None, measure.cross_tenant, f"{figure}; {exc}", True
        )


def table(rows: Sequence[Row]) -> str:
    def shown(value: int | None) -> str:
        return "-" if value is None else str(value)

    header = ["scenario", "requests", "5xx", "lost", "phantom", "cross-tenant", "figure"]
    lines = [
        [
            row.scenario,
            str(row.requests),
            str(row.server_errors),
            shown(row.lost_writes),
            shown(row.phantom_writes),
            str(row.cross_tenant),
            row.figure,
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header) - 1)]

    def render(cells: list[str]) -> str:
        aligned = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells[:-1], widths, strict=True))
        ]
        return "  ".join([*aligned, cells[-1]])

    return "\n".join([render(header), *(render(line) for line in lines)])


def git_commit(root: Path) -> str:
    done = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--only", nargs="+", choices=list(SCENARIOS), metavar="SCENARIO", help=", ".join(SCENARIOS))
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures to FILE")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    root = args.root.resolve()
    names = [name for name in SCENARIOS if not args.only or name in args.only]
    workdir = Path(tempfile.mkdtemp(prefix="nbne-faults-"))
    run = Deployment(root, workdir)
    print(f"{root} at {git_commit(root)}: web: {web_command(root)}", file=sys.stderr, flush=True)
    rows: list[Row] = []
    try:
        print(f"  database {run.database}: migrating and seeding …", file=sys.stderr, flush=True)
        run.prepare()
        rows = [run_scenario(run, name) for name in names]
    finally:
        run.close()
    print(f"\n{root} ({git_commit(root)}), logs in {workdir}\n")
    print(table(rows))
    if args.json:
        report = {
            "root": str(root),
            "commit": git_commit(root),
            "web": web_command(root),
            "database": run.database,
            "rows": [asdict(row) for row in rows],
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
