"""The demo businesses book the way the rules allow: every bookable person is linked to
their team member, and every demo booking lies within the business's opening hours and
that person's rota."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bookings.models import Booking, OpeningHours, Staff
from bookings.seed import STAFF, WEEK
from bookings.selectors import opening_hours_on
from core.demo import DEMO_BUSINESSES, seed_demo_tenant
from core.tenancy import tenant_context
from staff.selectors import staff_working_windows


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["salon-x", "restaurant-x"])
def test_demo_bookings_follow_the_opening_hours_and_the_rota(settings, slug):
    settings.DEMO_PASSWORD = "demo-seed-rules"
    tenant = seed_demo_tenant(slug)
    kind = DEMO_BUSINESSES[slug].kind

    with tenant_context(tenant):
        links = {s.name: s.staff_profile.display_name for s in Staff.objects.select_related("staff_profile__user")}
        assert links == dict(STAFF[kind])
        week = {row.weekday: (row.opens.hour, row.closes.hour) for row in OpeningHours.objects.all()}
        assert week == WEEK[kind]

        bookings = list(Booking.objects.select_related("staff"))
        assert len(bookings) > 20
        for booking in bookings:
            day = timezone.localtime(booking.starts_at, tenant.zone).date()
            opens, closes = opening_hours_on(tenant=tenant, day=day)
            profile_id = booking.staff.staff_profile_id
            at_work = staff_working_windows(tenant=tenant, staff_profile_ids=[profile_id], day=day)[profile_id]
            assert opens <= booking.starts_at and booking.ends_at <= closes, booking
            assert any(start <= booking.starts_at and booking.ends_at <= end for start, end in at_work), booking
