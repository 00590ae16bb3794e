"""A state transition is decided once.

Every action that moves a row from one state to another is raced by parallel HTTP
requests against the live server: exactly one succeeds, every other one is answered 409
``state_conflict`` naming the row's current state, the winner's side effects (business
events, credits, payment transactions, memberships) happen exactly once, and the row
ends in the winner's state. Sent again once the race is over, the action is refused
with its 400, which says the state too: the state it found never allowed it.

The first request to write holds still for a moment after its write, before its
transaction commits, so that every other request has read the row in its old state by
then: the race happens every time, not only when the scheduler happens to interleave
the requests that way.

PostgreSQL only: each request of the live server runs on its own thread and database
connection, and the race is decided by PostgreSQL's row locks. SQLite serialises
writers in its own way.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from django.utils import timezone

from accounts.factories import UserFactory
from accounts.models import User
from bookings.factories import BookingFactory, ClassPackageFactory, ClientCreditFactory, ClientFactory
from bookings.models import Booking, Client, ClientCredit
from comms.factories import ChannelFactory, ChannelMemberFactory
from comms.models import ChannelMember
from compliance.factories import ComplianceItemFactory, IncidentReportFactory, RAMSDocumentFactory
from compliance.models import ComplianceItem, IncidentReport, RAMSDocument, SignOff
from core.models import BusinessEvent, TenantSettings
from core.tenancy import unscoped_all_tenants
from crm.factories import LeadFactory
from crm.models import Lead
from payments.factories import CustomerFactory, PaymentSessionFactory, PaymentTransactionFactory
from payments.models import PaymentSession, PaymentTransaction
from staff.factories import LeaveRequestFactory, StaffProfileFactory, TimesheetEntryFactory
from staff.models import LeaveRequest, StaffProfile, TimesheetEntry
from tests.concurrency import at_once, http_session, receiving
from tests.plugin import update_rows
from tests.rls import needs_postgresql

pytestmark = [needs_postgresql, pytest.mark.django_db(transaction=True), pytest.mark.pooled]

PARALLEL = 8
# Long enough for every other request to have read the row, on a busy two-core machine.
HOLD_SECONDS = 1.0


def rows(model: type[models.Model], **filters) -> list:
    """Rows read behind the API, in every business."""
    with unscoped_all_tenants("state transition test read"):
        return list(model._base_manager.filter(**filters).order_by("pk"))


def row(model: type[models.Model], pk: int) -> models.Model:
    return rows(model, pk=pk)[0]


def events(tenant: TenantSettings, kind: str) -> int:
    return len(rows(BusinessEvent, tenant=tenant, kind=kind))


@dataclass
class Race:
    """One action on one row, sent ``PARALLEL`` times at once by ``user``."""

    user: User
    path: str
    state: Callable[[], str]  # the row's state, read behind the API
    final: str  # the state the winner leaves the row in, which every loser is told
    words: str  # how a refusal's sentence names that state
    written: type[models.Model]  # the model whose write the first request holds still after
    effects: Callable[[], dict[str, int]] = dict  # what the winner writes, each exactly once
    bodies: list[dict | None] = field(default_factory=lambda: [None] * PARALLEL)
    success: int = 200
    written_by: Signal = post_save
    lost: int = 409  # what a request that lost the race is answered


def hold_first_writer() -> Callable[..., None]:
    """A signal receiver: the first request to write waits, its transaction still open."""
    first = threading.Lock()

    def hold_still(**kwargs) -> None:
        if first.acquire(blocking=False):
            time.sleep(HOLD_SECONDS)

    return hold_still


def first_writer_holds_still(race: Race):
    return receiving(race.written_by, hold_first_writer(), sender=race.written)


def staff_member(tenant: TenantSettings, **fields) -> StaffProfile:
    user = UserFactory(tenant=tenant, role="staff", first_name="Sam", last_name="Hart")
    return StaffProfileFactory(tenant=tenant, user=user, **fields)


# The actions ----------------------------------------------------------------------


def leave_approve(tenant: TenantSettings, owner: User) -> Race:
    leave = LeaveRequestFactory(staff_profile=staff_member(tenant))
    return Race(
        user=owner,
        path=f"/api/staff/leave-requests/{leave.pk}/approve/",
        bodies=[{"note": f"Decision {n}"} for n in range(PARALLEL)],
        state=lambda: row(LeaveRequest, leave.pk).status,
        final="approved",
        written=LeaveRequest,
        words="approved",
        effects=lambda: {"leave.approved": events(tenant, BusinessEvent.Kind.LEAVE_APPROVED)},
    )


def leave_reject(tenant: TenantSettings, owner: User) -> Race:
    leave = LeaveRequestFactory(staff_profile=staff_member(tenant))
    return Race(
        user=owner,
        path=f"/api/staff/leave-requests/{leave.pk}/reject/",
        state=lambda: row(LeaveRequest, leave.pk).status,
        final="rejected",
        written=LeaveRequest,
        words="rejected",
        effects=lambda: {"leave.rejected": events(tenant, BusinessEvent.Kind.LEAVE_REJECTED)},
    )


def leave_cancel(tenant: TenantSettings, owner: User) -> Race:
    leave = LeaveRequestFactory(staff_profile=staff_member(tenant))
    return Race(
        user=leave.staff_profile.user,
        path=f"/api/staff/leave-requests/{leave.pk}/cancel/",
        state=lambda: row(LeaveRequest, leave.pk).status,
        final="cancelled",
        written=LeaveRequest,
        words="cancelled",
    )


def booking_cancel(tenant: TenantSettings, owner: User) -> Race:
    """A class paid with a credit: cancelling gives the credit back, once."""
    client = ClientFactory(tenant=tenant)
    package = ClassPackageFactory(service__tenant=tenant)
    credit = ClientCreditFactory(client=client, package=package, total=5, remaining=3)
    booking = BookingFactory(tenant=tenant, client=client, service=package.service, credit=credit, price=0)
    return Race(
        user=owner,
        path=f"/api/bookings/bookings/{booking.pk}/cancel/",
        state=lambda: row(Booking, booking.pk).status,
        final="cancelled",
        written=Booking,
        words="cancelled",
        effects=lambda: {
            "booking.cancelled": events(tenant, BusinessEvent.Kind.BOOKING_CANCELLED),
            "credits given back": row(ClientCredit, credit.pk).remaining - 3,
        },
    )


def booking_status(action: str, final: str, words: str, start: str = "pending"):
    def race(tenant: TenantSettings, owner: User) -> Race:
        booking = BookingFactory(tenant=tenant, status=start)
        return Race(
            user=owner,
            path=f"/api/bookings/bookings/{booking.pk}/{action}/",
            state=lambda: row(Booking, booking.pk).status,
            final=final,
            written=Booking,
            words=words,
        )

    race.__name__ = f"booking_{action.replace('-', '_')}"
    return race


def payment(tenant: TenantSettings, status: str, **fields) -> PaymentSession:
    return PaymentSessionFactory(tenant=tenant, status=status, **fields)


def payment_race(session: PaymentSession, owner: User, action: str, final: str, **race: Any) -> Race:
    """Every request moves ``session`` by ``action``; one of them gets it to ``final``."""
    return Race(
        user=owner,
        path=f"/api/payments/sessions/{session.pk}/{action}/",
        state=lambda: row(PaymentSession, session.pk).status,
        final=final,
        written=PaymentSession,
        words=final,
        **race,
    )


def payment_start(tenant: TenantSettings, owner: User) -> Race:
    session = payment(tenant, "created", provider_ref="")
    bodies = [{"provider_ref": f"cs_request_{n}"} for n in range(PARALLEL)]
    return payment_race(session, owner, "start", "pending", bodies=bodies)


def payment_complete(tenant: TenantSettings, owner: User) -> Race:
    """A class package bought: completing grants its credits, once."""
    customer = CustomerFactory(tenant=tenant)
    session = payment(tenant, "pending", customer=customer, purpose="class_package")
    return payment_race(
        session,
        owner,
        "complete",
        "completed",
        effects=lambda: {
            "payment.completed": events(tenant, BusinessEvent.Kind.PAYMENT_COMPLETED),
            "charges": len(rows(PaymentTransaction, session=session, kind="charge")),
            "credits granted": len(rows(ClientCredit, client=customer.client)),
        },
    )


def payment_fail(tenant: TenantSettings, owner: User) -> Race:
    session = payment(tenant, "pending")
    return payment_race(
        session,
        owner,
        "fail",
        "failed",
        effects=lambda: {
            "payment.failed": events(tenant, BusinessEvent.Kind.PAYMENT_FAILED),
            "failed charges": len(rows(PaymentTransaction, session=session, status="failed")),
        },
    )


def payment_cancel(tenant: TenantSettings, owner: User) -> Race:
    return payment_race(payment(tenant, "pending"), owner, "cancel", "cancelled")


def payment_refund(tenant: TenantSettings, owner: User) -> Race:
    """Everything that is left, refunded by every request: only one refund is paid."""
    session = payment(tenant, "completed", completed_at=timezone.now())
    PaymentTransactionFactory(session=session)
    return payment_race(
        session,
        owner,
        "refund",
        "refunded",
        effects=lambda: {
            "payment.refunded": events(tenant, BusinessEvent.Kind.PAYMENT_REFUNDED),
            "refunds": len(rows(PaymentTransaction, session=session, kind="refund")),
        },
    )


def rams_approve(tenant: TenantSettings, owner: User) -> Race:
    older = RAMSDocumentFactory(tenant=tenant, title="Deep clean", version="1.0", status="approved")
    draft = RAMSDocumentFactory(tenant=tenant, title="Deep clean", version="2.0")
    return Race(
        user=owner,
        path=f"/api/compliance/rams/{draft.pk}/approve/",
        state=lambda: row(RAMSDocument, draft.pk).status,
        final="approved",
        written=RAMSDocument,
        words="approved",
        effects=lambda: {"superseded": int(row(RAMSDocument, older.pk).status == "superseded")},
    )


def compliance_item_complete(tenant: TenantSettings, owner: User) -> Race:
    item = ComplianceItemFactory(tenant=tenant, due_date=timezone.localdate() - timedelta(days=3))
    return Race(
        user=owner,
        path=f"/api/compliance/items/{item.pk}/complete/",
        bodies=[{"evidence_note": f"Checked by request {n}"} for n in range(PARALLEL)],
        state=lambda: "completed" if row(ComplianceItem, item.pk).last_completed_on else "to do",
        final="completed",
        written=ComplianceItem,
        words="completed",
    )


def incident_sign_off(tenant: TenantSettings, owner: User) -> Race:
    incident = IncidentReportFactory(tenant=tenant)
    return Race(
        user=owner,
        path="/api/compliance/sign-offs/",
        bodies=[{"incident": incident.pk, "comment": f"Reviewed {n}"} for n in range(PARALLEL)],
        state=lambda: row(IncidentReport, incident.pk).status,
        final="closed",
        written=IncidentReport,
        words="closed",
        success=201,
        effects=lambda: {
            "sign-offs": len(rows(SignOff, incident=incident)),
            "incident.signed_off": events(tenant, BusinessEvent.Kind.INCIDENT_SIGNED_OFF),
        },
    )


def lead_move(tenant: TenantSettings, owner: User) -> Race:
    lead = LeadFactory(tenant=tenant)
    return Race(
        user=owner,
        path=f"/api/crm/leads/{lead.pk}/move/",
        bodies=[{"status": "contacted"}] * PARALLEL,
        state=lambda: row(Lead, lead.pk).status,
        final="contacted",
        written=Lead,
        words="contacted",
    )


def lead_convert(tenant: TenantSettings, owner: User) -> Race:
    lead = LeadFactory(tenant=tenant, status="proposal")
    return Race(
        user=owner,
        path=f"/api/crm/leads/{lead.pk}/convert/",
        state=lambda: "converted" if row(Lead, lead.pk).converted_client_id else row(Lead, lead.pk).status,
        final="converted",
        written=Lead,
        words="converted",
        effects=lambda: {
            "lead.converted": events(tenant, BusinessEvent.Kind.LEAD_CONVERTED),
            "clients": len(rows(Client, tenant=tenant, email=lead.email)),
        },
    )


def channel_join(tenant: TenantSettings, owner: User) -> Race:
    channel = ChannelFactory(tenant=tenant)
    return Race(
        user=owner,
        path=f"/api/comms/channels/{channel.pk}/join/",
        state=lambda: "member" if rows(ChannelMember, channel=channel, user=owner) else "not_member",
        final="member",
        written=ChannelMember,
        words="a member",
        effects=lambda: {"memberships": len(rows(ChannelMember, channel=channel, user=owner))},
    )


def channel_leave(tenant: TenantSettings, owner: User) -> Race:
    channel = ChannelFactory(tenant=tenant)
    ChannelMemberFactory(channel=channel, user=channel.created_by, is_admin=True)
    ChannelMemberFactory(channel=channel, user=owner)
    return Race(
        user=owner,
        path=f"/api/comms/channels/{channel.pk}/leave/",
        state=lambda: "member" if rows(ChannelMember, channel=channel, user=owner) else "not_member",
        final="not_member",
        written=ChannelMember,
        words="not a member",
        success=204,
        written_by=post_delete,
    )


def staff_profile_deactivate(tenant: TenantSettings, owner: User) -> Race:
    profile = staff_member(tenant)
    return Race(
        user=owner,
        path=f"/api/staff/profiles/{profile.pk}/deactivate/",
        state=lambda: "active" if row(StaffProfile, profile.pk).is_active else "inactive",
        final="inactive",
        written=StaffProfile,
        words="inactive",
        effects=lambda: {"accounts closed": int(not row(User, profile.user_id).is_active)},
    )


def staff_profile_reactivate(tenant: TenantSettings, owner: User) -> Race:
    profile = staff_member(tenant, is_active=False)
    update_rows(User, {"pk": profile.user_id}, is_active=False)
    return Race(
        user=owner,
        path=f"/api/staff/profiles/{profile.pk}/reactivate/",
        state=lambda: "active" if row(StaffProfile, profile.pk).is_active else "inactive",
        final="active",
        written=StaffProfile,
        words="active",
        effects=lambda: {"accounts opened": int(row(User, profile.user_id).is_active)},
    )


def timesheet_clock_in(tenant: TenantSettings, owner: User) -> Race:
    profile = staff_member(tenant)
    return Race(
        user=profile.user,
        path="/api/staff/timesheets/clock-in/",
        bodies=[{"staff_profile": profile.pk}] * PARALLEL,
        state=lambda: "clocked_in" if rows(TimesheetEntry, staff_profile=profile, clock_out=None) else "out",
        final="clocked_in",
        written=TimesheetEntry,
        words="clocked in",
        success=201,
        lost=400,  # a new entry, not a transition: the open entry found under the lock refuses it
        effects=lambda: {"entries": len(rows(TimesheetEntry, staff_profile=profile))},
    )


def timesheet_clock_out(tenant: TenantSettings, owner: User) -> Race:
    profile = staff_member(tenant)
    entry = TimesheetEntryFactory(staff_profile=profile, clock_in=timezone.now() - timedelta(hours=4), clock_out=None)
    return Race(
        user=profile.user,
        path=f"/api/staff/timesheets/{entry.pk}/clock-out/",
        bodies=[{"break_minutes": n} for n in range(PARALLEL)],
        state=lambda: "open" if row(TimesheetEntry, entry.pk).clock_out is None else "clocked_out",
        final="clocked_out",
        written=TimesheetEntry,
        words="clocked out",
    )


RACES = [
    leave_approve,
    leave_reject,
    leave_cancel,
    booking_cancel,
    booking_status("confirm", "confirmed", "confirmed"),
    booking_status("complete", "completed", "completed", start="confirmed"),
    booking_status("no-show", "no_show", "no-show", start="confirmed"),
    payment_start,
    payment_complete,
    payment_fail,
    payment_cancel,
    payment_refund,
    rams_approve,
    compliance_item_complete,
    incident_sign_off,
    lead_move,
    lead_convert,
    channel_join,
    channel_leave,
    staff_profile_deactivate,
    staff_profile_reactivate,
    timesheet_clock_in,
    timesheet_clock_out,
]


# Checks ---------------------------------------------------------------------------


def send_at_once(live_server, user: User, calls: list[tuple[str, dict | None]]) -> list[requests.Response]:
    sessions = [http_session(live_server.url, user) for _ in calls]
    return at_once([partial(s.post, path, json=body) for s, (path, body) in zip(sessions, calls, strict=True)])


def assert_told_the_state(answer: requests.Response, status: int, state: str, words: str) -> None:
    """A refused request learns the row's state now: a 409 names it, a 400 says it.

    Through a connection pool with fewer server connections than requests (PgBouncer in
    CI), a loser may wait for a connection until the winner has committed, and then
    finds the row in its final state: the action's 400, which names that state too."""
    body = answer.json()
    if settings.DATABASE_TRANSACTION_POOLING and status == 409 and answer.status_code == 400:
        status = 400
    assert answer.status_code == status, (answer.status_code, body)
    if status == 409:
        assert body["code"] == "state_conflict", body
        assert body["current_state"] == state, body
        assert words in body["detail"].lower(), body
    else:
        assert words in json.dumps(body).lower(), body


def the_winner(answers: list[requests.Response], success: int) -> tuple[int, list[requests.Response]]:
    winners = [n for n, answer in enumerate(answers) if answer.status_code == success]
    assert len(winners) == 1, sorted(answer.status_code for answer in answers)
    return winners[0], [answer for n, answer in enumerate(answers) if n != winners[0]]


@pytest.mark.parametrize("make_race", RACES, ids=[race.__name__ for race in RACES])
def test_parallel_requests_move_the_row_once(make_race, live_server, tenant_a, owner_a):
    race = make_race(tenant_a, owner_a)

    with first_writer_holds_still(race):
        answers = send_at_once(live_server, race.user, [(race.path, body) for body in race.bodies])

    winner, losers = the_winner(answers, race.success)
    for loser in losers:
        assert_told_the_state(loser, race.lost, race.final, race.words)
    assert race.state() == race.final
    effects = race.effects()
    assert effects == dict.fromkeys(effects, 1)
    if race.bodies[winner] and "provider_ref" in race.bodies[winner]:  # the winner's reference is kept
        assert row(PaymentSession, answers[winner].json()["id"]).provider_ref == race.bodies[winner]["provider_ref"]

    # Once the race is over, the state the request finds never allowed it: its 400.
    again = http_session(live_server.url, race.user).post(race.path, json=race.bodies[0])
    assert_told_the_state(again, 400, race.final, race.words)
    assert race.effects() == effects


def test_approve_and_reject_at_once_decide_a_leave_request_once(live_server, tenant_a, owner_a):
    leave = LeaveRequestFactory(staff_profile=staff_member(tenant_a))
    verbs = ["approve", "reject"] * (PARALLEL // 2)
    calls = [(f"/api/staff/leave-requests/{leave.pk}/{verb}/", None) for verb in verbs]

    with receiving(post_save, hold_first_writer(), sender=LeaveRequest):
        answers = send_at_once(live_server, owner_a, calls)

    winner, losers = the_winner(answers, 200)
    decided = {"approve": "approved", "reject": "rejected"}[verbs[winner]]
    for loser in losers:
        assert_told_the_state(loser, 409, decided, decided)
    assert row(LeaveRequest, leave.pk).status == decided
    approved = events(tenant_a, BusinessEvent.Kind.LEAVE_APPROVED)
    rejected = events(tenant_a, BusinessEvent.Kind.LEAVE_REJECTED)
    assert (approved, rejected) == ((1, 0) if decided == "approved" else (0, 1))


@pytest.mark.skipif(
    settings.DATABASE_TRANSACTION_POOLING,
    # Through a pool with fewer connections than requests, a cancel may wait for a
    # connection until the confirm has committed and then read a confirmed booking,
    # which it may rightly cancel: the race this test needs cannot be arranged there.
    reason="needs every request to read the booking before the first one commits",
)
def test_confirm_and_cancel_at_once_settle_a_booking_once(live_server, tenant_a, owner_a):
    booking = BookingFactory(tenant=tenant_a, status="pending")
    verbs = ["confirm", "cancel"] * (PARALLEL // 2)
    calls = [(f"/api/bookings/bookings/{booking.pk}/{verb}/", None) for verb in verbs]

    with receiving(post_save, hold_first_writer(), sender=Booking):
        answers = send_at_once(live_server, owner_a, calls)

    winner, losers = the_winner(answers, 200)
    settled = {"confirm": "confirmed", "cancel": "cancelled"}[verbs[winner]]
    for loser in losers:
        assert_told_the_state(loser, 409, settled, settled)
    assert row(Booking, booking.pk).status == settled
    assert events(tenant_a, BusinessEvent.Kind.BOOKING_CANCELLED) == (settled == "cancelled")
