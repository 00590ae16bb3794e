"""Demo data for the bookings app: a fortnight either side of today, within each
business's opening hours and its bookable staff's rota."""

from __future__ import annotations

import random
from datetime import time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings import services
from bookings.models import (
    Booking,
    ClassPackage,
    Client,
    IntakeProfile,
    IntakeWellbeingDisclaimer,
    OpeningHours,
    Service,
    Staff,
    Weekday,
)
from bookings.selectors import opening_hours_on
from core.models import TenantSettings
from staff.selectors import staff_profiles_active, staff_working_windows

# The bookable staff are linked to the team the staff app seeds, so its seeder runs first.
SEED_AFTER = ("staff",)

# name, minutes, price, capacity
CATALOGUE = {
    "salon": [
        ("Cut and finish", 45, "38.00", 1),
        ("Colour and cut", 120, "95.00", 1),
        ("Balayage", 150, "140.00", 1),
        ("Blow-dry", 30, "25.00", 1),
        ("Beard trim", 15, "12.00", 1),
    ],
    "restaurant": [
        ("Table for two", 90, "0.00", 1),
        ("Table for four", 120, "0.00", 1),
        ("Chef's tasting menu", 150, "65.00", 1),
        ("Sunday lunch sitting", 120, "28.00", 20),
    ],
    "health_club": [
        ("Personal training", 60, "45.00", 1),
        ("Yoga flow", 60, "12.00", 12),
        ("Spin class", 45, "10.00", 15),
        ("Swim lesson", 30, "18.00", 1),
        ("Sports massage", 45, "50.00", 1),
    ],
    "therapy": [
        ("Initial consultation", 60, "40.00", 1),
        ("Counselling session", 50, "55.00", 1),
        ("CBT session", 50, "60.00", 1),
        ("Mindfulness group", 90, "15.00", 8),
    ],
    "agency": [("Discovery call", 30, "0.00", 1), ("Platform onboarding", 90, "250.00", 1)],
}
# The bookable staff: the name clients see, and the team member's own name.
STAFF = {
    "salon": [("Aisha Khan", "Aisha Khan"), ("Tom Reilly", "Tom Reilly"), ("Megan Ellis", "Megan Ellis")],
    "restaurant": [("Front of house: Luca", "Luca Moretti"), ("Front of house: Priya", "Priya Shah")],
    "health_club": [
        ("Jordan Blake", "Jordan Blake"),
        ("Sophie Turner", "Sophie Turner"),
        ("Marcus Webb", "Marcus Webb"),
    ],
    "therapy": [("Dr Helen Moss", "Helen Moss"), ("Owen Pryce", "Owen Pryce"), ("Grace Adeyemi", "Grace Adeyemi")],
    "agency": [("Sam Taylor", "Sam Taylor")],
}
# Opening hours per weekday (Monday is 0); a day left out is closed.
WEEK = {
    "salon": {day: (9, 18) for day in range(1, 5)} | {Weekday.SATURDAY: (9, 17)},
    "restaurant": {day: (12, 23) for day in range(1, 6)} | {Weekday.SUNDAY: (12, 18)},
    "health_club": {day: (6, 22) for day in range(5)} | {Weekday.SATURDAY: (8, 20), Weekday.SUNDAY: (8, 20)},
    "therapy": {day: (8, 20) for day in range(5)} | {Weekday.SATURDAY: (9, 13)},
    "agency": {day: (9, 17) for day in range(5)},
}
FIRST = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Noah",
    "Oliver",
    "George",
    "Leo",
    "Arthur",
    "Freya",
    "Jack",
    "Harry",
    "Ivy",
    "Rosie",
    "Alfie",
    "Evie",
    "Theo",
    "Lily",
    "Oscar",
    "Sophia",
    "Archie",
    "Grace",
    "Henry",
]
LAST = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
]
INTAKE_NOTES = {
    "salon": ["Patch test done; no reaction.", "Sensitive scalp.", "Allergic to PPD hair dye.", ""],
    "restaurant": ["Nut allergy.", "Coeliac: gluten free only.", "Vegan.", ""],
    "health_club": ["Old knee injury; avoid deep squats.", "Asthma; carries inhaler.", "Pregnant (2nd trimester).", ""],
    "therapy": ["Referred by GP.", "Prefers afternoon sessions.", "Previous CBT in 2024.", ""],
    "agency": [""],
}
DISCLAIMER = (
    "v2026-1",
    "Wellbeing disclaimer",
    "Tell us about any medical condition, injury or medication before your session. Sessions are not a "
    "substitute for medical care. You may stop at any time.",
)


def seed_demo_data(*, tenant: TenantSettings, kind: str, rng: random.Random, users: dict) -> None:
    services_ = [
        Service.objects.create(
            tenant=tenant,
            name=name,
            duration_minutes=minutes,
            price=Decimal(price),
            capacity=capacity,
            description=f"{name} at {tenant.name}.",
        )
        for name, minutes, price, capacity in CATALOGUE[kind]
    ]
    for weekday, (opens, closes) in WEEK[kind].items():
        OpeningHours.objects.create(tenant=tenant, weekday=weekday, opens=time(opens), closes=time(closes))
    team = {profile.display_name: profile for profile in staff_profiles_active(tenant=tenant)}
    staff = []
    for name, employee in STAFF[kind]:
        person = Staff.objects.create(
            tenant=tenant,
            name=name,
            email=f"{name.split()[-1].lower()}@{tenant.slug}.example.com",
            staff_profile=team.get(employee),
        )
        person.services.set(rng.sample(services_, k=max(1, len(services_) - 1)))
        staff.append(person)

    used_emails = set()
    clients = []
    for _ in range(24):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}{rng.randint(1, 99)}@example.com".lower()
        if email in used_emails:
            continue
        used_emails.add(email)
        clients.append(
            Client.objects.create(
                tenant=tenant,
                name=f"{first} {last}",
                email=email,
                phone=f"07700 9{rng.randint(10000, 99999)}",
                marketing_consent=rng.random() < 0.6,
            )
        )

    # Class passes for group classes; where there are none, a multi-visit pass for the
    # cheapest paid service (a salon's blow-dry card).
    passes = [(s, 10, "10 class pass") for s in services_ if s.capacity > 1] or [
        (min((s for s in services_ if s.price > 0), key=lambda s: s.price), 5, "5 visit pass")
    ]
    packages = [
        ClassPackage.objects.create(
            service=service,
            name=f"{service.name} - {label}",
            credits=count,
            price=(service.price * count * Decimal("0.8")).quantize(Decimal("0.01")),
            valid_days=90,
        )
        for service, count, label in passes
    ]
    credits = [
        services.client_credit_grant(client=client, package=rng.choice(packages))
        for client in rng.sample(clients, k=min(6, len(clients)))
    ]

    disclaimer = None
    if kind in ("therapy", "health_club"):
        disclaimer, _ = IntakeWellbeingDisclaimer.objects.get_or_create(
            version=DISCLAIMER[0], defaults={"title": DISCLAIMER[1], "body": DISCLAIMER[2], "is_current": True}
        )
    for client in clients[:10]:
        IntakeProfile.objects.create(
            client=client,
            emergency_contact_name=f"{rng.choice(FIRST)} {client.name.split()[-1]}",
            emergency_contact_phone=f"07700 9{rng.randint(10000, 99999)}",
            medical_notes=rng.choice(INTAKE_NOTES[kind]),
            disclaimer=disclaimer,
            disclaimer_accepted_at=timezone.now() if disclaimer else None,
        )

    _seed_bookings(tenant=tenant, rng=rng, staff=staff, clients=clients, credits=credits, users=users)


def _seed_bookings(*, tenant, rng, staff, clients, credits, users) -> None:
    today = tenant.today()
    now = timezone.now()
    for offset in range(-14, 15):
        day = today + timedelta(days=offset)
        hours = opening_hours_on(tenant=tenant, day=day)
        if hours is None:
            continue
        opens, closes = hours
        rota = staff_working_windows(
            tenant=tenant, staff_profile_ids={p.staff_profile_id for p in staff if p.staff_profile_id}, day=day
        )
        for person in staff:
            offered = list(person.services.all())
            at_work = rota[person.staff_profile_id] if person.staff_profile_id else [(opens, closes)]
            for starts, ends in at_work:
                _seed_bookings_between(
                    tenant=tenant,
                    rng=rng,
                    person=person,
                    offered=offered,
                    starts=max(starts, opens),
                    ends=min(ends, closes),
                    clients=clients,
                    credits=credits,
                    users=users,
                    now=now,
                )


def _seed_bookings_between(*, tenant, rng, person, offered, starts, ends, clients, credits, users, now) -> None:
    cursor = starts
    while True:
        cursor += timedelta(minutes=15 * rng.randint(1, 8))
        service = rng.choice(offered)
        if cursor + timedelta(minutes=service.duration_minutes) > ends:
            break
        if rng.random() < 0.45:
            continue
        client = rng.choice(clients)
        # Every draw happens whatever the clock says, so a reseed gives the same rows.
        online, pending = rng.random() < 0.3, rng.random() < 0.2
        credit = next((c for c in credits if c.client_id == client.pk and c.package.service_id == service.pk), None)
        try:
            booking = services.booking_create(
                tenant=tenant,
                client=client,
                service=service,
                staff=person,
                starts_at=cursor,
                credit=credit if credit and credit.remaining > 1 else None,
                created_by=rng.choice(list(users.values())),
                source=Booking.Source.ONLINE if online else Booking.Source.STAFF,
                status=Booking.Status.PENDING if pending and cursor > now else Booking.Status.CONFIRMED,
                notify=False,  # the demo e-mails nobody
            )
        except ValidationError:
            continue
        cursor = booking.ends_at - timedelta(minutes=15)
        roll = rng.random()
        if roll < 0.08:
            services.booking_cancel(booking=booking, cancelled_by=users["manager"], notify=False)
        elif booking.ends_at < now and booking.status == Booking.Status.CONFIRMED:
            status = Booking.Status.NO_SHOW if roll < 0.12 else Booking.Status.COMPLETED
            services.booking_set_status(booking=booking, status=status)
