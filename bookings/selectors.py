"""Reads of the bookings app. Every function takes the tenant explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from bookings.models import Booking, Client, OpeningHours, Service, Staff
from core.models import TenantSettings
from core.tenancy import tenant_cache_get_or_set
from staff.selectors import TimeWindow, staff_working_windows

SLOT_STEP = timedelta(minutes=15)


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    staff: Staff


def client_with_email(*, tenant: TenantSettings, email: str) -> Client | None:
    """The business's client with this e-mail address (in any letter case), if any."""
    return Client.objects.filter(tenant=tenant, email__iexact=email).first()


def day_bounds(*, tenant: TenantSettings, day: date) -> tuple[datetime, datetime]:
    zone = tenant.zone
    start = datetime.combine(day, time.min, zone)
    return start, start + timedelta(days=1)


def opening_hours_on(*, tenant: TenantSettings, day: date) -> TimeWindow | None:
    """When the business is open on ``day``, or None when it is closed.

    Until a business sets its week (``OpeningHours``), every day runs from
    ``TenantSettings.opening_hour`` to ``closing_hour``; once it has set any day, a day
    without a row is closed. One query.
    """
    zone = tenant.zone
    week = {row.weekday: row for row in OpeningHours.objects.filter(tenant=tenant)}
    if not week:
        opens = datetime.combine(day, time(tenant.opening_hour), zone)
        return opens, datetime.combine(day, time.min, zone) + timedelta(hours=tenant.closing_hour)
    hours = week.get(day.weekday())
    if hours is None:
        return None
    return datetime.combine(day, hours.opens, zone), datetime.combine(day, hours.closes, zone)


def free_slots(*, tenant: TenantSettings, service: Service, day: date, staff: Staff | None = None) -> list[Slot]:
    """Times on ``day`` when ``service`` can be booked, per staff member who offers it.

    Within the day's opening hours; for a staff member linked to an employee, also
    within the hours they work that day (their shifts, else their usual hours, never on
    approved leave). A constant number of queries, whatever the number of staff.
    """
    hours = opening_hours_on(tenant=tenant, day=day)
    if hours is None:
        return []
    opens, closes = hours
    length = timedelta(minutes=service.duration_minutes)
    people = (
        Staff.objects.filter(tenant=tenant, is_active=True)
        .filter(Q(services=service) | Q(services__isnull=True))
        .distinct()
        .order_by("name", "id")
    )
    if staff is not None:
        people = people.filter(pk=staff.pk)
    people = list(people)
    rota = staff_working_windows(
        tenant=tenant, staff_profile_ids={p.staff_profile_id for p in people if p.staff_profile_id}, day=day
    )
    at_work = {
        person.pk: rota[person.staff_profile_id] if person.staff_profile_id else [(opens, closes)] for person in people
    }
    taken: dict[int, list[tuple[datetime, datetime, int]]] = {person.pk: [] for person in people}
    for staff_id, service_id, starts_at, ends_at in Booking.objects.filter(
        tenant=tenant,
        staff__in=people,
        status__in=Booking.ACTIVE_STATUSES,
        starts_at__lt=closes,
        ends_at__gt=opens,
    ).values_list("staff_id", "service_id", "starts_at", "ends_at"):
        taken[staff_id].append((starts_at, ends_at, service_id))

    earliest = timezone.now()
    slots = []
    for person in people:
        start = opens
        while start + length <= closes:
            end = start + length
            if (
                start > earliest
                and _is_within(at_work[person.pk], start, end)
                and _is_free(taken[person.pk], start, end, service)
            ):
                slots.append(Slot(start, end, person))
            start += SLOT_STEP
    slots.sort(key=lambda slot: (slot.starts_at, slot.staff.name))
    return slots


def _is_within(windows: list[TimeWindow], start: datetime, end: datetime) -> bool:
    return any(opens <= start and end <= closes for opens, closes in windows)


def _is_free(taken: list[tuple[datetime, datetime, int]], start: datetime, end: datetime, service: Service) -> bool:
    overlapping = [(s, e, svc) for s, e, svc in taken if s < end and e > start]
    if service.capacity > 1:
        same_class = [b for b in overlapping if b[2] == service.pk and b[0] == start]
        return len(same_class) < service.capacity and len(same_class) == len(overlapping)
    return not overlapping


@dataclass(frozen=True)
class DashboardSummary:
    date: date
    bookings_today: int
    pending_requests: int
    cancellations_this_week: int
    revenue_this_week: Decimal
    new_clients_this_week: int
    upcoming: list[Booking]


DASHBOARD_SECONDS = 60


def dashboard_summary_cached(*, tenant: TenantSettings) -> DashboardSummary:
    """The dashboard of today, from the tenant's cache for up to a minute (any write to
    the tenant's bookings, clients, services or staff invalidates it at once)."""
    today = tenant.today()
    return tenant_cache_get_or_set(
        tenant=tenant,
        name=f"bookings:dashboard:{today.isoformat()}",
        compute=lambda: dashboard_summary(tenant=tenant, today=today),
        timeout=DASHBOARD_SECONDS,
    )


def dashboard_summary(*, tenant: TenantSettings, today: date | None = None) -> DashboardSummary:
    """The figures a manager looks at first: today, this week, what is next."""
    today = today or tenant.today()
    day_start, day_end = day_bounds(tenant=tenant, day=today)
    week_start, _ = day_bounds(tenant=tenant, day=today - timedelta(days=today.weekday()))
    week_end = week_start + timedelta(days=7)
    bookings = Booking.objects.filter(tenant=tenant)
    # Every figure is of this week or later: the range keeps a big business's history,
    # which no figure counts, out of the index scan.
    figures = bookings.filter(starts_at__gte=week_start).aggregate(
        today=Count(
            "pk", filter=Q(starts_at__gte=day_start, starts_at__lt=day_end) & ~Q(status=Booking.Status.CANCELLED)
        ),
        pending=Count("pk", filter=Q(status=Booking.Status.PENDING, starts_at__gte=timezone.now())),
        cancelled=Count(
            "pk", filter=Q(status=Booking.Status.CANCELLED, starts_at__gte=week_start, starts_at__lt=week_end)
        ),
        revenue=Sum(
            "price",
            filter=Q(
                starts_at__gte=week_start,
                starts_at__lt=week_end,
                status__in=[Booking.Status.CONFIRMED, Booking.Status.COMPLETED],
            ),
        ),
    )
    upcoming = list(
        bookings.filter(starts_at__gte=timezone.now(), status__in=Booking.ACTIVE_STATUSES)
        .prefetch_related("client", "service", "staff")  # as the bookings list does, for the same reason
        .order_by("starts_at", "id")[:10]
    )
    return DashboardSummary(
        date=today,
        bookings_today=figures["today"],
        pending_requests=figures["pending"],
        cancellations_this_week=figures["cancelled"],
        revenue_this_week=figures["revenue"] or Decimal("0.00"),
        new_clients_this_week=Client.objects.filter(
            tenant=tenant, created_at__gte=week_start, created_at__lt=week_end
        ).count(),
        upcoming=upcoming,
    )


def businesses_at_reminder_hour(*, now: datetime, hour: int) -> list[TenantSettings]:
    """The active businesses whose own clock shows ``hour`` at ``now``: the hourly sweep
    sends each its day-before reminders once a day, at its own evening."""
    return [tenant for tenant in TenantSettings.objects.filter(is_active=True) if tenant.local(now).hour == hour]
