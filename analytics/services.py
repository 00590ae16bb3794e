"""Writes of the analytics app: recommendations made from a business's own figures."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from analytics.models import Recommendation
from analytics.selectors import LAPSED_AFTER_DAYS, PATTERN_DAYS, PERIOD_DAYS, BusinessFigures, business_figures
from core.models import BusinessEvent, TenantSettings
from core.services import business_event_record
from core.tenancy import in_tenant_scope

K, P = Recommendation.Kind, Recommendation.Priority

VALID_DAYS = 7  # a recommendation is about this week
MIN_BOOKINGS = 10  # below this, a rate says little
NO_SHOW_ALERT, NO_SHOW_HIGH = 0.10, 0.20
CANCELLATION_ALERT, CANCELLATION_HIGH = 0.15, 0.30
QUIET_RATIO, QUIET_MIN_BUSIEST = 0.5, 4  # quiet = at most half the busiest, which has 4+ bookings
LAPSED_MEDIUM, LAPSED_HIGH = 3, 10
TOP_SERVICE_MIN = 5
REVENUE_DROP_ALERT, REVENUE_DROP_HIGH = -20.0, -40.0


def _percent(rate: float) -> str:
    return f"{rate * 100:.0f}%"


def _quiet(busiest, quietest) -> bool:
    return (
        busiest is not None
        and quietest is not None
        and busiest.bookings >= QUIET_MIN_BUSIEST
        and quietest.bookings <= busiest.bookings * QUIET_RATIO
    )


def recommendation_drafts(*, figures: BusinessFigures) -> list[dict[str, Any]]:
    """What the figures suggest: kind, title, body, priority and the figures behind each."""
    drafts = []
    held = figures.bookings - figures.cancellations

    if held >= MIN_BOOKINGS and figures.no_show_rate >= NO_SHOW_ALERT:
        drafts.append(
            {
                "kind": K.REDUCE_NO_SHOWS,
                "priority": P.HIGH if figures.no_show_rate >= NO_SHOW_HIGH else P.MEDIUM,
                "title": f"Cut no-shows: {_percent(figures.no_show_rate)} of bookings were missed",
                "body": f"{figures.no_shows} of {held} bookings in the last {PERIOD_DAYS} days were no-shows. "
                "Send reminders the day before, ask for a deposit on long appointments and keep a waiting "
                "list to refill missed slots.",
                "metric": {
                    "no_shows": figures.no_shows,
                    "bookings_held": held,
                    "no_show_rate": figures.no_show_rate,
                    "period_days": PERIOD_DAYS,
                },
            }
        )

    if figures.bookings >= MIN_BOOKINGS and figures.cancellation_rate >= CANCELLATION_ALERT:
        drafts.append(
            {
                "kind": K.REDUCE_CANCELLATIONS,
                "priority": P.HIGH if figures.cancellation_rate >= CANCELLATION_HIGH else P.MEDIUM,
                "title": f"Reduce cancellations: {_percent(figures.cancellation_rate)} of bookings were cancelled",
                "body": f"{figures.cancellations} of {figures.bookings} bookings in the last {PERIOD_DAYS} days "
                "were cancelled. Publish a cancellation policy and offer to move a booking rather than cancel it.",
                "metric": {
                    "cancellations": figures.cancellations,
                    "bookings": figures.bookings,
                    "cancellation_rate": figures.cancellation_rate,
                    "period_days": PERIOD_DAYS,
                },
            }
        )

    quiet_day = _quiet(figures.busiest_weekday, figures.quietest_weekday)
    quiet_hour = _quiet(figures.busiest_hour, figures.quietest_hour)
    if quiet_day or quiet_hour:
        metric: dict[str, Any] = {"period_days": PATTERN_DAYS}
        if figures.busiest_weekday and figures.quietest_weekday:
            metric.update(
                busiest_weekday=figures.busiest_weekday.name,
                busiest_weekday_bookings=figures.busiest_weekday.bookings,
                quietest_weekday=figures.quietest_weekday.name,
                quietest_weekday_bookings=figures.quietest_weekday.bookings,
            )
        if figures.busiest_hour and figures.quietest_hour:
            metric.update(
                busiest_hour=figures.busiest_hour.hour,
                busiest_hour_bookings=figures.busiest_hour.bookings,
                quietest_hour=figures.quietest_hour.hour,
                quietest_hour_bookings=figures.quietest_hour.bookings,
            )
        if quiet_day:
            quiet, busy = figures.quietest_weekday, figures.busiest_weekday
            title = f"Fill quiet {quiet.name}s"
            body = (
                f"{quiet.name}s had {quiet.bookings} bookings in the last four weeks against {busy.bookings} on "
                f"{busy.name}s. Try an off-peak offer or a class on {quiet.name}s."
            )
        else:
            quiet, busy = figures.quietest_hour, figures.busiest_hour
            title = f"Fill the {quiet.hour:02d}:00 slot"
            body = (
                f"{quiet.bookings} bookings started at {quiet.hour:02d}:00 in the last four weeks against "
                f"{busy.bookings} at {busy.hour:02d}:00. Offer shorter services or an off-peak price then."
            )
        drafts.append(
            {"kind": K.FILL_QUIET_SLOTS, "priority": P.MEDIUM, "title": title, "body": body, "metric": metric}
        )

    if figures.lapsed_clients:
        count = figures.lapsed_clients
        drafts.append(
            {
                "kind": K.WIN_BACK_CLIENTS,
                "priority": P.HIGH if count >= LAPSED_HIGH else P.MEDIUM if count >= LAPSED_MEDIUM else P.LOW,
                "title": f"Win back {count} client{'s' if count != 1 else ''} not seen for {LAPSED_AFTER_DAYS} days",
                "body": f"{count} clients have not booked for {LAPSED_AFTER_DAYS} days or more; "
                f"{figures.lapsed_clients_with_consent} of them agreed to hear from you. Send them a "
                "personal note or a returning-client offer.",
                "metric": {
                    "lapsed_clients": count,
                    "lapsed_clients_with_consent": figures.lapsed_clients_with_consent,
                    "days_without_booking": LAPSED_AFTER_DAYS,
                },
            }
        )

    top = figures.top_service
    if top is not None and top.bookings >= TOP_SERVICE_MIN:
        drafts.append(
            {
                "kind": K.PROMOTE_TOP_SERVICE,
                "priority": P.LOW,
                "title": f"Promote {top.name}, your most booked service",
                "body": f"{top.name} was booked {top.bookings} times in the last {PERIOD_DAYS} days "
                f"({_percent(top.share)} of bookings). Feature it on your booking page and pair it with a "
                "quieter service.",
                "metric": {
                    "service_id": top.id,
                    "service": top.name,
                    "bookings": top.bookings,
                    "share": top.share,
                    "period_days": PERIOD_DAYS,
                },
            }
        )

    change = figures.revenue_change_pct
    if change is not None and change <= REVENUE_DROP_ALERT:
        drafts.append(
            {
                "kind": K.REVIEW_PRICING,
                "priority": P.HIGH if change <= REVENUE_DROP_HIGH else P.MEDIUM,
                "title": f"Revenue fell {abs(change):.0f}% on the week before: review your prices",
                "body": f"Bookings earned {figures.revenue_this_week} in the last 7 days against "
                f"{figures.revenue_last_week} the 7 days before. Review prices and offers on quieter services.",
                "metric": {
                    "revenue_this_week": str(figures.revenue_this_week),
                    "revenue_last_week": str(figures.revenue_last_week),
                    "change_pct": change,
                },
            }
        )
    return drafts


def recommendations_generate(
    *, tenant: TenantSettings, today: date | None = None, performed_by: User | None = None
) -> list[Recommendation]:
    """Replace the tenant's "new" recommendations with ones made from its own figures.

    Accepted, dismissed and done recommendations are kept, and a kind one of them settles
    is not suggested again while it is still valid.
    """
    with in_tenant_scope(tenant), transaction.atomic():
        # One generation at a time per tenant (PostgreSQL locks the row; SQLite serialises writes).
        TenantSettings.objects.select_for_update().filter(pk=tenant.pk).first()
        figures = business_figures(tenant=tenant, today=today)
        settled = set(
            Recommendation.objects.filter(tenant=tenant, valid_until__gte=figures.date)
            .exclude(status=Recommendation.Status.NEW)
            .values_list("kind", flat=True)
        )
        Recommendation.objects.filter(tenant=tenant, status=Recommendation.Status.NEW).delete()
        now = timezone.now()
        created = [
            Recommendation.objects.create(
                tenant=tenant, generated_at=now, valid_until=figures.date + timedelta(days=VALID_DAYS), **draft
            )
            for draft in recommendation_drafts(figures=figures)
            if draft["kind"] not in settled
        ]
        business_event_record(
            tenant=tenant,
            kind=BusinessEvent.Kind.RECOMMENDATIONS_GENERATED,
            summary=f"{len(created)} recommendation{'s' if len(created) != 1 else ''} generated from "
            f"the bookings of {figures.period_start:%d %b} to {figures.period_end:%d %b}",
            performed_by=performed_by,
        )
        return created


ALLOWED_TRANSITIONS = {
    Recommendation.Status.NEW: {
        Recommendation.Status.ACCEPTED,
        Recommendation.Status.DISMISSED,
        Recommendation.Status.DONE,
    },
    Recommendation.Status.ACCEPTED: {Recommendation.Status.DONE, Recommendation.Status.DISMISSED},
    Recommendation.Status.DISMISSED: {Recommendation.Status.ACCEPTED},
    Recommendation.Status.DONE: set(),
}


def recommendation_set_status(*, recommendation: Recommendation, status: str) -> Recommendation:
    """Accept, dismiss or complete a recommendation ("new" is the generator's alone)."""
    if status == recommendation.status:
        return recommendation
    if status not in ALLOWED_TRANSITIONS[recommendation.status]:
        current, wanted = recommendation.get_status_display().lower(), Recommendation.Status(status).label.lower()
        raise ValidationError({"status": f"A {current} recommendation cannot become {wanted}."})
    recommendation.status = status
    recommendation.save(update_fields=["status"])
    return recommendation
