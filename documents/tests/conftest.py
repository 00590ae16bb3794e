from __future__ import annotations

from pathlib import Path

import pytest

from accounts.factories import UserFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """Every file these tests upload goes to the test's own MEDIA_ROOT (root conftest)."""
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def manager_a(tenant_a):
    return UserFactory(tenant=tenant_a, username="tenant-a-manager", role="manager")


@pytest.fixture
def staff_a(tenant_a):
    return UserFactory(tenant=tenant_a, username="tenant-a-staff", role="staff")


@pytest.fixture
def other_staff_a(tenant_a):
    return UserFactory(tenant=tenant_a, username="tenant-a-staff-2", role="staff")


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())
