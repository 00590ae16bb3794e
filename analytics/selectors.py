"""Reads of the analytics app: a business's figures, from its own bookings only.

Every query names the tenant explicitly (and runs in its scope), so the figures of one
business can never include a row of another.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, Sum

from bookings.models import Booking, Client, Service
from core.models import TenantSettings

PERIOD_DAYS = 30  # rates and the top service: the 30 days before today
PATTERN_DAYS = 28  # weekdays and hours: four whole weeks, so every weekday counts four times
LAPSED_AFTER_DAYS = 60  # a client with no booking for this long is "not seen"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NOT_CANCELLED = [
    Booking.Status.PENDING,
    Booking.Status.CONFIRMED,
    Booking.Status.COMPLETED,
    Booking.Status.NO_SHOW,
]
EARNING = [Booking.Status.CONFIRMED, Booking.Status.COMPLETED]


@dataclass(frozen=True)
class WeekdayCount:
    weekday: int  # 0 = Monday
    name: str
    bookings: int


@dataclass(frozen=True)
class HourCount:
    hour: int  # local hour the bookings start in
    bookings: int


@dataclass(frozen=True)
class TopService:
    id: int
    name: str
    bookings: int
    share: float  # of the period's bookings that were not cancelled


@dataclass(frozen=True)
class BusinessFigures:
    date: date
    period_start: date
    period_end: date  # inclusive: the day before ``date``
    bookings: int
    cancellations: int
    cancellation_rate: float
    no_shows: int
    no_show_rate: float  # of the bookings that were not cancelled
    pattern_start: date
    by_weekday: list[WeekdayCount]
    by_hour: list[HourCount]
    busiest_weekday: WeekdayCount | None
    quietest_weekday: WeekdayCount | None
    busiest_hour: HourCount | None
    quietest_hour: HourCount | None
    lapsed_clients: int
    lapsed_clients_with_consent: int
    top_service: TopService | None
    revenue_this_week: Decimal
    revenue_last_week: Decimal
    revenue_change_pct: float | None


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _busiest(items: list, key: str):
    """The item with the most bookings (the earliest one on a tie), or None without bookings."""
    if not any(item.bookings for item in items):
        return None
    return max(items, key=lambda item: (item.bookings, -getattr(item, key)))


def _quietest(items: list, key: str):
    """The item with the fewest bookings (the earliest one on a tie); needs two to compare."""
    if len(items) < 2:
        return None
    return min(items, key=lambda item: (item.bookings, getattr(item, key)))


def business_figures(*, tenant: TenantSettings, today: date | None = None) -> BusinessFigures:
    """The figures the recommendations are made from (and the analytics summary shows)."""
    zone = tenant.zone
    today = today or tenant.today()

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time.min, zone)

    bookings = Booking.objects.filter(tenant=tenant)
    period_start = today - timedelta(days=PERIOD_DAYS)
    period = bookings.filter(starts_at__gte=start_of(period_start), starts_at__lt=start_of(today))
    counts = period.aggregate(
        total=Count("pk"),
        cancelled=Count("pk", filter=Q(status=Booking.Status.CANCELLED)),
        no_shows=Count("pk", filter=Q(status=Booking.Status.NO_SHOW)),
    )
    held = counts["total"] - counts["cancelled"]

    # When the business is busy and quiet: local weekday and start hour of held bookings.
    pattern_start = today - timedelta(days=PATTERN_DAYS)
    weekdays: Counter[int] = Counter()
    hours: Counter[int] = Counter()
    for starts_at in period.filter(starts_at__gte=start_of(pattern_start), status__in=NOT_CANCELLED).values_list(
        "starts_at", flat=True
    ):
        local = starts_at.astimezone(zone)
        weekdays[local.weekday()] += 1
        hours[local.hour] += 1
    by_weekday = [WeekdayCount(day, WEEKDAYS[day], weekdays[day]) for day in range(7)]
    traded = [day for day in by_weekday if day.bookings]  # days the business works
    # Hours a booking can start in: open, with time left for the shortest service.
    shortest = Service.objects.filter(tenant=tenant, is_active=True).aggregate(m=Min("duration_minutes"))["m"] or 60
    open_hours = {
        hour
        for hour in range(tenant.opening_hour, tenant.closing_hour)
        if hour * 60 + shortest <= tenant.closing_hour * 60
    }
    by_hour = [HourCount(hour, hours[hour]) for hour in sorted(open_hours | set(hours))]
    busiest_hour = _busiest(by_hour, "hour")
    open_slots = [slot for slot in by_hour if slot.hour in open_hours] or by_hour

    # Clients whose latest booking (cancelled ones aside) started 60+ days ago.
    lapsed = (
        Client.objects.filter(tenant=tenant)
        .annotate(
            last_booked=Max(
                "bookings__starts_at",
                filter=Q(bookings__tenant=tenant, bookings__status__in=NOT_CANCELLED),
            )
        )
        .filter(last_booked__lt=start_of(today - timedelta(days=LAPSED_AFTER_DAYS)))
    )
    lapsed_counts = lapsed.aggregate(total=Count("pk"), consent=Count("pk", filter=Q(marketing_consent=True)))

    top = (
        period.filter(status__in=NOT_CANCELLED)
        .values("service_id", "service__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "service__name", "service_id")
        .first()
    )

    week_start, previous_start = start_of(today - timedelta(days=7)), start_of(today - timedelta(days=14))
    revenue = bookings.filter(status__in=EARNING).aggregate(
        this_week=Sum("price", filter=Q(starts_at__gte=week_start, starts_at__lt=start_of(today))),
        last_week=Sum("price", filter=Q(starts_at__gte=previous_start, starts_at__lt=week_start)),
    )
    this_week = (revenue["this_week"] or Decimal("0")).quantize(Decimal("0.01"))
    last_week = (revenue["last_week"] or Decimal("0")).quantize(Decimal("0.01"))
    change = round(float((this_week - last_week) / last_week * 100), 1) if last_week else None

    return BusinessFigures(
        date=today,
        period_start=period_start,
        period_end=today - timedelta(days=1),
        bookings=counts["total"],
        cancellations=counts["cancelled"],
        cancellation_rate=_rate(counts["cancelled"], counts["total"]),
        no_shows=counts["no_shows"],
        no_show_rate=_rate(counts["no_shows"], held),
        pattern_start=pattern_start,
        by_weekday=by_weekday,
        by_hour=by_hour,
        busiest_weekday=_busiest(traded, "weekday"),
        quietest_weekday=_quietest(traded, "weekday"),
        busiest_hour=busiest_hour,
        quietest_hour=_quietest(open_slots, "hour") if busiest_hour else None,
        lapsed_clients=lapsed_counts["total"],
        lapsed_clients_with_consent=lapsed_counts["consent"],
        top_service=TopService(top["service_id"], top["service__name"], top["n"], _rate(top["n"], held))
        if top
        else None,
        revenue_this_week=this_week,
        revenue_last_week=last_week,
        revenue_change_pct=change,
    )
