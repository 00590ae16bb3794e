"""The demo seeder builds realistic, valid staff data for every kind of business."""

from __future__ import annotations

import random
from datetime import timedelta
from itertools import combinations

import pytest
from django.utils import timezone

from accounts.models import User
from core.factories import TenantFactory
from core.models import BusinessEvent
from core.tenancy import tenant_context
from staff.models import AbsenceRecord, LeaveRequest, Shift, StaffProfile, TimesheetEntry, TrainingRecord, WorkingHours
from staff.seed import seed_demo_data

pytestmark = pytest.mark.django_db


def demo_users(tenant) -> dict[str, User]:
    return {
        role: User.objects.create_user(f"{tenant.slug}-{role}", password="x", tenant=tenant, role=role)
        for role in ("owner", "manager", "staff")
    }


@pytest.mark.parametrize("kind", ["salon", "restaurant", "health_club", "therapy", "agency"])
def test_the_seeder_builds_a_team_and_its_records(kind):
    tenant = TenantFactory(slug=f"demo-{kind.replace('_', '-')}", opening_hour=9, closing_hour=18)
    users = demo_users(tenant)

    with tenant_context(tenant):
        seed_demo_data(tenant=tenant, kind=kind, rng=random.Random(kind), users=users)

        profiles = list(StaffProfile.objects.select_related("user"))
        assert {p.user_id for p in profiles} >= {u.pk for u in users.values()}
        extra = [p for p in profiles if p.user_id not in {u.pk for u in users.values()}]
        assert 3 <= len(extra) <= 6
        for profile in extra:
            assert profile.user.tenant_id == tenant.pk
            assert profile.user.username == profile.user.first_name.lower()
            assert profile.user.role == "staff"
        assert BusinessEvent.objects.filter(kind=BusinessEvent.Kind.STAFF_CREATED).count() == len(extra)

        assert set(LeaveRequest.objects.values_list("status", flat=True)) == set(LeaveRequest.Status.values)
        today = timezone.localdate()
        assert TrainingRecord.objects.filter(expires_on__lt=today).exists()
        assert TrainingRecord.objects.filter(expires_on__gte=today, expires_on__lte=today + timedelta(days=30)).exists()
        assert WorkingHours.objects.count() >= len(profiles) * 2
        assert AbsenceRecord.objects.count() >= 3

        shifts = list(Shift.objects.all())
        assert Shift.objects.filter(starts_at__lt=timezone.now()).exists()
        assert Shift.objects.filter(starts_at__gt=timezone.now()).exists()
        for profile in profiles:
            own = [s for s in shifts if s.staff_profile_id == profile.pk]
            for first, second in combinations(own, 2):
                assert first.ends_at <= second.starts_at or second.ends_at <= first.starts_at

        entries = list(TimesheetEntry.objects.all())
        assert any(e.clock_out is not None for e in entries)
        assert all(e.clock_out is None or e.clock_in < e.clock_out <= timezone.now() for e in entries)
        # The demo accounts are free to try clocking in.
        assert not TimesheetEntry.objects.filter(
            clock_out__isnull=True, staff_profile__user__in=users.values()
        ).exists()
