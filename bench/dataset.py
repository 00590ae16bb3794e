"""The benchmark's dataset: many businesses of skewed sizes, generated deterministically
and loaded with COPY.

Sizes follow a log-normal spread (most businesses are small, a few are large) and one
"big" tenant holds ``big_factor`` times the median tenant's bookings. Every row is drawn
from a random stream seeded by the tenant and the table, so a tenant's rows are the same
whichever other tenants are generated alongside it. Rows of all tenants are then ordered
by creation time before ids are given out and before they are written, as a live
database has them: one tenant's bookings lie scattered among everyone else's pages, not
in a block of their own. The database of one tenant gets exactly the same rows (ids
included) for that tenant, and nothing else.

Loading runs as the superuser with ``session_replication_role = replica``: triggers (the
foreign keys, the tenant-filling triggers of child and join tables) stand down during
COPY, and the generator fills every table's ``tenant_id`` itself. Every foreign key, composite
``(tenant_id, id)`` ones included, is then checked with one anti-join each, so the loaded
rows satisfy exactly what the triggers would have enforced.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from array import array
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
MARKER_SCHEMA = "nbne_bench"  # not granted to the runtime role: the app never sees it
HOST = "127.0.0.1"
PORT = 5432
OWNER = "postgres"
RUNTIME_ROLE = "nbne_app"
PLATFORM_ROLE = "nbne_platform"
# Every benchmark process's: migrate stores the key of the tenant proofs derived from it,
# and a web process proves its tenant with the same key.
SECRET_KEY = "bench-only-secret-key-" + "0123456789abcdefghijklmnopqrstuvwxyz" * 2


def owner_dsn(database: str) -> str:
    return f"postgresql://{OWNER}@{HOST}:{PORT}/{database}"


def runtime_url(database: str) -> str:
    return f"postgres://{RUNTIME_ROLE}@{HOST}:{PORT}/{database}"


def platform_url(database: str) -> str:
    return f"postgres://{PLATFORM_ROLE}@{HOST}:{PORT}/{database}"


# Parameters and the plan of sizes ----------------------------------------------------------


@dataclass(frozen=True)
class Params:
    tenants: int
    bookings: int
    seed: int = 2026
    big_factor: int = 100
    sigma: float = 1.0  # of the log-normal spread of tenant sizes

    @property
    def database(self) -> str:
        return f"nbne_bench_{self.tenants}t_{self.bookings}b"

    @property
    def single_database(self) -> str:
        return f"{self.database}_one"


@dataclass(frozen=True)
class Plan:
    """How many bookings each tenant gets, and which tenants the benchmark looks at."""

    params: Params
    bookings: list[int]  # per tenant index; the tenant's id is index + 1
    big: int
    median: int


def make_plan(params: Params) -> Plan:
    if params.tenants < 3:
        raise ValueError("The benchmark needs at least 3 tenants (a big one, a median one, another).")
    rng = random.Random(f"{params.seed}:sizes")
    weights = [rng.lognormvariate(0.0, params.sigma) for _ in range(params.tenants)]
    big = 0
    scale = params.bookings / (sum(weights[1:]) + params.big_factor * statistics.median(weights[1:]))
    counts = [max(1, round(weight * scale)) for weight in weights]
    regular = sorted(range(1, params.tenants), key=lambda index: (counts[index], index))
    median = regular[len(regular) // 2]
    counts[big] = params.big_factor * counts[median]
    # Whatever rounding left over goes to the largest regular tenant, so the total is exact.
    counts[regular[-1]] += params.bookings - sum(counts)
    if counts[regular[-1]] < 1:
        raise ValueError("Too few bookings for this many tenants.")
    return Plan(params=params, bookings=counts, big=big, median=median)


@dataclass(frozen=True)
class TenantSizes:
    bookings: int
    staff: int
    services: int
    clients: int
    channels: int
    messages: int
    documents: int
    tags: int
    events: int


def sizes_for(bookings: int) -> TenantSizes:
    """The other tables grow with a tenant's bookings, the team more slowly than its clients."""
    staff = min(80, max(2, round(math.sqrt(bookings) / 4)))
    return TenantSizes(
        bookings=bookings,
        staff=staff,
        services=min(30, max(4, 3 + round(math.log2(bookings + 1)))),
        clients=max(5, bookings // 4),
        channels=min(12, max(2, 2 + staff // 5)),
        messages=max(20, bookings // 5),
        documents=max(3, bookings // 50),
        tags=min(8, 3 + staff // 4),
        events=max(10, bookings // 2),
    )


def slug_of(index: int) -> str:
    kinds = ("salon", "restaurant", "health-club", "studio", "clinic")
    return f"{kinds[index % len(kinds)]}-{index + 1:04d}"


def username_of(index: int, role: str) -> str:
    return f"{slug_of(index)}-{role}"


# Generation ------------------------------------------------------------------------------

FIRST = ("Amara", "Ben", "Chloe", "Dev", "Ella", "Farid", "Grace", "Hugo", "Isla", "Jon", "Kemi", "Liam")
LAST = ("Adams", "Brown", "Clarke", "Davies", "Evans", "Fisher", "Green", "Hughes", "Iqbal", "Jones", "Khan")
SERVICE_NAMES = (
    "Cut",
    "Colour",
    "Blow-dry",
    "Massage",
    "Facial",
    "Yoga class",
    "Pilates",
    "Consultation",
    "Table for two",
    "Therapy session",
    "Personal training",
    "Manicure",
)
DURATIONS = (30, 45, 60)  # never longer than the hour a generated booking is given
EVENT_KINDS = ("booking.created", "booking.cancelled", "client.created", "booking.requested", "document.uploaded")
DAYS_BACK, DAYS_AHEAD = 330, 60  # the bookings' span around the anchor
HOURS = range(9, 17)  # one booking per staff member and hour


@dataclass
class Table:
    """Rows of one table in insert order; ``tenants`` says whose each row is (for filtering)."""

    name: str
    columns: list[str]
    rows: list[tuple] = field(default_factory=list)
    tenants: array = field(default_factory=lambda: array("i"))


class _Pending:
    """Rows of one table being generated, tenant by tenant, before ids are given out."""

    def __init__(self, table: str, columns: Sequence[str], tenants: int) -> None:
        self.table, self.columns = table, list(columns)
        self.entries: list[tuple[float, int, int, tuple]] = []
        self.local_counts = [0] * tenants

    def add(self, tenant: int, created: datetime, values: tuple) -> int:
        """Add a row; returns its local index in the tenant (to be mapped to an id)."""
        local = self.local_counts[tenant]
        self.local_counts[tenant] = local + 1
        self.entries.append((created.timestamp(), tenant, local, values))
        return local

    def finish(self) -> tuple[Table, list[list[int]]]:
        """Order every tenant's rows by creation time, number them, and map local indexes to ids."""
        self.entries.sort(key=lambda entry: entry[0])  # stable: ties keep tenant order
        ids = [[0] * count for count in self.local_counts]
        table = Table(self.table, ["id", *self.columns])
        rows, owners = table.rows, table.tenants
        for number, (_, tenant, local, values) in enumerate(self.entries, start=1):
            ids[tenant][local] = number
            rows.append((number, *values))
            owners.append(tenant)
        self.entries = []
        return table, ids


def generate(plan: Plan, anchor: datetime, password_hash: str) -> list[Table]:
    """Every table's rows for every tenant, in the order they are loaded (parents first)."""
    params = plan.params
    count = params.tenants
    sizes = [sizes_for(bookings) for bookings in plan.bookings]

    def rng(tenant: int, table: str) -> random.Random:
        return random.Random(f"{params.seed}:{tenant}:{table}")

    def person(r: random.Random) -> tuple[str, str]:
        return r.choice(FIRST), r.choice(LAST)

    opened = anchor - timedelta(days=DAYS_BACK + 30)  # when every tenant started on the platform
    tables: list[Table] = []

    tenants = Table(
        "core_tenantsettings",
        [
            "id",
            "slug",
            "name",
            "custom_domain",
            "tagline",
            "primary_colour",
            "secondary_colour",
            "logo_url",
            "reply_to_email",
            "timezone",
            "opening_hour",
            "closing_hour",
            "is_demo",
            "is_active",
            "created_at",
        ],
    )
    for index in range(count):
        slug = slug_of(index)
        name = slug.replace("-", " ").title()
        created = opened + timedelta(minutes=index)
        tenants.rows.append(
            (
                index + 1,
                slug,
                name,
                None,
                "",
                "#1f2937",
                "#f59e0b",
                "",
                "",
                "Europe/London",
                9,
                17,
                False,
                True,
                created,
            )
        )
        tenants.tenants.append(index)
    tables.append(tenants)
    tenant_ids = list(range(1, count + 1))

    # Users: an owner, a manager and the team (staff role); everyone has a staff profile.
    users = _Pending(
        "accounts_user",
        [
            "password",
            "last_login",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "role",
            "tenant_id",
        ],
        count,
    )
    user_roles: list[list[str]] = []
    user_joined: list[list[datetime]] = []
    for t in range(count):
        r = rng(t, "users")
        roles = ["owner", "manager"] + ["staff"] * sizes[t].staff
        joined_list = []
        for position, role in enumerate(roles):
            first, last = person(r)
            username = username_of(t, role if role != "staff" else f"staff-{position - 1:02d}")
            joined = opened + timedelta(days=0 if position < 2 else r.uniform(0, DAYS_BACK), minutes=t)
            joined_list.append(joined)
            users.add(
                t,
                joined,
                (
                    password_hash,
                    None,
                    False,
                    username,
                    first,
                    last,
                    f"{username}@example.test",
                    False,
                    True,
                    joined,
                    role,
                    tenant_ids[t],
                ),
            )
        user_roles.append(roles)
        user_joined.append(joined_list)
    table, user_ids = users.finish()
    tables.append(table)

    profiles = _Pending(
        "staff_staffprofile",
        [
            "job_title",
            "phone",
            "employment_type",
            "start_date",
            "hourly_rate",
            "is_active",
            "created_at",
            "user_id",
            "tenant_id",
        ],
        count,
    )
    for t in range(count):
        r = rng(t, "profiles")
        for position, role in enumerate(user_roles[t]):
            joined = user_joined[t][position]
            kind = "full_time" if r.random() < 0.7 else r.choice(("part_time", "casual"))
            rate = Decimal(r.randrange(1100, 2500)) / 100
            profiles.add(
                t,
                joined,
                (role.title(), "", kind, joined.date(), rate, True, joined, user_ids[t][position], tenant_ids[t]),
            )
    table, profile_ids = profiles.finish()
    tables.append(table)

    services = _Pending(
        "bookings_service",
        ["name", "description", "duration_minutes", "price", "capacity", "is_active", "created_at", "tenant_id"],
        count,
    )
    service_facts: list[list[tuple[int, Decimal, bool]]] = []  # (duration, price, active) per service
    for t in range(count):
        r = rng(t, "services")
        facts = []
        for number in range(sizes[t].services):
            duration = r.choice(DURATIONS)
            price = Decimal(r.randrange(15, 120))
            active = number < 3 or r.random() < 0.9  # a few retired services
            name = f"{SERVICE_NAMES[number % len(SERVICE_NAMES)]} {number // len(SERVICE_NAMES) + 1}"
            services.add(
                t,
                opened + timedelta(hours=number, minutes=t),
                (name, "", duration, price, 1, active, opened + timedelta(hours=number), tenant_ids[t]),
            )
            facts.append((duration, price, active))
        service_facts.append(facts)
    table, service_ids = services.finish()
    tables.append(table)

    # The people clients are booked with: one per team member.
    staff = _Pending("bookings_staff", ["name", "email", "phone", "bio", "is_active", "created_at", "tenant_id"], count)
    for t in range(count):
        r = rng(t, "staff")
        for number in range(sizes[t].staff):
            first, last = person(r)
            created = user_joined[t][number + 2]
            active = number < 2 or r.random() < 0.95
            staff.add(t, created, (f"{first} {last}", "", "", "", active, created, tenant_ids[t]))
    table, staff_ids = staff.finish()
    tables.append(table)

    # Half the team offer everything (no rows), the others a subset of the services.
    offers = Table("bookings_staff_services", ["id", "staff_id", "service_id", "tenant_id"])
    offered: list[list[list[int] | None]] = []  # per staff member: service indexes, None for all
    for t in range(count):
        r = rng(t, "offers")
        per_staff: list[list[int] | None] = []
        for number in range(sizes[t].staff):
            if r.random() < 0.5:
                per_staff.append(None)
                continue
            chosen = sorted(r.sample(range(sizes[t].services), r.randint(2, sizes[t].services)))
            per_staff.append(chosen)
            for service in chosen:
                offers.rows.append((len(offers.rows) + 1, staff_ids[t][number], service_ids[t][service], tenant_ids[t]))
                offers.tenants.append(t)
        offered.append(per_staff)
    tables.append(offers)

    clients = _Pending(
        "bookings_client",
        ["name", "email", "phone", "notes", "marketing_consent", "created_at", "tenant_id"],
        count,
    )
    for t in range(count):
        r = rng(t, "clients")
        span = (anchor - opened).total_seconds()
        for number in range(sizes[t].clients):
            first, last = person(r)
            email = f"client{number}@{slug_of(t)}.example.test" if r.random() < 0.8 else ""
            created = opened + timedelta(seconds=r.uniform(0, span))
            clients.add(t, created, (f"{first} {last}", email, "", "", r.random() < 0.4, created, tenant_ids[t]))
    table, client_ids = clients.finish()
    tables.append(table)

    bookings = _Pending(
        "bookings_booking",
        [
            "starts_at",
            "ends_at",
            "status",
            "source",
            "price",
            "notes",
            "created_at",
            "cancelled_at",
            "created_by_id",
            "client_id",
            "credit_id",
            "service_id",
            "staff_id",
            "tenant_id",
        ],
        count,
    )
    first_day = anchor - timedelta(days=DAYS_BACK)
    days = DAYS_BACK + DAYS_AHEAD
    for t in range(count):
        r = rng(t, "bookings")
        size = sizes[t]
        hours = len(HOURS)
        # Each (staff member, day, hour) at most once: no generated double bookings.
        space = size.staff * days * hours
        for slot in r.sample(range(space), min(size.bookings, space)):
            member, rest = divmod(slot, days * hours)
            day, hour = divmod(rest, hours)
            starts = first_day + timedelta(days=day, hours=HOURS[hour])
            allowed = offered[t][member]
            service = r.choice(allowed) if allowed else r.randrange(size.services)
            duration, price, _ = service_facts[t][service]
            created = max(opened, starts - timedelta(days=r.uniform(0.05, 30)))
            created = min(created, anchor - timedelta(minutes=r.uniform(1, 600)))
            draw = r.random()
            if starts < anchor:
                status = (
                    "completed"
                    if draw < 0.85
                    else "cancelled"
                    if draw < 0.93
                    else "no_show"
                    if draw < 0.97
                    else "confirmed"
                )
            else:
                status = "confirmed" if draw < 0.85 else "pending" if draw < 0.95 else "cancelled"
            online = r.random() < 0.3
            cancelled = created + (min(starts, anchor) - created) * r.random() if status == "cancelled" else None
            bookings.add(
                t,
                created,
                (
                    starts,
                    starts + timedelta(minutes=duration),
                    status,
                    "online" if online else "staff",
                    price,
                    "",
                    created,
                    cancelled,
                    None if online else user_ids[t][r.randrange(len(user_ids[t]))],
                    client_ids[t][r.randrange(size.clients)],
                    None,
                    service_ids[t][service],
                    staff_ids[t][member],
                    tenant_ids[t],
                ),
            )
    table, _ = bookings.finish()
    tables.append(table)

    # Rota: the team's shifts over four weeks back and two ahead, five days in seven.
    shifts = _Pending(
        "staff_shift",
        ["starts_at", "ends_at", "role", "location", "notes", "created_at", "staff_profile_id", "tenant_id"],
        count,
    )
    for t in range(count):
        r = rng(t, "shifts")
        for position, role in enumerate(user_roles[t]):
            if role != "staff":
                continue
            off = set(r.sample(range(7), 2))
            for day in range(-28, 14):
                if (day % 7) in off:
                    continue
                starts = anchor + timedelta(days=day, hours=r.choice((8, 9, 12)))
                created = min(anchor - timedelta(hours=1), starts - timedelta(days=r.uniform(3, 14)))
                shifts.add(
                    t,
                    created,
                    (
                        starts,
                        starts + timedelta(hours=8),
                        "Front of house",
                        "",
                        "",
                        created,
                        profile_ids[t][position],
                        tenant_ids[t],
                    ),
                )
    table, _ = shifts.finish()
    tables.append(table)

    # Chat: "general" holds everyone; the other channels a part of the team (and the owner).
    channels = _Pending(
        "comms_channel",
        ["name", "topic", "is_private", "created_at", "is_archived", "created_by_id", "tenant_id"],
        count,
    )
    channel_members: list[list[list[int]]] = []  # per channel: user indexes
    for t in range(count):
        r = rng(t, "channels")
        members_of: list[list[int]] = []
        everyone = list(range(len(user_ids[t])))
        for number in range(sizes[t].channels):
            name = "general" if number == 0 else f"team-{number}"
            members = everyone if number == 0 else sorted({0, *r.sample(everyone, max(1, len(everyone) // 2))})
            members_of.append(members)
            created = opened + timedelta(days=number, minutes=t)
            private = number > 0 and r.random() < 0.3
            channels.add(t, created, (name, "", private, created, False, user_ids[t][0], tenant_ids[t]))
        channel_members.append(members_of)
    table, channel_ids = channels.finish()
    tables.append(table)

    members = _Pending(
        "comms_channelmember", ["is_admin", "joined_at", "last_read_at", "channel_id", "user_id", "tenant_id"], count
    )
    for t in range(count):
        for number, member_list in enumerate(channel_members[t]):
            for user in member_list:
                joined = max(opened + timedelta(days=number), user_joined[t][user])
                members.add(
                    t, joined, (user == 0, joined, None, channel_ids[t][number], user_ids[t][user], tenant_ids[t])
                )
    table, _ = members.finish()
    tables.append(table)

    messages = _Pending(
        "comms_message", ["body", "created_at", "edited_at", "author_id", "channel_id", "tenant_id"], count
    )
    for t in range(count):
        r = rng(t, "messages")
        channel_count = sizes[t].channels
        for number in range(sizes[t].messages):
            # Half the traffic in "general", the rest spread over the other channels.
            channel = 0 if number % 2 == 0 or channel_count == 1 else r.randrange(1, channel_count)
            author = r.choice(channel_members[t][channel])
            created = anchor - timedelta(seconds=r.uniform(60, 90 * 86400))
            messages.add(
                t,
                created,
                (
                    f"Message {number} about the rota",
                    created,
                    None,
                    user_ids[t][author],
                    channel_ids[t][channel],
                    tenant_ids[t],
                ),
            )
    table, _ = messages.finish()
    tables.append(table)

    tags = _Pending("documents_documenttag", ["name", "colour", "tenant_id"], count)
    for t in range(count):
        for number in range(sizes[t].tags):
            tags.add(t, opened + timedelta(minutes=number), (f"Tag {number + 1}", "#6b7280", tenant_ids[t]))
    table, tag_ids = tags.finish()
    tables.append(table)

    documents = _Pending(
        "documents_document",
        [
            "title",
            "description",
            "file",
            "original_name",
            "size",
            "content_type",
            "category",
            "expires_on",
            "created_at",
            "updated_at",
            "uploaded_by_id",
            "tenant_id",
        ],
        count,
    )
    document_tags: list[list[list[int]]] = []
    categories = ("policy", "contract", "certificate", "menu", "form", "other")
    for t in range(count):
        r = rng(t, "documents")
        per_document = []
        for number in range(sizes[t].documents):
            created = opened + timedelta(seconds=r.uniform(0, (anchor - opened).total_seconds()))
            name = f"document-{number + 1}.pdf"
            expires = (anchor + timedelta(days=r.randint(-30, 365))).date() if r.random() < 0.3 else None
            documents.add(
                t,
                created,
                (
                    f"Document {number + 1}",
                    "",
                    f"tenants/{slug_of(t)}/document/{number:08x}_{name}",  # rows only: no file is stored
                    name,
                    r.randrange(10_000, 2_000_000),
                    "application/pdf",
                    r.choice(categories),
                    expires,
                    created,
                    created,
                    user_ids[t][r.randrange(len(user_ids[t]))],
                    tenant_ids[t],
                ),
            )
            per_document.append(r.sample(range(sizes[t].tags), r.randint(0, 2)))
        document_tags.append(per_document)
    table, document_ids = documents.finish()
    tables.append(table)

    links = Table("documents_document_tags", ["id", "document_id", "documenttag_id", "tenant_id"])
    for t in range(count):
        for number, chosen in enumerate(document_tags[t]):
            for tag in chosen:
                links.rows.append((len(links.rows) + 1, document_ids[t][number], tag_ids[t][tag], tenant_ids[t]))
                links.tenants.append(t)
    tables.append(links)

    events = _Pending(
        "core_businessevent",
        ["kind", "summary", "object_type", "object_id", "created_at", "performed_by_id", "tenant_id"],
        count,
    )
    for t in range(count):
        r = rng(t, "events")
        for number in range(sizes[t].events):
            created = anchor - timedelta(seconds=r.uniform(60, DAYS_BACK * 86400))
            kind = r.choice(EVENT_KINDS)
            performer = user_ids[t][r.randrange(len(user_ids[t]))]
            events.add(t, created, (kind, f"Event {number}", "booking", str(number), created, performer, tenant_ids[t]))
    table, _ = events.finish()
    tables.append(table)
    return tables


# Loading -----------------------------------------------------------------------------------


def check_columns(connection: psycopg.Connection, table: Table) -> None:
    """Refuse to load a table whose schema moved on from the generator: a new column that
    needs a value, or a column the generator fills that is gone."""
    rows = connection.execute(
        "SELECT column_name, is_nullable = 'YES', column_default IS NOT NULL OR is_identity = 'YES' "
        "FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s",
        [table.name],
    ).fetchall()
    if not rows:
        raise RuntimeError(f"{table.name} does not exist; bench/dataset.py needs updating.")
    actual = {name: (nullable, has_default) for name, nullable, has_default in rows}
    missing = [column for column in table.columns if column not in actual]
    needed = [
        name
        for name, (nullable, has_default) in actual.items()
        if not nullable and not has_default and name not in table.columns
    ]
    if missing or needed:
        raise RuntimeError(
            f"{table.name}: the generator fills {missing or 'nothing'} that the table lacks, and the table "
            f"needs {needed or 'nothing'} that the generator leaves out; bench/dataset.py needs updating."
        )


def copy_tables(connection: psycopg.Connection, tables: list[Table], only_tenant: int | None) -> dict[str, int]:
    """COPY every table (or one tenant's rows of it); returns the rows written per table."""
    written = {}
    with connection.transaction():
        connection.execute("SET LOCAL session_replication_role = replica")
        connection.execute("SET LOCAL synchronous_commit = off")
        connection.execute("SET LOCAL maintenance_work_mem = '512MB'")
        # Plain indexes are built once after COPY rather than row by row during it (the
        # rows arrive in every tenant's order at once, so each insert lands on a random
        # page); the indexes behind constraints stay, so COPY still enforces them.
        indexes = connection.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid::regclass::text = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [[table.name for table in tables]],
        ).fetchall()
        for name, _ in indexes:
            connection.execute(f"DROP INDEX {name}")
        for table in tables:
            check_columns(connection, table)
            columns = ", ".join(f'"{column}"' for column in table.columns)
            count = 0
            with connection.cursor().copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                if only_tenant is None:
                    for row in table.rows:
                        copy.write_row(row)
                    count = len(table.rows)
                else:
                    for row, tenant in zip(table.rows, table.tenants, strict=True):
                        if tenant == only_tenant:
                            copy.write_row(row)
                            count += 1
            written[table.name] = count
            if "id" in table.columns:
                connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f'(SELECT COALESCE(max(id), 0) + 1 FROM "{table.name}"), false)'
                )
        for _, definition in indexes:
            connection.execute(definition)
    return written


def foreign_key_violations(connection: psycopg.Connection, tables: list[str]) -> list[tuple[str, int]]:
    """Each foreign key of ``tables`` (composite ones included) checked by an anti-join."""
    keys = connection.execute(
        "SELECT c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text, "
        "ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i) "
        "      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i), "
        "ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i) "
        "      JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) "
        "FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)",
        [tables],
    ).fetchall()
    problems = []
    for name, child, parent, columns, targets in keys:
        present = " AND ".join(f'c."{column}" IS NOT NULL' for column in columns)
        matches = " AND ".join(f'p."{t}" = c."{c}"' for c, t in zip(columns, targets, strict=True))
        orphan = f"NOT EXISTS (SELECT 1 FROM {parent} p WHERE {matches})"
        sql = f"SELECT count(*) FROM {child} c WHERE {present} AND {orphan}"
        violations = connection.execute(sql).fetchone()[0]
        if violations:
            problems.append((name, violations))
    return problems


# Databases, migration and the cache -------------------------------------------------------


def schema_digest() -> str:
    """Changes whenever a migration does: a cached database of an older schema is rebuilt."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def generator_digest() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def ensure_runtime_role(admin: psycopg.Connection) -> None:
    """The roles the app runs as, as ``.ci/run`` makes them: the runtime role owns nothing
    and cannot bypass RLS; the platform role (work across businesses) bypasses it."""
    for role, bypass in ((RUNTIME_ROLE, "NOBYPASSRLS"), (PLATFORM_ROLE, "BYPASSRLS")):
        if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
            admin.execute(f"CREATE ROLE {role} LOGIN")
        admin.execute(f"ALTER ROLE {role} LOGIN NOSUPERUSER {bypass} NOCREATEDB NOCREATEROLE")


def read_marker(database: str) -> dict[str, Any] | None:
    try:
        with psycopg.connect(owner_dsn(database), autocommit=True) as connection:
            row = connection.execute(
                f"SELECT params, anchor, load_seconds FROM {MARKER_SCHEMA}.build ORDER BY built_at DESC LIMIT 1"
            ).fetchone()
    except psycopg.Error:
        return None
    if row is None:
        return None
    return {"params": row[0], "anchor": row[1], "load_seconds": row[2]}


def write_marker(connection: psycopg.Connection, params: dict[str, Any], anchor: datetime, seconds: float) -> None:
    connection.execute(f"CREATE SCHEMA IF NOT EXISTS {MARKER_SCHEMA}")
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {MARKER_SCHEMA}.build "
        "(params jsonb NOT NULL, anchor timestamptz, built_at timestamptz NOT NULL DEFAULT now(), load_seconds float8)"
    )
    connection.execute(f"DELETE FROM {MARKER_SCHEMA}.build")
    connection.execute(
        f"INSERT INTO {MARKER_SCHEMA}.build (params, anchor, load_seconds) VALUES (%s, %s, %s)",
        [json.dumps(params, sort_keys=True), anchor, seconds],
    )


def recreate_database(admin: psycopg.Connection, name: str, template: str | None = None) -> None:
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def migrated_template(admin: psycopg.Connection, python: str) -> str:
    """An empty database at the current migrations, cloned for each dataset (migrating
    takes longer than copying a template)."""
    name = "nbne_bench_template"
    wanted = {"schema": schema_digest()}
    marker = read_marker(name)
    if marker is not None and marker["params"] == wanted:
        return name
    print("  migrating an empty database (as the owner) …", flush=True)
    recreate_database(admin, name)
    env = {
        **os.environ,
        "DATABASE_URL": runtime_url(name),
        "DATABASE_MIGRATE_URL": f"postgres://{OWNER}@{HOST}:{PORT}/{name}",
        "DATABASE_PLATFORM_URL": platform_url(name),
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    with psycopg.connect(owner_dsn(name), autocommit=True) as connection:
        write_marker(connection, wanted, datetime.now(UTC), 0.0)
    return name


@dataclass(frozen=True)
class Built:
    """What a run needs to know about its two databases."""

    plan: Plan
    anchor: datetime
    big_database: str
    single_database: str
    load_seconds: float  # of the build that made them (0 when nothing needed building now)
    built_now: bool
    cached_load_seconds: float  # what the cached build took, when it was cached


def dataset_key(params: Params, single: bool) -> dict[str, Any]:
    key = {**asdict(params), "schema": schema_digest(), "generator": generator_digest()}
    if single:
        key["only"] = "median tenant"
    return key


def ensure_datasets(params: Params, *, rebuild: bool, password_hash: str, python: str = sys.executable) -> Built:
    """The big database and the database of the median tenant alone, built unless cached."""
    plan = make_plan(params)
    big_name, single_name = params.database, params.single_database
    big_marker, single_marker = read_marker(big_name), read_marker(single_name)
    big_ok = not rebuild and big_marker is not None and big_marker["params"] == dataset_key(params, False)
    single_ok = (
        big_ok
        and single_marker is not None
        and single_marker["params"] == dataset_key(params, True)
        and single_marker["anchor"] == big_marker["anchor"]
    )
    if big_ok and single_ok:
        return Built(
            plan, big_marker["anchor"], big_name, single_name, 0.0, False, float(big_marker["load_seconds"] or 0)
        )

    started = time.perf_counter()
    with psycopg.connect(owner_dsn("postgres"), autocommit=True) as admin:
        ensure_runtime_role(admin)
        template = migrated_template(admin, python)
        anchor = (
            big_marker["anchor"] if big_ok else datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        )
        print(f"  generating {params.tenants} tenants, {params.bookings} bookings …", flush=True)
        tick = time.perf_counter()
        tables = generate(plan, anchor, password_hash)
        generated = time.perf_counter() - tick
        rows = sum(len(table.rows) for table in tables)
        print(f"  generated {rows:,} rows in {generated:.1f} s", flush=True)
        targets = [] if big_ok else [(big_name, None)]
        targets.append((single_name, plan.median))
        for name, only in targets:
            tick = time.perf_counter()
            recreate_database(admin, name, template)
            with psycopg.connect(owner_dsn(name), autocommit=True) as connection:
                written = copy_tables(connection, tables, only)
                copied = time.perf_counter() - tick
                problems = foreign_key_violations(connection, [table.name for table in tables])
                if problems:
                    raise RuntimeError(f"{name}: foreign keys violated by the generated rows: {problems}")
                # VACUUM too, not only ANALYZE: the visibility map lets index-only scans skip
                # the heap, as they do on a live database that autovacuum keeps up with.
                connection.execute("VACUUM (ANALYZE)")
                seconds = time.perf_counter() - tick
                write_marker(connection, dataset_key(params, only is not None), anchor, seconds)
            print(
                f"  {name}: {sum(written.values()):,} rows copied in {copied:.1f} s, "
                f"checked and vacuumed in {seconds:.1f} s total",
                flush=True,
            )
    total = time.perf_counter() - started
    return Built(plan, anchor, big_name, single_name, total, True, total)


def forget_run_writes(database: str, anchor: datetime) -> None:
    """Delete what earlier requests wrote (bookings created, their feed events, login audit
    entries), so every run and phase sees exactly the generated rows. Generated rows were
    all created before the anchor; the app's are stamped with the time they were made."""
    with psycopg.connect(owner_dsn(database), autocommit=True) as connection:
        connection.execute("DELETE FROM core_businessevent WHERE created_at >= %s", [anchor])
        connection.execute("DELETE FROM bookings_booking WHERE created_at >= %s", [anchor])
        connection.execute("DELETE FROM accounts_auditlogentry")


def table_counts(database: str, tables: Sequence[str]) -> dict[str, int]:
    with psycopg.connect(owner_dsn(database), autocommit=True) as connection:
        return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in tables}


MAIN_TABLES = (
    "core_tenantsettings",
    "accounts_user",
    "staff_staffprofile",
    "bookings_service",
    "bookings_staff",
    "bookings_staff_services",
    "bookings_client",
    "bookings_booking",
    "staff_shift",
    "comms_channel",
    "comms_channelmember",
    "comms_message",
    "documents_documenttag",
    "documents_document",
    "documents_document_tags",
    "core_businessevent",
)
