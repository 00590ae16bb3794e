"""Fixtures of the compliance tests: the members of tenant A by role, and a media folder
of their own for uploads."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.factories import UserFactory
from accounts.models import User
from conftest import api_client_for


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads land in a folder of the test's own, never in the project's media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def manager_a(tenant_a):
    return UserFactory(tenant=tenant_a, username="tenant-a-manager", role=User.Role.MANAGER)


@pytest.fixture
def staff_a(tenant_a):
    return UserFactory(tenant=tenant_a, username="tenant-a-staff", role=User.Role.STAFF)


@pytest.fixture
def as_manager(manager_a):
    return api_client_for(manager_a)


@pytest.fixture
def as_staff(staff_a):
    return api_client_for(staff_a)


@pytest.fixture
def today(tenant_a) -> date:
    return tenant_a.today()
