"""The payment rules through the real HTTP API with real JWTs.

The state machine, idempotency keys (per tenant), amounts taken from what is paid for,
bounded refunds, roles, and the cross-tenant chains the isolation matrix cannot see.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from bookings.factories import BookingFactory, ClassPackageFactory, ClientFactory, ServiceFactory
from bookings.models import Booking, ClientCredit
from core.models import BusinessEvent
from core.tenancy import TenantQuerySet, unscoped_all_tenants
from payments.factories import CustomerFactory, PaymentSessionFactory
from payments.models import Customer, PaymentSession, PaymentTransaction
from tests.isolation import snapshot
from tests.plugin import fresh

SESSIONS = "/api/payments/sessions/"
CUSTOMERS = "/api/payments/customers/"
TRANSACTIONS = "/api/payments/transactions/"


# Helpers ------------------------------------------------------------------------


@pytest.fixture
def shop(tenant_a):
    """Tenant A: a client with a pending £42.50 booking, their paying customer, a class pass."""
    client = ClientFactory(tenant=tenant_a, name="Ann Client")
    service = ServiceFactory(tenant=tenant_a, name="Colour", price=Decimal("42.50"))
    return {
        "client": client,
        "customer": CustomerFactory(tenant=tenant_a, client=client, name="Ann Payer", email="ann@example.com"),
        "booking": BookingFactory(tenant=tenant_a, client=client, service=service, status=Booking.Status.PENDING),
        "package": ClassPackageFactory(
            service=ServiceFactory(tenant=tenant_a, name="Yoga", capacity=12), credits=10, price=Decimal("96.00")
        ),
    }


def open_booking_payment(api, *, customer, booking, key: str = "key-1", **extra):
    body = {"customer": customer.pk, "purpose": "booking", "booking": booking.pk, "idempotency_key": key, **extra}
    return api.post(SESSIONS, body, format="json")


def open_package_payment(api, *, customer, package, key: str = "key-pack", **extra):
    body = {
        "customer": customer.pk,
        "purpose": "class_package",
        "class_package": package.pk,
        "idempotency_key": key,
        **extra,
    }
    return api.post(SESSIONS, body, format="json")


def act(api, session_id: int, action: str, body: dict | None = None):
    return api.post(f"{SESSIONS}{session_id}/{action}/", body or {}, format="json")


def sessions_of(tenant) -> list[PaymentSession]:
    with unscoped_all_tenants("test read"):
        return list(PaymentSession._base_manager.filter(tenant=tenant).order_by("pk"))


def transactions_of(session_id: int) -> list[PaymentTransaction]:
    with unscoped_all_tenants("test read"):
        return list(PaymentTransaction._base_manager.filter(session_id=session_id).order_by("pk"))


def events_of(tenant, kind: str) -> list[BusinessEvent]:
    with unscoped_all_tenants("test read"):
        return list(BusinessEvent._base_manager.filter(tenant=tenant, kind=kind).order_by("pk"))


def paid_session(api, shop, key: str = "key-paid") -> int:
    """A completed £42.50 booking payment, through the API."""
    session_id = open_booking_payment(api, customer=shop["customer"], booking=shop["booking"], key=key).json()["id"]
    assert act(api, session_id, "start").status_code == 200
    assert act(api, session_id, "complete").status_code == 200
    return session_id


# The state machine ----------------------------------------------------------------


def test_a_booking_payment_goes_created_pending_completed_with_a_charge(client_a, shop, tenant_a):
    created = open_booking_payment(client_a, customer=shop["customer"], booking=shop["booking"])
    assert created.status_code == 201, created.content
    session = created.json()
    assert (session["status"], session["amount"], session["currency"]) == ("created", "42.50", "GBP")
    assert transactions_of(session["id"]) == []

    started = act(client_a, session["id"], "start", {"provider_ref": "cs_test_123"})
    assert started.status_code == 200, started.content
    assert (started.json()["status"], started.json()["provider_ref"]) == ("pending", "cs_test_123")

    completed = act(client_a, session["id"], "complete", {"provider_ref": "ch_test_456"})
    assert completed.status_code == 200, completed.content
    assert completed.json()["status"] == "completed"
    assert completed.json()["completed_at"] is not None
    [charge] = transactions_of(session["id"])
    assert (charge.kind, charge.status, charge.amount, charge.provider_ref) == (
        "charge",
        "succeeded",
        Decimal("42.50"),
        "ch_test_456",
    )
    [event] = events_of(tenant_a, BusinessEvent.Kind.PAYMENT_COMPLETED)
    assert event.object_id == str(session["id"])
    assert "42.50" in event.summary


def test_completing_a_booking_payment_confirms_the_pending_booking(client_a, shop):
    paid_session(client_a, shop)

    assert fresh(shop["booking"]).status == Booking.Status.CONFIRMED


def test_completing_a_package_purchase_grants_the_clients_credits(client_a, shop):
    session_id = open_package_payment(client_a, customer=shop["customer"], package=shop["package"]).json()["id"]
    act(client_a, session_id, "start")
    with unscoped_all_tenants("test read"):
        assert not ClientCredit._base_manager.filter(client=shop["client"]).exists()

    response = act(client_a, session_id, "complete")

    assert response.status_code == 200, response.content
    with unscoped_all_tenants("test read"):
        [credit] = ClientCredit._base_manager.filter(client=shop["client"])
    assert (credit.package_id, credit.total, credit.remaining) == (shop["package"].pk, 10, 10)


def test_a_package_bought_by_a_customer_without_a_client_grants_nothing(client_a, shop, tenant_a):
    walk_in = CustomerFactory(tenant=tenant_a, client=None, name="Gift buyer")
    session_id = open_package_payment(client_a, customer=walk_in, package=shop["package"]).json()["id"]
    act(client_a, session_id, "start")

    response = act(client_a, session_id, "complete")

    assert response.status_code == 200, response.content
    with unscoped_all_tenants("test read"):
        assert not ClientCredit._base_manager.exists()


def test_a_failed_payment_records_a_failed_charge_and_the_reason(client_a, shop, tenant_a):
    session_id = open_booking_payment(client_a, customer=shop["customer"], booking=shop["booking"]).json()["id"]
    act(client_a, session_id, "start")

    response = act(client_a, session_id, "fail", {"reason": "Insufficient funds."})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "failed"
    [charge] = transactions_of(session_id)
    assert (charge.kind, charge.status, charge.failure_reason) == ("charge", "failed", "Insufficient funds.")
    assert len(events_of(tenant_a, BusinessEvent.Kind.PAYMENT_FAILED)) == 1
    assert fresh(shop["booking"]).status == Booking.Status.PENDING


@pytest.mark.parametrize("started", [False, True], ids=["from-created", "from-pending"])
def test_an_open_payment_can_be_cancelled(client_a, shop, started):
    session_id = open_booking_payment(client_a, customer=shop["customer"], booking=shop["booking"]).json()["id"]
    if started:
        act(client_a, session_id, "start")

    response = act(client_a, session_id, "cancel")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert transactions_of(session_id) == []


@pytest.mark.parametrize(
    "path,action",
    [
        ([], "complete"),  # created → completed skips the provider
        ([], "fail"),
        ([], "refund"),
        (["start"], "start"),
        (["start"], "refund"),
        (["start", "complete"], "complete"),  # a second completion
        (["start", "complete"], "fail"),
        (["start", "complete"], "cancel"),
        (["start", "complete"], "start"),
        (["start", "fail"], "complete"),
        (["start", "fail"], "cancel"),
        (["cancel"], "start"),
        (["cancel"], "complete"),
        (["start", "complete", "refund"], "refund"),  # nothing left to refund
        (["start", "complete", "refund"], "cancel"),
    ],
)
def test_invalid_transitions_are_refused_and_change_nothing(client_a, shop, path, action):
    session_id = open_booking_payment(client_a, customer=shop["customer"], booking=shop["booking"]).json()["id"]
    for step in path:
        assert act(client_a, session_id, step).status_code == 200, step
    before_status = sessions_of(shop["customer"].tenant)[0].status
    before_moves = len(transactions_of(session_id))

    response = act(client_a, session_id, action)

    assert response.status_code == 400, response.content
    assert "status" in response.json()
    assert sessions_of(shop["customer"].tenant)[0].status == before_status
    assert len(transactions_of(session_id)) == before_moves


def test_a_second_completion_neither_charges_nor_grants_twice(client_a, shop):
    session_id = open_package_payment(client_a, customer=shop["customer"], package=shop["package"]).json()["id"]
    act(client_a, session_id, "start")
    assert act(client_a, session_id, "complete").status_code == 200

    assert act(client_a, session_id, "complete").status_code == 400

    assert len(transactions_of(session_id)) == 1
    with unscoped_all_tenants("test read"):
        assert ClientCredit._base_manager.filter(client=shop["client"]).count() == 1


@pytest.mark.parametrize("action", ["start", "complete", "fail", "cancel", "refund"])
def test_every_transition_locks_the_session_row(client_a, shop, action, monkeypatch):
    """Concurrent completions are serialised by select_for_update on the session."""
    session_id = open_booking_payment(client_a, customer=shop["customer"], booking=shop["booking"]).json()["id"]
    for step in {"start": [], "cancel": [], "complete": ["start"], "fail": ["start"], "refund": ["start", "complete"]}[
        action
    ]:
        act(client_a, session_id, step)
    locked = []
    original = TenantQuerySet.select_for_update

    def spy(self, *args, **kwargs):
        locked.append(self.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(TenantQuerySet, "select_for_update", spy)

    assert act(client_a, session_id, action).status_code == 200

    assert PaymentSession in locked


# Idempotency ----------------------------------------------------------------------


def test_the_same_key_twice_returns_the_same_session(client_a, shop, tenant_a):
    first = open_booking_payment(client_a, customer=shop["customer"], booking=shop["booking"], key="checkout-7")
    again = open_booking_payment(client_a, customer=shop["customer"], booking=shop["booking"], key="checkout-7")

    assert first.status_code == 201, first.content
    assert again.status_code == 200, again.content
    assert again.json() == first.json()
    assert len(sessions_of(tenant_a)) == 1


def test_replaying_a_key_after_progress_returns_the_session_as_it_is_now(client_a, shop, tenant_a):
    session_id = paid_session(client_a, shop, key="checkout-8")

    again = open_booking_payment(client_a, customer=shop["customer"], booking=shop["booking"], key="checkout-8")

    assert again.status_code == 200, again.content
    assert (again.json()["id"], again.json()["status"]) == (session_id, "completed")
    assert len(sessions_of(tenant_a)) == 1


def test_the_same_key_for_a_different_payment_is_refused(client_a, shop, tenant_a):
    open_booking_payment(client_a, customer=shop["customer"], booking=shop["booking"], key="checkout-9")

    response = open_package_payment(client_a, customer=shop["customer"], package=shop["package"], key="checkout-9")

    assert response.status_code == 400, response.content
    assert "already used" in response.json()["idempotency_key"][0]
    assert len(sessions_of(tenant_a)) == 1


def test_the_same_key_in_two_tenants_opens_two_sessions(client_a, client_b, shop, tenant_a, tenant_b):
    customer_b = CustomerFactory(tenant=tenant_b)
    booking_b = BookingFactory(tenant=tenant_b, client=customer_b.client)

    in_a = open_booking_payment(client_a, customer=shop["customer"], booking=shop["booking"], key="shared-key")
    in_b = open_booking_payment(client_b, customer=customer_b, booking=booking_b, key="shared-key")

    assert (in_a.status_code, in_b.status_code) == (201, 201), (in_a.content, in_b.content)
    assert in_a.json()["id"] != in_b.json()["id"]
    assert [s.idempotency_key for s in sessions_of(tenant_a)] == ["shared-key"]
    assert [s.idempotency_key for s in sessions_of(tenant_b)] == ["shared-key"]


def test_an_idempotency_key_is_required(client_a, shop, tenant_a):
    response = open_booking_payment(client_a, customer=shop["customer"], booking=shop["booking"], key="")

    assert response.status_code == 400
    assert "idempotency_key" in response.json()
    assert sessions_of(tenant_a) == []


# Amounts and what is paid for -----------------------------------------------------


def test_the_amount_comes_from_the_booking_not_the_request(client_a, shop, tenant_a):
    response = open_booking_payment(
        client_a, customer=shop["customer"], booking=shop["booking"], amount="0.01", currency="USD"
    )

    assert response.status_code == 201, response.content
    assert (response.json()["amount"], response.json()["currency"]) == ("42.50", "GBP")
    [session] = sessions_of(tenant_a)
    assert session.amount == Decimal("42.50")


def test_the_amount_of_a_package_is_its_price(client_a, shop):
    response = open_package_payment(client_a, customer=shop["customer"], package=shop["package"], amount="1.00")

    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "96.00"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"purpose": "booking"}, "booking"),
        ({"purpose": "booking", "with_booking": True, "with_package": True}, "class_package"),
        ({"purpose": "class_package"}, "class_package"),
        ({"purpose": "class_package", "with_booking": True, "with_package": True}, "booking"),
        ({"purpose": "class_package", "with_booking": True}, "class_package"),
        ({"purpose": "voucher", "with_booking": True}, "purpose"),
    ],
)
def test_exactly_the_row_matching_the_purpose_is_required(client_a, shop, tenant_a, body, field):
    request = {"customer": shop["customer"].pk, "purpose": body["purpose"], "idempotency_key": "k"}
    if body.get("with_booking"):
        request["booking"] = shop["booking"].pk
    if body.get("with_package"):
        request["class_package"] = shop["package"].pk

    response = client_a.post(SESSIONS, request, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert sessions_of(tenant_a) == []


@pytest.mark.parametrize("status", [Booking.Status.CANCELLED, Booking.Status.NO_SHOW])
def test_a_cancelled_or_missed_booking_cannot_be_paid_for(client_a, shop, tenant_a, status):
    with unscoped_all_tenants("test setup"):
        Booking._base_manager.filter(pk=shop["booking"].pk).update(status=status)

    response = open_booking_payment(client_a, customer=shop["customer"], booking=shop["booking"])

    assert response.status_code == 400
    assert "booking" in response.json()
    assert sessions_of(tenant_a) == []


def test_a_free_booking_has_nothing_to_pay(client_a, shop, tenant_a):
    free = BookingFactory(tenant=tenant_a, client=shop["client"], price=Decimal("0.00"))

    response = open_booking_payment(client_a, customer=shop["customer"], booking=free)

    assert response.status_code == 400
    assert "booking" in response.json()
    assert sessions_of(tenant_a) == []


def test_a_booking_is_paid_once_but_can_be_retried_after_a_failure(client_a, shop, tenant_a):
    first = open_booking_payment(client_a, customer=shop["customer"], booking=shop["booking"], key="try-1").json()

    second = open_booking_payment(client_a, customer=shop["customer"], booking=shop["booking"], key="try-2")
    assert second.status_code == 400
    assert "already has a payment" in second.json()["booking"][0]

    act(client_a, first["id"], "start")
    act(client_a, first["id"], "fail", {"reason": "Card expired."})
    retry = open_booking_payment(client_a, customer=shop["customer"], booking=shop["booking"], key="try-3")
    assert retry.status_code == 201, retry.content
    assert len(sessions_of(tenant_a)) == 2


def test_a_package_no_longer_sold_cannot_be_bought(client_a, shop, tenant_a):
    with unscoped_all_tenants("test setup"):
        type(shop["package"])._base_manager.filter(pk=shop["package"].pk).update(is_active=False)

    response = open_package_payment(client_a, customer=shop["customer"], package=shop["package"])

    assert response.status_code == 400
    assert "class_package" in response.json()
    assert sessions_of(tenant_a) == []


# Refunds --------------------------------------------------------------------------


def test_partial_refunds_add_up_to_a_full_refund(client_a, shop, tenant_a):
    session_id = paid_session(client_a, shop)

    partial = act(client_a, session_id, "refund", {"amount": "10.00"})
    assert partial.status_code == 200, partial.content
    assert (partial.json()["status"], partial.json()["refunded_amount"]) == ("partially_refunded", "10.00")

    rest = act(client_a, session_id, "refund", {"amount": "32.50"})
    assert rest.status_code == 200, rest.content
    assert (rest.json()["status"], rest.json()["refunded_amount"]) == ("refunded", "42.50")

    moves = [(t.kind, t.status, t.amount) for t in transactions_of(session_id)]
    assert moves == [
        ("charge", "succeeded", Decimal("42.50")),
        ("refund", "succeeded", Decimal("10.00")),
        ("refund", "succeeded", Decimal("32.50")),
    ]
    assert len(events_of(tenant_a, BusinessEvent.Kind.PAYMENT_REFUNDED)) == 2


def test_a_refund_without_an_amount_refunds_what_is_left(client_a, shop):
    session_id = paid_session(client_a, shop)
    act(client_a, session_id, "refund", {"amount": "2.50"})

    response = act(client_a, session_id, "refund")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "refunded"
    assert transactions_of(session_id)[-1].amount == Decimal("40.00")


@pytest.mark.parametrize("amounts", [["42.51"], ["40.00", "2.51"], ["0.00"], ["-5.00"]])
def test_refunds_never_exceed_the_charge(client_a, shop, amounts):
    session_id = paid_session(client_a, shop)
    *allowed, refused = amounts
    for amount in allowed:
        assert act(client_a, session_id, "refund", {"amount": amount}).status_code == 200
    before = len(transactions_of(session_id))

    response = act(client_a, session_id, "refund", {"amount": refused})

    assert response.status_code == 400, response.content
    assert "amount" in response.json()
    assert len(transactions_of(session_id)) == before
    refunded = sum(t.amount for t in transactions_of(session_id) if t.kind == "refund")
    assert refunded <= Decimal("42.50")


# Roles ----------------------------------------------------------------------------


def test_staff_may_take_payments_but_not_refund_them(staff_client_a, client_a, shop):
    session_id = open_booking_payment(staff_client_a, customer=shop["customer"], booking=shop["booking"]).json()["id"]
    assert act(staff_client_a, session_id, "start").status_code == 200
    assert act(staff_client_a, session_id, "complete").status_code == 200

    refused = act(staff_client_a, session_id, "refund")
    assert refused.status_code == 403
    assert [t.kind for t in transactions_of(session_id)] == ["charge"]

    assert act(client_a, session_id, "refund").status_code == 200  # the owner may


def test_a_manager_may_refund(shop, client_a, manager_client_a):
    session_id = paid_session(client_a, shop)

    assert act(manager_client_a, session_id, "refund", {"amount": "1.00"}).status_code == 200


def test_sessions_cannot_be_edited_or_deleted(client_a, shop):
    session_id = paid_session(client_a, shop)

    assert client_a.patch(f"{SESSIONS}{session_id}/", {"idempotency_key": "x"}, format="json").status_code == 405
    assert client_a.put(f"{SESSIONS}{session_id}/", {}, format="json").status_code == 405
    assert client_a.delete(f"{SESSIONS}{session_id}/").status_code == 405
    assert client_a.post(TRANSACTIONS, {}, format="json").status_code == 405


# Customers ------------------------------------------------------------------------


def test_a_customer_email_is_unique_in_its_tenant_only(client_a, client_b, shop, tenant_b):
    duplicate = client_a.post(CUSTOMERS, {"name": "Other Ann", "email": "ANN@example.com"}, format="json")
    assert duplicate.status_code == 400, duplicate.content
    assert "email" in duplicate.json()

    elsewhere = client_b.post(CUSTOMERS, {"name": "Ann in B", "email": "ann@example.com"}, format="json")
    assert elsewhere.status_code == 201, elsewhere.content

    blank = [client_a.post(CUSTOMERS, {"name": f"Walk-in {n}", "email": ""}, format="json") for n in range(2)]
    assert [r.status_code for r in blank] == [201, 201]


def test_a_customer_with_payments_cannot_be_deleted(client_a, shop):
    paid_session(client_a, shop)

    response = client_a.delete(f"{CUSTOMERS}{shop['customer'].pk}/")

    assert response.status_code == 409
    with unscoped_all_tenants("test read"):
        assert Customer._base_manager.filter(pk=shop["customer"].pk).exists()


# Lists, filters, search -------------------------------------------------------------


def test_sessions_filter_by_status_purpose_customer_and_date(client_a, shop, tenant_a):
    paid_id = paid_session(client_a, shop)
    pack_id = open_package_payment(client_a, customer=shop["customer"], package=shop["package"]).json()["id"]
    other = CustomerFactory(tenant=tenant_a, name="Bob Payer")
    other_session = PaymentSessionFactory(tenant=tenant_a, customer=other)

    def ids(**query) -> set[int]:
        response = client_a.get(SESSIONS, query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {paid_id, pack_id, other_session.pk}
    assert ids(status="completed") == {paid_id}
    assert ids(purpose="class_package") == {pack_id}
    assert ids(customer=other.pk) == {other_session.pk}
    assert ids(search="Bob Payer") == {other_session.pk}
    assert ids(created_after="2000-01-01T00:00:00Z", created_before="2100-01-01T00:00:00Z") == ids()
    assert ids(created_before="2000-01-01T00:00:00Z") == set()
    ordered = client_a.get(SESSIONS, {"ordering": "amount"}).json()["results"]
    assert [Decimal(row["amount"]) for row in ordered] == sorted(Decimal(row["amount"]) for row in ordered)


def test_transactions_filter_by_kind_and_session(client_a, shop):
    session_id = paid_session(client_a, shop)
    act(client_a, session_id, "refund", {"amount": "5.00"})

    refunds = client_a.get(TRANSACTIONS, {"kind": "refund", "session": session_id}).json()
    charges = client_a.get(TRANSACTIONS, {"kind": "charge", "customer": shop["customer"].pk}).json()

    assert [(row["kind"], row["amount"]) for row in refunds["results"]] == [("refund", "5.00")]
    assert [(row["kind"], row["amount"]) for row in charges["results"]] == [("charge", "42.50")]


# Across tenants -------------------------------------------------------------------


@pytest.fixture
def tenant_b_side(tenant_b):
    """Tenant B's own customer and booking, so only the foreign id makes a request wrong."""
    customer = CustomerFactory(tenant=tenant_b, name="Boris Payer")
    return {"customer": customer, "booking": BookingFactory(tenant=tenant_b, client=customer.client)}


@pytest.mark.parametrize("foreign", ["booking", "customer", "class_package"])
def test_tenant_b_cannot_open_a_payment_on_tenant_as_rows(client_b, shop, tenant_b_side, tenant_a, tenant_b, foreign):
    body = {
        "customer": tenant_b_side["customer"].pk,
        "purpose": "class_package" if foreign == "class_package" else "booking",
        "idempotency_key": "b-key",
    }
    if foreign == "class_package":
        body["class_package"] = shop["package"].pk
    else:
        body["booking"] = tenant_b_side["booking"].pk
        body[foreign] = shop[foreign].pk
    before_a, before_b = snapshot(tenant_a), snapshot(tenant_b)

    response = client_b.post(SESSIONS, body, format="json")

    assert response.status_code == 400, response.content
    assert foreign in response.json()
    assert snapshot(tenant_a) == before_a
    assert snapshot(tenant_b) == before_b


def test_tenant_b_cannot_replay_tenant_as_key_to_read_its_session(client_a, client_b, shop, tenant_b_side, tenant_b):
    """Keys are per tenant: B sending A's key opens B's own session, never returns A's."""
    in_a = open_booking_payment(client_a, customer=shop["customer"], booking=shop["booking"], key="a-secret")

    in_b = open_booking_payment(
        client_b, customer=tenant_b_side["customer"], booking=tenant_b_side["booking"], key="a-secret"
    )

    assert in_b.status_code == 201, in_b.content
    assert in_b.json()["id"] != in_a.json()["id"]
    assert in_b.json()["customer_name"] == "Boris Payer"


@pytest.mark.parametrize("action", ["start", "complete", "fail", "cancel", "refund"])
def test_tenant_b_cannot_move_tenant_as_session(client_a, client_b, shop, tenant_a, action):
    session_id = open_booking_payment(client_a, customer=shop["customer"], booking=shop["booking"]).json()["id"]
    for step in {"complete": ["start"], "fail": ["start"], "refund": ["start", "complete"]}.get(action, []):
        act(client_a, session_id, step)
    before = snapshot(tenant_a)

    response = act(client_b, session_id, action, {"amount": "1.00", "reason": "x"})

    assert response.status_code == 404, response.content
    assert snapshot(tenant_a) == before


def test_tenant_b_sees_none_of_tenant_as_payments(client_a, client_b, shop):
    paid_session(client_a, shop)

    for url in (SESSIONS, TRANSACTIONS, CUSTOMERS):
        response = client_b.get(url)
        assert response.status_code == 200
        assert response.json()["count"] == 0, url
