"""A team in each tenant: an owner, a manager and two staff members, each with a profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from accounts.factories import UserFactory
from accounts.models import User
from staff.factories import StaffProfileFactory
from staff.models import StaffProfile
from tests.plugin import api_client_for


@dataclass
class Team:
    owner: User
    manager: User
    sam: User
    kim: User
    owner_profile: StaffProfile
    manager_profile: StaffProfile
    sam_profile: StaffProfile
    kim_profile: StaffProfile

    def client(self, who: str):
        return api_client_for(getattr(self, who))


def build_team(tenant, owner) -> Team:
    slug = tenant.slug
    manager = UserFactory(tenant=tenant, username=f"{slug}-manager", role="manager", first_name="Mina", last_name="Lee")
    sam = UserFactory(tenant=tenant, username=f"{slug}-sam", role="staff", first_name="Sam", last_name="Hart")
    kim = UserFactory(tenant=tenant, username=f"{slug}-kim", role="staff", first_name="Kim", last_name="Oduya")
    return Team(
        owner=owner,
        manager=manager,
        sam=sam,
        kim=kim,
        owner_profile=StaffProfileFactory(tenant=tenant, user=owner, job_title="Owner"),
        manager_profile=StaffProfileFactory(tenant=tenant, user=manager, job_title="Manager"),
        sam_profile=StaffProfileFactory(tenant=tenant, user=sam, job_title="Stylist"),
        kim_profile=StaffProfileFactory(tenant=tenant, user=kim, job_title="Stylist"),
    )


@pytest.fixture
def team_a(tenant_a, owner_a) -> Team:
    return build_team(tenant_a, owner_a)


@pytest.fixture
def team_b(tenant_b, owner_b) -> Team:
    return build_team(tenant_b, owner_b)


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """A round local time ``days`` from today."""
    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=minute, second=0, microsecond=0)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}
