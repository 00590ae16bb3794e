"""What anonymous visitors are shown in place of sequence ids (core.references).

A sequence id shared by every business tells a visitor how busy the whole platform was
between two bookings. The public pages (services, slots, booking request) show and take
opaque references instead; these tests walk what they answer for any integer id, and
give them every kind of wrong reference.

Through the real HTTP API, with the tenant middleware.
"""

from __future__ import annotations

import base64
import itertools
import secrets
import string
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from bookings.factories import BookingFactory, ServiceFactory, StaffFactory, next_slot
from bookings.models import Booking, Service, Staff
from core.references import public_reference as ref
from core.references import row_id_of_reference
from core.tenancy import tenant_context, unscoped_all_tenants
from tests.plugin import api_client_for

pytestmark = pytest.mark.django_db

PUBLIC_SERVICES = "/api/bookings/public/services/"
SLOTS = "/api/bookings/public/slots/"
PUBLIC_BOOKINGS = "/api/bookings/public/bookings/"

# Ids no date, price or reference holds by chance, so any trace of them in an answer is found.
SERVICE_ID, STAFF_ID, BOOKING_IDS_FROM = 7_104_301, 7_208_509, 7_306_000
# The numbers a public answer may hold, by key: none of them is a row's id.
NUMBERS = {"duration_minutes", "capacity", "count"}


# Helpers ------------------------------------------------------------------------


def public_client(tenant):
    return api_client_for(HTTP_X_TENANT_SLUG=tenant.slug)


def next_ids_from(model, first: int) -> None:
    """New ``model`` rows get ids from ``first`` on (a placeholder row holds ``first - 1``)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [model._meta.db_table, first - 1])
    # SQLite's AUTOINCREMENT follows the highest id written, the placeholder's.


def request_body(service, starts_at, *, staff=None, email: str = "robin.walker@example.com") -> dict:
    return {
        "service": ref(service),
        "staff": ref(staff) if staff is not None else None,
        "starts_at": starts_at.isoformat(),
        "name": "Robin Walker",
        "email": email,
    }


def leaves(value, key: str | None = None) -> Iterator[tuple[str | None, object]]:
    """Every (key, value) at the leaves of a JSON answer; keys are checked on the way."""
    if isinstance(value, dict):
        for name, item in value.items():
            assert name != "id" and not name.endswith("_id"), name
            yield from leaves(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item, key)
    else:
        yield key, value


def assert_no_ids(response, *rows) -> None:
    """No integer id anywhere in the answer: no ``id`` keys, no numbers but the few
    that are sizes or counts, no strings of digits, and no row's id in the text."""
    for key, value in leaves(response.json()):
        if isinstance(value, int | float) and not isinstance(value, bool):
            assert key in NUMBERS, (key, value)
        if isinstance(value, str):
            assert not value.isdigit(), (key, value)
    text = response.content.decode()
    for row in rows:
        assert str(row.pk) not in text, (row, text)


def decoded(reference: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(reference + "=="), "big")


def deleted_ref(model, tenant, **fields) -> str:
    """The reference of a row of ``tenant`` that existed and is gone."""
    factory = {Service: ServiceFactory, Staff: StaffFactory}[model]
    row = factory(tenant=tenant, **fields)
    reference = ref(row)
    with unscoped_all_tenants("test removes a row"):
        model._base_manager.filter(pk=row.pk).delete()
    return reference


# Fixtures -----------------------------------------------------------------------


@pytest.fixture
def cut(tenant_a):
    return ServiceFactory(
        tenant=tenant_a, pk=SERVICE_ID, name="Cut and finish", duration_minutes=45, price=Decimal("38.00")
    )


@pytest.fixture
def aisha(tenant_a, cut):
    person = StaffFactory(tenant=tenant_a, pk=STAFF_ID, name="Aisha Khan")
    person.services.add(cut)
    return person


@pytest.fixture
def twin(tenant_a, cut):
    """A staff member whose id is the service's: only the kind in a reference tells them apart."""
    person = StaffFactory(tenant=tenant_a, pk=cut.pk, name="Tom Reilly")
    person.services.add(cut)
    return person


@pytest.fixture
def theirs(tenant_b):
    """Another business's bookable service and staff member."""
    service = ServiceFactory(tenant=tenant_b, name="Their cut")
    person = StaffFactory(tenant=tenant_b, name="Their stylist")
    person.services.add(service)
    return service, person


@pytest.fixture
def day():
    return next_slot(days=2, hour=10)


# No ids ---------------------------------------------------------------------------


def test_no_public_answer_carries_an_integer_id(tenant_a, cut, aisha, day):
    placeholder = BookingFactory(
        tenant=tenant_a, pk=BOOKING_IDS_FROM - 1, service=cut, staff=aisha, starts_at=day + timedelta(days=20)
    )
    next_ids_from(Booking, BOOKING_IDS_FROM)
    client = public_client(tenant_a)

    services = client.get(PUBLIC_SERVICES)
    slots = client.get(SLOTS, {"service": ref(cut), "date": day.date().isoformat()})
    chosen = client.get(SLOTS, {"service": ref(cut), "date": day.date().isoformat(), "staff": ref(aisha)})
    created = client.post(PUBLIC_BOOKINGS, request_body(cut, day, staff=aisha), format="json")

    assert [r.status_code for r in (services, slots, chosen, created)] == [200, 200, 200, 201], created.content
    (booking,) = _bookings_except(placeholder)
    assert booking.pk >= BOOKING_IDS_FROM  # an id the text search below would find
    for response in (services, slots, chosen, created):
        assert_no_ids(response, cut, aisha, booking, placeholder)
    assert [s["ref"] for s in services.json()["results"]] == [ref(cut)]
    assert {slot["staff"] for slot in slots.json()} == {ref(aisha)}
    assert set(created.json()) == {"ref", "service_name", "staff_name", "starts_at", "ends_at", "status"}
    assert created.json()["ref"] == ref(booking)


def _bookings_except(placeholder) -> list[Booking]:
    with unscoped_all_tenants("test read"):
        return list(Booking._base_manager.exclude(pk=placeholder.pk))


def test_no_public_page_is_addressed_by_an_id(tenant_a, cut):
    client = public_client(tenant_a)

    assert client.get(f"{PUBLIC_SERVICES}{cut.pk}/").status_code == 404
    assert client.get(f"{PUBLIC_SERVICES}{ref(cut)}/").status_code == 404
    assert client.get(PUBLIC_SERVICES).status_code == 200


# Stable, distinct -------------------------------------------------------------------


def test_a_rows_reference_is_stable_and_the_members_lists_show_the_same(tenant_a, owner_a, cut, aisha, day):
    client = public_client(tenant_a)
    first = client.get(PUBLIC_SERVICES).json()["results"][0]["ref"]
    with tenant_context(tenant_a):
        Service.objects.filter(pk=cut.pk).update(name="Cut, wash and finish", price=Decimal("42.00"))
    again = client.get(PUBLIC_SERVICES).json()["results"][0]["ref"]
    staff_on = {
        offset: {s["staff"] for s in client.get(SLOTS, {"service": first, "date": (day + offset).date()}).json()}
        for offset in (timedelta(0), timedelta(days=1))
    }
    owner = api_client_for(owner_a)

    assert first == again == ref(cut)
    assert staff_on[timedelta(0)] == staff_on[timedelta(days=1)] == {ref(aisha)}
    # The owner's own pages show the references the public pages take.
    assert [s["ref"] for s in owner.get("/api/bookings/services/").json()["results"]] == [ref(cut)]
    assert [s["ref"] for s in owner.get("/api/bookings/staff/").json()["results"]] == [ref(aisha)]


def test_references_differ_between_rows_kinds_and_businesses(tenant_a, tenant_b, cut, twin):
    other = ServiceFactory(tenant=tenant_a, name="Colour")
    same_id_elsewhere = Service(pk=cut.pk, tenant=tenant_b)  # what B would show for that id

    references = [ref(cut), ref(other), ref(twin), ref(same_id_elsewhere)]

    assert len(set(references)) == len(references)
    assert all(len(r) == 22 and r.isascii() for r in references)
    listed = public_client(tenant_a).get(PUBLIC_SERVICES).json()["results"]
    assert {s["name"]: s["ref"] for s in listed} == {"Cut and finish": ref(cut), "Colour": ref(other)}
    assert row_id_of_reference(Service, ref(cut), tenant_id=tenant_a.pk) == cut.pk
    assert row_id_of_reference(Staff, ref(twin), tenant_id=tenant_a.pk) == twin.pk
    assert row_id_of_reference(Service, ref(twin), tenant_id=tenant_a.pk) is None
    assert row_id_of_reference(Service, ref(cut), tenant_id=tenant_b.pk) is None


def test_two_public_bookings_references_do_not_tell_their_order(tenant_a, cut, aisha, day):
    client = public_client(tenant_a)
    answers = [
        client.post(
            PUBLIC_BOOKINGS, request_body(cut, day + timedelta(hours=n), email=f"{n}@example.com"), format="json"
        )
        for n in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201], [a.content for a in answers]
    first, second = sorted(_bookings(tenant_a), key=lambda b: b.pk)
    refs = [a.json()["ref"] for a in answers]

    assert second.pk == first.pk + 1  # consecutive ids ...
    assert refs == [ref(first), ref(second)]
    # ... whose references share nothing: half of their 128 bits differ, give or take
    # (fewer than 32 happens once in a billion pairs), and no leading characters.
    assert bin(decoded(refs[0]) ^ decoded(refs[1])).count("1") >= 32
    assert refs[0][:4] != refs[1][:4]


def test_references_of_consecutive_ids_are_in_no_order(tenant_a):
    ids = range(1_000, 1_200)
    references = [ref(Booking(pk=pk, tenant_id=tenant_a.pk)) for pk in ids]

    ranks = {r: n for n, r in enumerate(sorted(references))}
    rising = sum(ranks[a] < ranks[b] for a, b in itertools.pairwise(references))
    # A random order rises 99.5 times in 199 steps, give or take 4; a sorted one 199 or 0.
    assert 80 <= rising <= 119, rising
    n = len(references)
    spearman = 1 - 6 * sum((ranks[r] - i) ** 2 for i, r in enumerate(references)) / (n * (n * n - 1))
    assert abs(spearman) < 0.3, spearman


def _bookings(tenant) -> list[Booking]:
    with unscoped_all_tenants("test read"):
        return list(Booking._base_manager.filter(tenant=tenant))


# Wrong references ---------------------------------------------------------------------


def wrong_references(right: str, *, foreign: str, other_kind: str, old_id: int) -> dict[str, object]:
    """Every way to name no row of this business and this kind."""
    # 22 characters hold 132 bits: the last one's 4 low bits are unused, always 0. Setting
    # one names the same 16 bytes to a lenient decoder, but no reference reads that way.
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
    spare_bit_set = right[:-1] + alphabet[alphabet.index(right[-1]) + 1]
    return {
        "another business's": foreign,
        "another kind's": other_kind,
        "malformed": "not a reference",
        "22 characters outside the alphabet": "!" * 22,
        "one character short": right[:-1],
        "one character long": right + "A",
        "the right one with a spare bit set": spare_bit_set,
        "random": secrets.token_urlsafe(16),
        "the row's id": str(old_id),
    }


def test_every_wrong_service_reference_is_refused_like_a_deleted_rows(tenant_a, cut, aisha, twin, theirs, day):
    gone = deleted_ref(Service, tenant_a)
    client = public_client(tenant_a)
    date = day.date().isoformat()
    baseline_slots = client.get(SLOTS, {"service": gone, "date": date})
    baseline_booking = client.post(PUBLIC_BOOKINGS, {**request_body(cut, day), "service": gone}, format="json")
    assert baseline_slots.status_code == baseline_booking.status_code == 400
    assert baseline_slots.json() == baseline_booking.json() == {"service": ["No such service."]}

    wrong = wrong_references(ref(cut), foreign=ref(theirs[0]), other_kind=ref(twin), old_id=cut.pk)
    for what, value in {**wrong, "the row's id as a number": cut.pk}.items():
        if isinstance(value, str):
            slots = client.get(SLOTS, {"service": value, "date": date})
            assert (slots.status_code, slots.content) == (400, baseline_slots.content), what
        booking = client.post(PUBLIC_BOOKINGS, {**request_body(cut, day), "service": value}, format="json")
        assert (booking.status_code, booking.content) == (400, baseline_booking.content), what
    assert _bookings(tenant_a) == []
    # The right one still books.
    assert client.post(PUBLIC_BOOKINGS, request_body(cut, day), format="json").status_code == 201


def test_every_wrong_staff_reference_is_refused_like_a_deleted_rows(tenant_a, cut, aisha, theirs, day):
    gone = deleted_ref(Staff, tenant_a)
    client = public_client(tenant_a)
    date = day.date().isoformat()
    baseline_slots = client.get(SLOTS, {"service": ref(cut), "date": date, "staff": gone})
    baseline_booking = client.post(PUBLIC_BOOKINGS, {**request_body(cut, day), "staff": gone}, format="json")
    assert baseline_slots.status_code == baseline_booking.status_code == 400
    assert baseline_slots.json() == baseline_booking.json() == {"staff": ["No such staff."]}

    # A service whose id is the staff member's: only the kind in a reference tells them apart.
    service_twin = ServiceFactory(tenant=tenant_a, pk=aisha.pk, name="Colour")
    wrong = wrong_references(ref(aisha), foreign=ref(theirs[1]), other_kind=ref(service_twin), old_id=aisha.pk)
    for what, value in {**wrong, "the row's id as a number": aisha.pk}.items():
        if isinstance(value, str):
            slots = client.get(SLOTS, {"service": ref(cut), "date": date, "staff": value})
            assert (slots.status_code, slots.content) == (400, baseline_slots.content), what
        booking = client.post(PUBLIC_BOOKINGS, {**request_body(cut, day), "staff": value}, format="json")
        assert (booking.status_code, booking.content) == (400, baseline_booking.content), what
    assert _bookings(tenant_a) == []
    assert client.post(PUBLIC_BOOKINGS, request_body(cut, day, staff=aisha), format="json").status_code == 201


def test_a_reference_of_another_business_is_refused_even_for_an_id_this_one_has(tenant_a, tenant_b, cut, aisha, day):
    """The business is part of the reference: one that names B is refused at A even when
    A has a row with that id (ids are unique across businesses today; references do not
    rely on it)."""
    client = public_client(tenant_a)
    as_if_from_b = ref(Service(pk=cut.pk, tenant=tenant_b))
    gone = deleted_ref(Service, tenant_a)

    refused = client.post(PUBLIC_BOOKINGS, {**request_body(cut, day), "service": as_if_from_b}, format="json")
    missing = client.post(PUBLIC_BOOKINGS, {**request_body(cut, day), "service": gone}, format="json")

    assert (refused.status_code, refused.content) == (400, missing.content)
    assert _bookings(tenant_a) == []


def test_a_reference_shown_at_one_business_names_nothing_at_another(tenant_a, tenant_b, theirs, cut, aisha, day):
    """B's page shows B's service; the same reference at A is unknown, and at B still books."""
    their_service, _ = theirs
    shown_at_b = public_client(tenant_b).get(PUBLIC_SERVICES).json()["results"][0]["ref"]
    date = day.date().isoformat()

    at_a = public_client(tenant_a).get(SLOTS, {"service": shown_at_b, "date": date})
    at_b = public_client(tenant_b).get(SLOTS, {"service": shown_at_b, "date": date})

    assert shown_at_b == ref(their_service)
    assert at_a.status_code == 400 and at_a.json() == {"service": ["No such service."]}
    assert at_b.status_code == 200 and at_b.json()
