"""Fixtures of the compliance tests (the people and their API clients are the shared
plugin's, tests/plugin.py)."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture
def today(tenant_a) -> date:
    return tenant_a.today()
