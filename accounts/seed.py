"""Demo data for the accounts app: a few weeks of sign-ins in the audit log."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from accounts.models import AuditLogEntry
from core.models import TenantSettings


def seed_demo_data(*, tenant: TenantSettings, kind: str, rng: random.Random, users: dict) -> None:
    now = timezone.now()
    entries = []
    for user in users.values():
        for _ in range(rng.randint(3, 8)):
            entries.append(
                AuditLogEntry(
                    user=user,
                    action=rng.choice(["login", "login", "login", "password_changed"]),
                    ip_address=f"192.0.2.{rng.randint(1, 254)}",
                    detail={"source": "demo"},
                )
            )
    created = AuditLogEntry.objects.bulk_create(entries)
    # auto_now_add stamps them all now; spread them over the last three weeks.
    for entry in created:
        entry.created_at = now - timedelta(minutes=rng.randint(5, 21 * 24 * 60))
    AuditLogEntry.objects.bulk_update(created, ["created_at"])
