"""Demo data for the analytics app: this week's recommendations, from the seeded bookings.

Runs after the bookings seeder (analytics is the last app), so the figures are the demo
business's own.
"""

from __future__ import annotations

import random

from analytics import services
from analytics.models import Recommendation
from core.models import TenantSettings


def seed_demo_data(*, tenant: TenantSettings, kind: str, rng: random.Random, users: dict) -> None:
    created = services.recommendations_generate(tenant=tenant, performed_by=users["manager"])
    if len(created) >= 2:
        # Show a recommendation the owner has already taken up.
        services.recommendation_set_status(recommendation=rng.choice(created), status=Recommendation.Status.ACCEPTED)
