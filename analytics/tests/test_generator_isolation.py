"""The generator reads one tenant's data and writes one tenant's rows, nothing else.

Tenant A and tenant B get very different bookings in the same weeks. B's figures and
recommendations are computed here by hand from B's rows alone; any row of A counted by
the selector would change them. Generating for B must leave every row of A as it was.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from analytics.models import Recommendation
from analytics.selectors import BusinessFigures, HourCount, TopService, WeekdayCount, business_figures
from analytics.services import recommendations_generate
from bookings.factories import BookingFactory, ClientFactory, ServiceFactory, StaffFactory
from bookings.models import Booking
from core.models import BusinessEvent
from core.tenancy import TenantScopeError, tenant_context, unscoped_all_tenants
from tests.isolation import row_count, snapshot

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = date(2025, 6, 16)  # a Monday
S = Booking.Status
K, P = Recommendation.Kind, Recommendation.Priority


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def book(tenant, client, service, staff, when: datetime, status: str) -> Booking:
    return BookingFactory(tenant=tenant, client=client, service=service, staff=staff, starts_at=when, status=status)


def build_tenant_a(tenant) -> None:
    """A busy, troubled business: no-shows, cancellations, falling revenue, lapsed clients."""
    massage = ServiceFactory(tenant=tenant, name="Massage", duration_minutes=60, price=Decimal("80.00"))
    staff = StaffFactory(tenant=tenant)
    regular = ClientFactory(tenant=tenant, name="A regular")
    for n in range(5):  # five clients last seen in February
        lapsed = ClientFactory(tenant=tenant, name=f"A lapsed {n}", marketing_consent=True)
        book(tenant, lapsed, massage, staff, at(date(2025, 2, 3 + n), 10), S.COMPLETED)
    for n in range(10):  # last week: ten paid massages
        book(tenant, regular, massage, staff, at(date(2025, 6, 2 + n % 5), 9 + n // 5), S.COMPLETED)
    for n, status in enumerate([S.NO_SHOW] * 4 + [S.CANCELLED] * 4 + [S.COMPLETED] * 4):
        book(tenant, regular, massage, staff, at(date(2025, 6, 13), 9 + n % 8), status)  # this week: a bad Friday


def build_tenant_b(tenant) -> dict:
    """A small business whose figures are worked out by hand below."""
    massage = ServiceFactory(tenant=tenant, name="Massage", duration_minutes=60, price=Decimal("50.00"))
    facial = ServiceFactory(tenant=tenant, name="Facial", duration_minutes=30, price=Decimal("30.00"))
    staff = StaffFactory(tenant=tenant)
    bea, bob = ClientFactory(tenant=tenant, name="Bea"), ClientFactory(tenant=tenant, name="Bob")
    lou = ClientFactory(tenant=tenant, name="Lou", marketing_consent=True)
    cass = ClientFactory(tenant=tenant, name="Cass", marketing_consent=True)
    ClientFactory(tenant=tenant, name="Nina")  # never booked: not "lapsed"

    book(tenant, bea, massage, staff, at(date(2025, 6, 10), 10), S.COMPLETED)  # Tue, this week
    book(tenant, bob, massage, staff, at(date(2025, 6, 10), 11), S.COMPLETED)  # Tue, this week
    book(tenant, bea, massage, staff, at(date(2025, 6, 3), 10), S.COMPLETED)  # Tue, last week
    book(tenant, bob, facial, staff, at(date(2025, 6, 3), 11), S.COMPLETED)  # Tue, last week
    book(tenant, bea, massage, staff, at(date(2025, 5, 27), 10), S.NO_SHOW)  # Tue
    book(tenant, bea, massage, staff, at(date(2025, 5, 20), 10), S.COMPLETED)  # Tue
    book(tenant, bob, facial, staff, at(date(2025, 6, 11), 14), S.CANCELLED)  # Wed, this week
    book(tenant, bob, facial, staff, at(date(2025, 6, 12), 10), S.CONFIRMED)  # Thu, this week
    book(tenant, bob, massage, staff, at(date(2025, 5, 17), 10), S.COMPLETED)  # Sat: in the 30 days, not the 4 weeks
    book(tenant, lou, facial, staff, at(date(2025, 3, 1), 10), S.COMPLETED)  # Lou's last visit: lapsed
    book(tenant, cass, facial, staff, at(date(2025, 3, 5), 10), S.CANCELLED)  # cancelled: Cass was never seen
    book(tenant, bea, massage, staff, at(date(2025, 6, 20), 10), S.CONFIRMED)  # after today: not counted
    return {"massage": massage}


def expected_figures_of_b(massage) -> BusinessFigures:
    """By hand. Period 17 May - 15 Jun: bookings 1-9 (9), one cancelled (#7), one no-show (#5),
    so 8 held. Weekdays/hours over 19 May - 15 Jun, held only: Tue x6 (#1-#6), Thu x1 (#8);
    10:00 x5, 11:00 x2. Bookable hours 9-16 (closes 17, shortest service 30 min). Revenue
    (confirmed/completed) 9-15 Jun: 50+50+30; 2-8 Jun: 50+30. Lapsed: Lou only."""
    return BusinessFigures(
        date=TODAY,
        period_start=date(2025, 5, 17),
        period_end=date(2025, 6, 15),
        bookings=9,
        cancellations=1,
        cancellation_rate=0.1111,
        no_shows=1,
        no_show_rate=0.125,
        pattern_start=date(2025, 5, 19),
        by_weekday=[
            WeekdayCount(0, "Monday", 0),
            WeekdayCount(1, "Tuesday", 6),
            WeekdayCount(2, "Wednesday", 0),
            WeekdayCount(3, "Thursday", 1),
            WeekdayCount(4, "Friday", 0),
            WeekdayCount(5, "Saturday", 0),
            WeekdayCount(6, "Sunday", 0),
        ],
        by_hour=[HourCount(hour, {10: 5, 11: 2}.get(hour, 0)) for hour in range(9, 17)],
        busiest_weekday=WeekdayCount(1, "Tuesday", 6),
        quietest_weekday=WeekdayCount(3, "Thursday", 1),
        busiest_hour=HourCount(10, 5),
        quietest_hour=HourCount(9, 0),
        lapsed_clients=1,
        lapsed_clients_with_consent=1,
        top_service=TopService(massage.pk, "Massage", 6, 0.75),
        revenue_this_week=Decimal("130.00"),
        revenue_last_week=Decimal("80.00"),
        revenue_change_pct=62.5,
    )


def expected_recommendations_of_b(massage) -> list[tuple]:
    return [
        (
            K.FILL_QUIET_SLOTS,
            P.MEDIUM,
            {
                "period_days": 28,
                "busiest_weekday": "Tuesday",
                "busiest_weekday_bookings": 6,
                "quietest_weekday": "Thursday",
                "quietest_weekday_bookings": 1,
                "busiest_hour": 10,
                "busiest_hour_bookings": 5,
                "quietest_hour": 9,
                "quietest_hour_bookings": 0,
            },
        ),
        (
            K.WIN_BACK_CLIENTS,
            P.LOW,
            {"lapsed_clients": 1, "lapsed_clients_with_consent": 1, "days_without_booking": 60},
        ),
        (
            K.PROMOTE_TOP_SERVICE,
            P.LOW,
            {"service_id": massage.pk, "service": "Massage", "bookings": 6, "share": 0.75, "period_days": 30},
        ),
    ]


def recommendations_of(tenant) -> list[Recommendation]:
    with unscoped_all_tenants("test read"):
        return list(Recommendation._base_manager.filter(tenant=tenant).order_by("pk"))


@pytest.fixture
def two_businesses(tenant_a, tenant_b):
    build_tenant_a(tenant_a)
    return build_tenant_b(tenant_b)


def test_b_figures_are_exactly_what_b_data_gives(two_businesses, tenant_b):
    with tenant_context(tenant_b):
        figures = business_figures(tenant=tenant_b, today=TODAY)

    assert figures == expected_figures_of_b(two_businesses["massage"])


def test_a_figures_show_what_b_does_not(two_businesses, tenant_a):
    """The contrast that makes the test above meaningful: A's rows would change every figure."""
    with tenant_context(tenant_a):
        figures = business_figures(tenant=tenant_a, today=TODAY)

    assert (figures.bookings, figures.cancellations, figures.no_shows) == (22, 4, 4)
    assert figures.lapsed_clients == 5
    assert (figures.revenue_this_week, figures.revenue_last_week) == (Decimal("320.00"), Decimal("800.00"))
    assert figures.revenue_change_pct == -60.0


def test_b_recommendations_come_from_b_data_alone(two_businesses, tenant_b):
    created = recommendations_generate(tenant=tenant_b, today=TODAY)

    expected = expected_recommendations_of_b(two_businesses["massage"])
    assert [(r.kind, r.priority, r.metric) for r in created] == expected
    stored = recommendations_of(tenant_b)
    assert [(r.kind, r.priority, r.metric) for r in stored] == expected
    assert {r.status for r in stored} == {Recommendation.Status.NEW}
    assert {r.valid_until for r in stored} == {TODAY + timedelta(days=7)}


def test_generating_for_b_never_creates_or_changes_a_rows(two_businesses, tenant_a, tenant_b):
    a_made = recommendations_generate(tenant=tenant_a, today=TODAY)
    assert {r.kind for r in a_made} == {
        K.REDUCE_NO_SHOWS,
        K.REDUCE_CANCELLATIONS,
        K.FILL_QUIET_SLOTS,
        K.WIN_BACK_CLIENTS,
        K.PROMOTE_TOP_SERVICE,
        K.REVIEW_PRICING,
    }
    # A settles a kind B should still be offered: B must not see A's decisions either.
    dismissed = next(r for r in a_made if r.kind == K.PROMOTE_TOP_SERVICE)
    with tenant_context(tenant_a):
        Recommendation.objects.filter(pk=dismissed.pk).update(status=Recommendation.Status.DISMISSED)
    before_a = snapshot(tenant_a)
    a_ids = [r.pk for r in recommendations_of(tenant_a)]

    recommendations_generate(tenant=tenant_b, today=TODAY)
    b_made = recommendations_generate(tenant=tenant_b, today=TODAY)  # regenerating too

    assert snapshot(tenant_a) == before_a
    assert [r.pk for r in recommendations_of(tenant_a)] == a_ids
    expected = expected_recommendations_of_b(two_businesses["massage"])
    assert [(r.kind, r.priority, r.metric) for r in b_made] == expected
    assert [r.pk for r in recommendations_of(tenant_b)] == [r.pk for r in b_made]


def test_regenerating_replaces_new_ones_and_keeps_decisions(two_businesses, tenant_b):
    first = recommendations_generate(tenant=tenant_b, today=TODAY)
    fill, win_back, promote = first
    with tenant_context(tenant_b):
        Recommendation.objects.filter(pk=fill.pk).update(status=Recommendation.Status.ACCEPTED)
        Recommendation.objects.filter(pk=win_back.pk).update(status=Recommendation.Status.DONE)

    second = recommendations_generate(tenant=tenant_b, today=TODAY)

    # The accepted and done ones stay, their kinds are not suggested again while valid,
    # and the "new" one is replaced by a fresh row.
    assert [r.kind for r in second] == [K.PROMOTE_TOP_SERVICE]
    assert second[0].pk != promote.pk
    stored = {r.pk: r.status for r in recommendations_of(tenant_b)}
    assert stored == {
        fill.pk: Recommendation.Status.ACCEPTED,
        win_back.pk: Recommendation.Status.DONE,
        second[0].pk: Recommendation.Status.NEW,
    }

    # Once a decision has lapsed, its kind comes back.
    third = recommendations_generate(tenant=tenant_b, today=TODAY + timedelta(days=8))
    assert K.WIN_BACK_CLIENTS in {r.kind for r in third}


def test_each_generation_is_recorded_in_the_tenants_feed(two_businesses, tenant_a, tenant_b):
    recommendations_generate(tenant=tenant_b, today=TODAY)

    assert row_count(BusinessEvent, tenant_a) == 0
    with unscoped_all_tenants("test read"):
        (event,) = BusinessEvent._base_manager.filter(tenant=tenant_b)
    assert event.kind == BusinessEvent.Kind.RECOMMENDATIONS_GENERATED
    assert event.summary.startswith("3 recommendations generated")


def test_generating_for_b_inside_a_scope_is_refused(two_businesses, tenant_a, tenant_b):
    before = snapshot(tenant_a), snapshot(tenant_b)

    with tenant_context(tenant_a), pytest.raises(TenantScopeError):
        recommendations_generate(tenant=tenant_b, today=TODAY)

    assert (snapshot(tenant_a), snapshot(tenant_b)) == before


def test_a_business_without_bookings_gets_no_recommendations(tenant_b):
    assert recommendations_generate(tenant=tenant_b, today=TODAY) == []
    with tenant_context(tenant_b):
        figures = business_figures(tenant=tenant_b, today=TODAY)
    assert (figures.bookings, figures.no_show_rate, figures.top_service, figures.revenue_change_pct) == (
        0,
        0.0,
        None,
        None,
    )
    assert (figures.busiest_weekday, figures.quietest_weekday, figures.busiest_hour) == (None, None, None)
