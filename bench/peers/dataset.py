"""The rows every variant holds, generated deterministically: per business 5 services,
20 clients, 100 bookings and one note per booking. Ids are the same in every variant
(and unique across businesses, in django-tenants' schemas too), so "business B's
booking id" means the same row everywhere."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

SERVICES, CLIENTS, BOOKINGS = 5, 20, 100
EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
STATUSES = ("confirmed", "confirmed", "confirmed", "cancelled", "completed")


def slug_of(business: int) -> str:
    return f"b{business:04d}"


def host_of(business: int) -> str:
    return f"{slug_of(business)}.peers.test"


def first_booking_id(business: int) -> int:
    return (business - 1) * BOOKINGS + 1


@dataclass(frozen=True)
class BusinessRows:
    """One business's rows, as tuples in the column order of ``COLUMNS``."""

    services: list[tuple]
    clients: list[tuple]
    bookings: list[tuple]
    notes: list[tuple]


# Column order of each table's rows (tenant_id first where a table has one).
COLUMNS = {
    "service": ("id", "tenant_id", "name", "minutes", "price"),
    "client": ("id", "tenant_id", "name", "email"),
    "booking": ("id", "tenant_id", "service_id", "client_id", "starts_at", "status"),
    "booking_note": ("id", "tenant_id", "booking_id", "body"),
}


def business_rows(business: int) -> BusinessRows:
    rng = random.Random(business)  # the same rows on every run and in every variant
    service_ids = [(business - 1) * SERVICES + k + 1 for k in range(SERVICES)]
    client_ids = [(business - 1) * CLIENTS + k + 1 for k in range(CLIENTS)]
    services = [
        (sid, business, f"Service {k + 1}", rng.choice((30, 45, 60, 90)), f"{rng.randint(20, 120)}.00")
        for k, sid in enumerate(service_ids)
    ]
    clients = [(cid, business, f"Client {k + 1}", f"client{cid}@example.test") for k, cid in enumerate(client_ids)]
    bookings, notes = [], []
    for k in range(BOOKINGS):
        bid = first_booking_id(business) + k
        starts = EPOCH + timedelta(days=rng.randint(0, 180), hours=rng.randint(0, 8))
        bookings.append((bid, business, rng.choice(service_ids), rng.choice(client_ids), starts, rng.choice(STATUSES)))
        notes.append((bid, business, bid, f"Note on booking {bid}: " + "x" * rng.randint(20, 200)))
    return BusinessRows(services, clients, bookings, notes)


def all_rows(businesses: int) -> Iterator[tuple[int, BusinessRows]]:
    for business in range(1, businesses + 1):
        yield business, business_rows(business)
