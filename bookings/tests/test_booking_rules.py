"""The rules a salon relies on, exercised through the real HTTP API with real JWTs.

Every request goes through the tenant middleware, DRF and the services, so a rule
broken anywhere on that path (serializer, service, permission, exception handler)
shows up here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db.models.signals import pre_delete
from django.utils import timezone

from accounts.factories import UserFactory
from bookings.factories import (
    BookingFactory,
    ClassPackageFactory,
    ClientCreditFactory,
    ClientFactory,
    ServiceFactory,
    StaffFactory,
    next_slot,
)
from bookings.models import Booking, ClassPackage, Client, ClientCredit, Service
from core.models import BusinessEvent, TenantSettings
from core.references import public_reference as ref
from core.tenancy import unscoped_all_tenants
from tests.concurrency import in_another_connection, receiving
from tests.plugin import api_client_for, fresh
from tests.rls import ON_POSTGRESQL

BOOKINGS = "/api/bookings/bookings/"
SERVICES = "/api/bookings/services/"
DASHBOARD = "/api/bookings/dashboard/"
PUBLIC_SERVICES = "/api/bookings/public/services/"
PUBLIC_SLOTS = "/api/bookings/public/slots/"
PUBLIC_BOOKINGS = "/api/bookings/public/bookings/"


# Helpers ------------------------------------------------------------------------


def action_url(booking_id: int, action: str) -> str:
    return f"{BOOKINGS}{booking_id}/{action}/"


def when(response_value: str) -> datetime:
    """An API datetime (``...Z`` or ``+00:00``) as an aware datetime."""
    return datetime.fromisoformat(response_value)


def bookings_of(tenant) -> list[Booking]:
    with unscoped_all_tenants("test read"):
        return list(Booking._base_manager.filter(tenant=tenant).order_by("pk"))


def booking_count(tenant) -> int:
    with unscoped_all_tenants("test count"):
        return Booking._base_manager.filter(tenant=tenant).count()


def events_of(tenant) -> list[BusinessEvent]:
    with unscoped_all_tenants("test read"):
        return list(BusinessEvent._base_manager.filter(tenant=tenant).order_by("pk"))


def book(client, *, customer, service, staff, starts_at: datetime, **extra):
    body = {
        "client": customer.pk,
        "service": service.pk,
        "staff": staff.pk,
        "starts_at": starts_at.isoformat(),
        **extra,
    }
    return client.post(BOOKINGS, body, format="json")


def public_client(tenant, *, by_host: bool = False):
    if by_host:
        return api_client_for(HTTP_HOST=f"{tenant.slug}.localhost")
    return api_client_for(HTTP_X_TENANT_SLUG=tenant.slug)


def public_request_body(service, starts_at: datetime, **extra) -> dict:
    # "staff": None ("anyone") is sent explicitly: leaving the optional field out is a
    # 500, see test_public_booking_without_the_optional_staff_field.
    return {
        "service": ref(service),
        "staff": None,
        "starts_at": starts_at.isoformat(),
        "name": "Robin Walker",
        "email": "Robin.Walker@example.com",
        "phone": "07700 900123",
        **extra,
    }


def slot_starts(response) -> set[datetime]:
    return {when(slot["starts_at"]) for slot in response.json()}


# Fixtures -----------------------------------------------------------------------


@pytest.fixture
def cut(tenant_a):
    return ServiceFactory(tenant=tenant_a, name="Cut and finish", duration_minutes=45, price=Decimal("38.00"))


@pytest.fixture
def aisha(tenant_a, cut):
    person = StaffFactory(tenant=tenant_a, name="Aisha Khan")
    person.services.add(cut)
    return person


@pytest.fixture
def tom(tenant_a, cut):
    person = StaffFactory(tenant=tenant_a, name="Tom Reilly")
    person.services.add(cut)
    return person


@pytest.fixture
def olivia(tenant_a):
    return ClientFactory(tenant=tenant_a, name="Olivia Smith")


@pytest.fixture
def noah(tenant_a):
    return ClientFactory(tenant=tenant_a, name="Noah Jones")


@pytest.fixture
def yoga(tenant_a):
    return ServiceFactory(tenant=tenant_a, name="Yoga flow", duration_minutes=60, price=Decimal("12.00"), capacity=3)


@pytest.fixture
def teacher(tenant_a, yoga):
    person = StaffFactory(tenant=tenant_a, name="Sophie Turner")
    person.services.add(yoga)
    return person


@pytest.fixture
def yoga_pass(yoga):
    return ClassPackageFactory(service=yoga, name="Yoga 5 pass", credits=5)


@pytest.fixture
def olivia_credit(olivia, yoga_pass):
    return ClientCreditFactory(client=olivia, package=yoga_pass, total=5, remaining=2)


# Length of a booking ------------------------------------------------------------


@pytest.mark.django_db
def test_ends_at_follows_the_service_duration_and_ignores_the_request(client_a, cut, aisha, olivia):
    starts = next_slot(days=2, hour=10)
    response = book(
        client_a,
        customer=olivia,
        service=cut,
        staff=aisha,
        starts_at=starts,
        ends_at=(starts + timedelta(hours=5)).isoformat(),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert when(body["starts_at"]) == starts
    assert when(body["ends_at"]) == starts + timedelta(minutes=45)
    assert body["price"] == "38.00"
    assert body["status"] == "confirmed"
    (stored,) = bookings_of(olivia.tenant)
    assert stored.ends_at == starts + timedelta(minutes=45)


# No double-booking --------------------------------------------------------------


@pytest.mark.django_db
def test_overlapping_booking_for_the_same_staff_member_is_refused(client_a, cut, aisha, olivia, noah):
    starts = next_slot(days=2, hour=10)
    assert book(client_a, customer=olivia, service=cut, staff=aisha, starts_at=starts).status_code == 201

    # 10:30 overlaps 10:00-10:45.
    response = book(client_a, customer=noah, service=cut, staff=aisha, starts_at=starts + timedelta(minutes=30))
    assert response.status_code == 400, response.content
    assert "starts_at" in response.json()
    assert "Aisha Khan is already booked" in response.json()["starts_at"][0]

    # A booking that starts earlier and runs into the other one is also refused.
    response = book(client_a, customer=noah, service=cut, staff=aisha, starts_at=starts - timedelta(minutes=30))
    assert response.status_code == 400, response.content
    assert "starts_at" in response.json()
    assert booking_count(olivia.tenant) == 1


@pytest.mark.django_db
def test_another_staff_member_at_the_same_time_is_fine(client_a, cut, aisha, tom, olivia, noah):
    starts = next_slot(days=2, hour=10)
    assert book(client_a, customer=olivia, service=cut, staff=aisha, starts_at=starts).status_code == 201
    response = book(client_a, customer=noah, service=cut, staff=tom, starts_at=starts)
    assert response.status_code == 201, response.content
    assert booking_count(olivia.tenant) == 2


@pytest.mark.django_db
def test_an_adjacent_booking_starting_when_the_other_ends_is_fine(client_a, cut, aisha, olivia, noah):
    starts = next_slot(days=2, hour=10)
    first = book(client_a, customer=olivia, service=cut, staff=aisha, starts_at=starts)
    assert first.status_code == 201
    response = book(client_a, customer=noah, service=cut, staff=aisha, starts_at=when(first.json()["ends_at"]))
    assert response.status_code == 201, response.content
    # ... and one ending exactly when the first starts.
    response = book(client_a, customer=noah, service=cut, staff=aisha, starts_at=starts - timedelta(minutes=45))
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_moving_a_booking_onto_a_taken_slot_is_refused(client_a, cut, aisha, olivia, noah):
    starts = next_slot(days=2, hour=10)
    book(client_a, customer=olivia, service=cut, staff=aisha, starts_at=starts)
    later = book(client_a, customer=noah, service=cut, staff=aisha, starts_at=starts + timedelta(hours=2)).json()

    response = client_a.patch(f"{BOOKINGS}{later['id']}/", {"starts_at": starts.isoformat()}, format="json")
    assert response.status_code == 400, response.content
    assert "starts_at" in response.json()

    # Moving it within its own time (it does not clash with itself) is fine.
    response = client_a.patch(
        f"{BOOKINGS}{later['id']}/", {"starts_at": (starts + timedelta(hours=2, minutes=15)).isoformat()}
    )
    assert response.status_code == 200, response.content
    assert when(response.json()["ends_at"]) == starts + timedelta(hours=3)


# Cancelling ---------------------------------------------------------------------


@pytest.mark.django_db
def test_cancelling_frees_the_slot_and_cannot_be_done_twice(client_a, cut, aisha, olivia, noah):
    starts = next_slot(days=2, hour=11)
    booking = book(client_a, customer=olivia, service=cut, staff=aisha, starts_at=starts).json()
    assert book(client_a, customer=noah, service=cut, staff=aisha, starts_at=starts).status_code == 400

    response = client_a.post(action_url(booking["id"], "cancel"))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancelled_at"]

    again = book(client_a, customer=noah, service=cut, staff=aisha, starts_at=starts)
    assert again.status_code == 201, again.content

    twice = client_a.post(action_url(booking["id"], "cancel"))
    assert twice.status_code == 400, twice.content
    assert "status" in twice.json()
    statuses = {b.pk: b.status for b in bookings_of(olivia.tenant)}
    assert statuses == {booking["id"]: "cancelled", again.json()["id"]: "confirmed"}


# Group classes ------------------------------------------------------------------


@pytest.mark.django_db
def test_group_class_takes_bookings_up_to_its_capacity(client_a, tenant_a, yoga, teacher):
    starts = next_slot(days=3, hour=9)
    attendees = [ClientFactory(tenant=tenant_a) for _ in range(4)]
    for person in attendees[:3]:
        response = book(client_a, customer=person, service=yoga, staff=teacher, starts_at=starts)
        assert response.status_code == 201, response.content

    response = book(client_a, customer=attendees[3], service=yoga, staff=teacher, starts_at=starts)
    assert response.status_code == 400, response.content
    assert "full" in response.json()["starts_at"][0]
    assert booking_count(tenant_a) == 3

    # A place given up is a place someone else can take.
    first_id = bookings_of(tenant_a)[0].pk
    assert client_a.post(action_url(first_id, "cancel")).status_code == 200
    response = book(client_a, customer=attendees[3], service=yoga, staff=teacher, starts_at=starts)
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_group_class_does_not_let_another_start_overlap(client_a, tenant_a, yoga, teacher, olivia, noah):
    starts = next_slot(days=3, hour=9)
    assert book(client_a, customer=olivia, service=yoga, staff=teacher, starts_at=starts).status_code == 201
    response = book(client_a, customer=noah, service=yoga, staff=teacher, starts_at=starts + timedelta(minutes=30))
    assert response.status_code == 400, response.content
    assert "starts_at" in response.json()


# Class credits ------------------------------------------------------------------


@pytest.mark.django_db
def test_booking_with_a_credit_consumes_one_and_costs_nothing(client_a, yoga, teacher, olivia, olivia_credit):
    response = book(
        client_a, customer=olivia, service=yoga, staff=teacher, starts_at=next_slot(days=3), credit=olivia_credit.pk
    )
    assert response.status_code == 201, response.content
    assert response.json()["price"] == "0.00"
    assert response.json()["credit"] == olivia_credit.pk
    assert fresh(olivia_credit).remaining == 1
    (stored,) = bookings_of(olivia.tenant)
    assert stored.price == Decimal("0.00")
    assert stored.credit_id == olivia_credit.pk


@pytest.mark.django_db
def test_booking_with_an_empty_credit_is_refused_and_writes_nothing(client_a, yoga, teacher, olivia, olivia_credit):
    with unscoped_all_tenants("test setup"):
        ClientCredit._base_manager.filter(pk=olivia_credit.pk).update(remaining=0)
    bookings_before = booking_count(olivia.tenant)
    events_before = len(events_of(olivia.tenant))

    response = book(
        client_a, customer=olivia, service=yoga, staff=teacher, starts_at=next_slot(days=3), credit=olivia_credit.pk
    )
    assert response.status_code == 400, response.content
    assert "credit" in response.json()
    assert booking_count(olivia.tenant) == bookings_before
    assert len(events_of(olivia.tenant)) == events_before
    assert fresh(olivia_credit).remaining == 0


@pytest.mark.django_db
def test_the_last_credit_can_be_used_once_only(client_a, yoga, teacher, olivia, olivia_credit):
    starts = next_slot(days=3, hour=9)
    for offset, expected in ((0, 201), (2, 201), (4, 400)):
        response = book(
            client_a,
            customer=olivia,
            service=yoga,
            staff=teacher,
            starts_at=starts + timedelta(hours=offset),
            credit=olivia_credit.pk,
        )
        assert response.status_code == expected, response.content
    assert fresh(olivia_credit).remaining == 0
    assert booking_count(olivia.tenant) == 2


@pytest.mark.django_db
def test_a_credit_is_not_spent_on_a_class_that_is_full(client_a, tenant_a, yoga, teacher, olivia, olivia_credit):
    starts = next_slot(days=3, hour=9)
    for _ in range(yoga.capacity):
        other = ClientFactory(tenant=tenant_a)
        assert book(client_a, customer=other, service=yoga, staff=teacher, starts_at=starts).status_code == 201
    assert booking_count(tenant_a) == 3
    response = book(client_a, customer=olivia, service=yoga, staff=teacher, starts_at=starts, credit=olivia_credit.pk)
    assert response.status_code == 400, response.content
    assert "full" in response.json()["starts_at"][0]
    assert fresh(olivia_credit).remaining == 2
    assert booking_count(tenant_a) == 3


@pytest.mark.django_db
def test_cancelling_a_credit_booking_gives_the_credit_back(client_a, yoga, teacher, olivia, olivia_credit):
    booking = book(
        client_a, customer=olivia, service=yoga, staff=teacher, starts_at=next_slot(days=3), credit=olivia_credit.pk
    ).json()
    assert fresh(olivia_credit).remaining == 1

    assert client_a.post(action_url(booking["id"], "cancel")).status_code == 200
    assert fresh(olivia_credit).remaining == 2

    # A second cancel is refused and does not hand out another credit.
    assert client_a.post(action_url(booking["id"], "cancel")).status_code == 400
    assert fresh(olivia_credit).remaining == 2


@pytest.mark.django_db
def test_a_credit_of_another_client_is_refused(client_a, yoga, teacher, noah, olivia_credit):
    response = book(
        client_a, customer=noah, service=yoga, staff=teacher, starts_at=next_slot(days=3), credit=olivia_credit.pk
    )
    assert response.status_code == 400, response.content
    assert "another client" in response.json()["credit"][0]
    assert fresh(olivia_credit).remaining == 2
    assert booking_count(noah.tenant) == 0


@pytest.mark.django_db
def test_a_credit_for_another_service_is_refused(client_a, tenant_a, olivia, olivia_credit):
    spin = ServiceFactory(tenant=tenant_a, name="Spin class", duration_minutes=45, capacity=10)
    instructor = StaffFactory(tenant=tenant_a, name="Marcus Webb")
    instructor.services.add(spin)
    response = book(
        client_a, customer=olivia, service=spin, staff=instructor, starts_at=next_slot(days=3), credit=olivia_credit.pk
    )
    assert response.status_code == 400, response.content
    assert "another service" in response.json()["credit"][0]
    assert fresh(olivia_credit).remaining == 2
    assert booking_count(tenant_a) == 0


# Status transitions -------------------------------------------------------------


@pytest.mark.django_db
def test_a_pending_booking_can_be_confirmed_once(client_a, tenant_a, cut, aisha, olivia):
    booking = BookingFactory(tenant=tenant_a, client=olivia, service=cut, staff=aisha, status=Booking.Status.PENDING)
    response = client_a.post(action_url(booking.pk, "confirm"))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed"
    assert fresh(booking).status == Booking.Status.CONFIRMED

    response = client_a.post(action_url(booking.pk, "confirm"))
    assert response.status_code == 400, response.content
    assert "status" in response.json()


@pytest.mark.django_db
def test_a_cancelled_booking_cannot_be_completed(client_a, tenant_a, cut, aisha, olivia):
    booking = book(client_a, customer=olivia, service=cut, staff=aisha, starts_at=next_slot(days=2)).json()
    assert client_a.post(action_url(booking["id"], "cancel")).status_code == 200

    for action in ("complete", "no-show", "confirm"):
        response = client_a.post(action_url(booking["id"], action))
        assert response.status_code == 400, (action, response.content)
        assert "status" in response.json()
    assert bookings_of(tenant_a)[0].status == Booking.Status.CANCELLED


@pytest.mark.django_db
def test_a_confirmed_booking_can_be_completed(client_a, cut, aisha, olivia):
    booking = book(client_a, customer=olivia, service=cut, staff=aisha, starts_at=next_slot(days=2)).json()
    response = client_a.post(action_url(booking["id"], "complete"))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    # A completed booking is history: it cannot be cancelled any more.
    assert client_a.post(action_url(booking["id"], "cancel")).status_code == 400


# Roles --------------------------------------------------------------------------


SERVICE_BODY = {"name": "Gloss treatment", "duration_minutes": 30, "price": "20.00"}


@pytest.mark.django_db
def test_staff_role_cannot_create_a_service_but_can_read_them(tenant_a, cut):
    staff_user = UserFactory(tenant=tenant_a, role="staff")
    client = api_client_for(staff_user)
    response = client.post(SERVICES, SERVICE_BODY, format="json")
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "permission_denied"
    with unscoped_all_tenants("test count"):
        assert not Service._base_manager.filter(tenant=tenant_a, name="Gloss treatment").exists()

    listing = client.get(SERVICES)
    assert listing.status_code == 200
    assert [s["id"] for s in listing.json()["results"]] == [cut.pk]


@pytest.mark.django_db
def test_manager_role_can_create_a_service(tenant_a):
    manager = UserFactory(tenant=tenant_a, role="manager")
    response = api_client_for(manager).post(SERVICES, SERVICE_BODY, format="json")
    assert response.status_code == 201, response.content
    with unscoped_all_tenants("test read"):
        created = Service._base_manager.get(pk=response.json()["id"])
    assert created.tenant_id == tenant_a.pk
    assert created.capacity == 1


@pytest.mark.django_db
def test_deleting_a_service_with_bookings_is_a_409_not_a_500(client_a, tenant_a, cut, aisha, olivia):
    booking = book(client_a, customer=olivia, service=cut, staff=aisha, starts_at=next_slot(days=2)).json()
    response = client_a.delete(f"{SERVICES}{cut.pk}/")
    assert response.status_code == 409, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "in_use"
    with unscoped_all_tenants("test read"):
        assert Service._base_manager.filter(pk=cut.pk).exists()
    assert [b.pk for b in bookings_of(tenant_a)] == [booking["id"]]

    # A service nobody booked can be deleted.
    unused = ServiceFactory(tenant=tenant_a, name="Unused")
    assert client_a.delete(f"{SERVICES}{unused.pk}/").status_code == 204


@pytest.mark.skipif(not ON_POSTGRESQL, reason="two connections writing at once need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_package_committed_while_its_service_is_deleted_makes_the_delete_a_409(client_a, tenant_a, cut):
    """Django checks a child's foreign key at COMMIT, after the view has answered. A class
    package that another request commits after the delete has gathered the service's
    packages fails the delete there: the client is told of the conflict, and the service
    and the package both stay."""
    added_meanwhile: list[int] = []

    def another_request_adds_a_package(sender, instance, **kwargs) -> None:
        added_meanwhile.append(in_another_connection(tenant_a, lambda: ClassPackageFactory(service=cut).pk))

    with receiving(pre_delete, another_request_adds_a_package, sender=Service):
        response = client_a.delete(f"{SERVICES}{cut.pk}/")

    assert response.status_code == 409, response.content
    assert response.json() == {
        "detail": "The change conflicts with existing data; reload and try again.",
        "code": "conflict",
    }
    with unscoped_all_tenants("test read"):
        assert Service._base_manager.filter(pk=cut.pk).exists()
        assert list(ClassPackage._base_manager.filter(service=cut).values_list("pk", flat=True)) == added_meanwhile


# The public booking page --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("by_host", [False, True], ids=["header", "host"])
def test_public_services_lists_only_the_tenants_active_services(tenant_a, tenant_b, cut, by_host):
    ServiceFactory(tenant=tenant_a, name="Retired perm", is_active=False)
    ServiceFactory(tenant=tenant_b, name="Other business's cut")
    response = public_client(tenant_a, by_host=by_host).get(PUBLIC_SERVICES)
    assert response.status_code == 200, response.content
    assert [s["name"] for s in response.json()["results"]] == ["Cut and finish"]


@pytest.mark.django_db
def test_public_slots_omit_a_time_already_booked(tenant_a, cut, aisha, olivia):
    starts = next_slot(days=2, hour=10)
    BookingFactory(tenant=tenant_a, client=olivia, service=cut, staff=aisha, starts_at=starts)
    response = public_client(tenant_a).get(PUBLIC_SLOTS, {"service": ref(cut), "date": starts.date().isoformat()})
    assert response.status_code == 200, response.content
    free = slot_starts(response)
    assert starts not in free
    assert starts - timedelta(minutes=30) not in free  # 09:30-10:15 would overlap too
    assert starts + timedelta(minutes=45) in free  # right after it ends
    assert starts - timedelta(minutes=45) in free  # ends as it starts
    assert {slot["staff"] for slot in response.json()} == {ref(aisha)}


@pytest.mark.django_db
def test_public_slots_offer_a_cancelled_time_again(tenant_a, cut, aisha, olivia):
    starts = next_slot(days=2, hour=10)
    BookingFactory(
        tenant=tenant_a, client=olivia, service=cut, staff=aisha, starts_at=starts, status=Booking.Status.CANCELLED
    )
    response = public_client(tenant_a).get(PUBLIC_SLOTS, {"service": ref(cut), "date": starts.date().isoformat()})
    assert starts in slot_starts(response)


@pytest.mark.django_db
@pytest.mark.parametrize("by_host", [False, True], ids=["header", "host"])
def test_public_booking_of_a_free_slot_is_a_pending_online_request(tenant_a, tenant_b, cut, aisha, by_host):
    starts = next_slot(days=2, hour=14)
    # The same person is a client of another business: that row is not theirs to reuse.
    elsewhere = ClientFactory(tenant=tenant_b, email="robin.walker@example.com")
    events_before = len(events_of(tenant_a))
    response = public_client(tenant_a, by_host=by_host).post(
        PUBLIC_BOOKINGS, public_request_body(cut, starts), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"

    (booking,) = bookings_of(tenant_a)
    assert response.json()["ref"] == ref(booking)
    assert booking.status == Booking.Status.PENDING
    assert booking.source == Booking.Source.ONLINE
    assert booking.starts_at == starts
    assert booking.ends_at == starts + timedelta(minutes=45)
    assert booking.staff_id == aisha.pk
    with unscoped_all_tenants("test read"):
        client = Client._base_manager.get(pk=booking.client_id)
        assert list(Client._base_manager.filter(tenant=tenant_b)) == [elsewhere]
    assert client.pk != elsewhere.pk
    assert client.tenant_id == tenant_a.pk
    assert client.email == "robin.walker@example.com"

    events = events_of(tenant_a)
    assert len(events) == events_before + 1
    assert events[-1].kind == BusinessEvent.Kind.BOOKING_REQUESTED
    assert events[-1].object_id == str(booking.pk)
    assert events_of(tenant_b) == []
    assert bookings_of(tenant_b) == []


@pytest.mark.django_db
def test_public_booking_goes_to_whoever_is_free(tenant_a, cut, aisha, tom, olivia):
    starts = next_slot(days=2, hour=10)
    BookingFactory(tenant=tenant_a, client=olivia, service=cut, staff=aisha, starts_at=starts)
    response = public_client(tenant_a).post(PUBLIC_BOOKINGS, public_request_body(cut, starts), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["staff_name"] == "Tom Reilly"
    # Now both are busy at that time.
    again = public_client(tenant_a).post(
        PUBLIC_BOOKINGS, public_request_body(cut, starts, email="second@example.com"), format="json"
    )
    assert again.status_code == 400, again.content
    assert list(again.json()) == ["starts_at"]
    assert booking_count(tenant_a) == 2


@pytest.mark.django_db
def test_public_booking_for_an_inactive_business_is_refused(tenant_a, cut, aisha):
    tenant_a.is_active = False
    tenant_a.save()
    response = public_client(tenant_a).post(
        PUBLIC_BOOKINGS, public_request_body(cut, next_slot(days=2, hour=10)), format="json"
    )
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "tenant_inactive"
    assert booking_count(tenant_a) == 0


@pytest.mark.django_db
def test_public_booking_without_the_optional_staff_field(tenant_a, cut, aisha):
    body = public_request_body(cut, next_slot(days=2, hour=14))
    del body["staff"]
    client = public_client(tenant_a)
    client.raise_request_exception = False
    response = client.post(PUBLIC_BOOKINGS, body, format="json")
    assert response.status_code == 201, response.content
    assert bookings_of(tenant_a)[0].staff_id == aisha.pk


@pytest.mark.django_db
def test_public_booking_for_a_chosen_staff_member(tenant_a, cut, aisha, tom):
    starts = next_slot(days=2, hour=14)
    body = public_request_body(cut, starts, staff=ref(tom))
    response = public_client(tenant_a).post(PUBLIC_BOOKINGS, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["staff_name"] == "Tom Reilly"
    # Tom is now taken at that time; asking for him again is refused although Aisha is free.
    response = public_client(tenant_a).post(PUBLIC_BOOKINGS, {**body, "email": "x@example.com"}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["starts_at"]
    assert [b.staff_id for b in bookings_of(tenant_a)] == [tom.pk]


@pytest.mark.django_db
def test_public_booking_reuses_the_client_with_that_email(tenant_a, cut, aisha):
    known = ClientFactory(tenant=tenant_a, name="Robin Walker", email="robin.walker@example.com")
    response = public_client(tenant_a).post(
        PUBLIC_BOOKINGS, public_request_body(cut, next_slot(days=2, hour=14)), format="json"
    )
    assert response.status_code == 201, response.content
    assert bookings_of(tenant_a)[0].client_id == known.pk
    with unscoped_all_tenants("test count"):
        assert Client._base_manager.filter(tenant=tenant_a).count() == 1


@pytest.mark.django_db
def test_public_booking_of_a_taken_slot_is_refused(tenant_a, cut, aisha, olivia):
    starts = next_slot(days=2, hour=10)
    BookingFactory(tenant=tenant_a, client=olivia, service=cut, staff=aisha, starts_at=starts)
    for moment in (starts, starts + timedelta(minutes=15)):
        response = public_client(tenant_a).post(PUBLIC_BOOKINGS, public_request_body(cut, moment), format="json")
        assert response.status_code == 400, response.content
        assert "starts_at" in response.json()
    assert booking_count(tenant_a) == 1
    with unscoped_all_tenants("test count"):
        assert Client._base_manager.filter(tenant=tenant_a).count() == 1


@pytest.mark.django_db
def test_public_booking_in_the_past_is_refused(tenant_a, cut, aisha):
    past = next_slot(days=-1, hour=10)
    response = public_client(tenant_a).post(PUBLIC_BOOKINGS, public_request_body(cut, past), format="json")
    assert response.status_code == 400, response.content
    assert response.json()["starts_at"] == ["Choose a time in the future."]
    assert booking_count(tenant_a) == 0


@pytest.mark.django_db
def test_public_booking_outside_opening_hours_or_off_the_grid_is_refused(tenant_a, cut, aisha):
    for moment in (next_slot(days=2, hour=7), next_slot(days=2, hour=16) + timedelta(minutes=30)):
        response = public_client(tenant_a).post(PUBLIC_BOOKINGS, public_request_body(cut, moment), format="json")
        assert response.status_code == 400, (moment, response.content)
        assert list(response.json()) == ["starts_at"], (moment, response.content)
    off_grid = next_slot(days=2, hour=10) + timedelta(minutes=7)
    response = public_client(tenant_a).post(PUBLIC_BOOKINGS, public_request_body(cut, off_grid), format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["starts_at"], response.content
    assert booking_count(tenant_a) == 0


@pytest.mark.django_db
def test_public_booking_of_another_tenants_service_looks_like_a_missing_one(tenant_a, tenant_b, cut, aisha):
    foreign = ServiceFactory(tenant=tenant_b, name="Tenant B cut")
    StaffFactory(tenant=tenant_b).services.add(foreign)
    with unscoped_all_tenants("test missing pk"):
        missing = max(Service._base_manager.values_list("pk", flat=True)) + 1000
    missing_ref = ref(Service(pk=missing, tenant=tenant_a))  # a well-formed reference of no row
    starts = next_slot(days=2, hour=10)
    client = public_client(tenant_a)

    foreign_response = client.post(PUBLIC_BOOKINGS, public_request_body(foreign, starts), format="json")
    missing_body = {**public_request_body(foreign, starts), "service": missing_ref}
    missing_response = client.post(PUBLIC_BOOKINGS, missing_body, format="json")

    assert foreign_response.status_code == missing_response.status_code == 400
    assert foreign_response.content == missing_response.content
    assert missing_response.json() == {"service": ["No such service."]}
    assert bookings_of(tenant_a) == bookings_of(tenant_b) == []

    # The slots endpoint answers the same way.
    day = starts.date().isoformat()
    slots = client.get(PUBLIC_SLOTS, {"service": ref(foreign), "date": day})
    missing_slots = client.get(PUBLIC_SLOTS, {"service": missing_ref, "date": day})
    assert slots.status_code == missing_slots.status_code == 400
    assert slots.content == missing_slots.content == missing_response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url"),
    [("get", PUBLIC_SERVICES), ("get", PUBLIC_SLOTS), ("post", PUBLIC_BOOKINGS)],
)
def test_public_pages_need_a_tenant_named(settings, tenant_a, cut, aisha, method, url):
    settings.TENANT_FALLBACK_SLUG = ""
    anonymous = api_client_for()
    if method == "post":
        response = anonymous.post(url, public_request_body(cut, next_slot(days=2, hour=10)), format="json")
    else:
        response = anonymous.get(url, {"service": ref(cut), "date": next_slot(days=2).date().isoformat()})
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "tenant_required"
    assert booking_count(tenant_a) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, {"HTTP_X_TENANT_SLUG": "tenant-a"}], ids=["no-tenant", "tenant-header"])
def test_anonymous_cannot_list_bookings(tenant_a, cut, aisha, olivia, headers):
    BookingFactory(tenant=tenant_a, client=olivia, service=cut, staff=aisha)
    response = api_client_for(**headers).get(BOOKINGS)
    assert response.status_code == 401, response.content
    assert "results" not in response.json()


# Dashboard ----------------------------------------------------------------------


def _today_at(hour: int) -> datetime:
    return timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.mark.django_db
def test_dashboard_counts_only_the_requesting_tenant(client_a, tenant_a, tenant_b):
    def world(tenant, today_count: int, upcoming_count: int):
        service = ServiceFactory(tenant=tenant)
        staff = StaffFactory(tenant=tenant)
        customer = ClientFactory(tenant=tenant)
        made = {"today": [], "upcoming": []}
        for i in range(today_count):
            made["today"].append(
                BookingFactory(
                    tenant=tenant, client=customer, service=service, staff=staff, starts_at=_today_at(1 + 2 * i)
                )
            )
        # Cancelled bookings today do not count.
        BookingFactory(
            tenant=tenant,
            client=customer,
            service=service,
            staff=staff,
            starts_at=_today_at(1),
            status=Booking.Status.CANCELLED,
        )
        for i in range(upcoming_count):
            made["upcoming"].append(
                BookingFactory(
                    tenant=tenant,
                    client=customer,
                    service=service,
                    staff=staff,
                    starts_at=next_slot(days=2 + i, hour=10),
                    status=Booking.Status.PENDING if i == 0 else Booking.Status.CONFIRMED,
                )
            )
        return made

    mine = world(tenant_a, today_count=2, upcoming_count=3)
    theirs = world(tenant_b, today_count=4, upcoming_count=5)

    response = client_a.get(DASHBOARD)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["bookings_today"] == 2
    assert body["pending_requests"] == 1
    upcoming_ids = [b["id"] for b in body["upcoming"]]
    assert set(upcoming_ids) >= {b.pk for b in mine["upcoming"]}
    assert not set(upcoming_ids) & {b.pk for b in theirs["upcoming"] + theirs["today"]}
    own_ids = {b.pk for b in bookings_of(tenant_a)}
    assert set(upcoming_ids) <= own_ids

    # And tenant B sees its own figures, not A's.
    body_b = api_client_for(UserFactory(tenant=tenant_b, role="manager")).get(DASHBOARD).json()
    assert body_b["bookings_today"] == 4
    assert {b["id"] for b in body_b["upcoming"]} >= {b.pk for b in theirs["upcoming"]}
    assert not {b["id"] for b in body_b["upcoming"]} & own_ids


# The business's calendar ------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "found"), [("2026-05-31", True), ("2026-06-01", False), ("2999-12-31", False), ("1900-01-01", False)]
)
def test_the_date_filter_is_a_day_in_the_businesss_own_time_zone(tenant_a, client_a, cut, aisha, day, found):
    TenantSettings.objects.filter(pk=tenant_a.pk).update(timezone="America/New_York")
    # 03:00 UTC on 1 June is 23:00 on 31 May in New York (and already 1 June in London).
    booking = BookingFactory(
        tenant=tenant_a, service=cut, staff=aisha, starts_at=datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
    )
    response = client_a.get(BOOKINGS, {"date": day})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == ([booking.pk] if found else [])
