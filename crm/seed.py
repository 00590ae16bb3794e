"""Demo data for the sales pipeline: 15-25 leads per business, at every stage, some won
and converted to clients (one of them an existing client, found by email)."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from bookings.models import Client
from core.models import TenantSettings
from crm import services
from crm.models import Lead

Status = Lead.Status
Source = Lead.Source

# (what the lead is about, company or "", low value, high value, likely sources)
OPPORTUNITIES = {
    "salon": [
        ("Bridal party: hair for bride and 5 bridesmaids", "", 350, 650, [Source.WEBSITE, Source.REFERRAL]),
        ("Prom season group booking", "Westfield Academy", 400, 900, [Source.SOCIAL, Source.PHONE]),
        ("Colour correction consultation", "", 90, 180, [Source.WALK_IN, Source.SOCIAL]),
        ("Corporate grooming day", "Hartley & Co Solicitors", 600, 1200, [Source.REFERRAL, Source.PHONE]),
        ("Monthly blow-dry membership", "", 100, 240, [Source.WALK_IN, Source.WEBSITE]),
        ("Photo shoot hair and styling", "Northlight Studio", 250, 500, [Source.SOCIAL, Source.OTHER]),
    ],
    "restaurant": [
        ("Wedding reception, 80 guests", "", 3500, 7000, [Source.WEBSITE, Source.REFERRAL]),
        ("Christmas party, 40 covers", "Tyne Logistics", 1400, 2600, [Source.PHONE, Source.WEBSITE]),
        ("Private dining: tasting menu for 12", "", 780, 1100, [Source.REFERRAL, Source.SOCIAL]),
        ("Weekly team lunch account", "Quayside Architects", 900, 1800, [Source.WALK_IN, Source.PHONE]),
        ("Christening buffet", "", 450, 800, [Source.PHONE, Source.WALK_IN]),
        ("Supper club collaboration", "Local Larder", 300, 700, [Source.SOCIAL, Source.OTHER]),
    ],
    "health_club": [
        ("Corporate membership, 20 staff", "Sage Offices Ltd", 6000, 12000, [Source.REFERRAL, Source.PHONE]),
        ("Personal training block of 10", "", 400, 450, [Source.WALK_IN, Source.WEBSITE]),
        ("Family swim membership", "", 600, 900, [Source.WEBSITE, Source.SOCIAL]),
        ("Sports club conditioning sessions", "Gosforth Rugby Club", 1200, 2400, [Source.REFERRAL, Source.PHONE]),
        ("Annual membership upgrade", "", 480, 720, [Source.WALK_IN, Source.OTHER]),
        ("Post-rehab programme", "", 300, 600, [Source.REFERRAL, Source.WEBSITE]),
    ],
    "therapy": [
        ("Employee assistance programme", "Northern Rail Services", 4000, 9000, [Source.REFERRAL, Source.PHONE]),
        ("Course of 8 CBT sessions", "", 440, 480, [Source.WEBSITE, Source.REFERRAL]),
        ("Workplace wellbeing workshop", "Tech Hub Newcastle", 600, 1500, [Source.SOCIAL, Source.WEBSITE]),
        ("Couples counselling enquiry", "", 330, 660, [Source.WEBSITE, Source.PHONE]),
        ("Mindfulness course for a school's staff", "St Mary's Primary", 800, 1600, [Source.REFERRAL, Source.OTHER]),
        ("Supervision for a newly qualified counsellor", "", 400, 700, [Source.REFERRAL, Source.SOCIAL]),
    ],
    "agency": [
        ("Booking platform for a barbershop", "Fade Street Barbers", 1500, 3000, [Source.REFERRAL, Source.WEBSITE]),
        ("Website and bookings for a yoga studio", "Breathe Yoga", 2000, 4000, [Source.SOCIAL, Source.WEBSITE]),
        ("Table bookings for a cafe", "The Daily Grind", 900, 1800, [Source.WALK_IN, Source.PHONE]),
        ("Client portal for a physio practice", "Motion Physio", 2500, 5000, [Source.REFERRAL, Source.OTHER]),
    ],
}
FIRST = ["Hannah", "Priya", "Connor", "Zara", "Liam", "Chloe", "Ethan", "Maya", "Ryan", "Aisha", "Daniel", "Ellie"]
LAST = ["Morgan", "Patel", "Doyle", "Hussain", "Fraser", "Bell", "Carter", "Nolan", "Shaw", "Iqbal", "Reid", "Lowe"]
LOST_REASONS = [
    "Went with a competitor on price",
    "Date not available",
    "Budget cut this year",
    "No reply after three follow-ups",
    "Chose somewhere closer to home",
]
# The stages leads end at, so every stage of the pipeline has some.
PATH = [Status.CONTACTED, Status.QUALIFIED, Status.PROPOSAL, Status.WON]
SPREAD = [Status.NEW] * 4 + [Status.CONTACTED] * 4 + [Status.QUALIFIED] * 3 + [Status.PROPOSAL] * 3
SPREAD += [Status.WON] * 4 + [Status.LOST] * 3


def seed_demo_data(*, tenant: TenantSettings, kind: str, rng: random.Random, users: dict) -> None:
    today = tenant.today()
    now = timezone.now()
    owners = [users["owner"], users["manager"], users["staff"], None]
    targets = list(SPREAD) + [rng.choice(SPREAD) for _ in range(rng.randint(0, 4))]  # 21 to 25 leads
    rng.shuffle(targets)
    existing_clients = list(Client.objects.filter(tenant=tenant).exclude(email="").order_by("pk")[:20])
    reused_existing = False

    for number, target in enumerate(targets):
        about, company, low, high, sources = rng.choice(OPPORTUNITIES[kind])
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}{number}@example.net".lower()
        name = f"{first} {last}"
        is_returning_client = False
        if target == Status.WON and not reused_existing and existing_clients:
            # Someone who is already a client asks for more: conversion finds them by email.
            client = rng.choice(existing_clients)
            name, email, reused_existing, is_returning_client = client.name, client.email, True, True
        lead = services.lead_create(
            tenant=tenant,
            created_by=rng.choice([users["owner"], users["manager"], users["staff"]]),
            name=name,
            email=email,
            phone=f"07700 9{rng.randint(10000, 99999)}",
            company=company,
            source=rng.choice(sources),
            value=Decimal(rng.randrange(low, high + 1, 10)),
            notes=about,
            owner=rng.choice(owners),
            next_follow_up=today + timedelta(days=rng.randint(-3, 10)) if target in Lead.OPEN_STATUSES else None,
        )
        if target == Status.LOST:
            for status in PATH[: rng.randint(0, 2)]:
                services.lead_move(lead=lead, status=status)
            services.lead_move(lead=lead, status=Status.LOST, lost_reason=rng.choice(LOST_REASONS))
        elif target == Status.WON:
            if is_returning_client or rng.random() < 0.75:
                services.lead_convert(lead=lead, converted_by=rng.choice([users["owner"], users["manager"]]))
            else:
                for status in PATH:
                    services.lead_move(lead=lead, status=status)
        else:
            for status in PATH[: PATH.index(target) + 1] if target != Status.NEW else []:
                services.lead_move(lead=lead, status=status)
        created = now - timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 10))
        Lead.objects.filter(pk=lead.pk).update(created_at=created, updated_at=created + timedelta(days=1))
