"""Demo data for team chat: a few channels per business with a conversation in each."""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from comms import services
from comms.models import Channel, ChannelMember, Message, MessageAttachment
from core.models import TenantSettings
from core.tenancy import tenant_context

# name, topic, private, who joins ("all" or a list of roles), conversation as (role, text)
CHANNELS: dict[str, list[tuple[str, str, bool, object, list[tuple[str, str]]]]] = {
    "salon": [
        (
            "front-desk",
            "Bookings, walk-ins and the phone",
            False,
            "all",
            [
                ("staff", "Mrs Patel called, she'd like to move Thursday's colour to Saturday morning."),
                ("manager", "Saturday 10:00 with Aisha is free, I've moved it."),
                ("staff", "Thanks! Also two walk-ins asking about beard trims after 4."),
                ("owner", "Tom finishes at 5 today, squeeze them in if you can."),
                ("manager", "Reminder: card machine is being swapped tomorrow at 9, cash only for the first hour."),
                ("staff", "Noted, I'll put a sign on the desk."),
            ],
        ),
        (
            "stylists",
            "Techniques, product and the colour bar",
            False,
            "all",
            [
                ("owner", "New toner range arrives Friday, quick demo at 8:30 on Saturday before opening."),
                ("staff", "Can we get more of the 7.1 ash? We're down to the last tube."),
                ("manager", "Ordered, should be here Wednesday."),
                ("staff", "Balayage client at 2 wants a patch test first, doing it now."),
            ],
        ),
        (
            "management",
            "Rota, wages and targets",
            True,
            ["owner", "manager"],
            [
                ("owner", "December rota draft is attached, shout if anything clashes."),
                ("manager", "Looks good. Megan asked for the 23rd off, can we cover?"),
                ("owner", "Yes, I'll take her morning clients."),
            ],
        ),
    ],
    "restaurant": [
        (
            "kitchen",
            "Prep lists, deliveries and 86'd items",
            False,
            "all",
            [
                ("manager", "Fish delivery is short two sea bass, special is off after the first six."),
                ("staff", "86 the sea bass at six covers then, got it."),
                ("owner", "Let's push the lamb as the special instead."),
                ("staff", "Prep list for tomorrow is up on the board, veg order going in at 3."),
                ("manager", "Walk-in fridge reading 6 degrees, engineer booked for 10am."),
            ],
        ),
        (
            "front-of-house",
            "Covers, allergies and the floor plan",
            False,
            "all",
            [
                ("staff", "Table 12 tonight has a severe nut allergy, flagged on the booking."),
                ("manager", "Thanks, I'll brief the kitchen at line-up."),
                ("staff", "Party of 14 for Sunday lunch confirmed, they'd like the back room."),
                ("owner", "Fine by me, set it up Saturday night."),
            ],
        ),
        (
            "management",
            "Costs, suppliers and the rota",
            True,
            ["owner", "manager"],
            [
                ("manager", "Food cost came in at 31% last week, up from 28%."),
                ("owner", "Mostly the butter price. Let's review the dessert menu."),
                ("manager", "Supplier price list attached."),
            ],
        ),
    ],
    "health_club": [
        (
            "gym-floor",
            "Equipment, cleaning and inductions",
            False,
            "all",
            [
                ("staff", "Treadmill 3 is making a grinding noise, I've put an out-of-order sign on it."),
                ("manager", "Engineer is coming Thursday, thanks for flagging."),
                ("staff", "Three inductions booked for Saturday morning."),
                ("owner", "Great, remember the new waiver form for under-18s."),
            ],
        ),
        (
            "classes",
            "Timetable, cover and class numbers",
            False,
            "all",
            [
                ("manager", "Spin at 7am is full all week, shall we add a Wednesday 6am?"),
                ("staff", "I can take the 6am on Wednesdays."),
                ("owner", "Go for it, put it live from next week."),
                ("staff", "Yoga flow tonight needs cover, Sophie is off sick."),
                ("manager", "I'll cover it."),
            ],
        ),
        (
            "pool",
            "Water tests, lifeguards and lessons",
            False,
            ["manager", "staff"],
            [
                ("staff", "Morning water test: chlorine 1.8, pH 7.4, all within range."),
                ("manager", "Thanks. Lane 1 closed 4-5pm for swim lessons."),
            ],
        ),
    ],
    "therapy": [
        (
            "practice-team",
            "Rooms, diaries and admin",
            False,
            "all",
            [
                ("manager", "Room 2 is being redecorated next week, sessions move to Room 4."),
                ("staff", "I've let my Tuesday clients know."),
                ("owner", "Thanks all. New intake forms are live on the website."),
                ("staff", "A new referral came in from the GP surgery, I'll pick it up."),
            ],
        ),
        (
            "clinical-supervision",
            "Case discussion (no client names)",
            True,
            ["owner", "manager"],
            [
                ("owner", "Supervision moves to Thursday 4pm this month."),
                ("manager", "Works for me. I'd like to bring a case about session endings."),
                ("owner", "Good, let's start with that."),
            ],
        ),
        (
            "mindfulness-group",
            "The Wednesday group",
            False,
            "all",
            [
                ("staff", "Seven booked for Wednesday, handouts attached."),
                ("manager", "Lovely, I'll bring the mats."),
            ],
        ),
    ],
    "agency": [
        (
            "general",
            "Everything NBNE",
            False,
            "all",
            [
                ("owner", "Welcome to the platform's own channel."),
                ("owner", "Demo businesses reset every night at 3am."),
            ],
        ),
    ],
}

# (channel name, the message it goes with (index in the conversation), file name, content)
ATTACHMENTS: dict[str, list[tuple[str, int, str, str]]] = {
    "salon": [("management", 0, "december-rota.txt", "Mon: Aisha, Tom\nTue: Megan, Tom\nWed: Aisha, Megan\n")],
    "restaurant": [("management", 2, "supplier-prices.txt", "Butter 10kg: 68.00\nFlour 16kg: 14.50\n")],
    "health_club": [("gym-floor", 0, "treadmill-3-fault.txt", "Grinding at speeds above 10 km/h.\n")],
    "therapy": [("mindfulness-group", 0, "body-scan-handout.txt", "Settle, breathe, notice, return.\n")],
    "agency": [],
}


def seed_demo_data(*, tenant: TenantSettings, kind: str, rng: random.Random, users: dict) -> None:
    now = timezone.now()
    _remove_unused_files_after_commit(tenant)
    for name, topic, private, who, conversation in CHANNELS[kind]:
        creator = users["owner"] if "owner" in (users if who == "all" else who) else users["manager"]
        channel = services.channel_create(tenant=tenant, created_by=creator, name=name, topic=topic, is_private=private)
        roles = list(users) if who == "all" else list(who)
        for role in roles:
            if users[role] != creator:
                services.channel_member_add(channel=channel, user=users[role], is_admin=role == "manager")

        # A conversation over the last few days, a few minutes to a few hours apart.
        moment = now - timedelta(days=rng.randint(2, 5), hours=rng.randint(0, 6))
        messages = []
        for role, text in conversation:
            author = users[role] if role in roles else creator
            message = services.message_post(channel=channel, author=author, body=text)
            moment += timedelta(minutes=rng.randint(3, 240))
            Message.objects.filter(pk=message.pk).update(created_at=min(moment, now))
            messages.append(message)

        for channel_name, index, filename, content in ATTACHMENTS[kind]:
            if channel_name == name and index < len(messages):
                services.attachment_add(
                    message=messages[index],
                    uploaded_by=messages[index].author,
                    upload=_text_file(filename, content),
                )

        # The owner is up to date; the others have a few messages left to read.
        stamps = sorted(Message.objects.filter(channel=channel).values_list("created_at", flat=True))
        behind = {users["owner"].pk: 0, users["manager"].pk: rng.randint(0, 2), users["staff"].pk: rng.randint(2, 4)}
        for member in ChannelMember.objects.filter(channel=channel):
            unread = min(behind.get(member.user_id, 0), len(stamps))
            read_up_to = stamps[-1 - unread] if len(stamps) > unread else now - timedelta(days=7)
            ChannelMember.objects.filter(pk=member.pk).update(last_read_at=read_up_to)
        Channel.objects.filter(pk=channel.pk).update(created_at=now - timedelta(days=30 + rng.randint(0, 60)))


def _text_file(name: str, content: str) -> ContentFile:
    upload = ContentFile(content.encode(), name=name)
    upload.content_type = "text/plain"
    return upload


def _remove_unused_files_after_commit(tenant: TenantSettings) -> None:
    """A reset deletes the old attachment rows; once it commits, their files go too.

    (After the commit only: if the reset fails, the old rows and their files stay.)"""
    storage = MessageAttachment._meta.get_field("file").storage
    folder = f"tenants/{tenant.slug}/messageattachment"

    def remove() -> None:
        with tenant_context(tenant):
            kept = set(MessageAttachment.objects.values_list("file", flat=True))
        try:
            _dirs, names = storage.listdir(folder)
        except FileNotFoundError:
            return
        for name in names:
            if f"{folder}/{name}" not in kept:
                storage.delete(f"{folder}/{name}")

    transaction.on_commit(remove)
